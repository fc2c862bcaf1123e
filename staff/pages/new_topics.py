"""/topics/new: a new topic on a form in plain words (what `make new-topic` leaves to fill in):
its title (and the topic name made from it), the answer's facts, care note and the guide's
section(s), how patients ask it, test questions and the conversation test's question.

- "Check" shows what the checks find, by field, and writes nothing;
- "Save" (a clinician) writes the six files in one commit; "Propose" (an editor) saves a
  proposal a clinician approves on /approvals (staff/approvals.py ``new_topic``). When the checks
  fail, nothing is written and the form comes back with the problems under each field;
- /topics/new/from-questions: the Unanswered page's "New topic from these questions" (a POST:
  patients' words never go in a URL) opens the form with the group's ticked phrasings filled in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, List, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from staff.new_topics import FIELDS, DraftError, Problems, check_draft, name_from_title, split_lines, tidy
from staff.pages import CHANGE_ERRORS, approvals_of, console, not_done
from staff.topics import TopicError, load
from staff.training_data import MAX_LENGTH, clean
from staff.web import page
from tools.check import MAX_TITLE, MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, section_titles
from tools.new_topic import Draft

MAX_FIELD = 20_000


def empty_draft() -> Draft:
    return Draft(name="", title="", facts="", care_note="", sections=(), phrasings=(), held_out=(), question="")


def draft_of(form: Any) -> Draft:
    def text(key: str) -> str:
        return str(form.get(key) or "")[:MAX_FIELD]

    return Draft(name=text("name"), title=text("title"), facts=text("facts"), care_note=text("care_note"),
                 sections=tuple(str(s)[:200] for s in form.getlist("sections")),
                 phrasings=split_lines(text("phrasings")), held_out=split_lines(text("held_out")),
                 question=text("question"))


async def _view(request: Request, draft: Optional[Draft] = None, note: str = "", problems: Optional[Problems] = None,
                status: int = 200, checked: bool = False, from_questions: int = 0) -> Response:
    try:
        parsed = await run_in_threadpool(load, console(request).settings.project)
    except TopicError as error:
        return await not_done(request, error)
    draft = draft or empty_draft()
    problems = problems or {}
    return console(request).render(
        request, "new_topic.html", status, draft=draft, note=note, problems=problems, labels=FIELDS,
        sections=section_titles(parsed), made_name=name_from_title(draft.title) if draft.title else "",
        checked=checked, from_questions=from_questions, min_phrasings=MIN_TRAINING_EXAMPLES,
        min_held_out=MIN_HOLDOUT_EXAMPLES, max_title=MAX_TITLE, max_length=MAX_LENGTH)


@page()
async def new_topic_page(request: Request) -> Response:
    if request.method == "GET":
        return await _view(request)
    form = await request.form()
    draft, note = tidy(draft_of(form)), str(form.get("note") or "")[:MAX_FIELD]
    shown = replace(draft, name=clean(str(form.get("name") or "")))  # left empty: still made from the title
    project = console(request).settings.project
    if form.get("action") == "check":
        try:
            problems = await run_in_threadpool(check_draft, project, draft)
        except TopicError as error:
            return await not_done(request, error)
        return await _view(request, shown, note, problems, 422 if problems else 200, checked=True)
    account = request.state.session.account
    try:
        done = await run_in_threadpool(approvals_of(request).new_topic, account, draft, note)
    except DraftError as error:  # the form comes back as it was sent, with what to fix
        return await _view(request, shown, note, error.problems, 422)
    except CHANGE_ERRORS as error:
        return await not_done(request, error)
    if "proposal" in done:
        return RedirectResponse(f"/approvals?proposed={done['proposal']}", status_code=303)
    return RedirectResponse(f"/topics/{draft.name}?done=created", status_code=303)


@page()
async def from_questions(request: Request) -> Response:
    """The form with the ticked phrasings of an Unanswered group (its assign form's fields)."""
    form = await request.form()
    chosen = [str(i) for i in form.getlist("use") if str(i).isdigit()]
    texts = list(split_lines("\n".join(str(form.get(f"text_{i}") or "")[:MAX_LENGTH * 2] for i in chosen)))
    draft = replace(empty_draft(), phrasings=tuple(texts), question=texts[0] if texts else "")
    return await _view(request, draft, from_questions=len(texts))


def routes() -> List[BaseRoute]:
    """Before /topics/{intent} in the app's routes: "new" is not a topic name (they start ask_)."""
    return [
        Route("/topics/new", new_topic_page, methods=["GET", "POST"]),
        Route("/topics/new/from-questions", from_questions, methods=["POST"]),
    ]
