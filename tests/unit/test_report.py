"""The staff report of unanswered messages (tools/report.py): masking and grouping (end to end on
a real store: tests/system/test_report.py)."""

from __future__ import annotations


from tools.report import Message, group_messages, mask, normalise, unanswered


# ------------------------------------------------------------------------- masking


def test_phone_numbers_are_masked():
    for phone in ["+1 555 010 0000", "(020) 7946 0000", "07700 900123", "020-7946-0000"]:
        assert mask(f"call me on {phone} please") == "call me on [phone] please"


def test_email_addresses_are_masked():
    assert mask("mail jo@example.com or Jo.Smith+fd@nhs.net.") == "mail [email] or [email]."


def test_dates_are_masked():
    for date in ["12/03/1961", "1961-03-12", "12 March 1961", "March 12, 1961", "12.3.61"]:
        assert mask(f"born {date}, is that ok") == "born [date], is that ok"


def test_ordinary_numbers_are_kept():
    text = "I am 45, it started in 2019 and I walk 10000 steps a day"
    assert mask(text) == text


# ------------------------------------------------------------------------ grouping


def test_normalise_ignores_case_punctuation_and_spacing():
    assert normalise("  What's the WEATHER   in Paris?! ") == "whats the weather in paris"


def test_near_duplicates_are_one_group_newest_first():
    groups = group_messages([
        Message("what's the weather in paris", 1.0),
        Message("asdf qwer zxcv", 2.0),
        Message("What's the weather in Paris?", 3.0),
        Message("whats the wether in paris", 4.0),  # a typo is still the same question
        Message("can you book me in for a massage", 0.5),
    ])
    assert [(g.count, g.last_seen) for g in groups] == [(3, 4.0), (1, 2.0), (1, 0.5)]
    assert normalise(groups[0].representative).startswith("whats the we")


def test_different_questions_stay_apart():
    groups = group_messages([Message("what is the weather", 1.0), Message("what is the time", 2.0)])
    assert len(groups) == 2


def test_fallbacks_count_and_payloads_are_ignored():
    def user(text, intent, confidence=0.9):
        return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}

    events = [
        user("/ask_brace", "ask_brace", 1.0),
        user("should I wear a brace", "ask_brace"),
        {"event": "action", "name": "utter_ask_brace"},
        user("hmm", "ask_brace", 0.3),
        user("tell me a joke", "greet"),
        {"event": "action", "name": "action_default_fallback"},
        user("weather?", "out_of_scope"),
        user("   ", "nlu_fallback"),
    ]
    assert [(e["text"], missed) for e, missed in unanswered(events, 0.5)] == [
        ("should I wear a brace", False), ("hmm", True), ("tell me a joke", True), ("weather?", True),
    ]


# ---------------------------------------------------------------------- end to end
