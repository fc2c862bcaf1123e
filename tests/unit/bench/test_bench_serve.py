"""bench/serve.py with fake processes: everything started is stopped, failures name their log,
and scripts/serve in a linked copy (here a fake scripts/serve in a fake project) is started on
free ports, waited for and stopped with Ctrl-C."""

from __future__ import annotations

import inspect
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from bench import serve
from bench.serve import BenchError


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_processes_stops_every_process_and_its_children(tmp_path):
    log = tmp_path / "sleeper.log"
    sleeper = [sys.executable, "-c", "import subprocess, sys, time; "
               "print(subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']).pid, flush=True); "
               "time.sleep(60)"]
    with serve.processes() as start:
        first = start(sleeper, tmp_path, log)
        second = start(sleeper, tmp_path, log, {"EXTRA": "1"})
        deadline = time.monotonic() + 30
        while len(log.read_text().split()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        grandchildren = [int(pid) for pid in log.read_text().split()]
        assert os.getpgid(first.pid) == first.pid  # a session, so a group, of its own
    assert first.returncode == -signal.SIGTERM and second.returncode == -signal.SIGTERM
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in grandchildren) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in grandchildren)


def test_processes_get_the_quiet_environment(tmp_path):
    log = tmp_path / "env.log"
    with serve.processes() as start:
        start([sys.executable, "-c", "import os; print(os.environ['RASA_TELEMETRY_ENABLED'], os.environ['EXTRA'])"],
              tmp_path, log, {"EXTRA": "yes"}).wait()
    assert log.read_text().split() == ["false", "yes"]


def test_stop_group_of_a_process_that_ignores_sigterm(tmp_path, monkeypatch):
    process = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                "print('ready', flush=True); time.sleep(60)"],
                               stdout=subprocess.PIPE, start_new_session=True)
    process.stdout.readline()
    real_wait = process.wait
    monkeypatch.setattr(process, "wait", lambda timeout=None: real_wait(timeout=min(timeout or 1, 1)))
    serve.stop_group(process)
    assert process.returncode == -signal.SIGKILL
    serve.stop_group(process)  # already gone: nothing to do


def test_timed_run_times_a_command_or_names_its_log(tmp_path):
    assert serve.timed_run([sys.executable, "-c", "pass"], tmp_path, tmp_path / "ok.log") >= 0
    with pytest.raises(BenchError, match=r"failed \(4\); end of bad.log:\nit broke"):
        serve.timed_run([sys.executable, "-c", "print('it broke'); raise SystemExit(4)"], tmp_path, tmp_path / "bad.log")


def test_tail(tmp_path):
    log = tmp_path / "x.log"
    assert serve.tail(log) == ""
    log.write_text("\n".join(str(n) for n in range(30)))
    assert serve.tail(log, 3) == "27\n28\n29"


def test_free_port_and_ensure_free():
    port = serve.free_port()
    serve.ensure_free(port)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with pytest.raises(BenchError, match=f"port {port} is already in use"):
            serve.ensure_free(port)


def test_wait_for_http(tmp_path, fake_rasa):
    waiting = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        serve.wait_for_http(f"{fake_rasa.url}/health", waiting, tmp_path / "x.log")
        with pytest.raises(BenchError, match="did not answer within 0 s"):
            serve.wait_for_http(f"http://127.0.0.1:{serve.free_port()}/", waiting, tmp_path / "x.log", timeout=0.3)
    finally:
        waiting.kill()
        waiting.wait()
    log = tmp_path / "actions.log"
    log.write_text("no such module\n")
    with pytest.raises(BenchError, match=r"actions exited \(-9\)(.|\n)*no such module"):
        serve.wait_for_http(f"http://127.0.0.1:{serve.free_port()}/", waiting, log)


def test_exported_reads_a_shell_file_of_exports():
    text = "# services\nexport PGPORT=5433\n  export REDIS_URL=redis://127.0.0.1:6380/0\nPATH=/x\nexport 9X=1\n"
    assert serve.exported(text) == {"PGPORT": "5433", "REDIS_URL": "redis://127.0.0.1:6380/0"}


