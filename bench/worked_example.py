"""Benchmark: docs/EXTENDING.md's worked example, from a fresh clone to the new answer in the widget.

    .venv/bin/python -m bench.worked_example [REPOSITORY]     (default: this project's folder)

In an empty temporary folder: `git clone`, `make install`, `make new-topic NAME=ask_driving`,
the marked places filled in with the sample text below (``fill_in``, as a member of staff
would type it; their typing time is not counted; tests/system/test_new_topic.py uses the same), `make check`, `make train`, then
`make serve` and the new question asked in the widget on :8080 (Debian's Chromium). Prints the
seconds of each step and the total. Uses ports 5005, 5055 and 8080: stop `make serve` first.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.first_answer import first_rest_answer, widget_answer

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "can i drive with foot drop"

# docs/EXTENDING.md's worked example: what a member of staff types after `make new-topic`.
NAME = "ask_driving"
ANSWER = (
    "The guide does not talk about driving. It says to go back to your activities slowly, once pain and "
    "swelling are down and your strength has come back.\n"
    "Ask your doctor if it is safe for you to drive.\n"
    "From: Recovery"
)
QUESTIONS = [
    "can i drive with foot drop", "is it safe to drive", "can I still drive my car", "driving with drop foot?",
    "my foot drops, am i allowed to drive", "is driving ok with a dropped foot", "can my dad drive with footdrop",
    "should i stop driving", "will foot drop stop me driving", "can you drive with a foot brace on",
    "is it legal to drive with foot drop", "driving?", "my right foot drags, can i use the pedals",
    "can i drive an automatic with foot drop", "when will i be able to drive again with my foot",
]
HELD_OUT = [
    "am i ok to drive", "can people with foot drop drive a car", "is it dangerous to drive with drop foot",
    "can i get behind the wheel", "driving a car with a weak foot",
]



def fill_in(project: Path) -> None:
    """What a member of staff does after `make new-topic`, following docs/EXTENDING.md."""
    domain = project / "domain.yml"
    text = domain.read_text()
    start = text.index(f"  utter_{NAME}:\n")
    end = text.index("From: TODO", start)
    end = text.index("\n", end) + 1
    body = "\n".join("      " + line for line in ANSWER.splitlines())
    domain.write_text(text[:start] + f"  utter_{NAME}:\n  - text: |-\n{body}\n" + text[end:])
    for path, examples in (("data/nlu/staff_topics.yml", QUESTIONS), ("tests/nlu_holdout.yml", HELD_OUT)):
        file = project / path
        lines = file.read_text().splitlines()
        todo = [i for i, line in enumerate(lines) if line.strip().startswith("- TODO")]
        for i, example in zip(todo, examples):
            lines[i] = f"    - {example}"
        file.write_text("\n".join(lines) + "\n")
    stories = project / "tests" / "test_stories.yml"
    stories.write_text(stories.read_text().replace("TODO: a patient's question, as they would type it", "can i drive with foot drop"))
    topics = project / "content" / "topics.yml"
    topics.write_text(re.sub(r"['\"]?TODO: a short title[^\n]*", '"Driving with foot drop"', topics.read_text()))


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
