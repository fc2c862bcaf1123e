"""The console's pages, one module per part, each with its ``routes()``; and what the pages for
topics, approvals and the history share: the project's history, the approvals, and turning a change
that could not be made into a page that says what happened (never a server error)."""

from __future__ import annotations

from typing import Any, Optional

from starlette.requests import Request
from starlette.responses import Response

from staff.approvals import Approvals, ProposalError
from staff.history import ChangeError, History
from staff.safety import SafetyError
from staff.topics import TopicError


def console(request: Request) -> Any:
    return request.app.state.console


def history_of(request: Request) -> History:
    return History(console(request).settings.project)


def approvals_of(request: Request, project_history: Optional[History] = None) -> Approvals:
    return Approvals(console(request).db, console(request).settings.project, project_history)


async def not_done(request: Request, error: Exception) -> Response:
    """The page for a change that could not be made: what happened and what to do."""
    if isinstance(error, SafetyError):
        return await console(request).error(request, 403, "A clinician's change", str(error))
    if isinstance(error, TopicError):
        return await console(request).error(request, 404, "Not found", str(error))
    if isinstance(error, ProposalError):
        message = " ".join([str(error), *error.problems])
        return await console(request).error(request, 409, "That was not done", message)
    if isinstance(error, ChangeError):
        return await console(request).error(request, 409, "That was not saved", str(error))
    raise error


#: the errors not_done turns into a page
CHANGE_ERRORS = (SafetyError, TopicError, ProposalError, ChangeError)
