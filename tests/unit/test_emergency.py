"""The emergency message: what to do now without the action server (utter_emergency with the
clinic's number from clinic.yml), then why, one reason per sign found (footdrop/emergency.py)."""

from __future__ import annotations

import asyncio

import yaml

from footdrop.clinic import load_clinic
from footdrop.emergency import GENERAL_REASON, WHY_INTRO, emergency_payload, reason_lines
from footdrop.signs import load_signs
from support.project import ROOT


def test_every_sign_has_its_reason_in_the_emergency_message():
    for sign_id, sign in load_signs().items():
        lines = reason_lines([sign_id])
        assert lines == [WHY_INTRO, sign.why]


def test_each_reason_once_and_unknown_signs_left_out():
    lines = reason_lines(["face", "face", "no_such_sign", "arm"])
    assert lines == [WHY_INTRO, load_signs()["face"].why, load_signs()["arm"].why]
    assert reason_lines([]) == [WHY_INTRO, GENERAL_REASON]


def test_the_payload_marks_the_message_for_the_widget():
    payload = emergency_payload(["face", "face", "arm"], {"emergency_number": "911"})
    assert payload == {"emergency": True, "signs": ["face", "arm"], "call": "911"}


def test_the_emergency_response_needs_no_action_server_and_uses_the_clinics_number(tmp_path):
    """Rasa's own response generator fills {emergency_number} from clinic.yml."""
    from rasa.shared.core.domain import Domain

    from footdrop_rasa.responses import ClinicResponses

    domain = Domain.load(str(ROOT / "domain.yml"))
    response = asyncio.run(
        ClinicResponses(domain=domain).generate("utter_emergency", _empty_tracker(domain), "rest")
    )
    number = load_clinic().emergency_number
    assert response["text"].startswith(f"This may be an emergency. Call {number} now")
    assert response["custom"] == {"emergency": True, "call": number}
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text())["rules"]
    emergency_rules = [r for r in rules if any(s.get("intent") == "emergency" for s in r["steps"])]
    assert emergency_rules and all(r["steps"][1] == {"action": "utter_emergency"} for r in emergency_rules)


def test_no_response_names_a_hard_coded_emergency_number():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    for name, variations in domain["responses"].items():
        for variation in variations:
            assert "911" not in variation.get("text", ""), name


def _empty_tracker(domain):
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events("test", [], slots=domain.slots)
