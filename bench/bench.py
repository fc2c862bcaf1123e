"""Speed and memory of the Foot Drop Assistant against a stock `rasa init` assistant.

    .venv/bin/python -m bench.bench [--quick] [--skip-training] [--only ours|stock]
        [--levels 1,5,10,20,50] [--duration 20] [--patients 100] [--pace-duration 60]
        [--replicas 1] [--stock-part remember_states|plain_sql|patches ...] [--out reports/bench.json]
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
   With --stock-part P (repeatable) ours runs with P, one of its parts that use Rasa's private
   code, switched back to Rasa's own (footdrop_rasa/rasa_version.py):
   `remember_states` first trains a model with that config.yml option (not timed), `plain_sql` is
   set in the bench's endpoints.yml, `patches` in Rasa's environment. Run against a run without,
   on the same quiet machine, it shows what each part still gains (docs/PERFORMANCE.md).
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

The parts: bench/training.py (the stock project, training times), bench/serve.py (starting and
stopping every process, the ports, the endpoints), bench/clients.py (the REST and socket.io
clients), bench/load.py (the closed loop, the patients), bench/measure.py (memory, time to
ready), bench/report.py (statistics, the table, the JSON and the plot); this file ties them.

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
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp

from bench import report
from bench.clients import CHANNELS, TIMEOUT_S, Conversation, RestConversation, SocketConversation
from bench.load import SCRIPTS, Opener, closed_loop, patient_pace
from bench.measure import MemorySampler, wait_ready
from bench.report import FAILURES, HIGHER, LOWER, failures, print_phase
from bench.serve import (ASSISTANTS, ENV, MODEL, OURS_ACTIONS_PORT, PORTS, ROOT, STOCK_PARTS, TICKET_LOCK_LIFETIME,
                         BenchError, ensure_free, ours_endpoints, processes, rasa_command, scale_services,
                         start_action_server, stock_parts_env, stock_parts_model)
from bench.training import TRAINING_LINKS, create_stock, training_times

#: the process groups whose memory is measured; Rasa's replicas are summed, and the largest
#: single one is reported apart (`rasa_per_process`)
RASA_PROCESSES, ACTION_SERVER = "rasa", "actions"


# ---------------------------------------------------------------- one assistant, served


def replicas(name: str, args: argparse.Namespace) -> int:
    """How many Rasa processes serve `name`: --replicas for ours, always 1 for stock."""
    return args.replicas if name == "ours" else 1


def serving(name: str, args: argparse.Namespace) -> str:
    if replicas(name, args) == 1:
        served = f"{name}: 1 Rasa process"
    else:
        served = f"{name}: {replicas(name, args)} Rasa processes (PROFILE=scale: PostgreSQL + Redis)"
    if name == "ours" and args.stock_part:
        served += f", Rasa's own {', '.join(args.stock_part)}"
    return served


def serve_and_measure(name: str, args: argparse.Namespace, tmp: Path, stock: Optional[Path],
                      model: str = MODEL) -> Dict[str, Any]:
    """Starts one assistant as it is served, measures it, stops everything it started; `model`:
    ours's (stock's is the one `rasa init` trained)."""
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
            endpoints, env = (str(ours_endpoints(tmp, args.stock_part)) if name == "ours" else None), None
        if name == "ours":
            env = {**(env or {}), **stock_parts_env(args.stock_part)}
        pids = {ACTION_SERVER: [start_action_server(start, tmp)]} if name == "ours" else {}
        launched = time.monotonic()
        rasas = []
        for port in ports:
            command, cwd = rasa_command(name, port, endpoints, stock, model)
            log = tmp / f"rasa-{name}-{port}.log"
            rasas.append((start(command, cwd, log, env), log))
        pids[RASA_PROCESSES] = [rasa.pid for rasa, _log in rasas]
        return {"load_average_before": load_average, "replicas": count,
                **asyncio.run(measure(name, args, rasas, launched, pids))}


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
        sampler = MemorySampler(pids, largest=RASA_PROCESSES)
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


# ---------------------------------------------------------------- the table


def rows(args: argparse.Namespace) -> List[report.Row]:
    """The table's figures: label, path in an assistant's results, unit, ratio ("": none)."""
    conc = 20 if 20 in args.levels else max(args.levels)
    loop = [(c, report.CHANNEL_NAMES[c], ["closed_loop", c, conc]) for c in CHANNELS]
    rasa, actions = RASA_PROCESSES, ACTION_SERVER
    return [
        *[(f"throughput, {conc} conc, {n}", [*at, "throughput_per_s"], "/s", HIGHER) for _, n, at in loop],
        *[(f"{p}, {conc} conc, {n}", [*at, f"{p}_ms"], "ms", LOWER) for _, n, at in loop for p in ("p50", "p95", "p99")],
        *[(f"p95, {args.patients} patients, {n}", ["patients", c, "p95_ms"], "ms", LOWER) for c, n, _ in loop],
        ("Rasa RSS peak", ["memory_mb", rasa, "peak"], "MB", LOWER),
        ("Rasa RSS peak per process", ["memory_mb", f"{rasa}_per_process", "peak"], "MB", LOWER),
        ("action server RSS peak", ["memory_mb", actions, "peak"], "MB", ""),
        ("Rasa + actions RSS peak", ["memory_mb", "total", "peak"], "MB", LOWER),
        ("ready", ["ready_s"], "s", LOWER),
        ("full training", ["training", "full_s"], "s", LOWER),
        ("retrain, one response changed", ["training", "retrain_s"], "s", LOWER),
    ]


def table(results: Dict[str, Any], args: argparse.Namespace) -> str:
    header = [serving(name, args) for name in ASSISTANTS if name in results]
    return report.table(results, rows(args), header, ASSISTANTS)


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
    parser.add_argument("--stock-part", action="append", choices=STOCK_PARTS, default=[],
                        help="serve ours with this part switched back to Rasa's own (footdrop_rasa/rasa_version.py; "
                             "remember_states trains a model with it first); repeatable")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench.json", help="results file (and .png)")
    args = parser.parse_args(argv)
    quick = {"levels": [1, 20], "duration": 5.0, "pace_duration": 15.0}
    full = {"levels": [1, 5, 10, 20, 50], "duration": 20.0, "pace_duration": 60.0}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    # Off in this process and so in all it starts (bench/serve.py's ENV sets it for each too).
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
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
        model = stock_parts_model(tmp, args.stock_part) if "ours" in names else MODEL
        for name in names:
            results[name] = {"training": training.get(name), **serve_and_measure(name, args, tmp, stock, model)}
    settings = {key: value for key, value in vars(args).items() if key != "out"}
    machine = report.machine({"rasa": version("rasa")})
    png = report.write(args.out, {"machine": machine, "settings": settings, "assistants": results}, args.levels)
    print(f"\n{table(results, args)}\n\nWritten: {args.out}, {png}")
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
