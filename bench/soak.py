"""A soak test: `make serve` under a paced load for a long time, a part restarted or killed
every few minutes, memory logged each minute (issue 17). Not part of `make test`.

    make soak                                   # 30 minutes
    .venv/bin/python -m bench.soak --minutes 30 --patients 60 --fault-every 300

It runs scripts/serve in a linked copy of the project under a temporary folder (its own store:
never var/tracker.db; bench/serve.py's ``serve``), and the paced patients of bench/restart.py
(bench/load.py), half over REST and half as widgets, for ``--minutes``. Every
``--fault-every`` seconds it does the next of: kill -9 the action server; restart Rasa
(SIGTERM, as an update would); kill -9 the demo page server. Each minute it logs the resident
memory of every process. At the end it prints what the messages got (lost and empty must be 0)
and, for each process, the slope of its memory over its longest life between restarts (least
squares, MB per hour) with a verdict ("grows" above GROWTH_MB_PER_HOUR over at least 10
minutes: bench/report.py's ``growth``), and writes reports/soak.json.

A kill -9 of Rasa itself is left out: with one Rasa process, the messages it was answering
are lost by definition; two Rasa processes behind nginx (the scale-out profile) cover that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

from bench.clients import ORIGIN
from bench.load import rest_patient, socketio_patient
from bench.measure import vm_rss_kb
from bench.report import growth
from bench.serve import ROOT, serve


async def soak(minutes: float, patients: int, fault_every: float) -> Dict:
    with tempfile.TemporaryDirectory(prefix="footdrop-soak-") as folder, serve(Path(folder)) as served:
        url = served.url
        started = time.monotonic()
        until = started + minutes * 60
        counts: Counter = Counter()
        memory: Dict[str, List[Tuple[float, float, int]]] = {}
        faults: List[Dict] = []
        restarts: List["asyncio.Future[str]"] = []

        async def watch() -> None:
            while time.monotonic() < until:
                at = time.monotonic() - started
                line = []
                for name, pid in sorted((await asyncio.to_thread(served.pids)).items()):
                    mb = vm_rss_kb(pid) / 1024
                    memory.setdefault(name, []).append((at, mb, pid))
                    line.append(f"{name} {mb:.0f} MB")
                print(f"minute {at / 60:4.1f}: " + ", ".join(line) + f"; messages so far {dict(counts)}", flush=True)
                await asyncio.sleep(60)

        async def break_things() -> None:
            kinds = ["kill actions", "restart rasa", "kill web"]
            k = 0
            while True:
                await asyncio.sleep(fault_every)
                if time.monotonic() + 60 > until:
                    return
                what = kinds[k % len(kinds)]
                k += 1
                pids = await asyncio.to_thread(served.pids)
                if what == "kill actions":
                    os.kill(pids["actions"], signal.SIGKILL)
                elif what == "kill web":
                    os.kill(pids["web"], signal.SIGKILL)
                else:  # supervisorctl waits until Rasa has run 60 s: not on the load's loop
                    restarts.append(asyncio.ensure_future(asyncio.to_thread(served.ctl, "restart", served.rasa)))
                faults.append({"at_s": round(time.monotonic() - started), "what": what})
                print(f"fault at {faults[-1]['at_s']} s: {what}", flush=True)

        store = served.project / "var" / "tracker.db"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            load = [rest_patient(http, url, until, counts, store) for _ in range(patients - patients // 2)]
            load += [socketio_patient(url, ORIGIN, until, counts) for _ in range(patients // 2)]
            breaker = asyncio.ensure_future(break_things())
            await asyncio.gather(watch(), *load)
            breaker.cancel()
            for restart in restarts:
                await restart
    return {"minutes": minutes, "patients": patients, "faults": faults, "messages": dict(counts),
            "memory": {name: growth(samples) for name, samples in memory.items()},
            "memory_samples": {k: [(round(t), round(mb), pid) for t, mb, pid in v] for k, v in memory.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--patients", type=int, default=60)
    parser.add_argument("--fault-every", type=float, default=300, help="seconds between faults")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "soak.json")
    args = parser.parse_args()
    result = asyncio.run(soak(args.minutes, args.patients, args.fault_every))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    bad = {k: v for k, v in result["messages"].items() if "lost" in k or "empty" in k}
    print(f"messages: {result['messages']}")
    print("lost or empty: none" if not bad else f"LOST OR EMPTY: {bad}")
    for name, g in result["memory"].items():
        print(f"memory {name}: {g['mb_first']} -> {g['mb_last']} MB over the {g['minutes_of_its_longest_life']} min of its "
              f"longest life between restarts, slope {g['slope_mb_per_hour']:+.1f} MB/hour: {g['verdict']}")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
