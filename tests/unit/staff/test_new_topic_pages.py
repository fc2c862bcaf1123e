"""The new topic pages (staff/pages/new_topics.py) through Starlette's TestClient, on a git copy
of the project: signed-in staff only, CSRF on every POST; "Check" writes nothing and shows each
problem under its field (a label for every field, errors linked with aria-describedby); a
clinician's new topic is committed and `make check` passes; an editor's waits on /approvals
until a clinician approves it; the Unanswered page's ticked phrasings fill in the form; the
Topics page links to it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Dict, List, Set

import pytest
from starlette.testclient import TestClient

from bench.worked_example import ANSWER, HELD_OUT, QUESTIONS
from staff import store
from staff.accounts import Accounts
from staff.app import create_app
from staff.conversations import MENU, Missed
from staff.settings import Settings
from staff.unanswered import Group, Phrasing
from support.staff import PASSWORD, csrf_token, git, project_copy, response_text, unsaved
from tools.new_topic import FILES

FACTS, CARE_NOTE, _ = ANSWER.split("\n")
FORM = {"title": "Driving with foot drop", "name": "", "facts": FACTS, "care_note": CARE_NOTE, "sections": "Recovery",
        "phrasings": "\n".join(QUESTIONS), "held_out": "\n".join(HELD_OUT), "question": "can i drive with foot drop",
        "note": "Asked every week"}


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "staff.db"
    db = store.connect(path)
    for name, role, display in [("ana", "editor", "Ana Pereira"), ("bo", "clinician", "Bo Clinician")]:
        Accounts(db).create(name, role, PASSWORD, display)
    db.close()
    return path


@pytest.fixture
def console(tmp_path, accounts_db):
    project = project_copy(tmp_path)
    database = tmp_path / "staff.db"
    database.write_bytes(accounts_db.read_bytes())
    return create_app(Settings(project=project, database=database)), project


def signed_in(app, name: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    token = csrf_token(client.get("/login").text)
    assert client.post("/login", data={"csrf_token": token, "name": name, "password": PASSWORD}).status_code == 303
    return client


def token(client: TestClient, path: str = "/topics/new") -> str:
    return csrf_token(client.get(path).text)


def make_check(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.check", "--root", str(project)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[3])


class Form(HTMLParser):
    """The new topic form's controls, labels, ids and aria attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: Dict[str, Dict[str, str]] = {}  # id -> attributes
        self.labels: Set[str] = set()
        self.ids: Set[str] = set()
        self.in_form = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: List) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "form" and found.get("action") == "/topics/new":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "label":
            self.labels.add(found.get("for", ""))
        if tag in ("input", "textarea", "select", "fieldset") and found.get("type") not in ("hidden", "submit"):
            self.controls[found.get("id") or f"{tag} without id"] = found

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False


def assert_accessible(html: str) -> Form:
    form = Form(html)
    assert {"title", "name", "facts", "care_note", "phrasings", "held_out", "question", "note"} <= set(form.controls)
    for control, attributes in form.controls.items():
        if not control.startswith("fieldset"):
            assert control in form.labels, f"no label for {control}"
        for described in attributes.get("aria-describedby", "").split():
            assert described in form.ids, f"{control} is described by #{described}, which is not on the page"
    assert any(c.startswith("sections-") for c in form.controls)
    assert "<legend>The guide's section</legend>" in html
    return form


# ---------------------------------------------------------------- who may, and CSRF


def test_signed_out_staff_are_sent_to_sign_in(console):
    app, project = console
    client = TestClient(app, follow_redirects=False)
    page = client.get("/topics/new")
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/topics/new"
    assert client.post("/topics/new", data=FORM).status_code == 401
    assert unsaved(project) == ""


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(console):
    app, project = console
    bo = signed_in(app, "bo")
    head = git(project, "rev-parse", "HEAD")
    assert bo.post("/topics/new", data=FORM).status_code == 403
    assert bo.post("/topics/new", data={**FORM, "csrf_token": "not the token"}).status_code == 403
    crossed = bo.post("/topics/new", data={**FORM, "csrf_token": token(bo)}, headers={"origin": "http://evil.example"})
    assert crossed.status_code == 403
    assert bo.post("/topics/new/from-questions", data={"use": "0", "text_0": "can i drive"}).status_code == 403
    assert git(project, "rev-parse", "HEAD") == head and unsaved(project) == ""


# ---------------------------------------------------------------- the form


def test_the_form_has_a_label_for_every_field_and_the_guides_sections(console):
    app, _ = console
    page = signed_in(app, "ana").get("/topics/new")
    assert page.status_code == 200
    assert_accessible(page.text)
    for section in ("Causes", "Recovery", "Medical Interventions"):
        assert f'value="{section}"' in page.text
    assert "Propose this new topic" in page.text and "A clinician approves your" in page.text
    assert '<script src="/static/new-topic.js"></script>' in page.text and "<script>" not in page.text


def test_check_shows_each_problem_under_its_field_and_writes_nothing(console):
    app, project = console
    ana = signed_in(app, "ana")
    form = {**FORM, "care_note": "Braces vary.", "phrasings": "\n".join(QUESTIONS[:10]), "csrf_token": token(ana),
            "action": "check"}
    page = ana.post("/topics/new", data=form)
    assert page.status_code == 422
    parsed = assert_accessible(page.text)
    for field in ("care_note", "phrasings"):
        assert parsed.controls[field]["aria-invalid"] == "true"
        assert f"{field}-error" in parsed.controls[field]["aria-describedby"].split()
        assert f'id="{field}-error"' in page.text
    assert "aria-invalid" not in parsed.controls["title"]
    assert "Care note: This answer has no care note" in page.text
    assert "How patients ask it: Write at least 15 different ways" in page.text
    assert '<a href="#care_note">Care note</a>' in page.text  # the summary links to the field
    assert "Braces vary." in page.text and QUESTIONS[9] in page.text  # what they wrote stays in the form
    assert unsaved(project) == ""


