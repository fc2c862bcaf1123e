"""The context rules (content/context_rules.yml, medspaCy's ConText in footdrop/context.py):
one example of every category, typos, and how a message is split into parts."""

from __future__ import annotations

import pytest
import yaml

from footdrop.context import CATEGORIES, ContextReader, ContextRulesError, load_rules, normalise
from footdrop.encoder import shared_encoder
from footdrop.signs import load_not_forms, load_signs


@pytest.fixture(scope="module")
def reader() -> ContextReader:
    """The reader as the detector builds it (RedFlagDetector.load: the signs' words, the rules,
    English words from the encoder's vocabulary for typos), without fitting its classifier."""
    return ContextReader(
        {s: sign.words for s, sign in load_signs().items()}, load_rules(), shared_encoder().words(), load_not_forms()
    )


def categories(reader: ContextReader, text: str, word: str) -> set:
    reading = reader.read(text)
    found = [w for w in reading.words if w.text.lower() == word]
    assert found, f"{word!r} is not a sign word in {reading.text!r}: {[w.text for w in reading.words]}"
    return set().union(*(w.categories for w in found))


@pytest.mark.parametrize(
    "text, word, category",
    [
        ("no numbness down below, just the foot", "numbness", "DENIED"),
        ("I'm not dizzy at all", "dizzy", "DENIED"),
        ("my arms are fine", "arms", "DENIED"),
        ("I'm peeing normally", "peeing", "DENIED"),
        ("what if my foot goes cold?", "cold", "WHAT_IF"),
        ("my op is next month, will my leg be weak after?", "weak", "WHAT_IF"),
        ("I had a stroke 4 years ago and my arm has been weak since", "arm", "LONG_AGO"),
        ("my grandad's face dropped back in the 90s", "face", "LONG_AGO"),
        ("my nan has had dementia for years and gets confused in the evening", "confused", "LONG_AGO"),
        ("my mouth is numb from the dentist", "mouth", "KNOWN_CAUSE"),
        ("my foot went numb because it fell asleep", "numb", "KNOWN_CAUSE"),
        ("the numbness went away after an hour", "numbness", "GONE"),
        ("not sure if my face is drooping", "face", "UNSURE"),
        ("say I woke up seeing double, what would that mean?", "double", "WHAT_IF"),
        ("suppose my arm went weak, would I call 999?", "arm", "WHAT_IF"),
    ],
)
def test_each_category_reaches_its_sign_word(reader, text, word, category):
    assert category in categories(reader, text, word)


@pytest.mark.parametrize(
    "text, word",
    [
        ("I can't feel my bum when I wipe", "wipe"),  # "can't" is the sign, not a denial
        ("I haven't had a wee since last night", "haven't had a wee"),
        ("I have no feeling between my legs", "between my legs"),
        ("I wet myself without noticing", "wet myself"),
        ("it's numb, like after the dentist", "numb"),  # a comparison, not a cause
        ("half my face feels dentist-injection numb since I woke up", "face"),  # so is this
        ("I had cancer years ago but now my back hurts at night", "back"),  # "but" ends the reach
        ("I'm 67 years old and my face is drooping", "face"),  # an age is not "long ago"
        ("no headache but my face is drooping", "face"),
    ],
)
def test_a_sign_stated_now_is_not_set_aside(reader, text, word):
    assert not categories(reader, text, word) & {"DENIED", "WHAT_IF", "LONG_AGO", "KNOWN_CAUSE", "GONE"}


def test_typos_of_sign_words_are_corrected_but_english_words_are_kept(reader):
    assert reader.correct("my bladdder is weird and my bum is numbe") == "my bladder is weird and my bum is numb"
    assert reader.correct("he is walking around the house") == "he is walking around the house"
    assert normalise("I cant feel it, I cannot walk, I dont know, it wont lift") == (
        "I can't feel it, I can't walk, I don't know, it won't lift"
    )


def test_a_message_is_read_as_the_whole_its_sentences_and_its_clauses(reader):
    reading = reader.read("I had breast cancer in 2015, now my back hurts at night. My legs are weak.")
    kinds = [(p.kind, p.text) for p in reading.parts]
    assert kinds[0][0] == "message"
    assert ("sentence", "My legs are weak.") in kinds
    assert ("clause", "I had breast cancer in 2015") in kinds


def test_a_general_question_is_marked_but_a_question_about_ones_own_body_is_not(reader):
    assert reader.read("can a stroke cause foot drop?").parts[0].general_question
    assert not reader.read("is it normal that my arm feels weak?").parts[0].general_question


def test_every_category_has_rules_and_every_rule_file_mistake_is_named(tmp_path):
    rules = load_rules()
    used = {rule["category"] for rule in rules["rules"]}
    assert set(CATEGORIES) <= used
    broken = dict(rules, rules=rules["rules"] + [{"literal": "oops", "category": "MAYBE", "direction": "forward"}])
    path = tmp_path / "context_rules.yml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(ContextRulesError, match=r"rule \d+ \('oops'\).*category"):
        load_rules(path)
