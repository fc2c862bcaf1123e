"""Benchmark: docs/EXTENDING.md's worked example, from a fresh clone to the new answer in the widget.

    .venv/bin/python bench/worked_example.py [REPOSITORY]     (default: this project's folder)

In an empty temporary folder: `git clone`, `make install`, `make new-topic NAME=ask_driving`,
the marked places filled in with the sample text of tests/test_new_topic.py (as a member of
staff would type it; their typing time is not counted), `make check`, `make train`, then
`make serve` and the new question asked in the widget on :8080 (Debian's Chromium). Prints the
seconds of each step and the total. Uses ports 5005, 5055 and 8080: stop `make serve` first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.first_answer import first_rest_answer, widget_answer  # noqa: E402
from tests.test_new_topic import ANSWER, NAME, fill_in  # noqa: E402

QUESTION = "can i drive with foot drop"


def timed(label: str, times: dict, command: list, cwd: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    times[label] = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    print(f"{label:<34}{times[label]:>8.1f} s", flush=True)


def main(repository: str) -> None:
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    times: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project"
        timed("git clone", times, ["git", "clone", "-q", repository, str(project)], Path(folder))
        timed("make install", times, ["make", "install"], project)
        timed(f"make new-topic NAME={NAME}", times, ["make", "new-topic", f"NAME={NAME}"], project)
        fill_in(project)
        timed("make check", times, ["make", "check"], project)
        timed("make train", times, ["make", "train"], project)
        started = time.monotonic()
        serve = subprocess.Popen(
            ["make", "serve"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            first_rest_answer(started + 300)
            times["make serve -> ready"] = time.monotonic() - started
            print(f"{'make serve -> ready':<34}{times['make serve -> ready']:>8.1f} s")
            seconds, text = widget_answer(QUESTION)
            times["widget: page -> new answer"] = seconds
            print(f"{'widget: page -> new answer':<34}{seconds:>8.1f} s")
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            serve.wait(timeout=60)
    if ANSWER.splitlines()[0] not in text:
        raise SystemExit(f"the widget did not give the new answer; it said:\n{text}")
    total = sum(times.values())
    print(f"{'total (machine time)':<34}{total:>8.1f} s  = {total / 60:.1f} min")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT))