def test_scale_services_not_wanted_start_nothing(tmp_path):
    with serve.scale_services(tmp_path, False) as variables:
        assert variables == {}
    assert list(tmp_path.iterdir()) == []


def test_ours_endpoints_keep_conversations_in_the_bench_store(tmp_path):
    path = serve.ours_endpoints(tmp_path)
    endpoints = yaml.safe_load(path.read_text())
    assert endpoints["action_endpoint"]["url"] == f"http://localhost:{serve.OURS_ACTIONS_PORT}/webhook"
    assert endpoints["tracker_store"]["db"] == str(tmp_path / "tracker.db")
    assert path.parent == tmp_path


def test_ours_endpoints_with_rasa_s_own_sql(tmp_path):
    from footdrop_rasa.stores.sqlite import SQLiteTrackerStore

    endpoints = yaml.safe_load(serve.ours_endpoints(tmp_path, ["plain_sql", "remember_states"]).read_text())
    assert endpoints["tracker_store"]["plain_sql"] is False
    assert "plain_sql" in inspect.signature(SQLiteTrackerStore.__init__).parameters  # the store's own option
    assert "plain_sql" not in yaml.safe_load(serve.ours_endpoints(tmp_path).read_text())["tracker_store"]


def test_switched_config_names_the_real_components_and_options():
    from footdrop_rasa.policies.rules import REMEMBER_STATES

    assert set(serve.CONFIG_SWITCHES) == {REMEMBER_STATES}
    config = yaml.safe_load((serve.ROOT / "config.yml").read_text())
    switched = serve.switched_config(config, ["remember_states", "plain_sql"])
    by_name = {c["name"]: c for section in ("pipeline", "policies") for c in switched[section]}
    assert by_name["footdrop_rasa.policies.rules.CachedRulePolicy"]["remember_states"] is False
    assert switched["pipeline"] == config["pipeline"]  # the rest as it was
    assert "remember_states" not in {k for c in config["policies"] for k in c}  # the project's config untouched
    with pytest.raises(BenchError, match="no footdrop_rasa.policies.rules.CachedRulePolicy under policies"):
        serve.switched_config({"policies": [{"name": "RulePolicy"}]}, ["remember_states"])


def test_stock_parts_model_and_env(tmp_path, monkeypatch):
    from footdrop_rasa import rasa_patches

    assert serve.stock_parts_model(tmp_path, ["plain_sql", "patches"]) == serve.MODEL  # no training needed
    assert list(tmp_path.iterdir()) == []
    assert serve.stock_parts_env(["remember_states"]) == {}
    env = serve.stock_parts_env(["patches", "plain_sql"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert env and not rasa_patches.enabled()


def test_rasa_commands(tmp_path):
    command, cwd = serve.rasa_command("ours", 5105, "/tmp/x/endpoints.yml", None)
    assert (command[1:], cwd) == (["run", "--model", serve.MODEL, "--port", "5105", "--credentials",
                                   "credentials.yml", "--endpoints", "/tmp/x/endpoints.yml"], serve.ROOT)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "20261204-1.tar.gz").touch()
    command, cwd = serve.rasa_command("stock", 5205, None, tmp_path)
    assert (command[1:], cwd) == (["run", "--model", str(tmp_path / "models" / "20261204-1.tar.gz"), "--port", "5205",
                                   "--credentials", "credentials.yml"], tmp_path)


def test_running_pids_from_supervisorctl_status():
    status = textwrap.dedent("""\
        actions                          RUNNING   pid 101, uptime 0:01:02
        actions-health                   RUNNING   pid 102, uptime 0:01:02
        rasa-5005                        RUNNING   pid 103, uptime 0:01:00
        web                              STARTING
        old                              EXITED    Dec 04 10:00 PM
    """)
    assert serve.running_pids(status) == {"actions": 101, "rasa-5005": 103}


#: a stand-in for scripts/serve: answers as Rasa and the action server on the ports it is given,
#: notes its environment, and on Ctrl-C writes that it stopped
FAKE_SERVE = """\
#!{python}
import http.server, json, os, signal, sys, threading
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{{}}")
    def log_message(self, *a): pass
for name in ("RASA_PORT", "ACTIONS_PORT"):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ[name])), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
os.makedirs("var", exist_ok=True)
json.dump({{k: os.environ.get(k) for k in ("RASA_PORT", "ACTIONS_PORT", "WEB_PORT", "STAFF_PORT", "RASA_INTERFACE", "PROFILE",
          "RASA_TELEMETRY_ENABLED")}}, open("var/env.json", "w"))
def stop(*_):
    open("var/stopped", "w").write("Ctrl-C")
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.pause()
"""


@pytest.fixture
def fake_project(tmp_path):
    root = tmp_path / "root"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "serve").write_text(FAKE_SERVE.format(python=sys.executable))
    (root / "scripts" / "serve").chmod(0o755)
    for own in ("var", "reports", ".git"):
        (root / own).mkdir()
    (root / "domain.yml").write_text("version: '3.1'\n")
    return root