def test_check_of_a_good_draft_says_all_checks_pass_and_shows_the_name_made_from_the_title(console):
    app, project = console
    ana = signed_in(app, "ana")
    page = ana.post("/topics/new", data={**FORM, "csrf_token": token(ana), "action": "check"})
    assert page.status_code == 200 and "All checks pass." in page.text
    assert "<code>ask_driving_with_foot_drop</code>" in page.text
    assert 'id="name" name="name" value=""' in page.text  # still empty: it follows the title
    assert unsaved(project) == ""


# ---------------------------------------------------------------- saving


def test_a_clinicians_new_topic_is_committed_and_make_check_passes(console):
    app, project = console
    bo = signed_in(app, "bo")
    before = int(git(project, "rev-list", "--count", "HEAD"))
    done = bo.post("/topics/new", data={**FORM, "name": "ask_driving", "csrf_token": token(bo), "action": "save"})
    assert done.status_code == 303 and done.headers["location"] == "/topics/ask_driving?done=created"
    assert int(git(project, "rev-list", "--count", "HEAD")) == before + 1
    assert git(project, "log", "-1", "--format=%an|%s").strip() == "Bo Clinician|New topic 'Driving with foot drop'"
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == sorted(FILES)
    assert response_text(project, "utter_ask_driving") == ANSWER and unsaved(project) == ""
    page = bo.get(done.headers["location"])
    assert page.status_code == 200 and "the new topic is in the assistant's files" in page.text
    result = make_check(project)
    assert result.returncode == 0, result.stdout
    again = bo.post("/topics/new", data={**FORM, "name": "ask_driving", "csrf_token": token(bo)})
    assert again.status_code == 422 and "There is already a topic called ask_driving" in again.text


def test_an_editors_new_topic_waits_for_a_clinicians_approval(console):
    app, project = console
    ana, bo = signed_in(app, "ana"), signed_in(app, "bo")
    head = git(project, "rev-parse", "HEAD")
    proposed = ana.post("/topics/new", data={**FORM, "csrf_token": token(ana)})
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/approvals?proposed=")
    assert git(project, "rev-parse", "HEAD") == head and unsaved(project) == ""
    listing = ana.get(proposed.headers["location"]).text
    assert "Your new topic was saved as a proposal" in listing
    assert "A new topic, \"Driving with foot drop\", proposed by ana" in listing
    assert QUESTIONS[3] in listing and HELD_OUT[0] in listing and "<code>ask_driving_with_foot_drop</code>" in listing
    proposal = re.search(r'action="/approvals/(\d+)/approve"', bo.get("/approvals").text).group(1)
    assert ana.post(f"/approvals/{proposal}/approve", data={"csrf_token": token(ana, "/approvals")}).status_code == 403
    approved = bo.post(f"/approvals/{proposal}/approve", data={"csrf_token": token(bo, "/approvals")})
    assert approved.status_code == 303 and approved.headers["location"] == "/approvals?done=approve"
    message = git(project, "log", "-1", "--format=%an|%B")
    assert message.startswith("Ana Pereira|New topic 'Driving with foot drop'")
    assert "Approved-by: Bo Clinician <bo@staff.footdrop.invalid>" in message and "Staff-change: topic" in message
    assert "New topic: Driving with foot drop" in bo.get("/approvals").text  # recently decided
    assert make_check(project).returncode == 0 and unsaved(project) == ""


# ---------------------------------------------------------------- from the Unanswered page


def test_the_ticked_questions_of_a_group_fill_in_the_form(console):
    app, project = console
    ana = signed_in(app, "ana")
    page = ana.post("/topics/new/from-questions", data={
        "csrf_token": token(ana, "/topics"), "key": "abc", "use": ["0", "2"], "intent": "",
        "text_0": "can I drive with foot drop", "text_1": "not ticked", "text_2": "is driving  ok"})
    assert page.status_code == 200
    assert_accessible(page.text)
    assert ">can I drive with foot drop\nis driving ok</textarea>" in page.text and "not ticked" not in page.text
    assert 'id="question" name="question" value="can I drive with foot drop"' in page.text
    assert "The 2 ticked questions" in page.text and unsaved(project) == ""


def test_each_unanswered_group_offers_a_new_topic_from_its_questions_and_topics_link_to_the_form(console):
    app, _ = console
    ana = signed_in(app, "ana")
    assert '<a href="/topics/new">Add a new topic</a>' in ana.get("/topics").text
    group = Group("k1", "can i swim", [Missed("can i swim", time.time(), MENU, "c1")],
                  [Phrasing("can i swim", 1, time.time(), time.time())])
    console_state = app.state.console
    html = console_state.templates.get_template("unanswered.html").render(
        groups=[group], total=1, problem="", ignored_count=0, topics={"ask_brace": "Braces"}, when=str,
        refusal=lambda text: "", max_length=300, notice="", csrf_field="csrf_token", csrf_token="t", account=None)
    form = html[html.index('<form method="post" action="/unanswered/assign">'):]
    form = form[:form.index("</form>")]
    assert 'formaction="/topics/new/from-questions" formnovalidate' in form
    assert "New topic from these questions" in form and 'name="text_0" value="can i swim"' in form
