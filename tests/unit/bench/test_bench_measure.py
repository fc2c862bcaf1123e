"""bench/measure.py: resident memory of a small fake process tree, the sampler's peaks, and the
time to ready against the fake REST webhook."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import aiohttp
import pytest

from bench import measure
from bench.measure import MemorySampler, rss_kb, tree_rss_mb, vm_rss_kb
from bench.serve import BenchError

#: a process that starts a child holding about 40 MB, says the child's pid, and waits
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import sys, time; b = bytearray(40 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('ok', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.fixture
def tree():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    try:
        yield parent.pid, child
    finally:
        for pid in (child, parent.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        parent.wait()


def test_rss_of_this_process_and_of_one_gone():
    assert rss_kb(os.getpid()) > 1000
    assert rss_kb(os.getpid()) == pytest.approx(vm_rss_kb(os.getpid()), rel=0.2)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert rss_kb(gone.pid) == 0
    with pytest.raises(OSError):
        vm_rss_kb(gone.pid)


def test_a_process_tree_counts_its_children(tree):
    parent, child = tree
    assert child in measure.children()[parent]
    alone = rss_kb(parent) / 1024
    assert rss_kb(child) / 1024 > 40  # the child touched its 40 MB
    assert tree_rss_mb(parent) > alone + 40
    assert tree_rss_mb(child) == pytest.approx(rss_kb(child) / 1024, rel=0.05)


def test_the_sampler_sums_each_name_and_keeps_peaks(tree):
    parent, child = tree
    sampler = MemorySampler({"actions": [os.getpid()], "rasa": [parent, child]}, largest="rasa")
    now = sampler.sample()
    assert set(now) == set(sampler.peaks) == {"actions", "rasa", "total", "rasa_per_process"}
    assert now["total"] == pytest.approx(now["actions"] + now["rasa"])
    # the parent's tree holds the child: the largest single process is the parent's tree
    assert now["rasa_per_process"] == pytest.approx(tree_rss_mb(parent), rel=0.05)
    assert now["rasa"] > now["rasa_per_process"]  # the child is counted twice: as itself and under its parent
    os.kill(child, 9)
    time.sleep(0.2)
    later = sampler.sample()
    assert later["rasa"] < now["rasa"]
    assert sampler.peaks["rasa"] == pytest.approx(max(now["rasa"], later["rasa"]))


def test_a_sampler_without_the_largest_name():
    sampler = MemorySampler({"rasa": [os.getpid()]}, largest="stock")
    assert sampler.sample()["stock_per_process"] == 0.0


async def test_wait_ready_times_the_first_non_empty_answer(fake_rasa, tmp_path):
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        launched = time.monotonic()
        async with aiohttp.ClientSession() as http:
            seconds = await measure.wait_ready(http, fake_rasa.url, "hi", launched, server, tmp_path / "rasa.log")
        assert 0 <= seconds <= time.monotonic() - launched
        assert [b["message"] for b in fake_rasa.bodies] == ["hi"]
    finally:
        server.kill()
        server.wait()


async def test_wait_ready_fails_when_rasa_exits(tmp_path):
    log = tmp_path / "rasa.log"
    log.write_text("loading\nSomething went wrong\n")
    server = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    server.wait()
    async with aiohttp.ClientSession() as http:
        with pytest.raises(BenchError, match=r"Rasa exited \(3\)(.|\n)*Something went wrong"):
            await measure.wait_ready(http, "http://127.0.0.1:9", "hi", time.monotonic(), server, log)


async def test_wait_ready_gives_up_after_its_timeout(fake_rasa, tmp_path):
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(BenchError, match="did not answer within 0 s"):
                await measure.wait_ready(http, fake_rasa.url, "empty", time.monotonic(), server,
                                         tmp_path / "rasa.log", timeout=0.3)
    finally:
        server.kill()
        server.wait()
