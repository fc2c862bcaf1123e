"""The emergency message: act now first, then why; every red flag has its reason."""

from __future__ import annotations

from actions.answers import RED_FLAG_IDS
from actions.emergency import GENERAL_REASON, SIGNS, emergency_lines, emergency_payload


def test_every_red_flag_has_a_reason_in_the_emergency_message():
    assert set(RED_FLAG_IDS) == set(SIGNS)
    for sign in RED_FLAG_IDS:
        lines = emergency_lines([sign], "112")
        assert lines[0].startswith("This may be an emergency. Call 112 now")
        assert SIGNS[sign] in lines
        assert lines[-1] == "This is general information, not a diagnosis."


def test_without_a_named_sign_the_message_still_says_to_call_now():
    lines = emergency_lines([], "999")
    assert "Call 999 now" in lines[0] and GENERAL_REASON in lines


def test_the_payload_marks_the_message_for_the_widget():
    payload = emergency_payload(["face", "face", "arm"], {"emergency_number": "911"})
    assert payload == {"emergency": True, "signs": ["face", "arm"], "call": "911"}
