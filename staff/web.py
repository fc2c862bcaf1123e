"""What every page of the console shares: who is signed in, CSRF, the response headers.

- ``page(role=...)`` wraps an endpoint: no session, and the browser goes to the login page
  (back to the page after); the wrong role, and a 403 page says who may do it; a POST without
  the session's CSRF token, or from another origin, is refused with a page that says to
  reload the form.
- ``SecurityHeaders``: a strict Content-Security-Policy (the console's own scripts and styles
  only), no framing, no referrer to other sites, no caching of pages, and a limit on request bodies.
"""

from __future__ import annotations

import functools
import secrets
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from staff.accounts import CLINICIAN
from staff.sessions import Session

COOKIE = "footdrop_staff"
LOGIN_COOKIE = "footdrop_staff_login"  # the login form's CSRF token (no session yet)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 512 * 1024

Endpoint = Callable[[Request], Awaitable[Response]]

HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on the
    # console's own form posts; other sites still get no referrer
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders:
    """Adds HEADERS (and no-store on everything but /static/) and refuses bodies over MAX_BODY."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await PlainTextResponse("That is more than the console accepts in one request.", 413)(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another origin: Sec-Fetch-Site when
    it sends one (every current browser), else Origin, else Referer."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True  # no browser header to judge by: the CSRF token alone decides
    parts = urlsplit(source)
    return (parts.scheme, parts.netloc) == (request.url.scheme, request.url.netloc)


def cookie_settings(request: Request) -> Dict[str, Any]:
    console = request.app.state.console
    return {"httponly": True, "samesite": "strict", "secure": console.settings.secure_cookies, "path": "/"}


def current_session(request: Request) -> Optional[Session]:
    return request.app.state.console.sessions.get(request.cookies.get(COOKIE))


def login_token(request: Request) -> str:
    """The login form's CSRF token: the cookie's if there is one, else a new one."""
    token = request.cookies.get(LOGIN_COOKIE)
    return token if token and 20 < len(token) < 100 else secrets.token_urlsafe(32)


async def csrf_ok(request: Request, expected: str) -> bool:
    if not same_origin(request):
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        given = (await request.form()).get(CSRF_FIELD)
    return bool(given) and secrets.compare_digest(str(given), expected)


def page(role: Optional[str] = None) -> Callable[[Endpoint], Endpoint]:
    """Signed-in staff only (of `role` when given); POSTs need the session's CSRF token."""

    def wrap(handler: Endpoint) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            console = request.app.state.console
            session = current_session(request)
            if session is None:
                if request.method != "GET":
                    return await console.error(request, 401, "You are signed out",
                                               "Your session has ended. Sign in again, then repeat what you did.")
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            request.state.session = session
            if request.method != "GET" and not await csrf_ok(request, session.csrf_token):
                return await console.error(request, 403, "This form has expired",
                                           "Reload the page and try again. (The form's security token was "
                                           "missing or old, or it was sent from another site.)")
            if role == CLINICIAN and not session.account.is_clinician:
                return await console.error(request, 403, "A clinician's task",
                                           "Only a clinician may do this: it changes what the assistant says "
                                           "about safety, or approves an answer.")
            return await handler(request)

        return endpoint

    return wrap


def html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)
