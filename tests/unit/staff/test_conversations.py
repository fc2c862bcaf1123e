"""staff/conversations.py on conversations as Rasa stores them (the events' dicts): which patient
messages were unanswered, how the assistant missed each, masking, and the asked counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import yaml

from staff.conversations import CLARIFYING, LOW_CONFIDENCE, MENU, asked_counts, conversation_hash, missed_messages
from support.project import ROOT

QUESTION = yaml.safe_load((ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["question"]


def user(text, intent, confidence, at):
    return {"event": "user", "text": text, "timestamp": at,
            "parse_data": {"intent": {"name": intent, "confidence": confidence}, "text": text}}


def action(name, at):
    return {"event": "action", "name": name, "timestamp": at}


def bot(text, at, utter_action=None, buttons=None):
    return {"event": "bot", "text": text, "timestamp": at, "data": {"buttons": buttons},
            "metadata": {"utter_action": utter_action} if utter_action else {}}


def turn(text, intent, confidence, reply, at, **bot_options):
    return [user(text, intent, confidence, at), action(reply, at + 1), bot("...", at + 1, reply, **bot_options),
            action("action_listen", at + 2)]


CONVERSATIONS = {
    "sender-secret-1": [
        *turn("what is foot drop", "ask_what_is_foot_drop", 0.97, "utter_ask_what_is_foot_drop", 100),
        *turn("can I drive, ring me on 07700 900123", "nlu_fallback", 0.4, "utter_default", 110),
        *turn("/ask_brace", "ask_brace", 1.0, "utter_ask_brace", 120),
    ],
    "sender-secret-2": [
        *turn("how much is a brace", "ask_brace", 0.31, "utter_ask_brace", 200),  # answered, unsure
        user("foot drop nerve thing?", "nlu_fallback", 0.4, 210),
        action("utter_default", 211),
        bot(QUESTION, 211, "utter_default", buttons=[{"title": "Which nerve is involved?", "payload": "/ask_nerve_involved"},
                                                      {"title": "Something else", "payload": "/bot_capabilities"}]),
        *turn("what's the weather in paris", "out_of_scope", 0.9, "utter_out_of_scope", 220),
        *turn("what is foot drop?", "ask_what_is_foot_drop", 0.88, "utter_ask_what_is_foot_drop", 230),
    ],
}


def test_each_unanswered_message_with_how_it_was_missed_masked_oldest_first():
    missed = missed_messages(ROOT, CONVERSATIONS)
    assert [(m.text, m.kind) for m in missed] == [
        ("can I drive, ring me on [phone]", MENU),
        ("how much is a brace", LOW_CONFIDENCE),
        ("foot drop nerve thing?", CLARIFYING),
        ("what's the weather in paris", MENU),
    ]
    assert [m.timestamp for m in missed] == [110, 200, 210, 220]


def test_no_sender_id_is_kept_only_a_one_way_hash():
    missed = missed_messages(ROOT, CONVERSATIONS)
    assert {m.conversation for m in missed} == {conversation_hash("sender-secret-1"), conversation_hash("sender-secret-2")}
    assert not any("sender-secret" in str(vars(m)) for m in missed)


def test_asked_counts_count_typed_questions_that_were_answered():
    counts = asked_counts(ROOT, CONVERSATIONS)
    assert counts == {"ask_what_is_foot_drop": 2}  # the button press and the unsure answer are not counted


def test_the_store_of_the_projects_endpoints_is_read_from_the_project_folder(tmp_path: Path):
    """A relative SQLite file in endpoints.yml is the project's, wherever the console runs."""
    (tmp_path / "var").mkdir()
    for name in ("config.yml", "content"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: var/t.db\n")
    with sqlite3.connect(tmp_path / "var" / "t.db") as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        for event in CONVERSATIONS["sender-secret-2"]:
            db.execute("INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                       ("sender-secret-2", event["event"], json.dumps(event)))
    assert [m.kind for m in missed_messages(tmp_path)] == [LOW_CONFIDENCE, CLARIFYING, MENU]
