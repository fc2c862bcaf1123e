"""The "Unanswered questions" pages of the staff console, for real: conversations written by
Rasa's own code into an SQLite tracker store of a project copy (its endpoints.yml names the
store), the console started as a process, an editor in a browser-like client. The editor sees
the groups without any sender id or phone number, gives one to a topic (one commit, under the
editor's name, with the phrasings in the topic's training file), and ignores another, which stays
hidden after the console restarts."""

from __future__ import annotations

import asyncio
import html
import re
import subprocess
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from footdrop_rasa.stores.sqlite import SQLiteTrackerStore
from staff.training_data import training_file
from support.project import ROOT
from support.staff import Staff, running_console
from tools.check import examples_by_intent

SENDERS = [f"patient-{uuid.uuid4().hex}" for _ in range(5)]
PHONE = "07700 900123"
QUESTION = yaml.safe_load((ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["question"]
TOPIC = "ask_return_to_activity"


def write_conversations(db: Path) -> None:
    """Five conversations, as the assistant stores them (Rasa's events, through the project's store)."""
    store = SQLiteTrackerStore(domain=Domain.load(ROOT / "domain.yml"), db=str(db))

    def turn(sender: str, text: str, intent: str, confidence: float, reply: str, bot: Dict) -> None:
        tracker = asyncio.run(store.get_or_create_tracker(sender))
        tracker.update(UserUttered(text, {"name": intent, "confidence": confidence}))
        tracker.update(ActionExecuted(reply))
        tracker.update(BotUttered(bot.get("text"), {"buttons": bot.get("buttons")}, {"utter_action": reply}))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))

    menu = {"text": "Sorry, I'm not sure I understood that.", "buttons": [{"title": "Causes", "payload": "/ask_causes"}]}
    clarifying = {"text": QUESTION, "buttons": [{"title": "Back to work and sport", "payload": f"/{TOPIC}"},
                                                {"title": "Something else", "payload": "/bot_capabilities"}]}
    turn(SENDERS[0], "can I drive with foot drop", "nlu_fallback", 0.4, "utter_default", menu)
    turn(SENDERS[1], "is it safe to drive a car with my foot drop?", "nlu_fallback", 0.4, "utter_default", clarifying)
    turn(SENDERS[2], f"can I drive with foot drop, ring me on {PHONE}", "nlu_fallback", 0.4, "utter_default", menu)
    turn(SENDERS[3], "what's the weather in paris", "out_of_scope", 0.93, "utter_out_of_scope", menu)
    turn(SENDERS[4], "what is foot drop", "ask_what_is_foot_drop", 0.97, "utter_ask_what_is_foot_drop",
         {"text": "Foot drop means ..."})
    store.engine.dispose()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("staff-unanswered")


def sections(page: str) -> List[str]:
    return page.split('<section class="question-group"')[1:]


def section_about(page: str, words: str) -> str:
    found = [s for s in sections(page) if words in html.unescape(s)]
    assert len(found) == 1, page
    return found[0]