def test_a_linked_copy_owns_what_it_is_told_to(tmp_path):
    root = tmp_path / "root"
    for relative in ("domain.yml", "data/nlu.yml", "tests/a.yml", "tests/b.yml", "models/m.tar.gz", "var/x"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(relative)
    (tmp_path / "copy").mkdir()
    project = serve.linked_copy(tmp_path / "copy", root, own=["domain.yml", "data", "tests/a.yml", "models/m.tar.gz"])
    for owned in ("domain.yml", "data", "tests/a.yml", "models/m.tar.gz", "data/nlu.yml"):
        assert not (project / owned).is_symlink() and (project / owned).exists(), owned
    assert (project / "tests").is_dir() and not (project / "tests").is_symlink()
    assert (project / "tests" / "b.yml").is_symlink()
    assert not (project / "var").exists()
    (project / "domain.yml").write_text("changed in the copy")
    assert (root / "domain.yml").read_text() == "domain.yml"


def test_serve_runs_scripts_serve_in_a_linked_copy_and_stops_it(tmp_path, fake_project, monkeypatch):
    monkeypatch.setenv("RASA_INTERFACE", "0.0.0.0")
    folder = tmp_path / "run"
    folder.mkdir()
    with serve.serve(folder, root=fake_project, PROFILE="test") as served:
        project = served.project
        assert project == folder / "project"
        assert (project / "domain.yml").resolve() == fake_project / "domain.yml"
        assert (project / "scripts").is_symlink()
        assert not (project / "reports").exists() and not (project / ".git").exists()
        assert not (project / "var").is_symlink()  # its own store, never the project's
        env = __import__("json").loads((project / "var" / "env.json").read_text())
        assert {k: int(env[k]) for k in served.ports} == served.ports
        assert len(set(served.ports.values())) == len(served.ports) == 4  # Rasa, actions, page, staff
        assert (env["RASA_INTERFACE"], env["PROFILE"], env["RASA_TELEMETRY_ENABLED"]) == (None, "test", "false")
        assert served.url == f"http://127.0.0.1:{served.ports['RASA_PORT']}"
        assert served.rasa == f"rasa-{served.ports['RASA_PORT']}"
        assert served.process.poll() is None
    assert served.process.returncode == 0
    assert (project / "var" / "stopped").read_text() == "Ctrl-C"
    assert list((fake_project / "var").iterdir()) == []


def test_serve_that_exits_names_its_log(tmp_path, fake_project):
    (fake_project / "scripts" / "serve").write_text(f"#!{sys.executable}\nprint('no model: run make train')\nraise SystemExit(2)\n")
    folder = tmp_path / "run"
    folder.mkdir()
    with pytest.raises(BenchError, match=r"serve exited \(2\)(.|\n)*no model: run make train"):
        with serve.serve(folder, root=fake_project):
            pass  # pragma: no cover


def test_linked_copy_of_this_project_leaves_out_its_own_files(tmp_path):
    project = serve.linked_copy(tmp_path)
    names = {entry.name for entry in project.iterdir()}
    assert "scripts" in names and "bench" in names
    assert not names & serve.OWN
    assert all(entry.is_symlink() for entry in project.iterdir())
    assert Path(os.readlink(project / "bench")) == serve.ROOT / "bench"
