"""The scale-out profile's parts for tests/system/test_scale_out.py: PostgreSQL and Redis started by
scripts/scale-services, one action server and several Rasa replicas on endpoints.scale.yml,
and the stored conversations read straight from PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Dict, List, Tuple

import psycopg2
import redis

from support.processes import free_port, rasa_command, wait_until_up
from support.project import ROOT

SCALE_SERVICES = ROOT / "scripts" / "scale-services"
ENDPOINTS = ROOT / "endpoints.scale.yml"


def read_env(path: Path) -> Dict[str, str]:
    """The variables of an env file scripts/scale-services wrote (`export NAME=value` lines)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
    return env


class Services:
    """PostgreSQL and Redis on loopback, in a fresh directory, for as long as the `with` lasts."""

    def __enter__(self) -> "Services":
        # Under /tmp, not pytest's tmp_path: run as root, the servers run as the postgres and
        # redis users, who cannot enter pytest's private (0700) temporary folders.
        self.directory = Path(tempfile.mkdtemp(prefix="footdrop-scale-"))
        try:
            started = subprocess.run([str(SCALE_SERVICES), "start", str(self.directory)], capture_output=True, text=True)
            if started.returncode != 0:
                raise RuntimeError(f"scripts/scale-services start failed:\n{started.stdout}{started.stderr}")
            self.env = read_env(self.directory / "env")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        subprocess.run([str(SCALE_SERVICES), "stop", str(self.directory)], capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)

    def db(self):
        e = self.env
        return psycopg2.connect(
            host=e["DB_HOST"], port=e["DB_PORT"], dbname=e["DB_NAME"], user=e["DB_USER"], password=e["DB_PASSWORD"]
        )

    def redis(self, password: bool = True) -> redis.Redis:
        e = self.env
        return redis.Redis(
            host=e["REDIS_HOST"], port=int(e["REDIS_PORT"]), db=int(e["REDIS_DB"]),
            password=e["REDIS_PASSWORD"] if password else None, decode_responses=True,
        )

    def events(self, sender_id: str) -> List[dict]:
        """A conversation's stored events, in the order the tracker store wrote them."""
        with closing(self.db()) as db, db.cursor() as cursor:
            cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender_id,))
            rows = cursor.fetchall()
        return [json.loads(data) for (data,) in rows]

    def open_sessions(self, application_name: str) -> int:
        """How many PostgreSQL sessions a process (known by its application name) still has."""
        with closing(self.db()) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (application_name,))
            (count,) = cursor.fetchone()
        return count


class Cluster:
    """One action server and `replicas` Rasa processes sharing the services, started in
    parallel (startup is most of the test's time), as `make serve PROFILE=scale` runs them:
    the project's own channels (credentials.yml) and endpoints.scale.yml."""

    # How long a conversation's lock lives (Rasa's TICKET_LOCK_LIFETIME; scripts/serve uses
    # 15 s for PROFILE=scale). A replica killed while it handles a message leaves its lock
    # behind, and the conversation's next message waits until it expires: 10 s keeps the test
    # short and is still far longer than handling one message takes.
    LOCK_LIFETIME = "10"

    def __init__(self, services: Services, model: Path, workdir: Path, replicas: int = 2) -> None:
        self.services = services
        self.processes: List[subprocess.Popen] = []
        self.logs: List[Path] = []
        self.urls: List[str] = []
        actions_port = free_port()
        env = {
            **os.environ, **services.env,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "RASA_TELEMETRY_ENABLED": "false",
            "TICKET_LOCK_LIFETIME": self.LOCK_LIFETIME,
        }
        try:
            actions = self._start(
                rasa_command("run", "actions", "--actions", "actions", "--port", str(actions_port)),
                workdir / "actions.log", env,
            )
            for index in range(replicas):
                port = free_port()
                self.urls.append(f"http://127.0.0.1:{port}")
                command = rasa_command(
                    "run", "--model", str(model), "--port", str(port),
                    "--credentials", str(ROOT / "credentials.yml"), "--endpoints", str(ENDPOINTS),
                )
                # libpq's PGAPPNAME names the replica's sessions in pg_stat_activity.
                self._start(command, workdir / f"replica-{index}.log", {**env, "PGAPPNAME": self.app_name(index)})
            wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, self.logs[0])
            for index, url in enumerate(self.urls):
                wait_until_up(f"{url}/", self.processes[index + 1], self.logs[index + 1])
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def app_name(index: int) -> str:
        return f"footdrop-replica-{index}"

    def _start(self, command: list, log: Path, env: dict) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.logs.append(log)
        return process

    def replica(self, index: int) -> subprocess.Popen:
        return self.processes[index + 1]

    def kill(self, index: int) -> None:
        """SIGKILL a replica (no goodbye), then wait until PostgreSQL has ended its sessions,
        so that nothing it sent can still be committed after this returns."""
        process = self.replica(index)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while self.services.open_sessions(self.app_name(index)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL still has sessions of the killed replica {index}")
            time.sleep(0.05)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class RedisMonitor:
    """Every command Redis receives, as `redis-cli MONITOR` prints it, for as long as the
    `with` lasts: what the lock store really does, from Redis's side."""

    LINE = re.compile(r'^[\d.]+ \[\d+ \S+\] "(\w+)"(?: "([^"]*)")?')

    def __init__(self, services: Services, log: Path) -> None:
        self.services, self.log = services, log

    def __enter__(self) -> "RedisMonitor":
        e = self.services.env
        self.process = subprocess.Popen(
            ["redis-cli", "-h", e["REDIS_HOST"], "-p", e["REDIS_PORT"], "MONITOR"],
            env={**os.environ, "REDISCLI_AUTH": e["REDIS_PASSWORD"]},
            stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        # MONITOR answers OK once it is listening; commands before that would be missed.
        deadline = time.monotonic() + 30
        while not self.log.read_text().startswith("OK"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-cli MONITOR did not start: {self.log.read_text()}")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def commands(self) -> List[Tuple[str, str]]:
        """(command, first argument) of every command seen, e.g. ("SET", "footdrop:lock:ab12")."""
        found = (self.LINE.match(line) for line in self.log.read_text().splitlines())
        return [(m.group(1).upper(), m.group(2) or "") for m in found if m]
