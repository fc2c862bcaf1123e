"""Speed and memory of the Foot Drop Assistant against a stock `rasa init` assistant.

    .venv/bin/python -m bench.bench [--quick] [--skip-training] [--only ours|stock]
        [--levels 1,5,10,20,50] [--duration 20] [--patients 100] [--pace-duration 60]
        [--replicas 1] [--out reports/bench.json]
    make bench BENCH_ARGS="--quick"

In one run, on the same Rasa, for ours and for the assistant `rasa init` creates (and trains)
in a temporary folder, with both channels, REST and socket.io:

1. Training (unless --skip-training): `rasa train` of a copy of each project with an empty
   training cache (full training), then again after one response's text changed (retrain).
2. Serving, one assistant at a time so that they never share the cores. Ours runs as
   `scripts/serve` runs it (action server, then Rasa, same flags), but on bench-only ports and
   with its conversations in a temporary SQLite file, not var/tracker.db; the demo page server
   is left out, it plays no part in answering. Stock keeps its default endpoints (conversations
   in memory, no action server) and gets `rest` and `socketio` in its credentials.yml.
   With --replicas N (N > 1) ours is served as `make serve PROFILE=scale` serves it: PostgreSQL
   and Redis started on loopback by `scripts/scale-services` in a temporary folder (stopped at
   the end), and N Rasa processes with endpoints.scale.yml on consecutive bench ports, one
   action server. Conversations are sticky, as nginx's ip_hash keeps them in production:
   conversation k goes to replica k % N (REST and socket.io), since a socket.io session lives
   in one process. Stock is always one process.
   - ready: seconds from launching Rasa (the action server is already up) to its first
     non-empty REST answer (with replicas: until every replica has answered);
   - memory: resident memory (VmRSS, child processes included) of Rasa and of the action
     server, sampled every 0.5 s during the load: the peak, and the value after the load.
     Rasa's figure is the sum over its replicas, `rasa_per_process` the largest single one
     (PostgreSQL and Redis are not counted).
3. Load, with each assistant's own script of messages its domain understands:
   - closed loop, at each concurrency level N: N conversations each send their next message
     as soon as the previous reply arrived; after a warm-up of WARMUP_S seconds, throughput
     (replies/s) and p50/p95/p99 latency over --duration seconds;
   - patient pace: --patients conversations, their starts spread over the first STAGGER_S
     seconds, each waiting 2 to 6 s after a reply before its next message, for --pace-duration
     seconds.
   A conversation is one pass through the script with a fresh sender id (REST), or a fresh
   connection and session (socket.io; connecting is not counted in any latency); then the next
   conversation starts. Real chats are short, and one ever-growing conversation would time the
   tracker store rather than the assistant.

What counts as a reply. REST: the JSON list of a 200 answer, timed to the whole list; `[]` is
an empty reply; another status, an exception or no answer within TIMEOUT_S is an error.
socket.io: latency is the time to the first `bot_uttered`; a turn ends after QUIET_S without
another `bot_uttered` (not counted in the latency) so that a reply's trailing messages are
never taken for the next reply. That pause lowers socket.io's closed-loop throughput at low
concurrency (one conversation sends at most one message per latency + QUIET_S); no
`bot_uttered` within TIMEOUT_S is an error. Our channels never answer with silence: when the
assistant cannot answer they send the clinic fallback (footdrop_rasa/channels/kind.py), counted apart as a
fallback. Latency percentiles are over the replies (fallbacks included); errors, empty replies
and fallbacks are counted over the whole phase, warm-up included.

Output: --out (reports/bench.json: machine, settings, every figure), the same name with .png
(p95 latency and throughput against concurrency, one line per assistant and channel), and a
table on stdout whose ratio column is above 1 where ours does better. Exit status 1 if any
message to ours got an error, an empty reply or the fallback (or the benchmark could not run),
else 0. Stock's are counted and shown, not a failure: overloaded (more patients than it
answers per second) its queue grows until replies time out, which is a finding, not a fault
of the bench.

Why a small asyncio client rather than Locust: one process drives both channels with the same
code (Locust speaks HTTP and would need a custom socket.io user on gevent), it runs the closed
loop and the paced arrivals exactly as defined above, it times what matters on socket.io (the
first bot message of a turn), and it needs nothing beyond what Rasa already installs (aiohttp,
python-socketio 5.9, matplotlib).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Protocol, Sequence, Tuple

import aiohttp
import socketio
import yaml

from footdrop_rasa.channels.kind import fallback_text

ROOT = Path(__file__).resolve().parent.parent

# python-engineio 4.15's websocket client builds an aiohttp.ClientWSTimeout (aiohttp 3.10+); Rasa
# 3.6 pins aiohttp 3.9, whose ws_connect takes that close timeout as a plain number of seconds.
if not hasattr(aiohttp, "ClientWSTimeout"):
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close

RASA = str(ROOT / ".venv" / "bin" / "rasa")
MODEL = "models/footdrop.tar.gz"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
ASSISTANTS = ("ours", "stock")
CHANNELS = ("rest", "socketio")
# Bench-only ports, so that a running `make serve` (5005, 5055) is not disturbed.
PORTS = {"ours": 5105, "stock": 5205}
OURS_ACTIONS_PORT = 5155
SCALE_SERVICES = str(ROOT / "scripts" / "scale-services")
TICKET_LOCK_LIFETIME = "15"  # as scripts/serve sets it for PROFILE=scale
# Our socket.io channel refuses pages from origins not in credentials.yml's allowed_origins.
ORIGIN = "http://localhost:8080"

# Messages each assistant's training data answers (a topic each for ours: no symptom check).
SCRIPTS = {
    "ours": ["hi", "what is foot drop", "what causes foot drop", "how do you treat foot drop",
             "will i walk normally again", "thank you"],
    "stock": ["hello", "I am sad", "yes", "bye"],
}
# What each project's training reads or imports besides config.yml, domain.yml and data/:
# ours reads build/spacy/en_footdrop (config.yml) and content/, and imports footdrop_rasa (its
# components and policy) and, through it, the core (footdrop).
TRAINING_LINKS = {"ours": ["build", "footdrop_rasa", "footdrop", "content"], "stock": []}
STOCK_CREDENTIALS = """\
rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""

