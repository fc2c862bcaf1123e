"""Conversation tests: `rasa test core` over tests/test_stories.yml (conversations as patients
type them) and data/stories.yml (the training stories, which the rules alone must carry: the
policies are RulePolicy only), failing on any wrong prediction (that every intent has a
conversation test: tests/unit/test_conversations.py)."""

from __future__ import annotations

import subprocess

import pytest

from support.processes import rasa_command
from support.project import ROOT

STORIES = "tests/test_stories.yml"


@pytest.mark.parametrize("stories", [STORIES, "data/stories.yml"])
def test_conversations_follow_the_stories(trained_model, stories):
    out = f"reports/core/{stories.split('/')[0]}"
    result = subprocess.run(
        rasa_command(
            "test", "core", "--model", str(trained_model), "--stories", stories,
            "--fail-on-prediction-errors", "--out", out,
        ),
        cwd=ROOT, capture_output=True, text=True,
    )
    failed = ROOT / out / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details + result.stdout[-2000:] + result.stderr[-3000:]
