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
# constraints, so their own dependencies get the tested versions too): spaCy, the sentence
# encoder's runtime (ONNX Runtime, tokenizers) and its one-time conversion (onnx, and the
# no-deps packages of requirements-nodeps.txt), medspaCy and rapidfuzz for the red-flag
# detector. python-socketio is pinned: newer versions silently drop bot replies on socket.io
# (RasaHQ/rasa#13027).
COPY requirements.lock requirements-nodeps.txt /tmp/
RUN pip install --no-cache-dir -c /tmp/requirements.lock \
      spacy==3.4.4 spacy-lookups-data==1.0.5 python-socketio==5.9.0 \
      onnxruntime==1.19.2 tokenizers==0.15.2 onnx==1.16.2 huggingface-hub==0.20.3 \
      medspacy==1.3.1 rapidfuzz==3.9.7 \
 && pip install --no-cache-dir --no-deps -r /tmp/requirements-nodeps.txt \
 && rm /tmp/requirements.lock /tmp/requirements-nodeps.txt

# The project's code Rasa loads: its plug-ins (footdrop_rasa/: the NLU components, the rule
# policy, the channels and the response generator, the lock store of endpoints.scale.yml, the
# tracker stores), the Rasa-free core they call (footdrop/), the red-flag detector's signs,
# examples and context rules (content/) and the NLU examples it learns ordinary messages from
# (data/nlu*), and clinic.yml, whose phone and emergency number the responses and channels give.
# Not actions/: that is the action server's image.
COPY footdrop_rasa/ footdrop_rasa/
COPY footdrop/ footdrop/
COPY content/ content/
COPY data/nlu.yml data/nlu.yml
COPY data/nlu/ data/nlu/
COPY credentials.yml endpoints.scale.yml clinic.yml ./
COPY models/footdrop.tar.gz models/footdrop.tar.gz
COPY docker/rasa-entrypoint.sh /usr/local/bin/rasa-entrypoint

# The blank spaCy pipeline config.yml points at (built in code, no download); the sentence
# encoder (official files checked by SHA-256, converted to ONNX and checked against
# TensorFlow); the red-flag detector's classifier, fitted once here.
RUN python -m footdrop.language build/spacy/en_footdrop \
 && python -m footdrop.encoder_build build/encoder \
 && python -m footdrop.red_flags

USER 1001
EXPOSE 5005
# `rasa ...` as in the base image, but `rasa run` starts only once its conversation store
# answers (until then it exits, and compose or Kubernetes restarts it).
ENTRYPOINT ["/bin/sh", "/usr/local/bin/rasa-entrypoint"]
# The HTTP API stays off. Every ${...} of endpoints.scale.yml must be set.
CMD ["run", "--model", "models/footdrop.tar.gz", "--port", "5005", \
     "--credentials", "credentials.yml", "--endpoints", "endpoints.scale.yml"]
