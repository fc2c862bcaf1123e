"""The "Unanswered questions" pages: what patients asked that the assistant could not answer,
grouped by meaning (staff/unanswered.py), and what staff do with each group:

- "this is topic X": the ticked phrasings (staff may edit them) go to that topic's training file
  (staff/training_data.py), committed under the staff member's name (staff/history.py, kind
  ``phrasings``); editors and clinicians alike;
- "new topic": the ticked phrasings open the new topic form (/topics/new/from-questions,
  staff/pages/new_topics.py), where staff write its title and answer;
- "ignore": the group is hidden (table ``ignored_questions``) until restored on
  /unanswered/ignored.

Only masked texts are shown; no sender id, and nothing about a patient in a URL or a log.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from footdrop.clarify import load_titles
from footdrop.encoder import EncoderIntegrityError
from staff import unanswered
from staff.conversations import ConversationsError
from staff.history import Author, ChangeError, History
from staff.training_data import MAX_LENGTH, PhrasingError, add_examples, check_phrasings, refusal, training_file
from staff.web import page
from tools.report import when

TOPICS = Path("content") / "topics.yml"
KIND = "phrasings"
#: groups on the page, newest first (a page of thousands would be unusable; the rest wait their turn)
MAX_GROUPS = 50


def titles(project: Path) -> Dict[str, str]:
    """Topic intent -> its title (content/topics.yml), in the file's order."""
    return load_titles(project / TOPICS)


def load_groups(project: Path) -> Tuple[List[unanswered.Group], str]:
    """(the groups, "") or ([], a message for staff saying why they cannot be listed)."""
    try:
        return unanswered.project_groups(project), ""
    except ConversationsError as error:
        return [], str(error)
    except (EncoderIntegrityError, ImportError, OSError):
        return [], ("The console cannot group the questions: the sentence encoder (build/encoder) is missing "
                    "or damaged. Ask whoever runs the assistant to run `make install`.")


def _when(timestamp: float) -> str:
    return when(timestamp) if timestamp else "unknown"


# ------------------------------------------------------------------------------ the list


@page()
async def list_groups(request: Request) -> Response:
    console = request.app.state.console
    project = console.settings.project
    groups, problem = await run_in_threadpool(load_groups, project)
    hidden = unanswered.ignored(console.db)
    shown, _ = unanswered.split_ignored(groups, hidden)
    query = request.query_params
    return console.render(request, "unanswered.html", 503 if problem else 200, groups=shown[:MAX_GROUPS],
                          total=len(shown), problem=problem,
                          ignored_count=len(hidden), topics=titles(project), when=_when, refusal=refusal,
                          max_length=MAX_LENGTH, notice=notice(query, titles(project)))


def notice(query, topic_titles: Dict[str, str]) -> str:
    """The line that says what the last action did (from the redirect's query: numbers and a topic
    name, never a patient's words)."""
    def number(name: str) -> int:
        value = query.get(name, "")
        return int(value) if value.isdigit() else 0

    if "added" in query:
        title = topic_titles.get(query.get("topic", ""), "the topic")
        added, known = number("added"), number("known")
        parts = [f"Added {added} phrasing{'' if added == 1 else 's'} to \u201c{title}\u201d." if added
                 else f"Nothing was added to \u201c{title}\u201d."]
        if known:
            parts.append(f"{known} {'was' if known == 1 else 'were'} already in the training data or the test "
                         "questions, so left out.")
        if added:
            parts.append("The assistant learns them when the changes are next published.")
        return " ".join(parts)
    if "ignored" in query:
        return "Those questions are ignored. You can bring them back under \u201cIgnored questions\u201d."
    if "restored" in query:
        return "Those questions are back in the list of unanswered questions."
    return ""


# ---------------------------------------------------------------------------- assigning