def hidden(section: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', section).group(1)


def phrasings(section: str) -> Dict[str, str]:
    """The form's phrasing fields: index -> text."""
    return {i: html.unescape(v) for i, v in re.findall(r'name="text_(\d+)" value="([^"]*)"', section)}


def assert_nothing_identifies_a_patient(page: str) -> None:
    for sender in SENDERS:
        assert sender not in page
    for part in ("07700", "900123"):
        assert part not in page


def commits(project: Path) -> List[str]:
    out = subprocess.run(["git", "log", "--format=%an|%s|%(trailers:key=Staff-change,valueonly)"], cwd=project,
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def test_an_editor_teaches_a_group_and_ignores_another_which_stays_ignored_after_a_restart(folder):
    with running_console(folder, accounts={"ana": "editor"}, make=False) as console:
        project = console.project
        (project / "var").mkdir(exist_ok=True)
        write_conversations(project / "var" / "tracker.db")
        (project / "endpoints.yml").write_text(
            "tracker_store:\n  type: footdrop_rasa.stores.sqlite.SQLiteTrackerStore\n  db: var/tracker.db\n")
        staff = Staff(console)
        assert staff.login("ana").status_code == 303

        page = staff.get("/unanswered")
        assert page.status_code == 200, page.text
        assert_nothing_identifies_a_patient(page.text)
        assert "[phone]" in page.text
        assert "what is foot drop" not in page.text  # answered
        text = html.unescape(page.text)
        assert "can I drive with foot drop" in text and "weather in paris" in text

        # "this is topic X": the driving questions without the masked one
        driving = section_about(page.text, "is it safe to drive a car with my foot drop?")
        assert "clarifying question" in driving and "menu" in driving
        fields = phrasings(driving)
        chosen = {i: t for i, t in fields.items() if "[phone]" not in t}
        assert sorted(chosen.values()) == ["can I drive with foot drop", "is it safe to drive a car with my foot drop?"]
        before = commits(project)
        answer = staff.post("/unanswered/assign", {
            "csrf_token": staff.form_token("/unanswered"), "key": hidden(driving, "key"), "intent": TOPIC,
            "use": list(chosen), **{f"text_{i}": t for i, t in fields.items()}})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"/unanswered?added=2&known=0&topic={TOPIC}"

        relative = training_file(project, TOPIC)
        examples = examples_by_intent(yaml.safe_load((project / relative).read_text()))[TOPIC]
        assert examples[-2:] == ["can I drive with foot drop", "is it safe to drive a car with my foot drop?"]
        after = commits(project)
        assert len(after) == len(before) + 1
        assert after[0] == "ana|Phrasings for Back to work and sport: 2 from unanswered questions|phrasings"
        status = subprocess.run(["git", "status", "--porcelain", "--", "data"], cwd=project, capture_output=True,
                                text=True).stdout
        assert status == ""  # the training file is committed

        page = staff.get(answer.headers["location"])
        assert "Added 2 phrasings to \u201cBack to work and sport\u201d" in html.unescape(page.text)
        assert "is it safe to drive a car" not in html.unescape(page.text)  # taught, so out of the list

        # "ignore"
        weather = section_about(page.text, "weather in paris")
        ignored = staff.post("/unanswered/ignore", {"csrf_token": staff.form_token("/unanswered"),
                                                    "key": hidden(weather, "key")})
        assert ignored.status_code == 303
        assert "weather in paris" not in html.unescape(staff.get("/unanswered").text)
        assert "weather in paris" in html.unescape(staff.get("/unanswered/ignored").text)

    with running_console(folder, accounts={}, project=project, make=False) as restarted:  # same database
        staff = Staff(restarted)
        assert staff.login("ana").status_code == 303
        page = staff.get("/unanswered")
        assert page.status_code == 200 and "weather in paris" not in html.unescape(page.text)
        assert "[phone]" in page.text  # the masked driving question is still to do
        listing = staff.get("/unanswered/ignored")
        assert "weather in paris" in html.unescape(listing.text)
        for response in (page, listing):
            assert_nothing_identifies_a_patient(response.text)

        # and it comes back when restored
        key = hidden(listing.text, "key")
        restored = staff.post("/unanswered/restore", {"csrf_token": staff.form_token("/unanswered/ignored"),
                                                      "key": key})
        assert restored.status_code == 303
        assert "weather in paris" in html.unescape(staff.get("/unanswered").text)
    assert_nothing_identifies_a_patient((folder / "staff.log").read_text())


def test_a_masked_phrasing_or_a_change_made_outside_the_console_is_a_kind_page_not_a_crash(folder):
    """The same project (after the test above): a phrasing with [phone] ticked is refused; then
    someone edits the training file on the server, and the console will not commit over it."""
    project = folder / "project"
    relative = training_file(project, TOPIC)
    with running_console(folder, accounts={}, project=project, make=False) as console:
        staff = Staff(console)
        staff.login("ana")
        page = staff.get("/unanswered")
        section = section_about(page.text, "[phone]")
        fields = phrasings(section)
        refused = staff.post("/unanswered/assign", {
            "csrf_token": staff.form_token("/unanswered"), "key": hidden(section, "key"), "intent": TOPIC,
            "use": list(fields), **{f"text_{i}": t for i, t in fields.items()}})
        assert refused.status_code == 400 and "Nothing was added" in refused.text
        assert "[phone]" in html.unescape(refused.text) and "07700" not in refused.text
        assert len(commits(project)) == 2

        with (project / relative).open("a") as edit:
            edit.write("\n# an edit on the server\n")
        fields = {i: t.replace("[phone]", "you") for i, t in fields.items()}
        answer = staff.post("/unanswered/assign", {
            "csrf_token": staff.form_token("/unanswered"), "key": hidden(section, "key"), "intent": TOPIC,
            "use": list(fields), **{f"text_{i}": t for i, t in fields.items()}})
        assert answer.status_code == 409 and "not made in the console" in answer.text
        assert relative in answer.text
