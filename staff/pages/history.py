"""/history: every change to the assistant's content, newest first (who, when, what, which
files, approved by whom), each with an Undo button: one click makes a new change that undoes it.
Undoing a change on the safety path (staff/safety.py) is a clinician's task, as making it was."""

from __future__ import annotations

from typing import List

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from staff.approvals import author
from staff.history import Change, History
from staff.pages import CHANGE_ERRORS, console, history_of, not_done
from staff.safety import SafetyError, refusal, safety_reasons
from staff.topics import ANSWER_FILE
from staff.web import page


def reasons_to_ask_a_clinician(project_history: History, changes: List[Change]) -> List[List[str]]:
    """For each change, why undoing it is a clinician's task (it is on the safety path); empty
    when it is not. domain.yml before and after each change are read with one git command."""
    wanted = [(revision, ANSWER_FILE) for change in changes if ANSWER_FILE in change.files
              for revision in (f"{change.sha}^", change.sha)]
    texts = iter(project_history.files_at(wanted))
    return [safety_reasons(change.files, next(texts), next(texts)) if ANSWER_FILE in change.files
            else safety_reasons(change.files) for change in changes]


def approver_name(identity: str) -> str:
    """'Bo Clinician <bo@...>' -> 'Bo Clinician'."""
    return identity.split(" <")[0]


@page()
async def history_page(request: Request) -> Response:
    project_history = history_of(request)

    def listed():
        changes = project_history.changes(limit=100)
        return list(zip(changes, [bool(reasons) for reasons in reasons_to_ask_a_clinician(project_history, changes)]))

    changes = await run_in_threadpool(listed)
    return console(request).render(request, "history.html", changes=changes, approver_name=approver_name,
                                   undone=request.query_params.get("undone", ""))


@page()
async def undo(request: Request) -> Response:
    project_history = history_of(request)
    account = request.state.session.account

    def revert() -> str:
        with project_history.lock():
            change = project_history.change(request.path_params["sha"])
            reasons = reasons_to_ask_a_clinician(project_history, [change])[0]
            if reasons and not account.is_clinician:
                raise SafetyError(refusal(reasons))
            return project_history.revert(change.sha, author(account))

    try:
        sha = await run_in_threadpool(revert)
    except CHANGE_ERRORS as error:
        return await not_done(request, error)
    return RedirectResponse(f"/history?undone={sha[:10]}", status_code=303)


def routes() -> List[BaseRoute]:
    return [
        Route("/history", history_page),
        Route("/history/{sha}/undo", undo, methods=["POST"]),
    ]
