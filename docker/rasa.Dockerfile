# The Rasa server of the scale-out profile (docker-compose.yml, docs/DEPLOY.md).
#
# The model is NOT trained here: `make train` trains it on the host and the image ships that
# exact models/footdrop.tar.gz, the one `make test` checked. (Training in the build would take
# minutes, need the training data in the image, and could give a different model than the
# tested one.) The build fails at the COPY below if the model is missing: run `make train`.
FROM rasa/rasa:3.6.21

# Nothing leaves the machine.
ENV RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2

USER root
WORKDIR /app

# What the NLU pipeline needs on top of Rasa, at the versions of requirements.lock (used as
# constraints, so spaCy's own dependencies get the tested versions too). python-socketio is
# pinned: newer versions silently drop bot replies on socket.io (RasaHQ/rasa#13027).
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -c /tmp/requirements.lock \
      spacy==3.4.4 spacy-lookups-data==1.0.5 python-socketio==5.9.0 \
 && rm /tmp/requirements.lock

# The project's code Rasa loads: custom NLU components (the red-flag override imports
# actions.answers), the rule policy (policies/), the channels (REST and socket.io), the lock
# store of endpoints.scale.yml (locks/), the tracker stores (stores/; the start-up check reads its list of SQL types), and
# clinic.yml, whose phone number the channels give when the assistant cannot answer.
COPY nlu_components/ nlu_components/
COPY policies/ policies/
COPY actions/ actions/
COPY channels/ channels/
COPY locks/ locks/
COPY stores/ stores/
COPY credentials.yml endpoints.scale.yml clinic.yml ./
COPY models/footdrop.tar.gz models/footdrop.tar.gz
COPY docker/rasa-entrypoint.sh /usr/local/bin/rasa-entrypoint

# The blank spaCy pipeline config.yml points at (built in code, no download).
RUN python -m nlu_components.spacy_pipeline build/spacy/en_footdrop

USER 1001
EXPOSE 5005
# `rasa ...` as in the base image, but `rasa run` starts only once its conversation store
# answers (until then it exits, and compose or Kubernetes restarts it).
ENTRYPOINT ["/bin/sh", "/usr/local/bin/rasa-entrypoint"]
# The HTTP API stays off. Every ${...} of endpoints.scale.yml must be set.
CMD ["run", "--model", "models/footdrop.tar.gz", "--port", "5005", \
     "--credentials", "credentials.yml", "--endpoints", "endpoints.scale.yml"]
