# Foot Drop Assistant: the one entry point. `make run` to chat, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
BIN         := $(VENV)/bin
RASA        := $(BIN)/rasa
PYTHON      := $(BIN)/python
INSTALLED   := $(VENV)/.installed
PROJECT     := $(VENV)/.project
SPACY_MODEL := build/spacy/en_footdrop
ENCODER     := build/encoder
RED_FLAGS   := $(ENCODER)/cache/.fitted
MODEL       := models/footdrop.tar.gz
WEB_VENDOR  := web/widget/vendor/socket.io.min.js
AUDIT_VENV  := .venv-audit
PROFILE     ?= default

# Nothing leaves the machine: no telemetry from any command this Makefile runs.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL   := 2
export PYTHONDONTWRITEBYTECODE := 1

# Everything training depends on: change any of these and `make train` retrains. The Python
# files are the custom components and policies config.yml names and every project module they
# import (tools/train_inputs.py follows the imports; standard library only).
TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
                $(shell python3 tools/train_inputs.py config.yml) \
                $(SPACY_MODEL)/meta.json $(RED_FLAGS)
# What the red-flag detector learns from (footdrop/red_flags.py): its classifier is fitted
# again, and kept in $(ENCODER)/cache, when any of these change.
RED_FLAG_INPUTS := $(wildcard content/emergency_*.yml) content/context_rules.yml \
                   $(shell find data/nlu data/nlu.yml -name '*.yml') \
                   $(shell python3 tools/train_inputs.py --module footdrop.red_flags)

.PHONY: help run install train serve test test-fast test-deps validate check compare-pipelines browser clean report new-topic \
        evaluate evaluate-nlu services compose-tool test-scale purge backup restore audit bench soak lint \
        staff staff-user

help:
	@echo "make run       set up (first time), train if needed, and serve the assistant"
	@echo "make test      validate the data, train if needed, run every test (all tiers)"
	@echo "make test-fast the unit tests alone (tests/unit: no servers, no model), about two minutes"
	@echo "make install   create $(VENV) with Python 3.10 and the pinned dependencies"
	@echo "make train     train the model if data, domain or config changed"
	@echo "make serve     serve Rasa on :5005, actions on :5055 and the demo page on :8080 (Ctrl-C stops all)"
	@echo "make validate  check the training data with rasa data validate"
	@echo "make lint      ruff, mypy on the core, and which package may import which (pyproject.toml)"
	@echo "make check     the project's own checks (answers, examples, tests, clinic.yml): names the file and the fix"
	@echo "make compare-pipelines  held-out accuracy of config.yml vs evaluation/*.yml"
	@echo "make report    patient messages the assistant could not answer -> reports/unanswered.md"
	@echo "make staff     the staff console on http://127.0.0.1:8081/ (docs/STAFF.md; Ctrl-C stops it)"
	@echo "make staff-user NAME=x ROLE=editor|clinician  create a staff account (asks for its password)"
	@echo "make new-topic NAME=ask_x  add a new topic's skeleton to every file (docs/EXTENDING.md)"
	@echo "make evaluate  how well each topic is recognised, and each emergency sign: reports/nlu/, reports/red_flags/"
	@echo "make evaluate-nlu  the topics alone (reports/nlu/), without the red-flag evaluation"
	@echo "make serve PROFILE=scale  several Rasa processes on PostgreSQL and Redis (docs/DEPLOY.md)"
	@echo "make test-scale  two Rasa replicas on a local PostgreSQL and Redis, 20 conversations"
	@echo "make purge DAYS=365  delete conversations older than the clinic's retention period"
	@echo "make backup         a consistent copy of the conversation store, while it serves (var/backups/)"
	@echo "make restore FILE=  put a backup back (the store as it was is backed up first)"
	@echo "make audit     pip-audit over requirements.lock (docs/SECURITY.md)"
	@echo "make soak      30 minutes of paced load with faults, memory each minute (reports/soak.json)"
	@echo "make bench     speed and memory against a stock rasa init assistant: reports/bench.json, .png"
	@echo "               (about 20 min; BENCH_ARGS=\"--quick --skip-training\" for a short run, \"--replicas 2\" for two Rasa processes)"

run: install train serve

install: $(INSTALLED) $(PROJECT) $(WEB_VENDOR) $(ENCODER)/manifest.json

$(INSTALLED): requirements.lock requirements-nodeps.txt
	@py=$$(scripts/find-python310) || exit 1; \
	  echo "Creating $(VENV) with $$py"; \
	  $$py -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	@touch $@

# This project itself, in editable mode: its packages (pyproject.toml) import from anywhere.
$(PROJECT): pyproject.toml $(INSTALLED)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# The sentence encoder: the official all-MiniLM-L6-v2 files (SHA-256 checked), converted to
# ONNX and checked against TensorFlow (about a minute, once).
$(ENCODER)/manifest.json: footdrop/encoder.py footdrop/encoder_build.py $(INSTALLED)
	$(PYTHON) -m footdrop.encoder_build $(ENCODER)

# The red-flag detector's classifier, fitted on the examples: about 50 seconds the first time,
# 15 when they change (the vectors of lines seen before are kept in $(ENCODER)/cache).
$(RED_FLAGS): $(RED_FLAG_INPUTS) $(ENCODER)/manifest.json
	$(PYTHON) -m footdrop.red_flags
	@touch $@

# The widget's socket.io client, from npm (web/package-lock.json), served from web/ (no CDN).
$(WEB_VENDOR): web/package-lock.json
	@command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --prefix web --no-audit --no-fund --silent
	web/install-vendor.sh

