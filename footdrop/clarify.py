"""The clarifying question: "Do you mean ...?" with the likeliest topics, before the full menu.

When the intent classifier is unsure (Rasa's FallbackClassifier gives ``nlu_fallback``: the top
confidence below its threshold, or the top two too close), a patient who asked a real question
about foot drop is better served by two or three likely topics than by the whole menu; a
message about something else still gets the menu. Rasa's two-stage fallback asks about one
intent at a time; this asks about up to three at once, as buttons.

The rule (``choose``), from the classifier's ranking with ``nlu_fallback`` left out:

- the first intent must be a topic with a title (``content/topics.yml``): when it is
  ``out_of_scope`` or a conversation intent (greet, goodbye ...), the menu;
- the message must name foot drop or its anatomy (the terminology extractor's ``condition`` or
  ``anatomy`` entities: "drop foot", "peroneal nerve"), with the first topic at least
  ``Settings.floor`` confident; or, naming neither, the first topic must be at least
  ``Settings.confident`` (the classifier fell back only because a second topic was as close).
  Out-of-scope messages about feet and health ("are flip flops bad for your feet?") fall back
  with a foot topic first as often as real questions do; naming foot drop is what tells them
  apart;
- then up to ``Settings.most`` topics from the top of the ranking, each at least
  ``Settings.share`` of the first's confidence.

The numbers were chosen on the held-out questions (tests/nlu_holdout.yml) and a development set
of out-of-scope messages (evaluation/nlu_dev_out_of_scope.yml), never on tests/nlu_external.yml:
of the held-out questions that fell back, 12 of 27 got the question, each with the right topic
among its buttons (2.3 on average), and none of 72 out-of-scope messages that fell back did
(docs/PIPELINES.md, "The clarifying question"). Imports nothing from Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
TOPICS_FILE = ROOT / "content" / "topics.yml"
CONFIG = ROOT / "config.yml"
FALLBACK_INTENT = "nlu_fallback"
#: intents the red-flag component sets (footdrop_rasa/nlu/red_flags.py): the classifier's own
#: ranking follows them, so the question a patient asked is still there after the safety question
SAFETY_INTENTS = frozenset({"emergency", "red_flag_check"})
#: entities (content/terminology.yml) that show a message is about foot drop
ABOUT_FOOT_DROP = frozenset({"condition", "anatomy"})


@dataclass(frozen=True)
class Settings:
    """When to ask and what to offer (chosen on the held-out and development sets: module doc)."""

    #: the first topic needs at least this confidence for the question (else the menu) ...
    floor: float = 0.1
    #: ... or this much when the message does not name foot drop (chosen with DIET, whose
    #: FallbackClassifier threshold it was; kept with the logistic regression's 0.7, where it
    #: was measured: docs/PIPELINES.md, "A classifier that stays put")
    confident: float = 0.4
    #: another topic is offered when its confidence is at least this share of the first's
    share: float = 0.3
    #: at most this many topics as buttons
    most: int = 3


@dataclass(frozen=True)
class Fallback:
    """When the classifier is sure enough to answer: ``FallbackClassifier``'s two settings in
    config.yml (the first topic at least ``threshold``, and at least ``ambiguity`` ahead of the
    second)."""

    threshold: float = 0.4
    ambiguity: float = 0.1


@dataclass(frozen=True)
class HeldQuestion:
    """What to do with the question a patient asked before the safety question, once they have
    said it is not happening now: answer ``topic``, or ask which of ``offered`` they meant, or
    offer the symptom check (``offer_check``: they told of their symptoms or asked for it), or
    (none of these) invite their question."""

    topic: Optional[str] = None
    offered: Tuple[str, ...] = ()
    offer_check: bool = False


@dataclass(frozen=True)
class Wording:
    """What the patient reads (content/topics.yml): the question, each topic's button title,
    the last button, and the offer of the symptom check."""

    question: str
    titles: Dict[str, str]
    something_else: str
    offer_check: str


def load_wording(path: Path = TOPICS_FILE) -> Wording:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    titles = {str(intent): str(title).strip() for intent, title in (data.get("titles") or {}).items()}
    return Wording(
        str(data["question"]).strip(), titles, str(data["something_else"]).strip(), str(data["offer_check"]).strip()
    )


def fallback_settings(path: Path = CONFIG) -> Fallback:
    """``FallbackClassifier``'s threshold and ambiguity threshold from config.yml."""
    pipeline = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    for component in pipeline:
        if component.get("name") == "FallbackClassifier":
            return Fallback(float(component.get("threshold", 0.3)), float(component.get("ambiguity_threshold", 0.1)))
    return Fallback()


