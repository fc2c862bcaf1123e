"""What the action server answers to a request it cannot run: never the request back, never
patient text in the log (issue 16).

rasa-sdk 3.6's action server answers any failure with a 500 whose body holds the whole request
(``"request_body"``: the patient's conversation) and logs that request at ERROR. Here, inside
``rasa run actions`` (the package is imported while rasa-sdk builds its Sanic app):

- a ``POST /webhook`` body that is not an action call (no ``next_action`` name, no ``tracker``
  object) gets a 400 ``{"error": "not an action call"}`` before any action runs;
- any other failure gets a 500 ``{"error": "the action could not be run"}``, logged by the
  error's type and where it happened, without its message (which can quote the conversation).

Rasa itself treats both as a failed action: the patient gets the clinic fallback
(``footdrop_rasa/channels/kind.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from footdrop.errors import describe

logger = logging.getLogger(__name__)

APP_NAME = "rasa_sdk"  # the name rasa_sdk.endpoint.create_app gives its Sanic app
NOT_AN_ACTION_CALL = {"error": "not an action call"}
FAILED = {"error": "the action could not be run"}


def is_action_call(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("next_action"), str) and isinstance(body.get("tracker"), dict)


def guard(app: Any) -> None:
    """Installs the check and the error handler on the action server's Sanic app."""
    from sanic import response

    async def check_action_call(request: Any) -> Any:
        if request.method == "POST" and request.path.rstrip("/") == "/webhook":
            try:
                body = request.json
            except Exception:  # Sanic raises its own error for a body that is not JSON
                body = None
            if not is_action_call(body):
                return response.json(NOT_AN_ACTION_CALL, status=400)
        return None

    async def failed(request: Any, error: Exception) -> Any:
        logger.error("Action server: %s %s failed: %s", request.method, request.path, describe(error))
        return response.json(FAILED, status=500)

    app.register_middleware(check_action_call, "request")

    # rasa-sdk registers its own handler for every Exception after importing this package:
    # put ours back once the app is complete, before it serves.
    @app.listener("before_server_start")
    async def replace_handler(app: Any, _loop: Any) -> None:
        app.error_handler.add(Exception, failed)


def guard_action_server() -> None:
    """Guards rasa-sdk's app when this package is imported by ``rasa run actions``; does
    nothing elsewhere (the tests and tools that import the actions)."""
    try:
        from sanic import Sanic
        from sanic.exceptions import SanicException

        app = Sanic.get_app(APP_NAME)
    except (ImportError, SanicException):
        return
    guard(app)
