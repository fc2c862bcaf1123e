"""staff/usage.py: how often each topic was asked and how many of its test questions the model
patients have answers right (the counts tools/evaluate.py's outcome table keeps per intent,
saved by each publication's evaluation)."""

from __future__ import annotations

import json

from staff.publish import BY_INTENT as PUBLISH_BY_INTENT
from staff.publish import MODEL, ModelFile, sha256_of, topics_file
from staff.usage import Recognised, recognition, usage
from tools.evaluate import BY_INTENT, by_intent


def test_the_outcome_table_counts_each_intent():
    rows = [("ask_brace", "a", "ask_brace", [], "right answer"), ("ask_brace", "b", "nlu_fallback", [], "menu"),
            ("ask_recovery", "c", "ask_recovery", [], "right answer")]
    assert by_intent(rows) == {"ask_brace": [1, 2], "ask_recovery": [1, 1]}
    assert PUBLISH_BY_INTENT == BY_INTENT  # staff reads the key without importing tools.evaluate


def model_with_figures(project, figures):
    model = project / MODEL
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"a model")
    path = topics_file(project, sha256_of(model))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures))


def test_recognition_is_that_of_the_model_patients_have(tmp_path):
    model = ModelFile(tmp_path)  # one, as the console keeps: it notices the file changing
    assert recognition(tmp_path, model) == ({}, False)  # no model
    model_with_figures(tmp_path, {"held-out questions": {"ask_brace": [4, 5]},
                                  "external questions": {"ask_brace": [2, 3], "ask_recovery": [1, 1]}})
    found, measured = recognition(tmp_path, model)
    assert measured
    assert found["ask_brace"] == [Recognised("held-out questions", 4, 5), Recognised("external questions", 2, 3)]
    assert found["ask_brace"][0].percent == 80
    (tmp_path / MODEL).write_bytes(b"another model, never measured")
    assert recognition(tmp_path, model) == ({}, False)


def test_usage_says_why_the_asked_count_is_unknown(tmp_path):
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://localhost:5055/webhook\n")
    model_with_figures(tmp_path, {"held-out questions": {"ask_brace": [5, 5]}})
    figures = usage(tmp_path, ["ask_brace", "ask_new"], ModelFile(tmp_path))
    assert figures.topics["ask_brace"].asked is None and "tracker_store" in figures.asked_problem
    assert figures.measured and figures.topics["ask_new"].recognised == []
    assert figures.topics["ask_brace"].recognised == [Recognised("held-out questions", 5, 5)]
