"""bench/training.py with a fake `rasa`: the copy it trains, the cache it gives, the response it
changes between the two trainings."""

from __future__ import annotations

import sys
import textwrap

import pytest

from bench import serve, training
from bench.serve import BenchError

DOMAIN = textwrap.dedent("""\
    version: "3.1"
    intents:
      - greet
    # a comment that stays
    responses:
      utter_greet:
      - text: "Hey! How are you?"
      utter_bye:
      - text: Bye
    """)


def test_change_first_response_changes_only_the_first_text(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text(DOMAIN)
    training.change_first_response(domain)
    assert domain.read_text() == DOMAIN.replace('"Hey! How are you?"', '"Hey! How are you? (updated)"')
    training.change_first_response(domain)
    assert '"Hey! How are you? (updated) (updated)"' in domain.read_text()


def test_change_first_response_unquoted_and_missing(tmp_path):
    domain = tmp_path / "domain.yml"
    domain.write_text("responses:\n  utter_bye:\n  - text: Bye now\n")
    training.change_first_response(domain)
    assert domain.read_text() == "responses:\n  utter_bye:\n  - text: Bye now (updated)\n"
    domain.write_text("intents:\n  - text: not a response\nresponses:\n  utter_x:\n  - image: x.png\n")
    with pytest.raises(BenchError, match="no one-line response text"):
        training.change_first_response(domain)


#: a stand-in for `rasa`: notes its arguments, its folder's files, the cache variable and the
#: first response it trains on
FAKE_RASA = """\
#!{python}
import os, sys
from pathlib import Path
text = [line for line in Path("domain.yml").read_text().splitlines() if "- text:" in line][0].strip()
with open({notes!r}, "a") as notes:
    notes.write(repr((sys.argv[1:], sorted(os.listdir(".")), os.environ["RASA_CACHE_DIRECTORY"],
                      os.environ["RASA_TELEMETRY_ENABLED"], text)) + "\\n")
"""


def test_training_times_trains_a_copy_twice(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    fake = tmp_path / "rasa"
    fake.write_text(FAKE_RASA.format(python=sys.executable, notes=str(notes)))
    fake.chmod(0o755)
    monkeypatch.setattr(serve, "RASA", str(fake))
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "nlu.yml").write_text("nlu: []\n")
    (project / "config.yml").write_text("pipeline: []\n")
    (project / "domain.yml").write_text(DOMAIN)
    (project / "content").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    times = training.training_times("ours", project, ["content"], work)
    assert set(times) == {"full_s", "retrain_s"} and min(times.values()) >= 0
    runs = [eval(line) for line in notes.read_text().splitlines()]
    copy = work / "train-ours"
    for run in runs:
        assert run[0] == ["train", "--out", str(copy / "models")]
        assert run[1] == ["config.yml", "content", "data", "domain.yml"]
        assert run[2] == str(work / "cache-ours")
        assert run[3] == "false"
    assert [run[4] for run in runs] == ['- text: "Hey! How are you?"', '- text: "Hey! How are you? (updated)"']
    assert (copy / "content").resolve() == project / "content"
    assert (project / "domain.yml").read_text() == DOMAIN  # the project itself is left as it was


def test_training_that_fails_names_its_log(tmp_path, monkeypatch):
    fake = tmp_path / "rasa"
    fake.write_text(f"#!{sys.executable}\nprint('InvalidDomain')\nraise SystemExit(1)\n")
    fake.chmod(0o755)
    monkeypatch.setattr(serve, "RASA", str(fake))
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "config.yml").write_text("")
    (project / "domain.yml").write_text(DOMAIN)
    with pytest.raises(BenchError, match=r"failed \(1\); end of train-stock.log:\nInvalidDomain"):
        training.training_times("stock", project, [], tmp_path)


def test_create_stock_gives_it_rest_and_socketio(tmp_path, monkeypatch):
    fake = tmp_path / "rasa"
    fake.write_text(f"#!{sys.executable}\nimport sys\nassert sys.argv[1:3] == ['init', '--no-prompt']\n")
    fake.chmod(0o755)
    monkeypatch.setattr(serve, "RASA", str(fake))
    project = training.create_stock(tmp_path)
    assert project == tmp_path / "stock"
    assert (project / "credentials.yml").read_text() == training.STOCK_CREDENTIALS
