"""Load shapes: how many conversations send what, and when.

The bench's phases (`make bench`, bench/bench.py), over any channel (a ``Conversation`` of
bench/clients.py):

- closed loop (``closed_loop``): at each concurrency level N, N conversations each send their
  next message as soon as the previous reply arrived; after a warm-up of WARMUP_S seconds,
  throughput (replies/s) and p50/p95/p99 latency over the measured seconds;
- patient pace (``patient_pace``): that many conversations, their starts spread over the first
  STAGGER_S seconds, each waiting THINK_S (2 to 6 s) after a reply before its next message.

A conversation is one pass through the script with a fresh sender id (REST), or a fresh
connection and session (socket.io; connecting is not counted in any latency); then the next
conversation starts. Real chats are short, and one ever-growing conversation would time the
tracker store rather than the assistant. Each message ends as an ``Outcome``: "ok", "fallback"
(our channels never answer with silence: when the assistant cannot answer they send the clinic
fallback, footdrop_rasa/channels/kind.py), "empty" (no bot message) or "error" (anything but a
reply: another status, an exception, no answer within the client's timeout).

The patients that ride out a restart (bench/restart.py, bench/soak.py): ``rest_patient`` and
``socketio_patient`` (a widget: it keeps its session and secret, reconnects, and sends again
what the server did not acknowledge) send a message every 2 to 6 seconds, each in a
conversation of its own that goes through PATIENT_SCRIPT once (then the patient starts a new
one), and count what every message got in a ``Counter`` ("rest answered", "widget lost"...;
bench/restart.py's docstring says what each kind means).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence

import aiohttp
import socketio

from bench.clients import SECRET, WEBHOOK, Conversation, RestConversation, stored_id
from bench.report import summary
from footdrop_rasa.channels.kind import fallback_text

# Messages each assistant's training data answers (a topic each for ours: no symptom check).
SCRIPTS = {
    "ours": ["hi", "what is foot drop", "what causes foot drop", "how do you treat foot drop",
             "will i walk normally again", "thank you"],
    "stock": ["hello", "I am sad", "yes", "bye"],
}
WARMUP_S = 3.0
STAGGER_S = 6.0
THINK_S = (2.0, 6.0)

# The restart's and the soak's patients: a symptom check too, and its stop.
PATIENT_SCRIPT = ["hi", "what is foot drop", "what causes foot drop", "how do you treat foot drop",
                  "will i walk normally again", "check my symptoms", "left foot", "stop", "thank you"]
FALLBACK_START = "Sorry, I can't answer right now."
REPLY_WAIT = 30.0

Opener = Callable[[], Awaitable[Conversation]]


# ---------------------------------------------------------------- the bench's phases


@dataclass
class Outcome:
    done: float  # time.monotonic() when the reply or the failure came
    status: str  # "ok", "fallback", "empty" or "error"
    latency: float = 0.0
    error: str = ""


async def ask(conversation: Conversation, text: str) -> Outcome:
    try:
        latency, messages = await conversation.ask(text)
    except Exception as error:  # anything but a reply is an error, named in the results
        return Outcome(time.monotonic(), "error", error=describe(error))
    if not messages:
        status = "empty"
    elif any(isinstance(m, dict) and m.get("text") == fallback_text() for m in messages):
        status = "fallback"
    else:
        status = "ok"
    return Outcome(time.monotonic(), status, latency)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:120] if str(error) else type(error).__name__


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleeps `seconds`, or less if the phase stops meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


async def converse(opener: Opener, script: Sequence[str], stop: asyncio.Event, outcomes: List[Outcome],
                   delay: float = 0.0, think: Optional[Callable[[], float]] = None) -> None:
    """Conversations one after the other until `stop`: each one is a pass through `script`,
    `think()` seconds between a reply and the next message (none: closed loop)."""
    await pause(stop, delay)
    while not stop.is_set():
        try:
            conversation = await opener()
        except Exception as error:
            outcomes.append(Outcome(time.monotonic(), "error", error=describe(error)))
            await pause(stop, 1.0)
            continue
        try:
            for text in script:
                if stop.is_set():
                    break
                outcome = await ask(conversation, text)
                outcomes.append(outcome)
                if outcome.status == "error":
                    break  # where that conversation stands is unknown: start a new one
                if think:
                    await pause(stop, think())
        finally:
            await conversation.close()


async def closed_loop(opener: Opener, script: Sequence[str], level: int, duration: float,
                      warmup: float = WARMUP_S) -> Dict[str, Any]:
    stop, outcomes = asyncio.Event(), []
    workers = [asyncio.create_task(converse(opener, script, stop, outcomes)) for _ in range(level)]
    await asyncio.sleep(warmup)
    start = time.monotonic()
    await asyncio.sleep(duration)
    end = time.monotonic()
    stop.set()
    await asyncio.gather(*workers)  # the messages in flight finish: the next phase starts idle
    return {"concurrency": level, **summary(outcomes, start, end)}


async def patient_pace(opener: Opener, script: Sequence[str], patients: int, duration: float) -> Dict[str, Any]:
    stop, outcomes = asyncio.Event(), []
    rng = random.Random(42)  # the same think times in every run
    start = time.monotonic()
    workers = [
        asyncio.create_task(converse(opener, script, stop, outcomes, delay=i * STAGGER_S / patients,
                                     think=lambda: rng.uniform(*THINK_S)))
        for i in range(patients)
    ]
    await asyncio.sleep(duration)
    end = time.monotonic()
    stop.set()
    await asyncio.gather(*workers)
    return {"patients": patients, **summary(outcomes, start, end)}


# ---------------------------------------------------------------- patients through a restart


def reply_kind(texts: Sequence[Optional[str]]) -> str:
    """"answered", "fallback" or "empty", from the texts of a reply."""
    if not texts or not any(texts):
        return "empty"
    return "fallback" if (texts[-1] or "").startswith(FALLBACK_START) else "answered"


def stored_messages(store: Path, sender: str, secret: str) -> int:
    """How many of a REST conversation's messages the assistant's SQLite store holds (its id is
    made from the sender and the secret, footdrop_rasa/channels/ownership.py)."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (stored_id(sender, secret),)).fetchone()[0]


