"""The console as Rasa's model server (Rasa's own mechanism: ``models:`` in endpoints).

- ``GET /models/footdrop.tar.gz?token=...&server=...``: the project's model with its SHA-256
  as ETag; 304 when the asking server already has it (its ``If-None-Match``). Only with the
  token scripts/serve makes at each start (STAFF_MODEL_TOKEN) — anyone else gets a 404 — so the
  model is never served to the network through the console's proxy.
- Each request says which model that server runs (``If-None-Match`` is its current
  fingerprint) and the ``server`` parameter names it: ``Servers`` remembers both, for the
  Publish page.
- ``python -m staff.model_server endpoints BASE OUT --server NAME``: the endpoints file
  scripts/serve gives each Rasa process: BASE with a ``models:`` section pointing here.
"""

from __future__ import annotations

import argparse
import hmac
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

TOKEN_ENV = "STAFF_MODEL_TOKEN"
PATH = "/models/footdrop.tar.gz"
#: how often each Rasa server asks for a new model (seconds): the longest a publication waits
PULL_SECONDS = 10
SERVER_NAME = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


@dataclass(frozen=True)
class Server:
    name: str
    model_sha256: str  # "" before it has any model
    last_asked: float


class Servers:
    """The Rasa servers that asked for the model, and the model each said it runs."""

    def __init__(self) -> None:
        self._seen: Dict[str, Server] = {}
        self._lock = threading.Lock()

    def saw(self, name: str, model_sha256: str, when: float) -> None:
        with self._lock:
            self._seen[name] = Server(name, model_sha256, when)

    def all(self) -> List[Server]:
        with self._lock:
            return sorted(self._seen.values(), key=lambda server: server.name)


def token_matches(given: Optional[str], expected: Optional[str]) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(given), str(expected))


async def model_file(request: Request) -> Response:
    console = request.app.state.console
    if not token_matches(request.query_params.get("token"), console.settings.model_token):
        return PlainTextResponse("Not found", 404)
    sha = await run_in_threadpool(console.publisher.model.sha256)
    if sha is None:
        return PlainTextResponse("No trained model yet", 404)
    name = request.query_params.get("server", "")
    has = request.headers.get("if-none-match", "").strip().strip('"')
    console.servers.saw(name if SERVER_NAME.match(name) else "unnamed", has if re.fullmatch(r"[0-9a-f]{64}", has) else "",
                        time.time())
    if has == sha:
        return Response(status_code=304, headers={"etag": sha})
    return FileResponse(console.publisher.model.path, media_type="application/gzip",
                        headers={"etag": sha, "filename": "footdrop.tar.gz"})


def endpoints_with_models(base: dict, url: str, token: str, server: str) -> dict:
    """`base` endpoints with the console as model server for the Rasa process `server`."""
    if not SERVER_NAME.match(server):
        raise ValueError(f"a server name is letters, digits, '.', '_' or '-', not '{server}'")
    return {**base, "models": {"url": url, "token": token, "wait_time_between_pulls": PULL_SECONDS,
                               "params": {"server": server}}}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m staff.model_server")
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("endpoints", help="write BASE with a models: section pointing at the console")
    write.add_argument("base", type=Path)
    write.add_argument("out", type=Path)
    write.add_argument("--server", required=True, help="the Rasa process's name (its supervisord program)")
    write.add_argument("--port", type=int, default=int(os.environ.get("STAFF_PORT") or 8081))
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV)
    if not token:
        print(f"{TOKEN_ENV} is not set: scripts/serve makes one at each start", file=sys.stderr)
        return 2
    base = yaml.safe_load(args.base.read_text(encoding="utf-8")) or {}
    endpoints = endpoints_with_models(base, f"http://127.0.0.1:{args.port}{PATH}", token, args.server)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(args.out, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # the token is a secret
    with os.fdopen(fd, "w") as out:
        yaml.safe_dump(endpoints, out, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
