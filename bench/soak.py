"""A soak test: `make serve` under a paced load for a long time, a part restarted or killed
every few minutes, memory logged each minute (issue 17). Not part of `make test`.

    make soak                                   # 30 minutes
    .venv/bin/python -m bench.soak --minutes 30 --patients 60 --fault-every 300

It runs scripts/serve in a linked copy of the project under a temporary folder (its own store:
never var/tracker.db), and the paced patients of bench/restart.py, half over REST and half as
widgets, for ``--minutes``. Every ``--fault-every`` seconds it does the next of: kill -9 the
action server; restart Rasa (SIGTERM, as an update would); kill -9 the demo page server. Each
minute it logs the resident memory of every process. At the end it prints what the messages
got (lost and empty must be 0) and, for each process, the slope of its memory over its longest
life between restarts (least squares, MB per hour) with a verdict ("grows" above
GROWTH_MB_PER_HOUR over at least 10 minutes), and writes reports/soak.json.

A kill -9 of Rasa itself is left out: with one Rasa process, the messages it was answering
are lost by definition; two Rasa processes behind nginx (the scale-out profile) cover that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

from bench.restart import rest_patient, socketio_patient

ROOT = Path(__file__).resolve().parent.parent
OWN = {"var", "reports", ".git", ".pytest_cache"}
#: a process whose memory grows faster than this, over at least 10 minutes, is reported as growing
GROWTH_MB_PER_HOUR = 20.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slope_mb_per_hour(samples: List[Tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return 0.0 if var == 0 else sum((t - mean_t) * (m - mean_m) for t, m in samples) / var * 3600


class Serve:
    """scripts/serve in a linked copy of the project."""

    def __init__(self, folder: Path) -> None:
        self.project = folder / "project"
        self.project.mkdir()
        for entry in ROOT.iterdir():
            if entry.name not in OWN:
                (self.project / entry.name).symlink_to(entry)
        self.ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
        self.log = folder / "serve.log"
        env = {**os.environ, **{k: str(v) for k, v in self.ports.items()}}
        self.process = subprocess.Popen(["scripts/serve"], cwd=self.project, env=env, stdout=self.log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.rasa = f"rasa-{self.ports['RASA_PORT']}"

    def ctl(self, *args: str) -> str:
        return subprocess.run([str(ROOT / ".venv/bin/supervisorctl"), "-c", str(self.project / "var/run/supervisord.conf"),
                               *args], capture_output=True, text=True, timeout=120).stdout

    def pids(self) -> Dict[str, int]:
        found = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) > 3 and parts[1] == "RUNNING" and parts[2] == "pid" and not parts[0].endswith("-health"):
                found[parts[0]] = int(parts[3].rstrip(","))
        return found

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


async def soak(minutes: float, patients: int, fault_every: float) -> Dict:
    with tempfile.TemporaryDirectory(prefix="footdrop-soak-") as folder:
        serve = Serve(Path(folder))
        url = f"http://127.0.0.1:{serve.ports['RASA_PORT']}"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(360):
                    try:
                        async with http.get(f"{url}/", timeout=aiohttp.ClientTimeout(total=2)) as r:
                            if r.status == 200:
                                break
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        pass
                    await asyncio.sleep(0.5)
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
                    for name, pid in sorted((await asyncio.to_thread(serve.pids)).items()):
                        mb = rss_mb(pid)
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
                    pids = await asyncio.to_thread(serve.pids)
                    if what == "kill actions":
                        os.kill(pids["actions"], signal.SIGKILL)
                    elif what == "kill web":
                        os.kill(pids["web"], signal.SIGKILL)
                    else:  # supervisorctl waits until Rasa has run 60 s: not on the load's loop
                        restarts.append(asyncio.ensure_future(asyncio.to_thread(serve.ctl, "restart", serve.rasa)))
                    faults.append({"at_s": round(time.monotonic() - started), "what": what})
                    print(f"fault at {faults[-1]['at_s']} s: {what}", flush=True)

            store = serve.project / "var" / "tracker.db"
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                load = [rest_patient(http, url, until, counts, store) for _ in range(patients - patients // 2)]
                load += [socketio_patient(url, "http://localhost:8080", until, counts) for _ in range(patients // 2)]
                breaker = asyncio.ensure_future(break_things())
                await asyncio.gather(watch(), *load)
                breaker.cancel()
                for restart in restarts:
                    await restart
        finally:
            serve.stop()
    return {"minutes": minutes, "patients": patients, "faults": faults, "messages": dict(counts),
            "memory": {name: growth(samples) for name, samples in memory.items()},
            "memory_samples": {k: [(round(t), round(mb), pid) for t, mb, pid in v] for k, v in memory.items()}}


def growth(samples: List[Tuple[float, float, int]]) -> Dict:
    """The memory trend of one program: over its longest life (one pid) between restarts."""
    lives: Dict[int, List[Tuple[float, float]]] = {}
    for t, mb, pid in samples:
        lives.setdefault(pid, []).append((t, mb))
    life = max(lives.values(), key=lambda v: v[-1][0] - v[0][0])
    span = (life[-1][0] - life[0][0]) / 60
    slope = slope_mb_per_hour(life) if len(life) >= 3 else 0.0
    return {
        "minutes_of_its_longest_life": round(span, 1),
        "mb_first": round(life[0][1]), "mb_last": round(life[-1][1]),
        "slope_mb_per_hour": round(slope, 1),
        "verdict": ("too short to tell" if span < 10 else
                    "grows (leak suspected)" if slope > GROWTH_MB_PER_HOUR else "steady"),
    }


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
