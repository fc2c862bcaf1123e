"""staff/web.py and staff/app.py's pure parts: where a login may send the browser, which
requests count as from the console's own origin, and the headers on every response."""

from __future__ import annotations

import asyncio

import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from staff.app import safe_next
from staff.web import HEADERS, MAX_BODY, SecurityHeaders, same_origin


@pytest.mark.parametrize("target, expected", [
    ("/topics/ask_driving", "/topics/ask_driving"),
    ("/", "/"),
    ("", "/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("topics", "/"),
])
def test_after_login_only_paths_of_the_console(target, expected):
    assert safe_next(target) == expected


def request(headers):
    scope = {"type": "http", "method": "POST", "scheme": "http", "server": ("127.0.0.1", 8081), "path": "/x",
             "query_string": b"", "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    return Request(scope)


@pytest.mark.parametrize("headers, same", [
    ({"host": "127.0.0.1:8081"}, True),
    ({"host": "127.0.0.1:8081", "origin": "http://127.0.0.1:8081"}, True),
    ({"host": "127.0.0.1:8081", "origin": "http://evil.example"}, False),
    ({"host": "127.0.0.1:8081", "origin": "http://127.0.0.1:8080"}, False),  # the patients' page
    ({"host": "127.0.0.1:8081", "referer": "http://127.0.0.1:8081/topics"}, True),
    ({"host": "127.0.0.1:8081", "referer": "https://evil.example/x"}, False),
    ({"host": "127.0.0.1:8081", "origin": "null"}, False),
    ({"host": "127.0.0.1:8081", "origin": "null", "sec-fetch-site": "same-origin"}, True),  # Chromium's form post
    ({"host": "127.0.0.1:8081", "origin": "http://127.0.0.1:8081", "sec-fetch-site": "cross-site"}, False),
    ({"host": "127.0.0.1:8081", "sec-fetch-site": "same-site"}, False),  # another port of this host
])
def test_same_origin(headers, same):
    assert same_origin(request(headers)) is same


def run(app, path="/", headers=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": list(headers), "scheme": "http", "server": ("127.0.0.1", 8081)}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_every_response_gets_the_security_headers():
    status, headers = run(SecurityHeaders(PlainTextResponse("hello")))
    assert status == 200
    for name, value in HEADERS.items():
        assert headers[name] == value
    assert headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    _status, static = run(SecurityHeaders(PlainTextResponse("css")), "/static/console.css")
    assert "cache-control" not in static


def test_bodies_over_the_limit_are_refused_before_they_are_read():
    status, _ = run(SecurityHeaders(PlainTextResponse("never")), headers=[(b"content-length", str(MAX_BODY + 1).encode())])
    assert status == 413
    status, _ = run(SecurityHeaders(PlainTextResponse("never")), headers=[(b"content-length", b"-1")])
    assert status == 413
