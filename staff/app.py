"""The console's web application (Starlette): the pages and who may open them.

    create_app(Settings(...)) -> a Starlette app; `python -m staff` serves it (staff/__main__.py).

Why Starlette: a small, well-kept ASGI framework with Jinja2 templates (autoescaped) and a
router, served by uvicorn, and independent of the Sanic 21.12 that Rasa 3.6 pins for its own
server: the console's framework can take security releases Rasa's cannot.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from staff import model_server, store
from staff.accounts import ROLES, Accounts
from staff.model_server import Servers
from staff.pages import approvals as approval_pages
from staff.pages import history as history_pages
from staff.pages import new_topics as new_topic_pages
from staff.pages import topics as topic_pages
from staff.publish import Progress, Publisher
from staff.sessions import MAX_FAILURES, WINDOW_S, LoginLimiter, Sessions
from staff.settings import Settings
from staff.pages import publish as publish_pages
from staff.pages import unanswered as unanswered_pages
from staff.web import COOKIE, CSRF_FIELD, LOGIN_COOKIE, SecurityHeaders, cookie_settings, csrf_ok, \
    current_session, login_token, page

HERE = Path(__file__).resolve().parent


@dataclass
class Console:
    """What the pages share: settings, the database and the templates."""

    settings: Settings
    db: Any = field(init=False)
    accounts: Accounts = field(init=False)
    sessions: Sessions = field(init=False)
    limiter: LoginLimiter = field(init=False)
    templates: Jinja2Templates = field(init=False)
    publisher: Publisher = field(init=False)
    servers: Servers = field(init=False)

    def __post_init__(self) -> None:
        self.db = store.connect(self.settings.database)
        self.accounts = Accounts(self.db)
        self.sessions = Sessions(self.db, self.accounts)
        self.limiter = LoginLimiter(self.db)
        self.publisher = Publisher(self.settings.project, record=self.record_publication)
        self.servers = Servers()
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.globals["ROLES"] = ROLES

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        session = getattr(request.state, "session", None)
        values: Dict[str, Any] = {"session": session, "account": session.account if session else None,
                                  "csrf_field": CSRF_FIELD, "csrf_token": session.csrf_token if session else "",
                                  **context}
        return self.templates.TemplateResponse(request, template, values, status_code=status)

    async def error(self, request: Request, status: int, title: str, message: str) -> Response:
        return self.render(request, "error.html", status, title=title, message=message)

    def record_publication(self, progress: Progress) -> None:
        """A publication's end, in the publications table (called from its thread)."""
        self.db.execute("UPDATE publications SET finished = ?, status = ?, commit_sha = ?, model_sha256 = ?, "
                        "figures = ?, message = ? WHERE id = ?",
                        (progress.finished, progress.state, progress.commit, progress.model_sha256,
                         json.dumps(progress.figures), "\n".join(progress.reasons), progress.id))


# ------------------------------------------------------------------------------- signing in


def safe_next(target: str) -> str:
    """Where to go after signing in: a path of this console only (no other site, no //host)."""
    parts = urlsplit(target or "/")
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    console: Console = request.app.state.console
    if request.method == "GET":
        if current_session(request):
            return RedirectResponse("/", status_code=303)
        return login_page(request, "", 200)
    token = request.cookies.get(LOGIN_COOKIE) or ""
    if not token or not await csrf_ok(request, token):
        return login_page(request, "The sign-in form had expired. Please try again.", 403)
    form = await request.form()
    name = str(form.get("name") or "").strip().lower()[:64]
    password = str(form.get("password") or "")
    keys = [f"name:{name}", f"address:{client_address(request)}"]
    wait = console.limiter.wait_seconds(keys)
    if wait:
        minutes = max(1, round(wait / 60))
        return login_page(request, f"Too many failed sign-ins. Try again in {minutes} minute"
                                   f"{'' if minutes == 1 else 's'}, or ask a colleague to reset your password.", 429)
    account = await run_in_threadpool(console.accounts.verify, name, password)
    if account is None:
        console.limiter.failed(keys)
        return login_page(request, "That name and password do not match an account.", 401)
    console.limiter.succeeded(keys[0])
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    response.set_cookie(COOKIE, console.sessions.start(account), **cookie_settings(request))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def login_page(request: Request, message: str, status: int) -> Response:
    console: Console = request.app.state.console
    token = login_token(request)
    response = console.render(request, "login.html", status, message=message, login_token=token,
                              next=safe_next(request.query_params.get("next", "/")),
                              max_failures=MAX_FAILURES, window_minutes=WINDOW_S // 60)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **cookie_settings(request))
    return response


@page()
async def logout(request: Request) -> Response:
    request.app.state.console.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@page()
async def home(request: Request) -> Response:
    console: Console = request.app.state.console
    return console.render(request, "home.html", started=time.strftime("%Y-%m-%d %H:%M"))


def routes() -> List[BaseRoute]:
    return [
        Route("/", home),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route(model_server.PATH, model_server.model_file),
        *unanswered_pages.routes(),
        *new_topic_pages.routes(),  # before /topics/{intent}
        *topic_pages.routes(),
        *approval_pages.routes(),
        *history_pages.routes(),
        *publish_pages.routes(),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]


def create_app(settings: Settings) -> Starlette:
    app = Starlette(routes=routes())
    app.state.console = Console(settings)
    app.add_middleware(SecurityHeaders)
    return app
