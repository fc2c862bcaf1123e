"""/topics: the topics and their answers; changing an answer (a proposal, for an editor), with
`make check`'s checks as the answer is typed; /messages/...: the messages on the safety path,
which only a clinician may change (staff/safety.py)."""

from __future__ import annotations

import json
from typing import List, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from staff.approvals import ProposalError
from staff.pages import CHANGE_ERRORS, approvals_of, console, not_done
from staff.safety import SafetyError, is_safety_response, refusal
from staff.topics import TopicError, answer_text, check_answer, get_topic, list_topics, load, response_of, \
    topic_responses
from staff.usage import usage
from staff.web import page

MAX_DRAFT = 20_000


async def _form(request: Request) -> dict:
    form = await request.form()
    return {"text": str(form.get("text") or "")[:MAX_DRAFT], "note": str(form.get("note") or "")}


@page()
async def topics_page(request: Request) -> Response:
    project = console(request).settings.project
    try:
        topics = await run_in_threadpool(list_topics, project)
        parsed = await run_in_threadpool(load, project)
    except TopicError as error:
        return await not_done(request, error)
    messages = [name for name in parsed.responses if is_safety_response(parsed, name)]
    figures = await run_in_threadpool(usage, project, [topic.intent for topic in topics], console(request).publisher.model)
    return console(request).render(request, "topics.html", topics=topics, messages=messages, figures=figures)


async def _topic_view(request: Request, intent: str, status: int = 200, draft: str = "", note: str = "",
                      problems: Sequence[str] = ()) -> Response:
    try:
        topic = await run_in_threadpool(get_topic, console(request).settings.project, intent)
    except TopicError as error:
        return await not_done(request, error)
    waiting = [p for p in approvals_of(request).waiting() if p.response == topic.response]
    figures = await run_in_threadpool(usage, console(request).settings.project, [intent], console(request).publisher.model)
    return console(request).render(request, "topic.html", status, topic=topic, draft=draft or topic.text, note=note,
                                   problems=list(problems), waiting=waiting, done=request.query_params.get("done", ""),
                                   figures=figures)


@page()
async def topic_page(request: Request) -> Response:
    intent = request.path_params["intent"]
    if request.method == "GET":
        return await _topic_view(request, intent)
    form = await _form(request)
    response = response_of(intent)
    account = request.state.session.account

    def change() -> dict:
        get_topic(console(request).settings.project, intent)  # a topic's answer, not any message
        return approvals_of(request).change_answer(account, response, form["text"], form["note"])

    try:
        done = await run_in_threadpool(change)
    except ProposalError as error:
        if error.problems:  # the draft stays in the form, with what to fix
            return await _topic_view(request, intent, 422, form["text"], form["note"], error.problems)
        return await not_done(request, error)
    except CHANGE_ERRORS as error:
        return await not_done(request, error)
    if "proposal" in done:
        return RedirectResponse(f"/approvals?proposed={done['proposal']}", status_code=303)
    return RedirectResponse(f"/topics/{intent}?done=saved", status_code=303)


@page()
async def check_draft(request: Request) -> Response:
    """The live check: {"problems": [...]} for the draft answer in the JSON body {"text": ...}."""
    intent = request.path_params["intent"]
    try:
        body = json.loads((await request.body()) or b"{}")
        text = str(body.get("text") or "")[:MAX_DRAFT] if isinstance(body, dict) else ""
    except ValueError:
        return JSONResponse({"error": "The draft could not be read."}, status_code=400)
    project = console(request).settings.project
    try:
        parsed = await run_in_threadpool(load, project)
        if intent not in topic_responses(parsed).values():
            return JSONResponse({"error": f"There is no topic called '{intent}'."}, status_code=404)
        problems = await run_in_threadpool(check_answer, project, response_of(intent), text)
    except TopicError as error:
        return JSONResponse({"error": str(error)}, status_code=409)
    return JSONResponse({"problems": problems})


@page()
async def message_page(request: Request) -> Response:
    """A message on the safety path: anyone may read it, only a clinician may change it."""
    name = request.path_params["name"]
    project = console(request).settings.project
    account = request.state.session.account
    try:
        parsed = await run_in_threadpool(load, project)
        text = answer_text(parsed, name)
    except TopicError as error:
        return await not_done(request, error)
    topics = topic_responses(parsed)
    if name in topics:
        return RedirectResponse(f"/topics/{topics[name]}", status_code=303)
    status, draft, note, problems = 200, text, "", []
    if request.method == "POST":
        if not account.is_clinician:
            return await not_done(request, SafetyError(refusal([f"'{name}' is a safety message, not a topic's answer"])))
        form = await _form(request)
        try:
            await run_in_threadpool(approvals_of(request).change_answer, account, name, form["text"], form["note"])
            return RedirectResponse(f"/messages/{name}?done=saved", status_code=303)
        except ProposalError as error:
            if not error.problems:
                return await not_done(request, error)
            status, draft, note, problems = 422, form["text"], form["note"], error.problems
        except CHANGE_ERRORS as error:
            return await not_done(request, error)
    return console(request).render(request, "message.html", status, name=name, text=text, draft=draft, note=note,
                                   problems=problems, done=request.query_params.get("done", ""))


def routes() -> List[BaseRoute]:
    return [
        Route("/topics", topics_page),
        Route("/topics/{intent}", topic_page, methods=["GET", "POST"]),
        Route("/topics/{intent}/check", check_draft, methods=["POST"]),
        Route("/messages/{name}", message_page, methods=["GET", "POST"]),
    ]
