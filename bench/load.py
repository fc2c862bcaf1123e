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
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence

from bench.clients import Conversation
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

Opener = Callable[[], Awaitable[Conversation]]


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
