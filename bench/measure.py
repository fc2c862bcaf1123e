"""What the benchmarks measure besides the replies: resident memory, and the time to ready.

- memory: resident memory (VmRSS from /proc, Linux) of a process and all its descendants,
  so that a server's worker processes count; ``MemorySampler`` keeps each group's peak while
  a load runs (every SAMPLE_S seconds) and gives the value after it;
- ready: seconds from launching Rasa to its first non-empty REST answer (``wait_ready``): the
  model loaded and the whole pipeline able to answer, not merely the port open.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from typing import Dict, List

import aiohttp

from bench.clients import ReplyError, RestConversation
from bench.serve import READY_POLL_S, START_TIMEOUT_S, BenchError, tail

SAMPLE_S = 0.5


def vm_rss_kb(pid: int) -> int:
    """VmRSS of one process in kB, 0 for a kernel thread; OSError if the process is gone."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def rss_kb(pid: int) -> int:
    """VmRSS of one process in kB; 0 if it is gone, or a kernel thread."""
    try:
        return vm_rss_kb(pid)
    except OSError:
        return 0


def children() -> Dict[int, List[int]]:
    """Every process's children, by parent pid."""
    found: Dict[int, List[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (command) state ppid ...": the command may hold spaces and parentheses.
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found.setdefault(ppid, []).append(int(stat.parent.name))
    return found


def tree_rss_mb(root: int) -> float:
    """VmRSS of a process and all its descendants, in MB."""
    below = children()
    pids, total = [root], 0
    while pids:
        pid = pids.pop()
        total += rss_kb(pid)
        pids.extend(below.get(pid, []))
    return total / 1024


class MemorySampler:
    """`pids`: the processes of each name (Rasa's replicas); a name's figure is their sum, and
    `{largest}_per_process` is the largest single process of the name `largest`."""

    def __init__(self, pids: Dict[str, List[int]], largest: str) -> None:
        self.pids, self.largest = pids, largest
        self.peaks = {name: 0.0 for name in [*pids, "total", f"{largest}_per_process"]}

    def sample(self) -> Dict[str, float]:
        each = {name: [tree_rss_mb(pid) for pid in pids] for name, pids in self.pids.items()}
        now = {name: sum(values) for name, values in each.items()}
        now["total"] = sum(now.values())
        now[f"{self.largest}_per_process"] = max(each.get(self.largest) or [0.0])
        for name, value in now.items():
            self.peaks[name] = max(self.peaks[name], value)
        return now

    async def run(self, every: float = SAMPLE_S) -> None:
        while True:
            self.sample()
            await asyncio.sleep(every)


async def wait_ready(http: aiohttp.ClientSession, url: str, text: str, launched: float,
                     rasa: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT_S) -> float:
    """Seconds from `launched` to the first non-empty REST answer."""
    while time.monotonic() - launched < timeout:
        if rasa.poll() is not None:
            raise BenchError(f"Rasa exited ({rasa.returncode}); end of its log:\n{tail(log)}")
        try:
            _latency, messages = await RestConversation(http, url).ask(text)
            if messages:
                return time.monotonic() - launched
        except (aiohttp.ClientError, asyncio.TimeoutError, ReplyError, ValueError):
            pass
        await asyncio.sleep(READY_POLL_S)
    raise BenchError(f"Rasa did not answer within {timeout:.0f} s; end of its log:\n{tail(log)}")