def assign(project: Path, author: Author, intent: str, title: str, texts: List[str]) -> Tuple[int, int]:
    """Adds ``texts`` to ``intent``'s training file and commits it, holding the change lock from
    the checks to the commit; (added, already known). PhrasingError or ChangeError, nothing
    changed, when it cannot."""
    history = History(project)
    with history.lock():
        checked = check_phrasings(project, intent, texts)
        if checked.refused:
            lines = [f"\u201c{text}\u201d: {why}" for text, why in checked.refused]
            raise PhrasingError("Some phrasings cannot be added. " + " ".join(lines)
                                + " Nothing was added: go back, edit or untick them, and try again.")
        if not checked.new:
            return 0, len(checked.known)
        path = training_file(project, intent)
        history.ensure_unchanged([path])
        before = (project / path).read_bytes()
        try:
            changed = add_examples(project, intent, checked.new)
            message = f"Phrasings for {title}: {len(checked.new)} from unanswered questions"
            history.commit(author, message, changed, kind=KIND)
        except Exception:  # nothing half-done stays behind: the file as it was, and not staged
            (project / path).write_bytes(before)
            subprocess.run(["git", "reset", "-q", "--", path], cwd=project, capture_output=True)
            raise
        return len(checked.new), len(checked.known)


@page()
async def assign_group(request: Request) -> Response:
    console = request.app.state.console
    project = console.settings.project
    form = await request.form()
    topic_titles = titles(project)
    intent = str(form.get("intent") or "")
    if intent not in topic_titles:
        return await console.error(request, 400, "Choose a topic",
                                   "Choose the topic these questions are about, then press the button again.")
    chosen = [str(i) for i in form.getlist("use") if str(i).isdigit()]
    texts = [str(form.get(f"text_{i}") or "") for i in chosen]
    if not texts:
        return await console.error(request, 400, "No phrasing ticked",
                                   "Tick at least one phrasing to add to the topic, then press the button again.")
    account = request.state.session.account
    author = Author(account.name, account.display_name)
    try:
        added, known = await run_in_threadpool(assign, project, author, intent, topic_titles[intent], texts)
    except PhrasingError as error:
        return await console.error(request, 400, "Nothing was added", str(error))
    except ChangeError as error:
        return await console.error(request, 409, "Nothing was added", str(error))
    return RedirectResponse(f"/unanswered?added={added}&known={known}&topic={intent}", status_code=303)


# ----------------------------------------------------------------------------- ignoring


async def find_group(request: Request, key: str) -> Optional[unanswered.Group]:
    groups, _ = await run_in_threadpool(load_groups, request.app.state.console.settings.project)
    return next((g for g in groups if g.key == key), None)


@page()
async def ignore_group(request: Request) -> Response:
    console = request.app.state.console
    key = str((await request.form()).get("key") or "")
    group = await find_group(request, key)
    if group is None:
        return await console.error(request, 404, "Not in the list any more",
                                   "Those questions are no longer in the list (their phrasings may have been "
                                   "added to a topic meanwhile). Nothing was changed.")
    unanswered.ignore(console.db, group, request.state.session.account.name)
    return RedirectResponse("/unanswered?ignored=1", status_code=303)


@page()
async def list_ignored(request: Request) -> Response:
    console = request.app.state.console
    groups, problem = await run_in_threadpool(load_groups, console.settings.project)
    current = {g.key: g for g in groups}
    rows = [(item, current.get(item.key)) for item in unanswered.ignored(console.db).values()]
    return console.render(request, "unanswered_ignored.html", rows=rows, problem=problem, when=_when,
                          notice=notice(request.query_params, {}))


@page()
async def restore_group(request: Request) -> Response:
    console = request.app.state.console
    unanswered.restore(console.db, str((await request.form()).get("key") or ""))
    return RedirectResponse("/unanswered?restored=1", status_code=303)


def routes() -> List[BaseRoute]:
    return [
        Route("/unanswered", list_groups),
        Route("/unanswered/assign", assign_group, methods=["POST"]),
        Route("/unanswered/ignore", ignore_group, methods=["POST"]),
        Route("/unanswered/ignored", list_ignored),
        Route("/unanswered/restore", restore_group, methods=["POST"]),
    ]
