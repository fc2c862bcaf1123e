"""The staff console's topics, approvals and history, served for real (`python -m staff`, as
`make staff` runs it) on a git copy of the project, used as staff use them in a browser:

an editor's new answer becomes a proposal (domain.yml and the git history untouched); the
clinician approves it (domain.yml changed, one commit by the editor, Approved-by the clinician);
an editor can neither approve nor change a safety message; the live check answers with the
problems as JSON and refuses a request without the CSRF header; the history lists the change
and Undo puts the old text back with a commit of its own; a clinician's new topic made in
Chromium (axe on the form, the problems under their fields) is one commit `make check` passes."""

from __future__ import annotations

import re

import pytest

from support.staff import Staff, git, response_text, running_console

BRACE = "utter_ask_brace"
NEW = ("Your doctor may suggest a brace. A brace can help you walk with less effort.\n"
       "Ask your doctor or physical therapist if a brace is right for you.\n"
       "From: Medical Interventions; Recovery")
NO_CARE_NOTE = NEW.replace("Ask your doctor or physical therapist if a brace is right for you.", "Braces vary.")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with running_console(tmp_path_factory.mktemp("staff-topics")) as running:
        yield running




def waiting_count(staff: Staff) -> int:
    return int(re.search(r"<h2>Waiting \((\d+)\)</h2>", staff.get("/approvals").text).group(1))


def signed_in(console, name: str) -> Staff:
    staff = Staff(console)
    assert staff.login(name).status_code == 303
    return staff


def test_the_topics_list_and_a_topic_page(console):
    staff = signed_in(console, "ana")
    listing = staff.get("/topics")
    assert listing.status_code == 200
    assert '<a href="/topics/ask_brace">Braces</a>' in listing.text and '<th scope="col">Test questions</th>' in listing.text
    assert '<th scope="col">Asked</th>' in listing.text  # from the store: none yet in this copy
    assert "the model patients have now has not been measured yet" in listing.text  # no publication yet
    page = staff.get("/topics/ask_brace")
    assert page.status_code == 200
    for part in ("Facts from the guide", "Care note", "Medical Interventions; Recovery", "Phrasings (", "Test questions (", "How it is doing",
                 '<label for="text">', 'aria-live="polite"', '<script src="/static/live-check.js">',
                 "Propose this answer"):
        assert part in page.text, part
    assert "<script>" not in page.text  # the CSP allows the console's own script files only
    assert staff.get("/static/live-check.js").status_code == 200
    assert staff.get("/topics/greet").status_code == 404


def test_an_editors_answer_waits_and_the_clinicians_approval_commits_it(console):
    project, old = console.project, response_text(console.project, BRACE)
    commits = int(git(project, "rev-list", "--count", "HEAD"))
    ana = signed_in(console, "ana")
    proposed = ana.post("/topics/ask_brace", {"csrf_token": ana.form_token("/topics/ask_brace"), "text": NEW,
                                              "note": "Say how a brace helps"})
    assert proposed.status_code == 303 and proposed.headers["location"].startswith("/approvals?proposed=")
    proposal_id = re.search(r"proposed=(\d+)", proposed.headers["location"]).group(1)
    assert response_text(project, BRACE) == old and int(git(project, "rev-list", "--count", "HEAD")) == commits

    refused = ana.post(f"/approvals/{proposal_id}/approve", {"csrf_token": ana.form_token("/approvals")})
    assert refused.status_code == 403 and "Only a clinician may do this" in refused.text
    assert response_text(project, BRACE) == old

    bo = signed_in(console, "bo")
    waiting = bo.get("/approvals")
    assert "Say how a brace helps" in waiting.text and "Taken out" in waiting.text and "Put in" in waiting.text
    approved = bo.post(f"/approvals/{proposal_id}/approve", {"csrf_token": bo.form_token("/approvals")})
    assert approved.status_code == 303
    assert response_text(project, BRACE) == NEW
    assert int(git(project, "rev-list", "--count", "HEAD")) == commits + 1
    assert git(project, "log", "-1", "--format=%an").strip() == "ana"
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith("Answer to 'Braces': Say how a brace helps")
    assert "Approved-by: bo <bo@staff.footdrop.invalid>" in message

    history = ana.get("/history")
    assert history.status_code == 200 and "Answer to &#39;Braces&#39;: Say how a brace helps" in history.text
    sha = git(project, "rev-parse", "HEAD").strip()
    undone = ana.post(f"/history/{sha}/undo", {"csrf_token": ana.form_token("/history")})
    assert undone.status_code == 303 and undone.headers["location"].startswith("/history?undone=")
    assert response_text(project, BRACE) == old
    assert int(git(project, "rev-list", "--count", "HEAD")) == commits + 2
    undo = git(project, "log", "-1", "--format=%an|%s|%B")
    assert undo.startswith("ana|Undo: Answer to 'Braces': Say how a brace helps|") and f"Reverts: {sha}" in undo


