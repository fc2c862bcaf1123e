"""bench/report.py on fixed numbers: percentiles, a phase's summary, the soak's memory slope
and verdict, the table, the JSON and the plot."""

from __future__ import annotations

import json

import pytest

from bench import report
from bench.load import Outcome
from bench.report import HIGHER, LOWER


def test_nearest_rank_percentiles_in_milliseconds():
    values = [0.001 * n for n in range(1, 101)]  # 1 to 100 ms
    assert report.percentile(values, 50) == 50.0
    assert report.percentile(values, 95) == 95.0
    assert report.percentile(values, 99) == 99.0
    assert report.percentile([0.2, 0.1, 0.3], 50) == 200.0
    assert report.percentile([0.25], 99) == 250.0
    assert report.percentile([], 50) is None


def test_summary_times_replies_in_the_window_and_counts_failures_over_the_phase():
    outcomes = [
        Outcome(0.5, "ok", 0.9),  # warm-up: not timed
        Outcome(0.5, "error", error="TimeoutError"),  # warm-up: counted
        Outcome(1.0, "ok", 0.1), Outcome(2.0, "ok", 0.2), Outcome(3.0, "fallback", 0.4),
        Outcome(4.0, "empty", 0.05), Outcome(4.5, "error", error="TimeoutError"),
        Outcome(5.0, "error", error="ReplyError: HTTP 500"),
        Outcome(6.0, "ok", 0.3),  # after the window
    ]
    assert report.summary(outcomes, 1.0, 5.0) == {
        "duration_s": 4.0, "replies": 3, "throughput_per_s": 0.75,
        "p50_ms": 200.0, "p95_ms": 400.0, "p99_ms": 400.0,
        "errors": 3, "empty": 1, "fallbacks": 1,
        "error_kinds": {"TimeoutError": 2, "ReplyError: HTTP 500": 1},
    }


def test_slope_in_mb_per_hour():
    assert report.slope_mb_per_hour([(0, 100), (60, 101), (120, 102)]) == pytest.approx(60.0)
    assert report.slope_mb_per_hour([(0, 100), (60, 100), (120, 100)]) == 0.0
    assert report.slope_mb_per_hour([(30, 100), (30, 200)]) == 0.0  # no time passed: no slope


def test_growth_uses_the_longest_life_and_gives_a_verdict():
    first_life = [(0, 500.0, 11), (60, 900.0, 11)]  # short, and grows fast: left out
    long_life = [(120 + 60 * m, 600.0 + m * 0.5, 22) for m in range(15)]  # 30 MB/hour over 14 min
    grows = report.growth(first_life + long_life)
    assert grows == {"minutes_of_its_longest_life": 14.0, "mb_first": 600, "mb_last": 607,
                     "slope_mb_per_hour": 30.0, "verdict": "grows (leak suspected)"}
    steady = report.growth([(60 * m, 600.0 + m * 0.1, 5) for m in range(12)])
    assert (steady["slope_mb_per_hour"], steady["verdict"]) == (6.0, "steady")
    short = report.growth([(0, 1.0, 5), (60, 50.0, 5)])
    assert (short["slope_mb_per_hour"], short["verdict"]) == (0.0, "too short to tell")


def phase(concurrency, throughput, p95, errors=0):
    return {"concurrency": concurrency, "throughput_per_s": throughput, "p50_ms": p95 / 2, "p95_ms": p95,
            "p99_ms": p95 * 1.5, "errors": errors, "empty": 0, "fallbacks": 0}


RESULTS = {
    "ours": {"training": {"full_s": 60.0, "retrain_s": 10.0}, "ready_s": 8.0,
             "memory_mb": {"rasa": {"peak": 900}, "actions": {"peak": 500}, "total": {"peak": 1400}},
             "closed_loop": {"rest": [phase(1, 10.0, 50.0), phase(20, 100.0, 250.0)],
                             "socketio": [phase(1, 3.0, 40.0), phase(20, 60.0, 70.0)]},
             "patients": {"rest": phase(None, 20.0, 60.0), "socketio": phase(None, 20.0, 50.0)}},
    "stock": {"training": None, "ready_s": 32.0, "memory_mb": {"rasa": {"peak": 1125}, "total": {"peak": 1125}},
              "closed_loop": {"rest": [phase(1, 5.0, 200.0), phase(20, 25.0, 1000.0, errors=2)],
                              "socketio": [phase(1, 2.0, 300.0), phase(20, 30.0, 400.0)]},
              "patients": {"rest": phase(None, 15.0, 500.0, errors=1), "socketio": phase(None, 15.0, 300.0)}},
}


