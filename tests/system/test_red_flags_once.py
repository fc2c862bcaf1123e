"""Issue 18: the red-flag detector runs once per message, and whatever acts on an emergency reads
its result from the message's parse data.

The detector runs in the Rasa server's NLU pipeline only (footdrop_rasa/nlu/red_flags.py sets
the intent `emergency` or `red_flag_check` and a `red_flag` entity per sign). The rules act on
the intent, the symptom check's form sets such a message aside by its intent, and
action_emergency takes the signs from the `red_flag` entities of the message (or, after "yes"
to the safety question, of the message asked about): none of them runs the detector again.
The dialogue part of the test runs the trained model in-process (no action server: the custom
actions are the action server's, which cannot run the detector, see the first test).
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import Dict, List

import pytest

from footdrop.context import ContextReader
from footdrop.red_flags import RedFlagDetector

ROOT = Path(__file__).resolve().parents[2]
DETECTOR_MODULES = {"footdrop.red_flags", "footdrop.context"}


def imports_of(path: Path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_only_the_nlu_component_asks_the_detector():
    """The action server's code cannot run the detector; among the Rasa plug-ins only
    RedFlagIntentOverride calls ``assess`` (the featurizer and the nearest-example component share
    the detector's encoder and text reading, not its decision)."""
    for path in sorted((ROOT / "actions").rglob("*.py")):
        assert not imports_of(path) & DETECTOR_MODULES, path
    callers = [
        str(path.relative_to(ROOT))
        for package in ("footdrop_rasa", "actions", "footdrop")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "footdrop" / "red_flags.py" and ".assess(" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["footdrop_rasa/nlu/red_flags.py"], callers


def test_action_emergency_reads_the_signs_from_the_parse_data():
    from actions import advice

    source = Path(advice.__file__).read_text(encoding="utf-8")
    assert "parse_data" in source and '"red_flag"' in source


@pytest.fixture(scope="module")
def agent(trained_model: Path):
    from rasa.core.agent import Agent

    return Agent.load(str(trained_model))


@pytest.fixture
def counted(monkeypatch) -> Dict[str, int]:
    """How often the detector decides about a message, and how often it reads one."""
    counts = {"assess": 0, "read": 0}
    assess, read = RedFlagDetector.assess, ContextReader.read

    def counting_assess(self, text):
        counts["assess"] += 1
        return assess(self, text)

    def counting_read(self, text):
        counts["read"] += 1
        return read(self, text)

    monkeypatch.setattr(RedFlagDetector, "assess", counting_assess)
    monkeypatch.setattr(ContextReader, "read", counting_read)
    return counts


def talk(agent, sender: str, text: str) -> List[dict]:
    return asyncio.run(agent.handle_text(text, sender_id=sender)) or []


def last_user_parse(agent, sender: str) -> dict:
    tracker = asyncio.run(agent.tracker_store.retrieve(sender))
    return tracker.latest_message.parse_data


@pytest.mark.parametrize(
    "text",
    [
        "my face has started drooping on one side and my arm feels weak",
        "since an hour ago I can't control my bladder and my bum is numb",
    ],
)
def test_an_emergency_message_is_assessed_once(agent, counted, text):
    replies = talk(agent, f"once-{abs(hash(text))}", text)
    parse = last_user_parse(agent, f"once-{abs(hash(text))}")
    assert parse["intent"]["name"] == "emergency"
    assert [e for e in parse["entities"] if e["entity"] == "red_flag"], parse["entities"]
    assert any("This may be an emergency" in (r.get("text") or "") for r in replies), replies
    assert counted == {"assess": 1, "read": 1}


def test_each_message_of_the_safety_question_is_assessed_once(agent, counted):
    sender = "once-safety"
    asked = talk(agent, sender, "is this an emergency?")
    assert any("one safety question" in (r.get("text") or "") for r in asked), asked
    assert counted["assess"] == 1
    replies = talk(agent, sender, "/affirm")  # the "Yes" button: a payload, never assessed
    assert any("This may be an emergency" in (r.get("text") or "") for r in replies), replies
    assert counted == {"assess": 1, "read": 1}
    talk(agent, sender, "thanks")
    assert counted == {"assess": 2, "read": 2}
