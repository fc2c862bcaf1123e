"""The programs' command lines: `python -m bench.bench|soak|restart --help`, bench's settings and
its table's rows; the table on fixed results."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import bench, serve


@pytest.mark.parametrize("program", ["bench.bench", "bench.soak", "bench.restart"])
def test_help(program):
    result = subprocess.run([sys.executable, "-m", program, "--help"], capture_output=True, text=True, cwd=serve.ROOT,
                            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ")


def test_quick_and_full_settings():
    quick = bench.arguments(["--quick"])
    assert (quick.levels, quick.duration, quick.pace_duration, quick.patients) == ([1, 20], 5.0, 15.0, 100)
    full = bench.arguments([])
    assert (full.levels, full.duration, full.pace_duration, full.replicas) == ([1, 5, 10, 20, 50], 20.0, 60.0, 1)
    mine = bench.arguments(["--quick", "--levels", "2,4", "--duration", "1", "--only", "ours", "--replicas", "2"])
    assert (mine.levels, mine.duration, mine.pace_duration, mine.only, mine.replicas) == ([2, 4], 1.0, 15.0, "ours", 2)
    with pytest.raises(SystemExit):
        bench.arguments(["--replicas", "0"])


def test_serving_and_replicas():
    args = bench.arguments(["--replicas", "3"])
    assert bench.serving("ours", args) == "ours: 3 Rasa processes (PROFILE=scale: PostgreSQL + Redis)"
    assert bench.serving("stock", args) == "stock: 1 Rasa process"
    parts = bench.arguments(["--stock-part", "remember_states", "--stock-part", "plain_sql"])
    assert parts.stock_part == ["remember_states", "plain_sql"]
    assert bench.serving("ours", parts) == "ours: 1 Rasa process, Rasa's own remember_states, plain_sql"
    assert bench.serving("stock", parts) == "stock: 1 Rasa process"
    assert bench.arguments([]).stock_part == []
    with pytest.raises(SystemExit):
        bench.arguments(["--stock-part", "everything"])


def test_the_table_rows_and_keys():
    args = bench.arguments(["--quick"])
    rows = bench.rows(args)
    labels = [label for label, _path, _unit, _ratio in rows]
    assert labels[:2] == ["throughput, 20 conc, REST", "throughput, 20 conc, socket.io"]
    assert "p95, 100 patients, socket.io" in labels
    paths = {label: path for label, path, _unit, _ratio in rows}
    assert paths["Rasa RSS peak"] == ["memory_mb", "rasa", "peak"]
    assert paths["Rasa RSS peak per process"] == ["memory_mb", "rasa_per_process", "peak"]
    assert paths["action server RSS peak"] == ["memory_mb", "actions", "peak"]
    no_20 = bench.rows(bench.arguments(["--levels", "1,5"]))
    assert no_20[0][0] == "throughput, 5 conc, REST"


def test_the_table_on_fixed_results():
    args = bench.arguments(["--quick", "--only", "ours"])
    phase = {"concurrency": 20, "throughput_per_s": 50.0, "p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0,
             "errors": 0, "empty": 0, "fallbacks": 1}
    results = {"ours": {"ready_s": 8.4, "training": None,
                        "memory_mb": {"rasa": {"peak": 880}, "rasa_per_process": {"peak": 880}},
                        "closed_loop": {"rest": [phase], "socketio": [phase]},
                        "patients": {"rest": {**phase, "concurrency": None}, "socketio": {**phase}}}}
    lines = bench.table(results, args).splitlines()
    assert lines[0] == "ours: 1 Rasa process"
    assert any(line.startswith("ready") and line.split()[1:4] == ["8.4", "s", "n/a"] for line in lines)
    assert lines[-1].split() == ["fallback", "replies", "4", "n/a"]