def test_figure_finds_a_value_or_none():
    assert report.figure(RESULTS["ours"], ["closed_loop", "rest", 20, "throughput_per_s"]) == 100.0
    assert report.figure(RESULTS["ours"], ["closed_loop", "rest", 50, "throughput_per_s"]) is None
    assert report.figure(RESULTS["stock"], ["training", "full_s"]) is None
    assert report.figure(RESULTS["stock"], ["memory_mb", "actions", "peak"]) is None


def test_failures_over_every_phase():
    assert report.failures(RESULTS["stock"], "errors") == 3
    assert report.failures(RESULTS["ours"], "errors") == 0


def test_formats_and_ratios():
    assert report.fmt(None, "ms") == "n/a"
    assert report.fmt(249.6, "ms") == "250 ms"
    assert report.fmt(8.04, "s") == "8.0 s"
    assert report.fmt_ratio(100.0, 25.0, HIGHER) == "4.00"  # ours/stock
    assert report.fmt_ratio(250.0, 1000.0, LOWER) == "4.00"  # stock/ours
    assert report.fmt_ratio(500.0, None, LOWER) == "n/a"
    assert report.fmt_ratio(1.0, 2.0, "") == "n/a"


def test_table():
    rows = [("throughput, 20 conc, REST", ["closed_loop", "rest", 20, "throughput_per_s"], "/s", HIGHER),
            ("p95, 20 conc, REST", ["closed_loop", "rest", 20, "p95_ms"], "ms", LOWER),
            ("action server RSS peak", ["memory_mb", "actions", "peak"], "MB", "")]
    lines = report.table(RESULTS, rows, ["ours: 1 Rasa process"]).splitlines()
    assert lines[0] == "ours: 1 Rasa process"
    assert lines[1].split() == ["ours", "stock", "ratio"]
    assert lines[2].startswith("throughput, 20 conc, REST") and lines[2].split()[-5:] == ["100.0", "/s", "25.0", "/s", "4.00"]
    assert lines[3].split()[-5:] == ["250", "ms", "1000", "ms", "4.00"]
    assert lines[4].split()[-4:] == ["500", "MB", "n/a", "n/a"]
    assert lines[5].split() == ["errors", "0", "3"]
    assert lines[6].split() == ["empty", "replies", "0", "0"]
    assert lines[7].split() == ["fallback", "replies", "0", "0"]
    only_ours = report.table({"ours": RESULTS["ours"]}, rows, []).splitlines()
    assert only_ours[-3].split() == ["errors", "0", "n/a"]


def test_print_phase(capsys):
    report.print_phase("ours rest 20 conc", phase(20, 100.0, 250.0, errors=2))
    assert capsys.readouterr().out.split() == ["ours", "rest", "20", "conc", "100.0", "replies/s", "p95", "250",
                                               "ms", "2", "failed"]


def test_machine_names_the_versions_given():
    machine = report.machine({"rasa": "3.6.21"})
    assert list(machine) == ["cpus", "cpu_model", "memory_mb", "rasa", "python", "date"]
    assert machine["rasa"] == "3.6.21" and machine["cpus"] >= 1


def test_write_gives_the_json_and_the_plot(tmp_path):
    out = tmp_path / "reports" / "bench.json"
    png = report.write(out, {"machine": {}, "settings": {"levels": [1, 20]}, "assistants": RESULTS}, [1, 20])
    assert png == tmp_path / "reports" / "bench.png"
    assert json.loads(out.read_text())["assistants"] == RESULTS
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
