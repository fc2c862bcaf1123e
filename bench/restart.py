"""A restart under a paced load: what patients get while a part of `make serve` restarts.

    make serve                              # in one terminal
    .venv/bin/python -m bench.restart --patients 100 --duration 120 --restart rasa-5005 --at 30

Patients over REST and over socket.io (half each, as the widget talks; bench/load.py's
``rest_patient`` and ``socketio_patient``) send a message every 2 to 6 seconds, each in a
conversation of its own that goes through a short script once (then the patient starts a new
one, as real chats are short), while `supervisorctl restart PART` runs once at ``--at``
seconds (SIGTERM, then start). Every message ends as one of:

- answered: a reply from the assistant; fallback: the clinic's "can't answer right now";
- empty: a 200 with no message (must never happen);
- lost: sent, and no reply ever came (the connection dropped or 30 s passed), and the store
  holds it (it was taken) or cannot say;
- refused / sent again: not taken, the client sends it again, as a program should and the
  widget does: REST when nothing listens (connection refused) or when the stopping server
  closed the kept-alive connection the request went out on, a second later;
  the widget when the server did not acknowledge it as accepted (it was stopping, or the
  connection dropped first), once connected again. Counted per attempt.

Prints one JSON line with the counts and the restart's duration. tests/system/test_supervision.py
runs a short one and checks that nothing is lost or empty; docs/DEPLOY.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Dict, Optional

import aiohttp

from bench.clients import ORIGIN
from bench.load import rest_patient, socketio_patient
from bench.serve import SUPERVISORCTL


async def restart_under_load(url: str, conf: Path, part: str, patients: int, duration: float, at: float,
                             origin: str = ORIGIN, store: Optional[Path] = None) -> Dict:
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
            SUPERVISORCTL, "-c", str(conf), "restart", part,
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
