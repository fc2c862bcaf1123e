"""staff/unanswered.py with the real sentence encoder (build/encoder): grouping by meaning,
masked text only, keys that stay as new messages arrive, taught phrasings left out; ignoring and
restoring in the console's database."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from footdrop.encoder import shared_encoder
from staff import store, unanswered
from staff.conversations import CLARIFYING, MENU, Missed, missed_messages
from staff.unanswered import condition_names, find_groups, group_key, without_names
from support.project import ROOT
from tools.report import normalise

# The development set SIMILARITY was chosen on (staff/unanswered.py): real-looking unanswered
# questions, by meaning. Not used by the other tests below, which have phrasings of their own.
DEVELOPMENT = {
    "driving": ["can I drive with foot drop", "is it safe to drive a car with a dropped foot",
                "am i allowed to drive if my foot drops", "driving with drop foot ok?"],
    "cycling": ["can I ride a bike with foot drop", "is cycling ok with a floppy foot", "can i still cycle with drop foot"],
    "shoes": ["what shoes are best for foot drop", "which trainers should i buy for drop foot",
              "best footwear for a dropped foot"],
    "brace cost": ["how much does an AFO cost", "what's the price of a foot drop brace", "is the brace expensive"],
    "booking": ["how do i book an appointment", "can I make an appointment with the physio",
                "i need to see someone, how do i book"],
    "opening hours": ["what time does the clinic open", "when are you open", "clinic opening hours?"],
    "weather": ["what's the weather tomorrow", "will it rain today"],
    "pregnancy": ["can pregnancy cause foot drop", "i'm pregnant and my foot drops, is that normal",
                  "foot drop during pregnancy"],
    "swimming": ["can i swim with foot drop", "is swimming good for drop foot", "swimming with a dropped foot"],
}


@pytest.fixture(scope="module")
def embed():
    return shared_encoder().embed


@pytest.fixture(scope="module")
def names():
    return condition_names(ROOT)


def messages(texts, start=1000.0, conversation="c"):
    return [Missed(text, start + i, MENU, f"{conversation}{i}") for i, text in enumerate(texts)]


def members(groups):
    return [sorted(p.text for p in g.phrasings) for g in groups]


def test_the_threshold_keeps_the_development_sets_meanings_apart_in_any_order(embed, names):
    """What SIMILARITY rests on (staff/unanswered.py): in 21 arrival orders no group mixes two
    meanings, and on average more than half of the pairs of the same meaning are together."""
    meaning = {normalise(text): name for name, texts in DEVELOPMENT.items() for text in texts}
    first = [text for row in itertools.zip_longest(*DEVELOPMENT.values()) for text in row if text]
    orders, shuffler = [first], random.Random(7)
    for _ in range(20):
        orders.append(shuffler.sample(first, len(first)))
    together = 0
    for order in orders:
        for group in find_groups(messages(order), embed=embed, names=names):
            found = [meaning[normalise(p.text)] for p in group.phrasings]
            assert len(set(found)) == 1, (order, found)
            together += len(found) * (len(found) - 1) // 2
    pairs = sum(len(texts) * (len(texts) - 1) // 2 for texts in DEVELOPMENT.values())
    assert together / len(orders) > pairs / 2


def test_without_leaving_the_names_out_the_threshold_would_mix_meanings(embed):
    first = [text for row in itertools.zip_longest(*DEVELOPMENT.values()) for text in row if text]
    mixed = [g for g in find_groups(messages(first), embed=embed) if len(g.phrasings) > 1]
    assert any("drive" in " ".join(p.text for p in g.phrasings) and "bike" in " ".join(p.text for p in g.phrasings)
               for g in mixed)


def test_the_names_of_the_condition_are_left_out_for_comparing_only(names):
    strip = without_names(names)
    assert strip("Can I drive with my foot drop?") == "Can I drive with ?"
    assert strip("is a dropped foot or a floppy foot permanent") == "is or permanent"
    assert strip("my foot drops when I walk") == "when I walk"
    assert strip("foot drop?") == "foot drop?"  # no other word: kept whole
    assert strip("can I drive") == "can I drive"


def test_paraphrases_land_together_and_different_questions_apart(embed, names):
    texts = ["Can I drive a car with drop foot?", "where do I park at the clinic", "is it ok to drive with my foot drop",
             "how long until my foot drop gets better", "where can I park when I visit",
             "how long does foot drop take to get better"]
    groups = find_groups(messages(texts), embed=embed, names=names)
    assert sorted(members(groups)) == sorted([
        sorted(["Can I drive a car with drop foot?", "is it ok to drive with my foot drop"]),
        sorted(["where do I park at the clinic", "where can I park when I visit"]),
        sorted(["how long until my foot drop gets better", "how long does foot drop take to get better"]),
    ])


def test_counts_last_seen_and_the_most_asked_wording(embed, names):
    texts = ["can I swim with foot drop", "Can I swim with foot drop?", "can i swim with foot drop",
             "is swimming good for drop foot"]
    (group,) = find_groups(messages(texts), embed=embed, names=names)
    assert group.count == 4 and group.conversations == 4 and group.last_seen == 1003
    assert [p.count for p in group.phrasings] == [3, 1]
    assert group.representative == "can i swim with foot drop"  # the most typed, newest on a tie
    assert group.key == group_key("can I swim with foot drop")  # the first asked


def test_groups_hold_masked_text_only(embed):
    """From the events as Rasa stores them: the phone number never reaches a group."""
    conversations = {"patient-7": [
        {"event": "user", "text": "please call me on 07700 900123 about my brace", "timestamp": 1.0,
         "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.4}}},
        {"event": "action", "name": "utter_default", "timestamp": 2.0},
    ]}
    (group,) = find_groups(missed_messages(ROOT, conversations), embed=embed)
    seen = " ".join([group.seed, group.representative, *(p.text for p in group.phrasings),
                     *(m.text for m in group.messages), *(m.conversation for m in group.messages)])
    assert "[phone]" in group.representative
    assert "07700" not in seen and "900123" not in seen and "patient-7" not in seen


def test_keys_stay_the_same_as_new_messages_arrive(embed, names):
    earlier = messages(["can I drive with foot drop", "which shoes are best for foot drop", "will it rain today"])
    before = {g.key: sorted(m.text for m in g.messages) for g in find_groups(earlier, embed=embed, names=names)}
    later = messages(["driving with my dropped foot, is that allowed?", "what footwear should I buy for drop foot",
                      "can I still play golf", "Can I drive with foot drop??"], start=5000)
    after = {g.key: sorted(m.text for m in g.messages) for g in find_groups(earlier + later, embed=embed, names=names)}
    assert set(before) <= set(after)
    for key, texts in before.items():  # every earlier message is still in the group of the same key
        assert set(texts) <= set(after[key])
    assert after[group_key("can I drive with foot drop")] == sorted(
        ["can I drive with foot drop", "driving with my dropped foot, is that allowed?", "Can I drive with foot drop??"])


def test_the_newest_group_comes_first_and_kinds_are_listed(embed, names):
    older = [Missed("what time does the clinic open", 10, MENU, "a")]
    newer = [Missed("can pregnancy cause foot drop", 20, CLARIFYING, "b"),
             Missed("can being pregnant give you foot drop", 30, MENU, "c")]
    groups = find_groups(older + newer, embed=embed, names=names)
    assert [g.representative for g in groups][1] == "what time does the clinic open"
    assert groups[0].kinds == [MENU, CLARIFYING]


def test_phrasings_already_taught_are_left_out(embed):
    taught = {"can i drive with foot drop"}
    groups = find_groups(messages(["Can I drive with foot drop?", "what shoes should I wear"]), taught, embed=embed)
    assert [g.representative for g in groups] == ["what shoes should I wear"]


def test_the_projects_training_examples_count_as_taught():
    taught = unanswered.taught_texts(ROOT)
    assert "what is foot drop" in taught and "what is drop foot" in taught


def test_ignore_hides_a_group_until_restored(tmp_path: Path, embed):
    db = store.connect(tmp_path / "staff.db")
    groups = find_groups(messages(["what's the weather tomorrow", "can I drive with foot drop"]), embed=embed)
    weather = next(g for g in groups if "weather" in g.representative)
    unanswered.ignore(db, weather, "ana")

    # later, in another process: the same key, also with a new message in the group
    again = store.connect(tmp_path / "staff.db")
    regrouped = find_groups(messages(["what's the weather tomorrow", "can I drive with foot drop",
                                      "what will the weather be tomorrow"]), embed=embed)
    shown, hidden = unanswered.split_ignored(regrouped, unanswered.ignored(again))
    assert [g.representative for g in shown] == ["can I drive with foot drop"]
    assert [g.key for g in hidden] == [weather.key] and hidden[0].count == 2
    kept = unanswered.ignored(again)[weather.key]
    assert (kept.example, kept.by) == ("what's the weather tomorrow", "ana")

    assert unanswered.restore(again, weather.key) is True
    assert unanswered.restore(again, weather.key) is False
    shown, hidden = unanswered.split_ignored(regrouped, unanswered.ignored(again))
    assert len(shown) == 2 and not hidden


def test_vectors_are_normalised_so_the_dot_product_is_the_cosine(embed):
    vectors = embed(["can I drive with foot drop", "will it rain today"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