async def rest_patient(http: aiohttp.ClientSession, url: str, until: float, counts: Counter,
                       store: Optional[Path] = None) -> None:
    conversation, turn, answered = RestConversation(http, url), 0, 0
    await asyncio.sleep(random.uniform(0, 4))
    while time.monotonic() < until:
        if turn and turn % len(PATIENT_SCRIPT) == 0:  # a real chat is short: the next one is new
            conversation, answered = RestConversation(http, url), 0
        body = conversation.body(PATIENT_SCRIPT[turn % len(PATIENT_SCRIPT)])
        turn += 1
        while True:
            try:
                async with http.post(f"{url}{WEBHOOK}", json=body,
                                     timeout=aiohttp.ClientTimeout(total=REPLY_WAIT)) as response:
                    replies = await response.json(content_type=None)
                if response.status != 200 or not isinstance(replies, list):
                    counts[f"rest status {response.status}"] += 1
                    break
                answered += 1
                counts["rest " + reply_kind([r.get("text") for r in conversation.take(replies)])] += 1
                break
            except aiohttp.ClientConnectorError:  # nothing listening: it was never sent
                counts["rest refused"] += 1
                await asyncio.sleep(1)
            except aiohttp.ServerDisconnectedError:
                # a kept-alive connection the stopping server closed as idle while this request
                # was on its way: the server never read it (a crash is not tried here)
                counts["rest sent again"] += 1
                await asyncio.sleep(1)
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                # The connection broke before an answer. A reset while the server stops can mean
                # it never read the message (it was in the listening queue when that closed):
                # the store says whether it was taken. Not taken: sent again, as above.
                secret = conversation.secret
                if secret and store is not None and stored_messages(store, conversation.sender, secret) == answered:
                    counts["rest sent again"] += 1
                    await asyncio.sleep(1)
                    continue
                counts[f"rest lost ({type(error).__name__})"] += 1
                break
        await asyncio.sleep(random.uniform(2, 6))


async def socketio_patient(url: str, origin: str, until: float, counts: Counter) -> None:
    """A widget: keeps its session id and secret, reconnects, sends what was typed once confirmed."""
    client = socketio.AsyncClient(reconnection=False)
    state: Dict[str, Any] = {"session": str(uuid.uuid4()), "secret": None, "reconnect": None}
    confirmed, replies = asyncio.Event(), asyncio.Queue()

    async def on_connect() -> None:
        await client.emit("session_request", {"session_id": state["session"],
                                              **({SECRET: state["secret"]} if state["secret"] else {})})

    async def on_confirm(data: Dict) -> None:
        state["secret"] = data.get(SECRET)
        confirmed.set()

    async def reconnect() -> None:
        # as the widget: a server that disconnects (it is stopping) is connected to again, and
        # a refused connection is tried again, until the next server answers
        await asyncio.sleep(0.5)
        while not client.connected and time.monotonic() < until:
            try:
                await client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
            except socketio.exceptions.ConnectionError:
                await asyncio.sleep(1)

    def on_disconnect() -> None:
        confirmed.clear()
        if time.monotonic() < until:
            state["reconnect"] = asyncio.ensure_future(reconnect())

    client.on("connect", on_connect)
    client.on("disconnect", on_disconnect)
    client.on("session_confirm", on_confirm)
    client.on("bot_uttered", replies.put_nowait)
    await asyncio.sleep(random.uniform(0, 4))
    await client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=30)
    turn = 0
    try:
        while time.monotonic() < until:
            try:
                await asyncio.wait_for(confirmed.wait(), max(0.1, until - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if turn and turn % len(PATIENT_SCRIPT) == 0 and not state.get("new"):  # "Start over": a new, short chat
                state.update(session=str(uuid.uuid4()), secret=None, new=True)
                confirmed.clear()
                await on_connect()
                continue
            state["new"] = False
            while not replies.empty():
                replies.get_nowait()
            try:  # as the widget: a message not acknowledged as accepted is sent again
                ack = await client.call("user_uttered", {"message": PATIENT_SCRIPT[turn % len(PATIENT_SCRIPT)],
                                                         "session_id": state["session"]}, timeout=REPLY_WAIT)
            except (socketio.exceptions.BadNamespaceError, socketio.exceptions.TimeoutError):
                ack = None
            if not (isinstance(ack, dict) and ack.get("accepted")):
                counts["widget sent again"] += 1
                await asyncio.sleep(0.5)
                continue
            turn += 1
            try:
                first = await asyncio.wait_for(replies.get(), REPLY_WAIT)
                counts["widget " + reply_kind([first.get("text") or ("custom" if first.get("custom") or
                                                                     first.get("buttons") else None)])] += 1
            except asyncio.TimeoutError:
                counts["widget lost"] += 1
            await asyncio.sleep(random.uniform(2, 6))
    finally:
        if state["reconnect"] is not None:
            state["reconnect"].cancel()
        await client.disconnect()