def load_titles(path: Path = TOPICS_FILE) -> Dict[str, str]:
    """Topic intent -> the short title its button shows."""
    return load_wording(path).titles


CHECK = "check_symptoms"
#: intents that lead to the symptom check (data/rules.yml)
CHECK_INTENTS = frozenset({CHECK, "describe_symptoms"})


def clarifying_message(
    parse: Mapping, wording: Wording, own_story: bool = False, settings: Settings = Settings()
) -> Optional[dict]:
    """The clarifying question for a parse result that fell back (text and buttons), or None
    when the full menu should be shown instead. ``own_story``: the message tells of a new
    problem in the patient's own foot (footdrop/own_story.py): the symptom check comes first,
    with the likely topics after it, and never the bare menu."""
    if (parse.get("intent") or {}).get("name") != FALLBACK_INTENT:
        return None
    offered = choose(ranking_of(parse), wording.titles, names_foot_drop(parse), settings)
    if own_story:
        topics = [name for name in offered if name != CHECK]
        return {
            "text": wording.offer_check,
            "buttons": buttons([CHECK, *topics], wording.titles, wording.something_else),
        }
    if not offered:
        return None
    return {"text": wording.question, "buttons": buttons(offered, wording.titles, wording.something_else)}


def with_check_offer(message: dict, wording: Wording) -> dict:
    """A topic's answer with the offer of the symptom check added (its text, then the button)."""
    check = {"title": wording.titles[CHECK], "payload": f"/{CHECK}"}
    text = f"{message.get('text') or ''}\n{wording.offer_check}".strip()
    return {**message, "text": text, "buttons": [check, *(message.get("buttons") or [])]}


def after_safety_question(
    ranking: Sequence[Tuple[str, float]],
    titles: Mapping[str, str],
    about_foot_drop: bool,
    fallback: Fallback = Fallback(),
    settings: Settings = Settings(),
) -> HeldQuestion:
    """The message that led to the safety question ("I broke my fibula ... could the break have
    damaged a nerve?"), once the patient has said it is not happening now: the classifier's
    ranking with the safety intents left out decides as it would have without them (the
    answer when ``fallback`` would not have fallen back, else the clarifying question's topics).
    Only topics with a title are answered; a message that tells of symptoms or asks for the
    check gets the offer of the symptom check; anything else the invitation."""
    ranked = [(name, float(c)) for name, c in ranking if name not in SAFETY_INTENTS and name != FALLBACK_INTENT]
    if not ranked:
        return HeldQuestion()
    first, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    sure = top >= fallback.threshold and top - second >= fallback.ambiguity
    if sure and first in CHECK_INTENTS:
        return HeldQuestion(offer_check=True)
    if sure and first in titles:
        return HeldQuestion(topic=first)
    return HeldQuestion(offered=tuple(name for name in choose(ranked, titles, about_foot_drop, settings) if name != CHECK))


def choose(
    ranking: Sequence[Tuple[str, float]],
    titles: Mapping[str, str],
    about_foot_drop: bool,
    settings: Settings = Settings(),
) -> List[str]:
    """The topics to offer, likeliest first; an empty list means: show the full menu."""
    ranked = [(name, float(confidence)) for name, confidence in ranking if name != FALLBACK_INTENT]
    if not ranked:
        return []
    first, top = ranked[0]
    if first not in titles or top < (settings.floor if about_foot_drop else settings.confident):
        return []
    offered = [name for name, confidence in ranked if name in titles and confidence >= settings.share * top]
    return offered[: settings.most]


def names_foot_drop(parse: Mapping) -> bool:
    """Whether a Rasa parse result has an entity that names foot drop or its anatomy."""
    return any(entity.get("entity") in ABOUT_FOOT_DROP for entity in parse.get("entities") or [])


def ranking_of(parse: Mapping) -> List[Tuple[str, float]]:
    """(intent, confidence) pairs from a Rasa parse result (``latest_message``)."""
    return [
        (str(item.get("name")), float(item.get("confidence") or 0.0))
        for item in parse.get("intent_ranking") or []
        if item.get("name")
    ]


def buttons(offered: Sequence[str], titles: Mapping[str, str], other: Optional[str] = None) -> List[dict]:
    """One button per topic (its payload the topic's intent), then "something else" if given: what
    the assistant can do (`bot_capabilities`: the symptom check and the topics)."""
    out = [{"title": titles[name], "payload": f"/{name}"} for name in offered]
    if other:
        out.append({"title": other, "payload": "/bot_capabilities"})
    return out
