"""/approvals: editors' answers waiting for a clinician, each with what it changes (old -> new
lines), and editors' new topics, each in full (title, answer, phrasings, test questions); a
clinician approves or declines, the editor who proposed it may withdraw it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import List, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from staff.accounts import CLINICIAN
from staff.approvals import Proposal, ProposalError
from staff.new_topics import KIND as TOPIC
from staff.pages import CHANGE_ERRORS, approvals_of, console, not_done
from staff.topics import TopicError, answer_text, load, normalise, title_of, topic_responses
from staff.web import page


@dataclass(frozen=True)
class Shown:
    proposal: Proposal
    title: str  # the topic's title
    lines: List[Tuple[str, str]]  # (how: "removed" | "added" | "same", line)
    changed_since: bool  # the answer was changed after the proposal was made (a new topic: its name is taken)


def diff(old: str, new: str) -> List[Tuple[str, str]]:
    """Line by line, what a proposal takes out, puts in and keeps."""
    how = {"- ": "removed", "+ ": "added", "  ": "same"}
    return [(how[line[:2]], line[2:]) for line in difflib.ndiff(normalise(old).split("\n"), normalise(new).split("\n"))
            if line[:2] in how]


def _shown(project, proposals: List[Proposal]) -> List[Shown]:
    try:
        parsed = load(project)
    except TopicError:
        parsed = None
    topics = topic_responses(parsed) if parsed else {}
    shown = []
    for proposal in proposals:
        if proposal.kind == TOPIC and proposal.draft is not None:
            taken = bool(parsed) and proposal.draft.name in parsed.intents
            shown.append(Shown(proposal, proposal.draft.title, diff("", proposal.text), taken))
            continue
        try:
            now = answer_text(parsed, proposal.response) if parsed else ""
        except TopicError:
            now = ""
        title = title_of(parsed, topics[proposal.response]) if proposal.response in topics else proposal.response
        shown.append(Shown(proposal, title, diff(proposal.replaces, proposal.text),
                           normalise(now) != normalise(proposal.replaces)))
    return shown


@page()
async def approvals_page(request: Request) -> Response:
    keeper = approvals_of(request)
    project = console(request).settings.project
    waiting = await run_in_threadpool(lambda: _shown(project, keeper.waiting()))
    proposed = request.query_params.get("proposed", "")
    try:
        proposed_kind = keeper.get(int(proposed)).kind if proposed.isdigit() else ""
    except ProposalError:
        proposed_kind = ""
    return console(request).render(request, "approvals.html", waiting=waiting, decided=keeper.decided(),
                                   proposed=proposed, proposed_kind=proposed_kind, topic_kind=TOPIC,
                                   done=request.query_params.get("done", ""))


def _id(request: Request) -> int:
    value = request.path_params["id"]
    return int(value) if str(value).isdigit() else -1


async def _act(request: Request, action, *args) -> Response:
    try:
        await run_in_threadpool(action, _id(request), request.state.session.account, *args)
    except CHANGE_ERRORS as error:
        return await not_done(request, error)
    return RedirectResponse(f"/approvals?done={action.__name__}", status_code=303)


@page(role=CLINICIAN)
async def approve(request: Request) -> Response:
    return await _act(request, approvals_of(request).approve)


@page(role=CLINICIAN)
async def decline(request: Request) -> Response:
    note = str((await request.form()).get("note") or "")
    return await _act(request, approvals_of(request).decline, note)


@page()
async def withdraw(request: Request) -> Response:
    return await _act(request, approvals_of(request).withdraw)


def routes() -> List[BaseRoute]:
    return [
        Route("/approvals", approvals_page),
        Route("/approvals/{id}/approve", approve, methods=["POST"]),
        Route("/approvals/{id}/decline", decline, methods=["POST"]),
        Route("/approvals/{id}/withdraw", withdraw, methods=["POST"]),
    ]

