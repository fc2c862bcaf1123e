"""`make report` end to end (tools/report.py) over the running test assistant's store: in-scope
questions left out, the rest grouped and masked (masking and grouping: tests/unit/test_report.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import yaml

from support.project import ROOT
from support.rest_client import send
from tools.report import normalise


# ------------------------------------------------------------------------- masking


def run_report(endpoints, out, *options):
    """Runs the report as staff do; returns (stdout, the Markdown written, the group rows)."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.report", "--endpoints", str(endpoints), "--out", str(out), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text(encoding="utf-8")
    assert report.strip() in result.stdout
    rows = [line for line in report.splitlines() if re.match(r"\| \d{4}-", line)]
    return result.stdout, report, rows


def test_report_on_a_real_conversation_store(assistant, tmp_path):
    in_scope = ["what is foot drop", "should I wear a brace"]
    contact = (
        "my number is 07700 900123 and my email is jo@example.com, born 12/03/1961, can you book me a taxi"
    )
    senders = []
    for text in in_scope + ["what's the weather in paris", "what's the weather in Paris?", "asdf qwer zxcv", contact]:
        senders.append(f"report-test-{uuid.uuid4().hex}")
        assert send(assistant, text, senders[-1]).status_code == 200

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump(
        {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(assistant.tracker_db)}}
    ))
    stdout, report, rows = run_report(endpoints, tmp_path / "unanswered.md")
    texts = [normalise(row.split("|")[3]) for row in rows]
    assert not set(map(normalise, in_scope)) & set(texts), report
    weather = [row for row in rows if "paris" in row.lower()]
    assert len(weather) == 1 and weather[0].split("|")[2].strip() == "2", report
    assert "asdf qwer zxcv" in texts, report

    booking = [row for row in rows if "taxi" in row]
    assert booking and all(tag in booking[0] for tag in ("[phone]", "[email]", "[date]")), report

    for output in (stdout, report):
        for raw in ("07700", "900123", "jo@example.com", "12/03/1961", "1961"):
            assert raw not in output
        for sender in senders:
            assert sender not in output