def test_a_draft_that_fails_the_checks_stays_in_the_form_with_the_problems(console):
    ana = signed_in(console, "ana")
    before, waiting = response_text(console.project, BRACE), waiting_count(ana)
    page = ana.post("/topics/ask_brace", {"csrf_token": ana.form_token("/topics/ask_brace"), "text": NO_CARE_NOTE,
                                          "note": ""})
    assert page.status_code == 422 and "This answer has no care note" in page.text and "Braces vary." in page.text
    assert response_text(console.project, BRACE) == before
    assert waiting_count(ana) == waiting  # no proposal was saved


def test_the_live_check_answers_with_the_problems_and_needs_the_csrf_header(console):
    ana = signed_in(console, "ana")
    token = ana.form_token("/topics/ask_brace")
    url = console.url + "/topics/ask_brace/check"
    found = ana.http.post(url, json={"text": NO_CARE_NOTE}, headers={"X-CSRF-Token": token}, timeout=60)
    assert found.status_code == 200 and found.headers["content-type"].startswith("application/json")
    problems = found.json()["problems"]
    assert len(problems) == 1 and problems[0].startswith("This answer has no care note")
    assert ana.http.post(url, json={"text": NEW}, headers={"X-CSRF-Token": token}, timeout=60).json() == {"problems": []}
    refused = ana.http.post(url, json={"text": NEW}, timeout=60)
    assert refused.status_code == 403
    wrong = ana.http.post(url, json={"text": NEW}, headers={"X-CSRF-Token": "not-the-token"}, timeout=60)
    assert wrong.status_code == 403


def test_an_editor_cannot_change_a_safety_message_nor_undo_a_clinicians_change_to_one(console):
    project = console.project
    emergency = response_text(project, "utter_emergency")
    ana = signed_in(console, "ana")
    refused = ana.post("/messages/utter_emergency", {"csrf_token": ana.form_token("/messages/utter_emergency"),
                                                     "text": "Call for help.", "note": ""})
    assert refused.status_code == 403 and "Only a clinician may make this change" in refused.text
    assert "utter_emergency" in refused.text and response_text(project, "utter_emergency") == emergency

    bo = signed_in(console, "bo")
    changed = bo.post("/messages/utter_not_a_diagnosis", {
        "csrf_token": bo.form_token("/messages/utter_not_a_diagnosis"),
        "text": "This is only general advice. It is not a diagnosis.", "note": "Shorter"})
    assert changed.status_code == 303
    assert response_text(project, "utter_not_a_diagnosis") == "This is only general advice. It is not a diagnosis."
    sha = git(project, "rev-parse", "HEAD").strip()
    assert "A clinician may undo this (safety)" in ana.get("/history").text
    refused_undo = ana.post(f"/history/{sha}/undo", {"csrf_token": ana.form_token("/history")})
    assert refused_undo.status_code == 403 and "utter_not_a_diagnosis" in refused_undo.text
    assert git(project, "rev-parse", "HEAD").strip() == sha


