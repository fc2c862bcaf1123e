"""The Publish page: publish the content as it is in git, watch the steps, see which model
each Rasa server runs (staff/publish.py does the work, staff/model_server.py serves it)."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, List

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from staff.model_server import PULL_SECONDS
from staff.publish import PublishError
from staff.web import page


def publications(db: Any, limit: int = 10) -> List[Dict[str, Any]]:
    rows = db.execute("SELECT id, started, finished, by, commit_sha, status, model_sha256, figures, message "
                      "FROM publications ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [{**dict(row), "figures": json.loads(row["figures"] or "{}"),
             "reasons": [line for line in (row["message"] or "").splitlines() if line]} for row in rows]


def when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp)) if timestamp else ""


def servers(console: Any, model: str) -> List[Dict[str, Any]]:
    """Each Rasa server that asked for the model: the model it runs, whether that is the
    project's, seconds since it last asked."""
    now = time.time()
    return [{"name": s.name, "model": s.model_sha256, "current": s.model_sha256 == model,
             "asked": int(now - s.last_asked)} for s in console.servers.all()]


@page()
async def publish_page(request: Request) -> Response:
    console = request.app.state.console
    model = await run_in_threadpool(console.publisher.model.sha256) or ""
    return console.render(request, "publish.html", model=model, servers=servers(console, model),
                          pull_seconds=PULL_SECONDS, progress=console.publisher.progress,
                          publications=publications(console.db), when=when)


@page()
async def start(request: Request) -> Response:
    console = request.app.state.console
    account = request.state.session.account
    cursor = console.db.execute("INSERT INTO publications (started, by, commit_sha, status) VALUES (?, ?, '', "
                                "'running')", (time.time(), account.display_name))
    try:
        console.publisher.start(account.display_name, cursor.lastrowid)
    except PublishError as busy:
        console.db.execute("DELETE FROM publications WHERE id = ?", (cursor.lastrowid,))
        return await console.error(request, 409, "A publication is running", str(busy))
    return RedirectResponse("/publish", status_code=303)


@page()
async def status(request: Request) -> Response:
    """The running publication, the project's model and each server's, as JSON (the page's
    script reads it every second while a publication runs)."""
    console = request.app.state.console
    model = await run_in_threadpool(console.publisher.model.sha256) or ""
    return JSONResponse({"progress": console.publisher.progress.to_json(), "model": model,
                         "servers": servers(console, model)})


def routes() -> List[BaseRoute]:
    return [
        Route("/publish", publish_page),
        Route("/publish/start", start, methods=["POST"]),
        Route("/publish/status", status),
    ]
