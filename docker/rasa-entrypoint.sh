#!/bin/sh
# The rasa image's entrypoint: `rasa "$@"`, but `rasa run` only once its stores answer.
#
# Rasa 3.6 does not stop when PostgreSQL cannot be reached at start: it serves anyway and keeps
# conversations in memory only, losing them at the next restart. footdrop_rasa/channels/preflight.py checks
# the stores of the --endpoints file first; if one does not answer, this exits with its
# message, and compose (restart: unless-stopped) or Kubernetes starts it again later.
set -eu

if [ "${1:-}" = "run" ]; then
  endpoints=endpoints.yml  # Rasa's default
  previous=""
  for argument in "$@"; do
    if [ "$previous" = "--endpoints" ]; then endpoints=$argument; fi
    previous=$argument
  done
  python -m footdrop_rasa.channels.preflight "$endpoints"
fi
exec rasa "$@"
