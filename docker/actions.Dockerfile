# The action server (custom actions) of the scale-out profile, on the rasa-sdk image whose
# version matches rasa-sdk in requirements.lock.
FROM rasa/rasa-sdk:3.6.2

# Nothing leaves the machine.
ENV RASA_TELEMETRY_ENABLED=false

USER root
WORKDIR /app

# What the actions import besides rasa_sdk: spaCy and its lookup tables (footdrop/answers.py
# builds the project's spaCy pipeline with footdrop/language.py) and PyYAML (clinic.yml, content/;
# footdrop/signs.py reads the emergency signs' reasons).
# Versions from requirements.lock, used as constraints for their dependencies too.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -c /tmp/requirements.lock \
      spacy==3.4.4 spacy-lookups-data==1.0.5 PyYAML==6.0.4 \
 && rm /tmp/requirements.lock

COPY actions/ actions/
COPY footdrop/ footdrop/
COPY content/ content/
COPY clinic.yml ./

# A mistake in clinic.yml fails the build with the field named, as `make serve` would.
RUN python -m footdrop.clinic >/dev/null

USER 1001
EXPOSE 5055
CMD ["start", "--actions", "actions", "--port", "5055"]
