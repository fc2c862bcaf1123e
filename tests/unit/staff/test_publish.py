"""staff/publish.py and staff/model_server.py's pure parts: when a publication is refused, the
model's fingerprint, the endpoints scripts/serve gives Rasa, and the token check."""

from __future__ import annotations

import hashlib
import os

import pytest
import yaml

from staff.model_server import PULL_SECONDS, Servers, endpoints_with_models, main, token_matches
from staff.publish import (EXTERNAL_SET, HOLDOUT_SET, MAX_DROP, STEPS, ModelFile, compare, components_done,
                           components_named, share_right)


def test_a_drop_of_more_than_one_point_is_refused_and_says_which_and_how_much():
    before = {HOLDOUT_SET: 90.0, EXTERNAL_SET: 80.0}
    assert compare(before, {HOLDOUT_SET: 90.0 - MAX_DROP, EXTERNAL_SET: 95.0}) == []  # one point: allowed
    reasons = compare(before, {HOLDOUT_SET: 88.5, EXTERNAL_SET: 80.0})
    assert reasons == ["Fewer held-out questions get the right answer: 88.5% with the new model, 90.0% now "
                       "(more than 1 point lower)."]
    both = compare(before, {HOLDOUT_SET: 70.0, EXTERNAL_SET: 70.0})
    assert len(both) == 2 and "external questions" in both[1]
    assert compare({}, {HOLDOUT_SET: 10.0}) == []  # nothing to compare with: the first publication


def test_share_right_reads_the_outcome_table_as_percent():
    assert share_right({HOLDOUT_SET: {"right answer": 0.8793}}, HOLDOUT_SET) == 87.93


def test_the_steps_fill_the_progress_bar():
    assert sum(weight for _step, _label, weight in STEPS) == 100


def test_the_model_fingerprint_is_its_sha256_and_follows_the_file(tmp_path):
    model = ModelFile(tmp_path)
    assert model.sha256() is None
    model.path.parent.mkdir()
    model.path.write_bytes(b"first model")
    assert model.sha256() == hashlib.sha256(b"first model").hexdigest()
    staged = tmp_path / "staged"
    staged.write_bytes(b"second, longer model")
    os.replace(staged, model.path)  # as a publication replaces it
    assert model.sha256() == hashlib.sha256(b"second, longer model").hexdigest()


def test_servers_remember_the_last_model_each_said_it_runs():
    servers = Servers()
    servers.saw("rasa-5006", "", 1.0)
    servers.saw("rasa-5005", "a" * 64, 2.0)
    servers.saw("rasa-5006", "b" * 64, 3.0)
    assert [(s.name, s.model_sha256, s.last_asked) for s in servers.all()] == \
        [("rasa-5005", "a" * 64, 2.0), ("rasa-5006", "b" * 64, 3.0)]


@pytest.mark.parametrize("given, expected, ok", [
    ("secret", "secret", True), ("Secret", "secret", False), ("", "secret", False), (None, "secret", False),
    ("anything", "", False), ("", "", False),
])
def test_the_token(given, expected, ok):
    assert token_matches(given, expected) is ok


def test_endpoints_for_rasa_name_the_console_as_model_server(tmp_path, monkeypatch):
    base = {"action_endpoint": {"url": "http://localhost:5055/webhook"}, "tracker_store": {"type": "x"}}
    endpoints = endpoints_with_models(base, "http://127.0.0.1:8081/models/footdrop.tar.gz", "t0ken", "rasa-5005")
    assert endpoints["models"] == {"url": "http://127.0.0.1:8081/models/footdrop.tar.gz", "token": "t0ken",
                                   "wait_time_between_pulls": PULL_SECONDS, "params": {"server": "rasa-5005"}}
    assert endpoints["tracker_store"] == base["tracker_store"] and "models" not in base
    with pytest.raises(ValueError, match="server name"):
        endpoints_with_models(base, "http://x", "t", "rasa 5005; rm")

    (tmp_path / "endpoints.yml").write_text(yaml.safe_dump(base))
    out = tmp_path / "run" / "endpoints-5005.yml"
    monkeypatch.delenv("STAFF_MODEL_TOKEN", raising=False)
    assert main(["endpoints", str(tmp_path / "endpoints.yml"), str(out), "--server", "rasa-5005"]) == 2
    monkeypatch.setenv("STAFF_MODEL_TOKEN", "from-serve")
    assert main(["endpoints", str(tmp_path / "endpoints.yml"), str(out), "--server", "rasa-5005", "--port", "9001"]) == 0
    written = yaml.safe_load(out.read_text())
    assert written["models"]["url"] == "http://127.0.0.1:9001/models/footdrop.tar.gz"
    assert written["models"]["token"] == "from-serve"
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # it holds the token


def test_rasa_reads_that_models_section_as_its_model_server():
    """Rasa 3.6's own reading of endpoints: the URL, the token as a query parameter with the
    server's name, and the pull interval (rasa/core/agent.py reads wait_time_between_pulls)."""
    from rasa.utils.endpoints import EndpointConfig

    section = endpoints_with_models({}, "http://127.0.0.1:8081/models/footdrop.tar.gz", "t0ken", "rasa-5005")["models"]
    config = EndpointConfig.from_dict(section)
    assert config.url == section["url"]
    assert config.combine_parameters() == {"server": "rasa-5005", "token": "t0ken"}
    assert config.kwargs["wait_time_between_pulls"] == PULL_SECONDS


def test_training_progress_is_measured_in_components(tmp_path):
    """The bar moves with each component Rasa trains or takes from its cache; the last training's
    log says how many there are, and before any, the components config.yml names."""
    log = tmp_path / "train.log"
    assert components_done(log) == 0
    log.write_text("INFO rasa.engine.training.hooks - Restored component 'CountVectorsFeaturizer' from cache.\n"
                   "INFO rasa.engine.training.hooks - Starting to train component 'LinearIntentClassifier'.\n"
                   "INFO rasa.engine.training.hooks - Finished training component 'LinearIntentClassifier'.\n")
    assert components_done(log) == 2
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: SpacyNLP\n  # - name: commented out\n  - name: FallbackClassifier\n"
                      "policies:\n  - name: RulePolicy\n")
    assert components_named(config) == 3
