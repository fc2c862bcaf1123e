"""A graceful stop (issue 17): once Sanic is stopping, every answer closes its connection.

On SIGTERM, Sanic stops listening, closes the kept-alive connections that are idle at that
moment, and then waits (its graceful timeout, 15 s) for the others, which stay open after the
answer they were busy with, and over which clients go on sending new requests to the stopping
server, until it aborts them, dropping what is under way. Here each channel's answers carry
``Connection: close`` from the moment the stop begins (``before_server_stop``): a client opens
its next connection to the next server, and Sanic's wait ends with the last answer.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint

_stopping = {"now": False}  # this process's server is stopping


def close_connections_when_stopping(blueprint: Blueprint) -> None:
    """Installs the stop listener and the response middleware on a channel's blueprint."""

    @blueprint.listener("before_server_stop")
    async def _stop(_app: Any, _loop: Any) -> None:
        _stopping["now"] = True

    @blueprint.middleware("response")
    async def _close(request: Any, _response: Any) -> None:
        if _stopping["now"] and getattr(request, "stream", None) is not None:
            request.stream.keep_alive = False  # Sanic then answers "connection: close" and closes
