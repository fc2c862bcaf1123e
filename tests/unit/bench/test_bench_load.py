"""bench/load.py: what each message's outcome is, how conversations follow each other, and the
restart's patients against fake servers (their random pauses set to nothing)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from typing import Any, Dict, List, Tuple

import aiohttp
import pytest

from bench import load
from bench.clients import stored_id
from bench.load import ask, closed_loop, converse, fallback_text, reply_kind


class FakeConversation:
    """Answers from a table; "boom" raises; notes what it was asked and whether it was closed."""

    opened: List["FakeConversation"] = []

    def __init__(self, answers: Dict[str, List[Dict[str, Any]]], stop: asyncio.Event = None, after: int = 0) -> None:
        self.answers, self.asked, self.closed = answers, [], False
        self.stop, self.after = stop, after
        FakeConversation.opened.append(self)

    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        self.asked.append(text)
        await asyncio.sleep(0)
        if self.stop is not None and sum(len(c.asked) for c in FakeConversation.opened) >= self.after:
            self.stop.set()
        if text == "boom":
            raise ConnectionResetError("gone")
        return 0.01, self.answers.get(text, [{"text": f"re: {text}"}])

    async def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def fresh_fakes():
    FakeConversation.opened = []


async def test_ask_names_each_outcome():
    conversation = FakeConversation({"nothing": [], "sorry": [{"text": fallback_text()}]})
    assert (await ask(conversation, "hi")).status == "ok"
    assert (await ask(conversation, "hi")).latency == 0.01
    assert (await ask(conversation, "nothing")).status == "empty"
    assert (await ask(conversation, "sorry")).status == "fallback"
    failed = await ask(conversation, "boom")
    assert (failed.status, failed.error, failed.latency) == ("error", "ConnectionResetError: gone", 0.0)


def test_describe_an_error_without_a_message():
    assert load.describe(asyncio.TimeoutError()) == "TimeoutError"
    assert load.describe(ValueError("x" * 500)) == ("ValueError: " + "x" * 500)[:120]


async def test_converse_goes_through_the_script_then_starts_a_new_conversation():
    stop, outcomes = asyncio.Event(), []

    async def opener():
        return FakeConversation({}, stop, after=5)

    await converse(opener, ["a", "b", "c"], stop, outcomes)
    assert [c.asked for c in FakeConversation.opened] == [["a", "b", "c"], ["a", "b"]]
    assert all(c.closed for c in FakeConversation.opened)
    assert [o.status for o in outcomes] == ["ok"] * 5


async def test_converse_leaves_a_conversation_after_an_error():
    stop, outcomes = asyncio.Event(), []

    async def opener():
        return FakeConversation({}, stop, after=4)

    await converse(opener, ["a", "boom", "c"], stop, outcomes)
    assert [c.asked for c in FakeConversation.opened] == [["a", "boom"], ["a", "boom"]]
    assert [o.status for o in outcomes] == ["ok", "error", "ok", "error"]


async def test_converse_counts_a_conversation_that_cannot_open_as_an_error():
    stop, outcomes = asyncio.Event(), []

    async def opener():
        stop.set()
        raise OSError("refused")

    await converse(opener, ["a"], stop, outcomes)
    assert [(o.status, o.error) for o in outcomes] == [("error", "OSError: refused")]


async def test_converse_waits_think_seconds_between_messages_until_stopped():
    stop, outcomes, thoughts = asyncio.Event(), [], []

    async def opener():
        return FakeConversation({})

    def think() -> float:
        thoughts.append(1)
        stop.set()  # the phase ends while this patient thinks
        return 3600.0

    await converse(opener, ["a", "b"], stop, outcomes, think=think)
    assert [c.asked for c in FakeConversation.opened] == [["a"]]
    assert thoughts == [1] and len(outcomes) == 1


async def test_closed_loop_runs_each_conversation_and_summarises():
    async def opener():
        await asyncio.sleep(0.001)
        return FakeConversation({})

    result = await closed_loop(opener, ["a", "b"], level=3, duration=0.2, warmup=0)
    assert result["concurrency"] == 3
    assert result["replies"] > 0 and result["errors"] == result["empty"] == result["fallbacks"] == 0
    assert result["p50_ms"] == 10.0  # every fake reply takes 0.01 s
    assert all(c.closed for c in FakeConversation.opened)


def test_reply_kind():
    assert reply_kind([]) == "empty"
    assert reply_kind([None, ""]) == "empty"
    assert reply_kind(["hello"]) == "answered"
    assert reply_kind(["hello", "Sorry, I can't answer right now. Please try again."]) == "fallback"


def test_stored_messages_counts_a_conversation_user_messages(tmp_path):
    store = tmp_path / "tracker.db"
    with sqlite3.connect(store) as db:
        db.execute("CREATE TABLE events (sender_id TEXT, type_name TEXT)")
        conversation = stored_id("ann", "s" * 32)
        db.executemany("INSERT INTO events VALUES (?, ?)",
                       [(conversation, "user"), (conversation, "bot"), (conversation, "user"), ("other", "user")])
    assert load.stored_messages(store, "ann", "s" * 32) == 2
    assert load.stored_messages(store, "ann", "t" * 32) == 0


@pytest.fixture
def no_pauses(monkeypatch):
    """The patients' random pauses (before starting, between messages) set to nothing."""
    monkeypatch.setattr(load.random, "uniform", lambda low, high: 0)


async def test_rest_patient_follows_the_protocol_and_counts_answers(fake_rasa, no_pauses):
    counts: Counter = Counter()
    async with aiohttp.ClientSession() as http:
        await load.rest_patient(http, fake_rasa.url, time.monotonic() + 0.5, counts)
    script = load.PATIENT_SCRIPT
    assert counts["rest answered"] == len(fake_rasa.bodies) > len(script)  # more than one conversation
    assert set(counts) == {"rest answered"}
    assert [b["message"] for b in fake_rasa.bodies[:len(script) + 1]] == [*script, script[0]]
    first, second = fake_rasa.bodies[0]["sender"], fake_rasa.bodies[len(script)]["sender"]
    assert first != second  # a new conversation after each pass through the script
    assert all(b["metadata"] == {load.SECRET: fake_rasa.secrets[first]} for b in fake_rasa.bodies[1:len(script)])
    assert "metadata" not in fake_rasa.bodies[len(script)]


async def test_rest_patient_counts_another_status(fake_rasa, no_pauses, monkeypatch):
    monkeypatch.setattr(load, "PATIENT_SCRIPT", ["fail", "empty"])
    counts: Counter = Counter()
    async with aiohttp.ClientSession() as http:
        await load.rest_patient(http, fake_rasa.url, time.monotonic() + 0.3, counts)
    assert set(counts) == {"rest status 500", "rest empty"}


async def test_socketio_patient_is_a_widget(fake_socketio, no_pauses):
    counts: Counter = Counter()
    await load.socketio_patient(fake_socketio.url, "http://localhost:8080", time.monotonic() + 1.0, counts)
    assert counts["widget answered"] > 0 and set(counts) == {"widget answered"}
    events = [event for event, _data in fake_socketio.seen]
    assert events[0] == "session_request"
    said = [data["message"] for event, data in fake_socketio.seen if event == "user_uttered"]
    assert said[:3] == load.PATIENT_SCRIPT[:3]
