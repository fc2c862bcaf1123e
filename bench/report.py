"""Statistics and what the benchmarks write: the figures, the table, the JSON and the plot.

- ``summary``: a phase's throughput and nearest-rank p50/p95/p99 latency over the replies that
  came in the measured window (fallbacks included); errors, empty replies and fallbacks counted
  over the whole phase, warm-up included.
- ``table``: what `make bench` prints: one row per figure, ours, stock, and a ratio column that
  is above 1 where ours does better (ours/stock for throughput, stock/ours for times and memory).
- ``write``: reports/bench.json (machine, settings, every figure) and the same name with .png
  (p95 latency and throughput against concurrency, one line per assistant and channel).
- ``slope_mb_per_hour``, ``growth``: the soak's memory trend of a program over its longest life
  between restarts, and its verdict.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from bench.load import Outcome

CHANNEL_NAMES = {"rest": "REST", "socketio": "socket.io"}
FAILURES = {"errors": "errors", "empty": "empty replies", "fallbacks": "fallback replies"}
HIGHER, LOWER = "ours/stock", "stock/ours"  # the ratio is above 1 where ours does better
#: a process whose memory grows faster than this, over at least 10 minutes, is reported as growing
GROWTH_MB_PER_HOUR = 20.0

#: a row of the table: label, path in an assistant's results, unit, ratio (HIGHER, LOWER or "": none)
Row = Tuple[str, List[Any], str, str]


# ---------------------------------------------------------------- statistics


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


def slope_mb_per_hour(samples: List[Tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return 0.0 if var == 0 else sum((t - mean_t) * (m - mean_m) for t, m in samples) / var * 3600


def growth(samples: List[Tuple[float, float, int]]) -> Dict:
    """The memory trend of one program from (seconds, MB, pid) samples: over its longest life
    (one pid) between restarts."""
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


# ---------------------------------------------------------------- figures and the table


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


def table(results: Dict[str, Any], rows: Sequence[Row], header: Sequence[str],
          assistants: Sequence[str] = ("ours", "stock")) -> str:
    """`header` lines, then a row per figure (ours, stock, ratio), then the failures of each kind."""
    lines = list(header)
    lines.append(f"{'':<34}{'ours':>12}{'stock':>12}{'ratio':>8}")
    for label, path, unit, ratio in rows:
        ours, stock = (figure(results.get(name, {}), path) for name in assistants)
        lines.append(f"{label:<34}{fmt(ours, unit):>12}{fmt(stock, unit):>12}{fmt_ratio(ours, stock, ratio):>8}")
    for kind, label in FAILURES.items():
        ours, stock = (str(failures(results[name], kind)) if name in results else "n/a" for name in assistants)
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


def print_phase(label: str, result: Dict[str, Any]) -> None:
    failed = result["errors"] + result["empty"] + result["fallbacks"]
    print(f"  {label:<30} {result['throughput_per_s']:7.1f} replies/s  p95 {result['p95_ms'] or 0:7.0f} ms"
          f"  {failed} failed", flush=True)


# ---------------------------------------------------------------- files


def machine(versions: Dict[str, str]) -> Dict[str, Any]:
    """The machine the figures come from; `versions`: the packages that matter (name: version)."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    total_kb = re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model.group(1) if model else platform.processor(),
        "memory_mb": round(int(total_kb.group(1)) / 1024) if total_kb else None,
        **versions,
        "python": platform.python_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write(out: Path, report: Dict[str, Any], levels: Sequence[int]) -> Path:
    """`report` as JSON to `out`, and the plot of its assistants' results beside it (.png)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    png = out.with_suffix(".png")
    plot(report["assistants"], levels, png)
    return png


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
