"""Free-text answers to the symptom check: one parser per question, and descriptions.

(Emergency signs in a message are the red-flag detector's: tests/system/test_red_flags.py.)"""

from __future__ import annotations

import pytest

from footdrop.answers import (
    extract_answers,
    parse_onset,
    parse_preceded_by,
    parse_progression,
    parse_side,
    parse_yes_no,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("left", "left"),
        ("the left one", "left"),
        ("Left foot.", "left"),
        ("my right", "right"),
        ("RIGHT!!", "right"),
        ("right side", "right"),
        ("L", "left"),
        ("R", "right"),
        ("lft", "left"),
        ("rigth", "right"),
        ("it's the left leg 🦶", "left"),
        ("both of them", "both"),
        ("both feet", "both"),
        ("left and right", "both"),
        ("not the left, the right", "right"),
        ("my left foot, the right one is fine", "left"),
        ("the left one I think", "left"),
        ("erm the right i think", "right"),
        ("Lefttt", "left"),
        ("rihgt foot", "right"),
        ("bth", "both"),
        ("it's on the left hand side", "left"),
        ("L foot", "left"),
        # not understood
        ("I don't know", None),
        ("neither", None),
        ("right now I'm at work", None),
        ("what do you mean?", None),
        ("yes", None),
        ("", None),
    ],
)
def test_parse_side(text, expected):
    assert parse_side(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("all of a sudden", "sudden"),
        ("this morning", "sudden"),
        ("overnight", "sudden"),
        ("I woke up with it", "sudden"),
        ("an hour ago", "sudden"),
        ("Suddenly!", "sudden"),
        ("sudenly", "sudden"),
        ("yesterday", "sudden"),
        ("within a few hours", "sudden"),
        ("suddenly, about 2 weeks ago", "sudden"),
        ("since monday", "days_weeks"),
        ("last week", "days_weeks"),
        ("a few days", "days_weeks"),
        ("2 weeks ago", "days_weeks"),
        ("about a fortnight", "days_weeks"),
        ("over a couple of weeks", "days_weeks"),
        ("10 days ago", "days_weeks"),
        ("it came on gradually over a few days", "days_weeks"),
        ("over months", "gradual"),
        ("slowly", "gradual"),
        ("for a year", "gradual"),
        ("gradually", "gradual"),
        ("it crept up", "gradual"),
        ("6 months ago", "gradual"),
        ("for years", "gradual"),
        ("bit by bit", "gradual"),
        ("suddnly", "sudden"),
        ("overnite", "sudden"),
        ("it came on over a few hours", "sudden"),
        ("a week or two", "days_weeks"),
        ("since the weekend", "days_weeks"),
        ("hmm not sure, maybe 3 weeks?", "days_weeks"),
        ("for the past 2 months", "gradual"),
        ("on and off for a year", "gradual"),
        ("not suddenly, it crept up on me", "gradual"),
        # not understood
        ("it's got worse this week", None),
        ("I don't know", None),
        ("can't remember", None),
        ("after my operation", None),
        ("hello", None),
        ("", None),
    ],
)
def test_parse_onset(text, expected):
    assert parse_onset(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I injured my leg playing football", "injury"),
        ("car accident", "injury"),
        ("I broke my ankle", "injury"),
        ("sprained my ankle", "injury"),
        ("I fell", "fall"),
        ("had a fall down the stairs", "fall"),
        ("I tripped and fell", "fall"),
        ("slipped on ice", "fall"),
        ("I fell and hurt my knee", "fall"),
        # a twisted or dislocated knee is an injury (triage U3), not a "knee problem" (S3)
        ("I twisted my knee", "injury"),
        ("dislocated my knee playing football", "injury"),
        ("my kneecap popped out", "injury"),
        ("I tore a ligament in my knee", "injury"),
        ("slipped disc", "knee_back"),
        ("sciatica", "knee_back"),
        ("I have a bad back", "knee_back"),
        ("knee problems", "knee_back"),
        ("I had a hip replacement", "surgery"),
        ("knee op", "surgery"),
        ("after surgery on my back", "surgery"),
        ("no, but I had knee surgery in May", "surgery"),
        ("nothing", "none"),
        ("no", "none"),
        ("not that i know", "none"),
        ("nope nothing happened", "none"),
        ("no injury or anything", "none"),
        ("it just happened out of nowhere", "none"),
        ("I didn't fall or hurt it", "none"),
        ("none of these", "none"),
        ("I had my knee replaced in January", "surgery"),
        ("got hit by a car", "injury"),
        ("my back has been bad", "knee_back"),
        ("i had a fall but didnt hurt myself", "fall"),
        # not understood
        ("I don't know", None),
        ("can't remember", None),
        ("hello", None),
        ("what do you mean?", None),
        ("", None),
    ],
)
def test_parse_preceded_by(text, expected):
    assert parse_preceded_by(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", True),
        ("yeah", True),
        ("yep", True),
        ("y", True),
        ("sure", True),
        ("i do", True),
        ("a bit", True),
        ("sometimes", True),
        ("Yesss 👍", True),
        ("👍", True),
        ("a little", True),
        ("I think so", True),
        ("yes, my physio has", True),
        ("no", False),
        ("nope", False),
        ("nah", False),
        ("n", False),
        ("not really", False),
        ("none", False),
        ("never", False),
        ("i don't", False),
        ("No!!", False),
        ("not at all", False),
        ("I don't think so", False),
        ("not that I know of", False),
        ("not yet", False),
        ("I haven't", False),
        ("yse", True),
        ("nooo", False),
        ("Not really no", False),
        ("absolutely not", False),
        # not understood
        ("I'm waiting to see a neurologist", None),
        ("I have an appointment with the physio next week", None),
        ("not sure", None),
        ("I don't know", None),
        ("maybe", None),
        ("idk", None),
        ("yes and no", None),
        ("can't remember", None),
        ("what?", None),
        ("hello", None),
        ("", None),
    ],
)
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the same", "stable"),
        ("stable", "stable"),
        ("no change", "stable"),
        ("not getting worse", "stable"),
        ("hasn't changed", "stable"),
        ("about the same really", "stable"),
        ("getting better", "stable"),
        ("no worse", "stable"),
        ("worse", "worse"),
        ("getting worse", "worse"),
        ("it's deteriorating", "worse"),
        ("getting weaker", "worse"),
        ("it was stable but now it's getting worse", "worse"),
        ("not spreading but getting worse", "worse"),
        ("spreading", "spreading"),
        ("it's spreading to my other leg", "spreading"),
        ("the weakness is moving up my legs", "spreading"),
        ("now in my other foot too", "spreading"),
        ("the weakness hasn't spread", "stable"),
        ("its gettin worse", "worse"),
        ("worse 😞", "worse"),
        ("weaker every week", "worse"),
        ("better now", "stable"),
        ("it's moving up", "spreading"),
        # not understood
        ("it comes and goes", None),
        ("i struggle going up stairs", None),
        ("I don't know", None),
        ("hmm", None),
        ("what?", None),
        ("", None),
    ],
)
def test_parse_progression(text, expected):
    assert parse_progression(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "my left foot started dragging suddenly this morning and my arm feels weak",
            {"affected_side": "left", "onset": "sudden", "other_weakness": True},
        ),
        ("no pain but my toes tingle", {"back_leg_pain": False, "numbness": True}),
        ("I don't have numbness", {"numbness": False}),
        ("both my feet went weak this morning", {"affected_side": "both", "onset": "sudden"}),
        (
            "my right foot has been dragging for 3 months and it's getting worse",
            {"affected_side": "right", "onset": "gradual", "progression": "worse"},
        ),
        (
            "I fell off a ladder last week and since then my left foot slaps when I walk",
            {"affected_side": "left", "onset": "days_weeks", "preceded_by": "fall"},
        ),
        (
            "I have a slipped disc and shooting pain down my leg, plus pins and needles in my toes",
            {"preceded_by": "knee_back", "back_leg_pain": True, "numbness": True},
        ),
        (
            "my shin is swollen and rock hard and it hurts like crazy after the fall",
            {"shin_swelling": True, "back_leg_pain": True, "preceded_by": "fall"},
        ),
        # numbness in an arm is "other weakness" (a stroke sign), not the foot's numbness
        ("no numbness, tingling or weakness in my arms", {"other_weakness": False}),
        (
            "no numbness or tingling, and my face is fine",
            {"numbness": False, "other_weakness": False},
        ),
        (
            "my physio checked it last month, it's been the same since",
            {"already_seen": True, "progression": "stable"},
        ),
        (
            "I haven't seen a doctor yet and I don't have any back pain",
            {"already_seen": False, "back_leg_pain": False},
        ),
        ("my face and arms are fine", {"other_weakness": False}),
        (
            "I've lost control of my bladder and my back is killing me",
            {"bladder_bowel": True, "back_leg_pain": True},
        ),
        (
            "it came on gradually over a few months after my knee replacement",
            {"onset": "gradual", "preceded_by": "surgery"},
        ),
        (
            "my mum's face looks droopy on one side and her words are slurred",
            {"other_weakness": True},
        ),
        (
            "It started 2 days ago, no injury, the weakness hasn't spread",
            {"onset": "days_weeks", "preceded_by": "none", "progression": "stable"},
        ),
        (
            "I saw my GP yesterday and she referred me to a neurologist",
            {"already_seen": True},
        ),
        (
            "the left one, since Monday, and it's numb",
            {"affected_side": "left", "onset": "days_weeks", "numbness": True},
        ),
        (
            "no problems with my bladder or bowels and my shin isn't swollen",
            {"bladder_bowel": False, "shin_swelling": False},
        ),
        ("I can't feel my toes on the right", {"affected_side": "right", "numbness": True}),
        (
            "left foot, no pain, no tingling, came on slowly over 6 months, nothing happened "
            "before, my GP has seen it",
            {
                "affected_side": "left", "onset": "gradual", "preceded_by": "none",
                "back_leg_pain": False, "numbness": False, "already_seen": True,
            },
        ),
        (
            "Right foot since Tuesday after a knee operation. Some tingling. No back pain. "
            "Not getting worse.",
            {
                "affected_side": "right", "onset": "days_weeks", "preceded_by": "surgery",
                "back_leg_pain": False, "numbness": True, "progression": "stable",
            },
        ),
        # the time of the start, not of the fall
        (
            "I fell last year but this started last week",
            {"onset": "days_weeks", "preceded_by": "fall"},
        ),
        ("the tingling stopped", {"numbness": False}),
        ("my bladder stopped working", {"bladder_bowel": True}),
        ("nothing wrong with my face or arms", {"other_weakness": False}),
        ("nobody has looked at it yet", {"already_seen": False}),
        ("i had a fall but didnt hurt myself", {"preceded_by": "fall"}),
        # past, future, hypothetical, a topic question: nothing stated now
        ("I used to have tingling but not anymore", {}),
        ("I'm waiting to see a neurologist", {}),
        ("what should i do if my arm goes numb", {}),
        ("I can't talk right now, I'm at work", {}),
        ("numbness?", {}),
        ("tell me about cauda equina syndrome symptoms like bladder problems", {}),
        # questions and small talk state nothing
        ("can a stroke cause foot drop?", {}),
        ("what causes foot drop", {}),
        ("does MS cause weakness in the arms", {}),
        ("should I wear a brace", {}),
        ("", {}),
    ],
)
def test_extract_answers(text, expected):
    assert extract_answers(text) == expected


def test_module_imports_nothing_from_rasa():
    import footdrop.answers as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "import rasa" not in source and "from rasa" not in source