# The Debian packages the slow tests need, in one script (scripts/install-test-deps, which says
# what each is for): all of them for `make test`, or one group: Chromium for the widget's browser
# tests, PostgreSQL and Redis for the scale-out test, docker-compose and nginx for
# tests/system/test_deploy.py.
test-deps:
	@scripts/install-test-deps

browser services compose-tool:
	@scripts/install-test-deps $@

# pip-audit in its own venv: it needs a newer `packaging` than Rasa 3.6 allows.
$(AUDIT_VENV)/.installed: requirements-audit.lock
	@py=$$(scripts/find-python310) || exit 1; $$py -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-audit.lock
	@touch $@

# The blank spaCy pipeline (tokenizer, lookup lemmatizer, terminology EntityRuler), built in code.
$(SPACY_MODEL)/meta.json: footdrop/language.py content/terminology.yml $(INSTALLED)
	$(PYTHON) -m footdrop.language $(SPACY_MODEL)

train: $(MODEL)

$(MODEL): $(TRAIN_INPUTS) $(INSTALLED)
	$(RASA) train --fixed-model-name footdrop --out models

validate: $(INSTALLED)
	$(RASA) data validate --fail-on-warnings

# The code's own checks: ruff (pyflakes, pycodestyle's errors, bugbear), mypy on the Rasa-free
# core, and import-linter's contracts (the core imports no Rasa; actions and Rasa plug-ins never
# import each other). Settings in pyproject.toml.
lint: $(PROJECT)
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Clinic staff's checks: every problem named with its file and how to fix it (tools/check.py).
check: validate
	$(PYTHON) -m tools.check

serve: $(INSTALLED) $(WEB_VENDOR) $(SPACY_MODEL)/meta.json $(RED_FLAGS)
	@test -f $(MODEL) || { echo "No trained model: run 'make train' (or 'make run')."; exit 1; }
	@PROFILE=$(PROFILE) scripts/serve

# Every tier (tests/unit, tests/system, tests/security). Three workers (pytest-xdist) on the two
# cores, one test file each at a time: most tests wait on servers, browsers and paced patients
# (on 5 December the suite took 10.5 minutes with three, 12.5-14.5 with two).
test: lint check train $(WEB_VENDOR) test-deps $(AUDIT_VENV)/.installed
	$(BIN)/pytest -n 3 --dist loadfile

# The unit tier alone: no servers, no trained model, no Debian packages; after `make install`.
# On both cores (pytest-xdist): the staff console's tests each make a small git repository.
test-fast: install
	$(BIN)/pytest -q -n 2 tests/unit

test-scale: $(INSTALLED) train services
	$(BIN)/pytest -q tests/system/test_scale_out.py

purge: $(INSTALLED)
	@test -n "$(DAYS)" || { echo "Usage: make purge DAYS=365  (deletes conversations older than 365 days)"; exit 1; }
	$(PYTHON) -m tools.purge --days $(DAYS)

# A consistent copy of the SQLite store while the assistant serves (tools/backup.py).
backup: $(INSTALLED)
	$(PYTHON) -m tools.backup $(if $(DIR),--dir $(DIR)) backup $(if $(KEEP),--keep $(KEEP))

restore: $(INSTALLED)
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/tracker-....db  (the store as it was is backed up first)"; exit 1; }
	$(PYTHON) -m tools.backup $(if $(DIR),--dir $(DIR)) restore $(FILE)

audit: $(INSTALLED) $(AUDIT_VENV)/.installed
	$(PYTHON) -m tools.audit

# Speed and memory against a stock `rasa init` assistant (not part of `make test`): reports/bench.json, .png
bench: $(MODEL)
	$(PYTHON) -m bench.bench $(BENCH_ARGS)

# 30 minutes of paced load on make serve (a linked copy) with a part restarted or killed
# every 5 minutes; memory each minute (bench/soak.py). Not part of make test.
soak: $(MODEL)
	$(PYTHON) -m bench.soak $(SOAK_ARGS)

# The staff console (staff/, docs/STAFF.md): on 127.0.0.1 only, in the foreground.
staff: install
	$(PYTHON) -m staff

staff-user: install
	@test -n "$(NAME)" -a -n "$(ROLE)" || { echo "Usage: make staff-user NAME=ana ROLE=editor  (or ROLE=clinician)"; exit 1; }
	$(PYTHON) -m staff.users add "$(NAME)" --role "$(ROLE)" $(if $(DISPLAY_NAME),--display-name "$(DISPLAY_NAME)")

# For clinic staff (docs/EXTENDING.md).
new-topic: $(INSTALLED)
	@test -n "$(NAME)" || { echo "Usage: make new-topic NAME=ask_something"; exit 1; }
	$(PYTHON) -m tools.new_topic $(NAME)

# Held-out NLU accuracy and what patients get on each set (reports/nlu/), then the red-flag
# evaluation (tests/red_flags/, both parts: reports/red_flags/).
evaluate: evaluate-nlu
	$(PYTHON) -m tools.evaluate_red_flags

# The first half alone (about a minute and a half): after a change to the training data.
evaluate-nlu: train
	$(PYTHON) -m tools.evaluate

compare-pipelines: $(INSTALLED) $(SPACY_MODEL)/meta.json
	$(PYTHON) -m evaluation.compare_pipelines config.yml evaluation/encoder_diet.yml evaluation/without_encoder.yml \
	  evaluation/encoder_logreg.yml \
	  evaluation/whitespace.yml evaluation/spacy_words_and_lemmas.yml

report: $(INSTALLED)
	$(PYTHON) -m tools.report

clean:
	rm -rf models build results reports .pytest_cache