def test_undoing_a_change_to_a_safety_file_is_a_clinicians_task(console):
    project = console.project
    rules = project / "content" / "context_rules.yml"
    before = rules.read_text(encoding="utf-8")
    rules.write_text(before + "# a note from the clinic\n", encoding="utf-8")
    git(project, "add", "content/context_rules.yml")
    git(project, "-c", "user.name=Dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "A note")
    sha = git(project, "rev-parse", "HEAD").strip()
    ana = signed_in(console, "ana")
    refused = ana.post(f"/history/{sha}/undo", {"csrf_token": ana.form_token("/history")})
    assert refused.status_code == 403 and "content/context_rules.yml" in refused.text
    assert git(project, "rev-parse", "HEAD").strip() == sha
    bo = signed_in(console, "bo")
    assert bo.post(f"/history/{sha}/undo", {"csrf_token": bo.form_token("/history")}).status_code == 303
    assert rules.read_text(encoding="utf-8") == before
    assert git(project, "log", "-1", "--format=%an|%s").strip() == "bo|Undo: A note"


def test_the_live_check_in_a_browser(console, browser):
    """Chromium with the console's CSP: staff/static/live-check.js sends the draft as it is typed
    and the #checks region (aria-live) shows what the checks found, then that all pass."""
    from playwright.sync_api import expect

    from support.staff import PASSWORD

    page = browser.new_page()
    refused, failed = [], []  # scripts the CSP refused; requests that failed (but the favicon, which is none)
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.on("response", lambda response: failed.append(response.url)
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    try:
        page.goto(console.url + "/login?next=/topics/ask_brace")
        page.fill("#name", "ana")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit] >> text=Sign in")
        expect(page.locator("h1")).to_have_text("Braces")
        page.wait_for_load_state("load")  # the script is listening
        page.fill("#text", NO_CARE_NOTE)
        checks = page.locator("#checks")
        expect(checks).to_contain_text("The checks found 1 problem", timeout=10_000)
        expect(checks).to_contain_text("This answer has no care note")
        page.fill("#text", NEW)
        expect(checks).to_contain_text("All checks pass.", timeout=10_000)
        assert refused == [] and failed == []
    finally:
        page.close()


def test_a_new_topic_in_a_browser(console, browser):
    """Chromium with the console's CSP: the new topic form passes axe (no serious or critical
    violation) empty and with problems shown; the topic name follows the title as it is typed
    (staff/static/new-topic.js); "Check" shows the problem under its field, linked to it; the
    clinician's save is one commit, and `make check` passes on the project afterwards."""
    import subprocess
    import sys

    from playwright.sync_api import expect

    from bench.worked_example import HELD_OUT, QUESTIONS
    from support.browser import serious_violations
    from support.project import ROOT
    from support.staff import PASSWORD

    page = browser.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    try:
        page.goto(console.url + "/login?next=/topics/new")
        page.fill("#name", "bo")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit] >> text=Sign in")
        expect(page.locator("h1")).to_have_text("New topic")
        page.wait_for_load_state("load")
        assert serious_violations(page) == []
        page.fill("#title", "Driving with foot drop")
        expect(page.locator("#name")).to_have_attribute("placeholder", "ask_driving_with_foot_drop")
        page.fill("#facts", "The guide does not talk about driving. Go back to your activities slowly.")
        page.fill("#care_note", "Braces vary.")
        page.get_by_label("Recovery").check()
        page.fill("#phrasings", "\n".join(QUESTIONS))
        page.fill("#held_out", "\n".join(HELD_OUT))
        page.fill("#question", QUESTIONS[0])
        page.click("button >> text=Check without saving")
        expect(page.locator("#care_note-error")).to_contain_text("This answer has no care note")
        expect(page.locator("#care_note")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#care_note")).to_have_attribute("aria-describedby", "care_note-hint care_note-error")
        expect(page.get_by_label("Recovery")).to_be_checked()  # what was chosen stays chosen
        assert serious_violations(page) == []
        page.fill("#care_note", "Ask your doctor if it is safe for you to drive.")
        page.click("button >> text=Save the new topic")
        expect(page.locator("h1")).to_have_text("Driving with foot drop")
        expect(page.locator("[role=status]")).to_contain_text("the new topic is in the assistant's files")
        assert git(console.project, "log", "-1", "--format=%s").strip() == "New topic 'Driving with foot drop'"
        result = subprocess.run([sys.executable, "-m", "tools.check", "--root", str(console.project)],
                                capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stdout
        assert refused == []
    finally:
        page.close()
