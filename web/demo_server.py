"""The demo clinic page of `make serve` (port 8080): only the page and the widget's files, with
the security headers a clinic's own site should send (issue 16).

    python web/demo_server.py --port 8080 --assistant http://localhost:5005

Python's ``http.server`` (which served it before) listed folders and served everything under
``web/``: ``node_modules/``, ``package.json``, ``README.md``. This serves ``index.html`` (also
as ``/``), ``clinic.css`` and the files under ``widget/``, and a 404 for anything else (no
listing). Every answer carries:

- ``Content-Security-Policy``: scripts, styles, images and fonts from the page's own origin
  only (no inline script or style), the assistant's origin for ``connect-src`` (socket.io over
  websocket and polling), no ``<base>``, no forms, and ``frame-ancestors 'none'``;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.

The page names the assistant in its widget script tag (``data-server-url``); it is rewritten
to ``--assistant`` here, so another ``RASA_PORT`` needs no edit. Standard library only.
"""

from __future__ import annotations

import argparse
import functools
import http.server
from io import BytesIO
from pathlib import Path
from typing import Dict
from urllib.parse import unquote, urlsplit

WEB = Path(__file__).resolve().parent
PAGE = "index.html"
SERVED = {"/": PAGE, f"/{PAGE}": PAGE, "/clinic.css": "clinic.css"}
WIDGET = "widget"
PAGE_ASSISTANT = 'data-server-url="http://localhost:5005"'


def policy(assistant: str) -> str:
    parts = urlsplit(assistant)
    websocket = ("wss" if parts.scheme == "https" else "ws") + f"://{parts.netloc}"
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        f"connect-src 'self' {parts.scheme}://{parts.netloc} {websocket}",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ])


def headers(assistant: str) -> Dict[str, str]:
    return {
        "Content-Security-Policy": policy(assistant),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def served_file(path: str) -> Path | None:
    """The file a request path may fetch, or None: the page, its stylesheet, the widget's files."""
    path = unquote(urlsplit(path).path)
    if path in SERVED:
        return WEB / SERVED[path]
    if path.startswith(f"/{WIDGET}/") and ".." not in path.split("/"):
        candidate = (WEB / path.lstrip("/")).resolve()
        if candidate.is_file() and (WEB / WIDGET).resolve() in candidate.parents:
            return candidate
    return None


class DemoPageHandler(http.server.SimpleHTTPRequestHandler):
    """GET and HEAD of the page and the widget's files only, with the security headers."""

    assistant = "http://localhost:5005"

    def end_headers(self) -> None:
        for name, value in headers(self.assistant).items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):  # noqa: D102 - http.server's hook
        file = served_file(self.path)
        if file is None:
            self.send_error(404, "Not found")
            return None
        if file.name == PAGE:
            body = file.read_bytes().replace(PAGE_ASSISTANT.encode(), f'data-server-url="{self.assistant}"'.encode())
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return BytesIO(body)
        self.path = "/" + file.relative_to(WEB).as_posix()
        return super().send_head()

    def list_directory(self, path):  # never a listing
        self.send_error(404, "Not found")
        return None

    def log_message(self, *args) -> None:  # the page's requests carry no patient data; keep the terminal quiet
        pass


def server(port: int, assistant: str, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (DemoPageHandler,), {"assistant": assistant.rstrip("/")})
    return http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(WEB)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--assistant", default="http://localhost:5005", help="the Rasa server's origin")
    args = parser.parse_args()
    server(args.port, args.assistant).serve_forever()


if __name__ == "__main__":
    main()
