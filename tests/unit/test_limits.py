"""footdrop/limits.py: how much one conversation may send (issue 16), with a clock the test turns."""

from __future__ import annotations

import pytest

from footdrop.limits import TOO_FAST, TOO_MANY, ConversationLimits, Limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_pace_applies_then_service_comes_back():
    clock = Clock()
    limits = ConversationLimits(Limits(per_minute=30, burst=5, per_conversation=100), clock)
    assert [limits.admit("a") for _ in range(5)] == [None] * 5
    assert limits.admit("a") == TOO_FAST
    assert limits.wait_seconds("a") == 2  # 30 a minute: one every 2 s
    assert limits.admit("b") is None, "another conversation has its own count"
    clock.now += 1.0
    assert limits.admit("a") == TOO_FAST and limits.wait_seconds("a") == 1
    clock.now += 1.0
    assert limits.admit("a") is None
    assert limits.admit("a") == TOO_FAST
    clock.now += 600  # a long pause fills the bucket to the burst, no more
    assert [limits.admit("a") for _ in range(6)] == [None] * 5 + [TOO_FAST]


def test_a_conversation_stops_at_its_length_and_refused_messages_do_not_count():
    clock = Clock()
    limits = ConversationLimits(Limits(per_minute=60, burst=3, per_conversation=7), clock)
    verdicts = []
    for _ in range(30):
        verdicts.append(limits.admit("a"))
        clock.now += 0.5  # twice the pace: every other message is refused as too fast
    assert verdicts.count(None) == 7
    assert TOO_FAST in verdicts
    assert verdicts[-1] == TOO_MANY
    clock.now += 3600
    assert limits.admit("a") == TOO_MANY, "the length is for good, waiting does not reset it"
    assert limits.admit("b") is None


def test_only_the_most_recent_conversations_are_remembered():
    clock = Clock()
    limits = ConversationLimits(Limits(burst=1, tracked=3), clock)
    for name in "abc":
        assert limits.admit(name) is None
    assert limits.admit("a") == TOO_FAST  # "a" is now the most recent
    assert limits.admit("d") is None  # forgets "b", the least recent
    assert limits.admit("a") == TOO_FAST
    assert limits.admit("b") is None, "forgotten, as after a restart"


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"messages_per_minute": 0}, "'messages_per_minute' must be a number above 0"),
        ({"message_burst": 2.5}, "'message_burst' must be a whole number above 0"),
        ({"messages_per_conversation": "500"}, "'messages_per_conversation' must be a whole number above 0"),
        ({"message_burst": True}, "'message_burst' must be a whole number above 0"),
    ],
)
def test_bad_settings_name_their_key(settings, message):
    with pytest.raises(ValueError, match=message):
        Limits.from_settings(settings)


def test_settings_override_only_what_they_name():
    assert Limits.from_settings({}) == Limits()
    assert Limits.from_settings({"messages_per_minute": 12, "messages_per_conversation": 40.0}) == Limits(
        per_minute=12.0, per_conversation=40
    )
