"""A restart under a paced load: what patients get while a part of `make serve` restarts.

    make serve                              # in one terminal
    .venv/bin/python -m bench.restart --patients 100 --duration 120 --restart rasa-5005 --at 30

Patients over REST and over socket.io (half each, as the widget talks) send a message every 2
to 6 seconds, each in a conversation of its own that goes through SCRIPT once (then the patient
starts a new one, as real chats are short), while `supervisorctl restart PART` runs once at
``--at`` seconds (SIGTERM, then start). Every message ends as one of:

- answered: a reply from the assistant; fallback: the clinic's "can't answer right now";
- empty: a 200 with no message (must never happen);
- lost: sent, and no reply ever came (the connection dropped or 30 s passed), and the store
  holds it (it was taken) or cannot say;
- refused / sent again: not taken, the client sends it again, as a program should and the
  widget does: REST when nothing listens (connection refused) or when the stopping server
  closed the kept-alive connection the request went out on, a second later;
  the widget when the server did not acknowledge it as accepted (it was stopping, or the
  connection dropped first), once connected again. Counted per attempt.

Prints one JSON line with the counts and the restart's duration. tests/test_supervision.py
runs a short one and checks that nothing is lost or empty; docs/DEPLOY.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import hashlib
import random
import sqlite3
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, Optional, Sequence

import aiohttp
import socketio

SCRIPT = ["hi", "what is foot drop", "what causes foot drop", "how do you treat foot drop",
          "will i walk normally again", "check my symptoms", "left foot", "stop", "thank you"]
FALLBACK_START = "Sorry, I can't answer right now."
REPLY_WAIT = 30.0
SECRET = "conversation_secret"


def outcome(texts: Sequence[Optional[str]]) -> str:
    if not texts or not any(texts):
        return "empty"
    return "fallback" if (texts[-1] or "").startswith(FALLBACK_START) else "answered"


def stored_messages(store: Path, sender: str, secret: str) -> int:
    """How many of a REST conversation's messages the assistant's SQLite store holds (its id is
    made from the sender and the secret, footdrop_rasa/channels/ownership.py)."""
    conversation = "c-" + hashlib.sha256(f"{sender}\0{secret}".encode("utf-8")).hexdigest()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (conversation,)).fetchone()[0]


async def rest_patient(http: aiohttp.ClientSession, url: str, until: float, counts: Counter,
                       store: Optional[Path] = None) -> None:
    sender, secret, turn, answered = uuid.uuid4().hex, None, 0, 0
    await asyncio.sleep(random.uniform(0, 4))
    while time.monotonic() < until:
        if turn and turn % len(SCRIPT) == 0:  # a real chat is short: the next one is new
            sender, secret, answered = uuid.uuid4().hex, None, 0
        body = {"sender": sender, "message": SCRIPT[turn % len(SCRIPT)],
                **({"metadata": {SECRET: secret}} if secret else {})}
        turn += 1
        while True:
            try:
                async with http.post(f"{url}/webhooks/rest/webhook", json=body,
                                     timeout=aiohttp.ClientTimeout(total=REPLY_WAIT)) as response:
                    replies = await response.json(content_type=None)
                if response.status != 200 or not isinstance(replies, list):
                    counts[f"rest status {response.status}"] += 1
                    break
                secret = next((r["custom"][SECRET] for r in replies if SECRET in (r.get("custom") or {})), secret)
                answered += 1
                counts["rest " + outcome([r.get("text") for r in replies if SECRET not in (r.get("custom") or {})])] += 1
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
                if secret and store is not None and stored_messages(store, sender, secret) == answered:
                    counts["rest sent again"] += 1
                    await asyncio.sleep(1)
                    continue
                counts[f"rest lost ({type(error).__name__})"] += 1
                break
        await asyncio.sleep(random.uniform(2, 6))


async def socketio_patient(url: str, origin: str, until: float, counts: Counter) -> None:
    """A widget: keeps its session id and secret, reconnects, sends what was typed once confirmed."""
    client = socketio.AsyncClient(reconnection=False)
    state = {"session": str(uuid.uuid4()), "secret": None, "reconnect": None}
    confirmed, replies = asyncio.Event(), asyncio.Queue()

    async def on_connect() -> None:
        await client.emit("session_request", {"session_id": state["session"], **({SECRET: state["secret"]} if state["secret"] else {})})

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
            if turn and turn % len(SCRIPT) == 0 and not state.get("new"):  # "Start over": a new, short chat
                state.update(session=str(uuid.uuid4()), secret=None, new=True)
                confirmed.clear()
                await on_connect()
                continue
            state["new"] = False
            while not replies.empty():
                replies.get_nowait()
            try:  # as the widget: a message not acknowledged as accepted is sent again
                ack = await client.call("user_uttered", {"message": SCRIPT[turn % len(SCRIPT)], "session_id": state["session"]},
                                        timeout=REPLY_WAIT)
            except (socketio.exceptions.BadNamespaceError, socketio.exceptions.TimeoutError):
                ack = None
            if not (isinstance(ack, dict) and ack.get("accepted")):
                counts["widget sent again"] += 1
                await asyncio.sleep(0.5)
                continue
            turn += 1
            try:
                first = await asyncio.wait_for(replies.get(), REPLY_WAIT)
                counts["widget " + outcome([first.get("text") or ("custom" if first.get("custom") or first.get("buttons") else None)])] += 1
            except asyncio.TimeoutError:
                counts["widget lost"] += 1
            await asyncio.sleep(random.uniform(2, 6))
    finally:
        if state["reconnect"] is not None:
            state["reconnect"].cancel()
        await client.disconnect()


async def restart_under_load(url: str, conf: Path, part: str, patients: int, duration: float, at: float,
                             origin: str = "http://localhost:8080", store: Optional[Path] = None) -> Dict:
    """Runs the paced load for ``duration`` s with ``supervisorctl restart part`` at ``at`` s."""
    counts: Counter = Counter()
    until = time.monotonic() + duration
    restart: Dict = {}

    async def answers(http: aiohttp.ClientSession) -> bool:
        try:
            async with http.get(f"{url}/", timeout=aiohttp.ClientTimeout(total=2)) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def restart_part() -> None:
        await asyncio.sleep(at)
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            str(Path(".venv/bin/supervisorctl").resolve()), "-c", str(conf), "restart", part,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        async with aiohttp.ClientSession() as http:
            while await answers(http) and time.monotonic() - started < 30:  # until it has stopped
                await asyncio.sleep(0.1)
            restart["stopped_after_s"] = round(time.monotonic() - started, 1)
            while not await answers(http):
                await asyncio.sleep(0.2)
        restart["answering_again_after_s"] = round(time.monotonic() - started, 1)
        await process.wait()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        rest = [rest_patient(http, url, until, counts, store) for _ in range(patients - patients // 2)]
        widgets = [socketio_patient(url, origin, until, counts) for _ in range(patients // 2)]
        await asyncio.gather(restart_part(), *rest, *widgets)
    return {"patients": patients, "duration_s": duration, "restarted": part, **restart, **dict(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--conf", type=Path, default=Path("var/run/supervisord.conf"))
    parser.add_argument("--restart", default="rasa-5005", help="the supervisord program to restart")
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--at", type=float, default=30)
    parser.add_argument("--store", type=Path, default=Path("var/tracker.db"),
                        help="the assistant's SQLite store, read to tell a message never taken from one lost")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(restart_under_load(
        args.url, args.conf, args.restart, args.patients, args.duration, args.at, store=args.store))))


if __name__ == "__main__":
    main()
