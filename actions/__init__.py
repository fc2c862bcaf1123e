"""Custom actions for the Foot Drop Assistant, served by `rasa run actions` on port 5055."""

from actions.errors import guard_action_server

guard_action_server()  # inside `rasa run actions` only: no request echoed, no patient text logged