TIMEOUT_S = 30.0  # longer than our channels' 20 s reply_timeout: their fallback arrives first
QUIET_S = 0.3
WARMUP_S = 3.0
STAGGER_S = 6.0
THINK_S = (2.0, 6.0)
SAMPLE_S = 0.5
READY_POLL_S = 0.25
START_TIMEOUT_S = 600.0


class BenchError(Exception):
    """The benchmark cannot go on (a server did not start, training failed...)."""


# ---------------------------------------------------------------- processes


@contextmanager
def processes() -> Iterator[Callable[..., subprocess.Popen]]:
    """A `start(command, cwd, log, env)` that launches each command in its own session; every
    process started is stopped on the way out, whatever happened (Ctrl-C included)."""
    started: List[subprocess.Popen] = []

    def start(command: Sequence[str], cwd: Path, log: Path,
              env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, cwd=cwd, env={**ENV, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in reversed(started):
            stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's whole group, SIGKILL if it is still there after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace").splitlines() if log.exists() else []
    return "\n".join(text[-lines:])


def timed_run(command: Sequence[str], cwd: Path, log: Path, env: Optional[Dict[str, str]] = None) -> float:
    """Seconds `command` took; BenchError with the end of its log if it failed."""
    with processes() as start:
        began = time.monotonic()
        code = start(command, cwd, log, env).wait()
        elapsed = time.monotonic() - began
    if code:
        raise BenchError(f"`{' '.join(command)}` failed ({code}); end of {log.name}:\n{tail(log)}")
    return elapsed


def ensure_free(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise BenchError(f"port {port} is already in use: stop whatever listens there")


def wait_for_http(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{log.stem} exited ({process.returncode}); end of its log:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(READY_POLL_S)
    raise BenchError(f"{url} did not answer within {START_TIMEOUT_S:.0f} s")


# ---------------------------------------------------------------- projects and training


def create_stock(tmp: Path) -> Path:
    """`rasa init` (which also trains) in tmp/stock, with REST and socket.io channels."""
    project = tmp / "stock"
    project.mkdir()  # `rasa init --no-prompt` wants an existing, empty folder
    print("Creating and training the stock assistant (rasa init)...", flush=True)
    timed_run([RASA, "init", "--no-prompt", "--init-dir", str(project)], tmp, tmp / "stock-init.log")
    (project / "credentials.yml").write_text(STOCK_CREDENTIALS)
    return project


# A response's text on one line, quoted or not: `  - text: "Hello"`.
TEXT_LINE = re.compile(r"""^(\s*- text: )(["']?)(.*?)\2(\s*)$""")


def change_first_response(domain: Path) -> None:
    """Appends " (updated)" to the first response text of a domain file, comments kept."""
    lines = domain.read_text().splitlines(keepends=True)
    in_responses = False
    for number, line in enumerate(lines):
        in_responses = in_responses or line.startswith("responses:")
        match = TEXT_LINE.match(line) if in_responses else None
        if match:
            indent, quote, text, end = match.groups()
            lines[number] = f"{indent}{quote}{text} (updated){quote}{end}"
            domain.write_text("".join(lines))
            return
    raise BenchError(f"no one-line response text in {domain}")


def training_times(name: str, project: Path, links: Sequence[str], tmp: Path) -> Dict[str, float]:
    """Full training with an empty cache, then retraining after one response changed, of a copy
    of the project. `links`: folders the training imports or reads by relative path."""
    copy = tmp / f"train-{name}"
    copy.mkdir()
    for file in ("config.yml", "domain.yml"):
        shutil.copy(project / file, copy / file)
    shutil.copytree(project / "data", copy / "data")
    for link in links:
        (copy / link).symlink_to(project / link)
    env = {"RASA_CACHE_DIRECTORY": str(tmp / f"cache-{name}")}  # rasa/engine/caching.py
    command = [RASA, "train", "--out", str(copy / "models")]
    print(f"Training {name} (full, then after one changed response)...", flush=True)
    full = timed_run(command, copy, tmp / f"train-{name}.log", env)
    change_first_response(copy / "domain.yml")
    retrain = timed_run(command, copy, tmp / f"retrain-{name}.log", env)
    return {"full_s": round(full, 1), "retrain_s": round(retrain, 1)}


# ---------------------------------------------------------------- conversations


class ReplyError(Exception):
    """An answer that is not a reply (an HTTP status other than 200)."""


class Conversation(Protocol):
    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        """Seconds to the reply, and the reply's bot messages."""

    async def close(self) -> None:
        ...


class RestConversation:
    """One REST conversation; with the project's channel, it sends back the secret its first
    reply gave (footdrop_rasa/channels/ownership.py: the README's protocol). Stock Rasa gives none."""

    SECRET = "conversation_secret"

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url, self.sender = http, url, uuid.uuid4().hex
        self.secret: Optional[str] = None

    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        body: Dict[str, Any] = {"sender": self.sender, "message": text}
        if self.secret:
            body["metadata"] = {self.SECRET: self.secret}
        began = time.monotonic()
        async with self.http.post(f"{self.url}/webhooks/rest/webhook", json=body) as answer:
            if answer.status != 200:
                raise ReplyError(f"HTTP {answer.status}")
            messages = await answer.json()
        elapsed = time.monotonic() - began
        for message in messages:
            self.secret = (message.get("custom") or {}).get(self.SECRET) or self.secret
        return elapsed, [m for m in messages if self.SECRET not in (m.get("custom") or {})]

    async def close(self) -> None:
        pass


class SocketConversation:
    """One socket.io connection and session, as the web widget opens them."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.messages: asyncio.Queue = asyncio.Queue()
        self.session_id = str(uuid.uuid4())
        self.client.on("bot_uttered", self.messages.put)

    @classmethod
    async def open(cls, url: str) -> SocketConversation:
        conversation = cls()
        confirmed = asyncio.get_running_loop().create_future()
        conversation.client.on("session_confirm", lambda _session: confirmed.done() or confirmed.set_result(True))
        try:
            await conversation.client.connect(url, headers={"Origin": ORIGIN}, transports=["websocket"],
                                              socketio_path="/socket.io", wait_timeout=TIMEOUT_S)
            await conversation.client.emit("session_request", {"session_id": conversation.session_id})
            await asyncio.wait_for(confirmed, TIMEOUT_S)
        except BaseException:
            await conversation.close()
            raise
        return conversation

    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        while not self.messages.empty():  # late messages of the previous turn, if any
            self.messages.get_nowait()
        began = time.monotonic()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        messages = [await asyncio.wait_for(self.messages.get(), TIMEOUT_S)]
        latency = time.monotonic() - began
        while True:  # the rest of this turn's messages
            try:
                messages.append(await asyncio.wait_for(self.messages.get(), QUIET_S))
            except asyncio.TimeoutError:
                return latency, messages

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.client.disconnect(), TIMEOUT_S)
        except (asyncio.TimeoutError, socketio.exceptions.SocketIOError):
            pass


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


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


def summary(outcomes: Sequence[Outcome], start: float, end: float) -> Dict[str, Any]:
    """Throughput and latency of the replies that came between `start` and `end`; failures over
    the whole phase."""
    latencies = [o.latency for o in outcomes if o.status in ("ok", "fallback") and start <= o.done <= end]
    counts = Counter(o.status for o in outcomes)
    return {
        "duration_s": round(end - start, 1),
        "replies": len(latencies),
        "throughput_per_s": round(len(latencies) / (end - start), 2),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "errors": counts["error"],
        "empty": counts["empty"],
        "fallbacks": counts["fallback"],
        "error_kinds": dict(Counter(o.error for o in outcomes if o.error)),
    }


async def closed_loop(opener: Opener, script: Sequence[str], level: int, duration: float) -> Dict[str, Any]:
    stop, outcomes = asyncio.Event(), []
    workers = [asyncio.create_task(converse(opener, script, stop, outcomes)) for _ in range(level)]
    await asyncio.sleep(WARMUP_S)
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


# ---------------------------------------------------------------- memory


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0  # gone, or a kernel thread


def tree_rss_mb(root: int) -> float:
    """VmRSS of a process and all its descendants, in MB."""
    children: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    pids, total = [root], 0
    while pids:
        pid = pids.pop()
        total += rss_kb(pid)
        pids.extend(children.get(pid, []))
    return total / 1024


class MemorySampler:
    """`pids`: the processes of each name (Rasa's replicas); a name's figure is their sum, and
    `rasa_per_process` is the largest single Rasa process."""

    def __init__(self, pids: Dict[str, List[int]]) -> None:
        self.pids = pids
        self.peaks = {name: 0.0 for name in [*pids, "total", "rasa_per_process"]}

    def sample(self) -> Dict[str, float]:
        each = {name: [tree_rss_mb(pid) for pid in pids] for name, pids in self.pids.items()}
        now = {name: sum(values) for name, values in each.items()}
        now["total"] = sum(now.values())
        now["rasa_per_process"] = max(each.get("rasa") or [0.0])
        for name, value in now.items():
            self.peaks[name] = max(self.peaks[name], value)
        return now

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_S)


# ---------------------------------------------------------------- one assistant, served


async def wait_ready(http: aiohttp.ClientSession, url: str, text: str, launched: float,
                     rasa: subprocess.Popen, log: Path) -> float:
    """Seconds from `launched` to the first non-empty REST answer."""
    while time.monotonic() - launched < START_TIMEOUT_S:
        if rasa.poll() is not None:
            raise BenchError(f"Rasa exited ({rasa.returncode}); end of its log:\n{tail(log)}")
        try:
            _latency, messages = await RestConversation(http, url).ask(text)
            if messages:
                return time.monotonic() - launched
        except (aiohttp.ClientError, asyncio.TimeoutError, ReplyError, ValueError):
            pass
        await asyncio.sleep(READY_POLL_S)
    raise BenchError(f"Rasa did not answer within {START_TIMEOUT_S:.0f} s; end of its log:\n{tail(log)}")


async def measure(name: str, args: argparse.Namespace, rasas: List[Tuple[subprocess.Popen, Path]],
                  launched: float, pids: Dict[str, List[int]]) -> Dict[str, Any]:
    """`rasas`: the Rasa processes (replicas, on consecutive ports from PORTS[name]) and their logs."""
    urls = [f"http://127.0.0.1:{PORTS[name] + i}" for i in range(len(rasas))]
    script = SCRIPTS[name]
    connector = aiohttp.TCPConnector(limit=0)  # as many connections as conversations
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as http:
        ready = max(await asyncio.gather(*(wait_ready(http, url, script[0], launched, rasa, log)
                                            for url, (rasa, log) in zip(urls, rasas))))
        print(f"  {name}: answering after {ready:.1f} s", flush=True)
        # Sticky conversations, as nginx's ip_hash keeps them: conversation k on replica k % N.
        numbers = itertools.count()

        def sticky_url() -> str:
            return urls[next(numbers) % len(urls)]

        async def open_rest() -> Conversation:
            return RestConversation(http, sticky_url())

        async def open_socket() -> Conversation:
            return await SocketConversation.open(sticky_url())

        openers: Dict[str, Opener] = {"rest": open_rest, "socketio": open_socket}
        sampler = MemorySampler(pids)
        sampling = asyncio.create_task(sampler.run())
        closed: Dict[str, List[Dict[str, Any]]] = {channel: [] for channel in CHANNELS}
        patients: Dict[str, Dict[str, Any]] = {}
        try:
            for channel in CHANNELS:
                for level in args.levels:
                    result = await closed_loop(openers[channel], script, level, args.duration)
                    closed[channel].append(result)
                    print_phase(f"{name} {channel} {level} conc", result)
            for channel in CHANNELS:
                patients[channel] = await patient_pace(openers[channel], script, args.patients, args.pace_duration)
                print_phase(f"{name} {channel} {args.patients} patients", patients[channel])
        finally:
            sampling.cancel()
        after = sampler.sample()
    return {
        "ready_s": round(ready, 2),
        "memory_mb": {process: {"peak": round(sampler.peaks[process]), "after_load": round(after[process])}
                      for process in sampler.peaks},
        "closed_loop": closed,
        "patients": patients,
    }


def print_phase(label: str, result: Dict[str, Any]) -> None:
    failures = result["errors"] + result["empty"] + result["fallbacks"]
    print(f"  {label:<30} {result['throughput_per_s']:7.1f} replies/s  p95 {result['p95_ms'] or 0:7.0f} ms"
          f"  {failures} failed", flush=True)


def replicas(name: str, args: argparse.Namespace) -> int:
    """How many Rasa processes serve `name`: --replicas for ours, always 1 for stock."""
    return args.replicas if name == "ours" else 1


def serving(name: str, args: argparse.Namespace) -> str:
    if replicas(name, args) == 1:
        return f"{name}: 1 Rasa process"
    return f"{name}: {replicas(name, args)} Rasa processes (PROFILE=scale: PostgreSQL + Redis)"


def serve_and_measure(name: str, args: argparse.Namespace, tmp: Path, stock: Optional[Path]) -> Dict[str, Any]:
    """Starts one assistant as it is served, measures it, stops everything it started."""
    count = replicas(name, args)
    ports = [PORTS[name] + i for i in range(count)]
    where = f"port {ports[0]}" if count == 1 else \
        f"ports {ports[0]}-{ports[-1]} ({count} Rasa processes, PROFILE=scale: PostgreSQL + Redis)"
    print(f"Serving {name} on {where}...", flush=True)
    # Other work on the machine skews every figure: its load average before starting, to judge.
    load_average = [round(load, 2) for load in os.getloadavg()]
    for port in ports:
        ensure_free(port)
    with scale_services(tmp, count > 1) as services_env, processes() as start:
        if services_env:  # scripts/serve's PROFILE=scale endpoints and environment
            endpoints = "endpoints.scale.yml"
            env = {**services_env, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{OURS_ACTIONS_PORT}/webhook",
                   "TICKET_LOCK_LIFETIME": TICKET_LOCK_LIFETIME}
            # As scripts/serve: Rasa would keep conversations in memory if a store failed.
            check = subprocess.run([sys.executable, "-m", "footdrop_rasa.channels.preflight", endpoints], cwd=ROOT,
                                   env={**ENV, **env}, capture_output=True, text=True)
            if check.returncode:
                raise BenchError(f"the scale-out stores do not answer: {check.stderr.strip()}")
        else:
            endpoints, env = (str(ours_endpoints(tmp)) if name == "ours" else None), None
        pids = {"actions": [start_action_server(start, tmp)]} if name == "ours" else {}
        launched = time.monotonic()
        rasas = []
        for port in ports:
            command, cwd = rasa_command(name, port, endpoints, stock)
            log = tmp / f"rasa-{name}-{port}.log"
            rasas.append((start(command, cwd, log, env), log))
        pids["rasa"] = [rasa.pid for rasa, _log in rasas]
        return {"load_average_before": load_average, "replicas": count,
                **asyncio.run(measure(name, args, rasas, launched, pids))}


@contextmanager
def scale_services(tmp: Path, wanted: bool) -> Iterator[Dict[str, str]]:
    """PostgreSQL and Redis on loopback (`scripts/scale-services start`) in a fresh folder under
    /tmp that their users can reach, and the variables it writes to DIR/env; always stopped (and
    the folder removed) on the way out. Nothing, and no variables, unless `wanted`."""
    if not wanted:
        yield {}
        return
    folder = Path(tempfile.mkdtemp(prefix="footdrop-bench-scale-", dir="/tmp"))
    log = tmp / "scale-services.log"
    try:
        with open(log, "ab") as out:
            code = subprocess.run([SCALE_SERVICES, "start", str(folder)], cwd=ROOT, env=ENV,
                                  stdout=out, stderr=subprocess.STDOUT).returncode
        if code:
            raise BenchError(f"scripts/scale-services start failed ({code}); end of its log:\n{tail(log)}")
        variables = {}
        for line in (folder / "env").read_text().splitlines():
            match = re.match(r"^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip())
            if match:
                variables[match.group(1)] = match.group(2)
        yield variables
    finally:
        with open(log, "ab") as out:
            subprocess.run([SCALE_SERVICES, "stop", str(folder)], cwd=ROOT, env=ENV,
                           stdout=out, stderr=subprocess.STDOUT)
        shutil.rmtree(folder, ignore_errors=True)


def start_action_server(start: Callable[..., subprocess.Popen], tmp: Path) -> int:
    """Our action server as scripts/serve starts it (on the bench port), once it answers; its pid."""
    ensure_free(OURS_ACTIONS_PORT)
    log = tmp / "actions-ours.log"
    actions = start([RASA, "run", "actions", "--port", str(OURS_ACTIONS_PORT), "--actions", "actions"],
                    ROOT, log, {"SANIC_HOST": "127.0.0.1"})
    wait_for_http(f"http://127.0.0.1:{OURS_ACTIONS_PORT}/health", actions, log)
    return actions.pid


def rasa_command(name: str, port: int, endpoints: Optional[str], stock: Optional[Path]) -> Tuple[List[str], Path]:
    """The `rasa run` command line for an assistant on `port`, and the folder to run it in."""
    if name == "ours":  # scripts/serve's flags, with the bench's endpoints
        return [RASA, "run", "--model", MODEL, "--port", str(port), "--credentials", "credentials.yml",
                "--endpoints", str(endpoints)], ROOT
    assert stock is not None
    model = next((stock / "models").glob("*.tar.gz"))  # the one `rasa init` trained
    return [RASA, "run", "--model", str(model), "--port", str(port), "--credentials", "credentials.yml"], stock


def ours_endpoints(tmp: Path) -> Path:
    """endpoints.yml with the bench's action port and a temporary SQLite conversation store."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://localhost:{OURS_ACTIONS_PORT}/webhook"
    endpoints["tracker_store"]["db"] = str(tmp / "tracker.db")
    path = tmp / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


# ---------------------------------------------------------------- results


def machine() -> Dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    total_kb = re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model.group(1) if model else platform.processor(),
        "memory_mb": round(int(total_kb.group(1)) / 1024) if total_kb else None,
        "rasa": version("rasa"),
        "python": platform.python_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def figure(results: Dict[str, Any], path: List[Any]) -> Optional[float]:
    """The value at `path` in `results`, or None where that part was not measured."""
    value: Any = results
    for key in path:
        if isinstance(value, list):  # closed-loop results: pick the one at that concurrency
            value = next((item for item in value if item["concurrency"] == key), None)
        elif isinstance(value, dict):
            value = value.get(key)
        if value is None:
            return None
    return value


def failures(result: Dict[str, Any], kind: str) -> int:
    phases = [r for channel in result.get("closed_loop", {}).values() for r in channel]
    phases += list(result.get("patients", {}).values())
    return sum(phase[kind] for phase in phases)


CHANNEL_NAMES = {"rest": "REST", "socketio": "socket.io"}
FAILURES = {"errors": "errors", "empty": "empty replies", "fallbacks": "fallback replies"}
HIGHER, LOWER = "ours/stock", "stock/ours"  # the ratio is above 1 where ours does better


def rows(args: argparse.Namespace) -> List[Tuple[str, List[Any], str, str]]:
    """The table's figures: label, path in an assistant's results, unit, ratio ("": none)."""
    conc = 20 if 20 in args.levels else max(args.levels)
    loop = [(c, CHANNEL_NAMES[c], ["closed_loop", c, conc]) for c in CHANNELS]
    return [
        *[(f"throughput, {conc} conc, {n}", [*at, "throughput_per_s"], "/s", HIGHER) for _, n, at in loop],
        *[(f"{p}, {conc} conc, {n}", [*at, f"{p}_ms"], "ms", LOWER) for _, n, at in loop for p in ("p50", "p95", "p99")],
        *[(f"p95, {args.patients} patients, {n}", ["patients", c, "p95_ms"], "ms", LOWER) for c, n, _ in loop],
        ("Rasa RSS peak", ["memory_mb", "rasa", "peak"], "MB", LOWER),
        ("Rasa RSS peak per process", ["memory_mb", "rasa_per_process", "peak"], "MB", LOWER),
        ("action server RSS peak", ["memory_mb", "actions", "peak"], "MB", ""),
        ("Rasa + actions RSS peak", ["memory_mb", "total", "peak"], "MB", LOWER),
        ("ready", ["ready_s"], "s", LOWER),
        ("full training", ["training", "full_s"], "s", LOWER),
        ("retrain, one response changed", ["training", "retrain_s"], "s", LOWER),
    ]


def table(results: Dict[str, Any], args: argparse.Namespace) -> str:
    lines = [serving(name, args) for name in ASSISTANTS if name in results]
    lines.append(f"{'':<34}{'ours':>12}{'stock':>12}{'ratio':>8}")
    for label, path, unit, ratio in rows(args):
        ours, stock = (figure(results.get(name, {}), path) for name in ASSISTANTS)
        lines.append(f"{label:<34}{fmt(ours, unit):>12}{fmt(stock, unit):>12}{fmt_ratio(ours, stock, ratio):>8}")
    for kind, label in FAILURES.items():
        ours, stock = (str(failures(results[name], kind)) if name in results else "n/a" for name in ASSISTANTS)
        lines.append(f"{label:<34}{ours:>12}{stock:>12}")
    return "\n".join(lines)


def fmt(value: Optional[float], unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f} {unit}" if unit in ("ms", "MB") else f"{value:.1f} {unit}"


def fmt_ratio(ours: Optional[float], stock: Optional[float], ratio: str) -> str:
    if not ratio or not ours or not stock:
        return "n/a"
    return f"{ours / stock:.2f}" if ratio == HIGHER else f"{stock / ours:.2f}"


def plot(results: Dict[str, Any], levels: Sequence[int], path: Path) -> None:
    """p95 latency and throughput against concurrency, one line per assistant and channel."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import ScalarFormatter

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    figures = (("p95_ms", "p95 latency", "ms"), ("throughput_per_s", "throughput", "replies/s"))
    for axis, (key, title, unit) in zip(axes, figures):
        for name, result in results.items():
            for channel, runs in result["closed_loop"].items():
                axis.plot([run["concurrency"] for run in runs], [run[key] for run in runs],
                          "-" if name == "ours" else "--", marker="o", label=f"{name}, {CHANNEL_NAMES[channel]}")
        axis.set(title=title, xlabel="concurrent conversations (closed loop)", ylabel=unit, xscale="log")
        axis.set_xticks(list(levels))
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.minorticks_off()
        axis.grid(alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main


def positive(text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]*", text):
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not '{text}'")
    return int(text)


def arguments(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run: levels 1,20, 5 s each, 15 s of patients")
    parser.add_argument("--skip-training", action="store_true", help="do not time training")
    parser.add_argument("--only", choices=ASSISTANTS, help="benchmark one assistant only")
    parser.add_argument("--levels", type=lambda s: [int(n) for n in s.split(",")],
                        help="closed-loop concurrency levels (default 1,5,10,20,50)")
    parser.add_argument("--duration", type=float, help="seconds measured per level (default 20)")
    parser.add_argument("--patients", type=int, default=100, help="conversations at patient pace (default 100)")
    parser.add_argument("--pace-duration", type=float, help="seconds at patient pace (default 60)")
    parser.add_argument("--replicas", type=positive, default=1,
                        help="Rasa processes serving ours; above 1 as `make serve PROFILE=scale` (default 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench.json", help="results file (and .png)")
    args = parser.parse_args(argv)
    quick = {"levels": [1, 20], "duration": 5.0, "pace_duration": 15.0}
    full = {"levels": [1, 5, 10, 20, 50], "duration": 20.0, "pace_duration": 60.0}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = arguments(argv)
    names = [args.only] if args.only else list(ASSISTANTS)
    if "ours" in names and not (ROOT / MODEL).exists():
        raise BenchError(f"no trained model at {MODEL}: run `make train`")
    results: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="footdrop-bench-") as folder:
        tmp = Path(folder)
        stock = create_stock(tmp) if "stock" in names else None
        projects = {"ours": ROOT, "stock": stock}
        training = {} if args.skip_training else {
            name: training_times(name, projects[name], TRAINING_LINKS[name], tmp) for name in names
        }
        for name in names:
            results[name] = {"training": training.get(name), **serve_and_measure(name, args, tmp, stock)}
    settings = {key: value for key, value in vars(args).items() if key != "out"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"machine": machine(), "settings": settings, "assistants": results}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    plot(results, args.levels, args.out.with_suffix(".png"))
    print(f"\n{table(results, args)}\n\nWritten: {args.out}, {args.out.with_suffix('.png')}")
    failed = sum(failures(results["ours"], kind) for kind in FAILURES) if "ours" in results else 0
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops the servers too
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("bench: interrupted; every server it started is stopped", file=sys.stderr)
        sys.exit(130)
