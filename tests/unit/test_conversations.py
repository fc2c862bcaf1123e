"""Every intent is in a conversation test (tests/test_stories.yml); the conversations themselves
run against the trained model in tests/system/test_conversations.py."""

from __future__ import annotations


from support.project import load_yaml

STORIES = "tests/test_stories.yml"


def test_every_intent_is_in_a_conversation_test(domain):
    covered = {
        step["intent"]
        for story in load_yaml(STORIES)["stories"]
        for step in story["steps"]
        if "intent" in step
    }
    missing = sorted(set(domain["intents"]) - covered)
    assert missing == [], f"{STORIES}: no conversation test for {missing}"
