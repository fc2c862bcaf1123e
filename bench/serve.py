"""Starting and stopping assistants, and every process the benchmarks start.

- ``processes()``: a `start(command, cwd, log, env)` whose processes are all stopped on the
  way out (their whole process group), whatever happened; ``timed_run``, ``wait_for_http``.
- The two assistants `make bench` serves, one at a time, on bench-only ports: ours as
  `scripts/serve` runs it (``start_action_server``, ``rasa_command``, ``ours_endpoints``; with
  replicas, PostgreSQL and Redis from ``scale_services``) and stock (`rasa init`'s, see
  bench/training.py). Ours can run with some of its parts that use Rasa's private code switched
  back to Rasa's own (``STOCK_PARTS``, ``stock_parts_model``, ``stock_parts_env``), to measure
  what each part still gains.
- ``serve()``: `make serve` as a clinic runs it, scripts/serve (supervisord and every process
  under it) in a copy of the project whose files are links to this one's, so that its `var/`
  (the store, supervisord's socket and log) is the copy's own, never the patient database;
  ``Served.ctl`` is supervisorctl on that copy. Used by bench/soak.py, and usable by tests.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
SUPERVISORCTL = str(ROOT / ".venv" / "bin" / "supervisorctl")
MODEL = "models/footdrop.tar.gz"
#: what every process the benchmarks start gets in its environment: no telemetry, quiet TensorFlow
QUIET = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
ENV = {**os.environ, **QUIET}
ASSISTANTS = ("ours", "stock")
# Bench-only ports, so that a running `make serve` (5005, 5055) is not disturbed.
PORTS = {"ours": 5105, "stock": 5205}
OURS_ACTIONS_PORT = 5155
SCALE_SERVICES = str(ROOT / "scripts" / "scale-services")
TICKET_LOCK_LIFETIME = "15"  # as scripts/serve sets it for PROFILE=scale
READY_POLL_S = 0.25
START_TIMEOUT_S = 600.0
#: The parts of ours that reach into Rasa's private code, each with its switch back to what Rasa
#: does itself (footdrop_rasa/rasa_version.py has the table): a component option in config.yml
#: (the model is trained again with it), an option of the tracker store in endpoints.yml, or a
#: variable in the Rasa server's environment.
CONFIG_SWITCHES = {
    "remember_states": ("policies", "footdrop_rasa.policies.rules.CachedRulePolicy"),
}
ENDPOINTS_SWITCHES = {"plain_sql": "tracker_store"}
ENV_SWITCHES = {"patches": {"FOOTDROP_RASA_PATCHES": "off"}}
STOCK_PARTS = (*CONFIG_SWITCHES, *ENDPOINTS_SWITCHES, *ENV_SWITCHES)
#: what a linked copy does not share with the project: its own store and reports
OWN = {"var", "reports", ".git", ".pytest_cache"}


class BenchError(Exception):
    """The benchmark cannot go on (a server did not start, training failed...)."""


# ---------------------------------------------------------------- processes


@contextlib.contextmanager
def processes() -> Iterator[Callable[..., subprocess.Popen]]:
    """A `start(command, cwd, log, env)` that launches each command in its own session; every
    process started is stopped on the way out, whatever happened (Ctrl-C included)."""
    started: List[subprocess.Popen] = []

    def start(command: Sequence[str], cwd: Path, log: Path,
              env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, cwd=cwd, env={**ENV, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in reversed(started):
            stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to the process's whole group, SIGKILL if it is still there after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(errors="replace").splitlines() if log.exists() else []
    return "\n".join(text[-lines:])


def timed_run(command: Sequence[str], cwd: Path, log: Path, env: Optional[Dict[str, str]] = None) -> float:
    """Seconds `command` took; BenchError with the end of its log if it failed."""
    with processes() as start:
        began = time.monotonic()
        code = start(command, cwd, log, env).wait()
        elapsed = time.monotonic() - began
    if code:
        raise BenchError(f"`{' '.join(command)}` failed ({code}); end of {log.name}:\n{tail(log)}")
    return elapsed


def free_port() -> int:
    """A port nothing listens on now (the system's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_free(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise BenchError(f"port {port} is already in use: stop whatever listens there")


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT_S,
                  poll: float = READY_POLL_S) -> None:
    """Until `url` answers a GET with success; BenchError if `process` exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{log.stem} exited ({process.returncode}); end of its log:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(poll)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s; end of {log.name}:\n{tail(log)}")


# ---------------------------------------------------------------- the bench's assistants


@contextlib.contextmanager
def scale_services(tmp: Path, wanted: bool) -> Iterator[Dict[str, str]]:
    """PostgreSQL and Redis on loopback (`scripts/scale-services start`) in a fresh folder under
    /tmp that their users can reach, and the variables it writes to DIR/env; always stopped (and
    the folder removed) on the way out. Nothing, and no variables, unless `wanted`."""
    if not wanted:
        yield {}
        return
    folder = Path(tempfile.mkdtemp(prefix="footdrop-bench-scale-", dir="/tmp"))
    log = tmp / "scale-services.log"
    try:
        with open(log, "ab") as out:
            code = subprocess.run([SCALE_SERVICES, "start", str(folder)], cwd=ROOT, env=ENV,
                                  stdout=out, stderr=subprocess.STDOUT).returncode
        if code:
            raise BenchError(f"scripts/scale-services start failed ({code}); end of its log:\n{tail(log)}")
        yield exported((folder / "env").read_text())
    finally:
        with open(log, "ab") as out:
            subprocess.run([SCALE_SERVICES, "stop", str(folder)], cwd=ROOT, env=ENV,
                           stdout=out, stderr=subprocess.STDOUT)
        shutil.rmtree(folder, ignore_errors=True)


def exported(text: str) -> Dict[str, str]:
    """The variables of a shell file's `export NAME=value` lines."""
    variables = {}
    for line in text.splitlines():
        match = re.match(r"^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip())
        if match:
            variables[match.group(1)] = match.group(2)
    return variables


def start_action_server(start: Callable[..., subprocess.Popen], tmp: Path) -> int:
    """Our action server as scripts/serve starts it (on the bench port), once it answers; its pid."""
    ensure_free(OURS_ACTIONS_PORT)
    log = tmp / "actions-ours.log"
    actions = start([RASA, "run", "actions", "--port", str(OURS_ACTIONS_PORT), "--actions", "actions"],
                    ROOT, log, {"SANIC_HOST": "127.0.0.1"})
    wait_for_http(f"http://127.0.0.1:{OURS_ACTIONS_PORT}/health", actions, log)
    return actions.pid


def rasa_command(name: str, port: int, endpoints: Optional[str], stock: Optional[Path],
                 model: str = MODEL) -> Tuple[List[str], Path]:
    """The `rasa run` command line for an assistant on `port`, and the folder to run it in;
    `model`: ours's model (another than the project's when parts are switched back)."""
    if name == "ours":  # scripts/serve's flags, with the bench's endpoints
        return [RASA, "run", "--model", model, "--port", str(port), "--credentials", "credentials.yml",
                "--endpoints", str(endpoints)], ROOT
    assert stock is not None
    model = next((stock / "models").glob("*.tar.gz"))  # the one `rasa init` trained
    return [RASA, "run", "--model", str(model), "--port", str(port), "--credentials", "credentials.yml"], stock


def ours_endpoints(tmp: Path, parts: Sequence[str] = ()) -> Path:
    """endpoints.yml with the bench's action port and a temporary SQLite conversation store,
    and the endpoints switches of `parts` set back to Rasa's own."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"http://localhost:{OURS_ACTIONS_PORT}/webhook"
    endpoints["tracker_store"]["db"] = str(tmp / "tracker.db")
    for part in parts:
        if part in ENDPOINTS_SWITCHES:
            endpoints[ENDPOINTS_SWITCHES[part]][part] = False
    path = tmp / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def switched_config(config: Dict[str, Any], parts: Sequence[str]) -> Dict[str, Any]:
    """config.yml's content with the component options of `parts` set to false (Rasa's own)."""
    config = copy.deepcopy(config)
    for part in parts:
        if part not in CONFIG_SWITCHES:
            continue
        section, name = CONFIG_SWITCHES[part]
        components = [component for component in config.get(section) or [] if component.get("name") == name]
        if not components:
            raise BenchError(f"config.yml has no {name} under {section}: cannot switch `{part}` back")
        for component in components:
            component[part] = False
    return config


def stock_parts_model(tmp: Path, parts: Sequence[str]) -> str:
    """The model ours is served with: the project's own, or, when a part of `parts` is a
    config.yml switch, one trained here with that config (and an empty training cache of its
    own, so that the project's is neither used nor filled)."""
    if not any(part in CONFIG_SWITCHES for part in parts):
        return MODEL
    config = tmp / "config-stock-parts.yml"
    config.write_text(yaml.safe_dump(switched_config(yaml.safe_load((ROOT / "config.yml").read_text()), parts),
                                     sort_keys=False))
    print(f"Training ours with Rasa's own {', '.join(p for p in parts if p in CONFIG_SWITCHES)}...", flush=True)
    timed_run([RASA, "train", "--config", str(config), "--out", str(tmp / "models"),
               "--fixed-model-name", "stock-parts"], ROOT, tmp / "train-stock-parts.log",
              {"RASA_CACHE_DIRECTORY": str(tmp / "cache-stock-parts")})
    return str(tmp / "models" / "stock-parts.tar.gz")


def stock_parts_env(parts: Sequence[str]) -> Dict[str, str]:
    """The Rasa server's environment for the environment switches of `parts`."""
    return {name: value for part in parts for name, value in ENV_SWITCHES.get(part, {}).items()}


# ---------------------------------------------------------------- make serve, in a linked copy


@dataclass
class Served:
    project: Path
    ports: Dict[str, int]
    log: Path
    process: subprocess.Popen

    @property
    def url(self) -> str:
        """Rasa's base URL."""
        return f"http://127.0.0.1:{self.ports['RASA_PORT']}"

    @property
    def rasa(self) -> str:
        """Rasa's program name in supervisord."""
        return f"rasa-{self.ports['RASA_PORT']}"

    def ctl(self, *args: str, timeout: float = 120) -> str:
        """supervisorctl on this copy's supervisord (its control socket and password). A restart
        of Rasa waits until it has run 60 s: hence the long timeout."""
        command = [SUPERVISORCTL, "-c", str(self.project / "var/run/supervisord.conf"), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.project).stdout

    def pid(self, program: str) -> int:
        return int(self.ctl("pid", program).strip())

    def pids(self) -> Dict[str, int]:
        """The pid of every program running now (health checks left out)."""
        return running_pids(self.ctl("status"))


def running_pids(status: str) -> Dict[str, int]:
    """The pids in `supervisorctl status` output: `NAME RUNNING pid 123, uptime 0:01:02` lines,
    `-health` programs left out."""
    found = {}
    for line in status.splitlines():
        parts = line.split()
        if len(parts) > 3 and parts[1] == "RUNNING" and parts[2] == "pid" and not parts[0].endswith("-health"):
            found[parts[0]] = int(parts[3].rstrip(","))
    return found


def linked_copy(folder: Path, root: Path = ROOT, own: Sequence[str] = ()) -> Path:
    """folder/project: every entry of `root` linked, except OWN (its own store and reports);
    the files and folders of `own` (relative paths) are copied instead, so that the copy may
    change them without touching `root`'s."""
    project = folder / "project"
    project.mkdir()
    tops = {Path(relative).parts[0] for relative in own}
    for entry in root.iterdir():
        if entry.name in OWN or entry.name in own:  # its own store; or copied whole, below
            continue
        if entry.name in tops and entry.is_dir():
            (project / entry.name).mkdir()
            for inner in entry.iterdir():  # one level down: what `own` names inside is copied below
                if not any(Path(relative).parts[:2] == (entry.name, inner.name) for relative in own):
                    (project / entry.name / inner.name).symlink_to(inner)
        elif entry.name not in tops:
            (project / entry.name).symlink_to(entry)
    for relative in own:
        source, target = root / relative, project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return project


@contextlib.contextmanager
def serve(folder: Path, root: Path = ROOT, timeout: float = 180, project: Optional[Path] = None,
          **env: str) -> Iterator[Served]:
    """Starts scripts/serve in a linked copy of `root` under `folder` (or in `project`, a copy
    already made), on free ports, with `env` added to its environment; yields once Rasa has
    loaded its model and the action server answers; stops it with Ctrl-C (SIGINT) after,
    SIGKILL to its group if still there 90 s later."""
    project = project or linked_copy(folder, root)
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port(), "STAFF_PORT": free_port()}
    log = folder / "serve.log"
    environment = {**os.environ, **QUIET, **{k: str(v) for k, v in ports.items()}, **env}
    environment.pop("RASA_INTERFACE", None)  # the copy answers on loopback only
    with log.open("w") as out:
        process = subprocess.Popen(["scripts/serve"], cwd=project, env=environment, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/", process, log, timeout, 0.5)  # model loaded
        wait_for_http(f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health", process, log, timeout, 0.5)
        yield Served(project, ports, log, process)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as at the terminal
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
