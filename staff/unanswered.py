"""Unanswered patient questions grouped by meaning, for staff to teach or ignore.

``find_groups(messages, ...)`` groups masked messages (staff/conversations.py) with the
sentence encoder (footdrop/encoder.py, all-MiniLM-L6-v2; cosine similarity of its normalised
vectors):

- messages with the same normalised wording (tools/report.py ``normalise``) are one phrasing;
- phrasings are taken oldest first (by when each was first asked); each joins the group whose
  *first* phrasing (its seed) is the most similar, if at least ``SIMILARITY``, else starts a new
  group. Comparing with seeds only, in the order they were first asked, means a message that
  arrives later never changes the groups of earlier ones: a group keeps its seed, and its key
  (the SHA-256 of the seed's normalised, masked text) stays the same as new messages arrive,
  so "ignore" is remembered by that key (table ``ignored_questions``);
- the names of the condition (content/terminology.yml ``condition``: "foot drop", "drop foot",
  "floppy foot" ...) are left out before comparing: nearly every question names it, and with
  the name "can I drive with foot drop" scored 0.74 with "can I ride a bike with foot drop",
  as much as with its paraphrase "is it safe to drive a car with a dropped foot" (0.74).

``SIMILARITY = 0.55`` was chosen on the development set of tests/unit/staff/test_unanswered.py
(``DEVELOPMENT``: 27 real-looking unanswered questions in 9 meanings: driving, cycling,
swimming, shoes, a brace's cost, booking, opening hours, the weather, pregnancy), grouped in 21
arrival orders. At 0.55 no group ever mixed two meanings, and 17.7 of the 28 pairs of the same
meaning were grouped together on average; at 0.50, 20.2 pairs, but 0.6 mixed pairs (up to 4 in
one order); at 0.60, 13.0 pairs. Without leaving the names out, no threshold below 0.75 kept
the meanings apart, and at 0.75 only 13.3 pairs were together. A wrong merge costs staff more
than a split (they would teach a topic another question's phrasings), so the threshold is the
lowest with no mixing. Some paraphrases stay apart: the encoder does not know that an "AFO" is a
brace (0.24), and "when will my foot drop recover" scores 0.49 with "how long until my foot drop
gets better"; those are two groups for staff to give the same topic.

Phrasings already in the training data (any file of data/) are left out: they are taught, the
next published model answers them. The encoder is loaded once per process, when first needed.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set

import numpy as np
import yaml

from staff.conversations import KINDS, Missed
from tools.report import normalise

SIMILARITY = 0.55
TERMINOLOGY = "content/terminology.yml"
#: phrasings shown (and offered as training examples) per group, most asked first
MAX_PHRASINGS = 20

Embed = Callable[[Sequence[str]], np.ndarray]


def default_embed(texts: Sequence[str]) -> np.ndarray:
    """Normalised sentence vectors from the process's one encoder (loaded on first use)."""
    from footdrop.encoder import shared_encoder

    return shared_encoder().embed(texts)


def condition_names(project: Path) -> List[str]:
    """The names patients give foot drop (content/terminology.yml ``condition``): "foot drop",
    "drop foot", "floppy foot" ..."""
    try:
        terms = yaml.safe_load((project / TERMINOLOGY).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [str(name) for names in (terms.get("condition") or {}).values() for name in names or []]


def without_names(names: Sequence[str]) -> Callable[[str], str]:
    """A text with the condition's names (and an article before one) left out, for comparing
    meanings: almost every question here names foot drop, and the shared words made "can I drive
    with foot drop" as close to "can I ride a bike with foot drop" as to its own paraphrases. A
    text with no other word is kept whole."""
    if not names:
        return lambda text: text
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(set(names), key=len, reverse=True))
    pattern = re.compile(rf"\b(?:(?:a|an|the|my|your|this)\s+)?(?:{alternatives})s?\b", re.I)

    def strip(text: str) -> str:
        stripped = " ".join(pattern.sub(" ", text).split())
        return stripped if re.search(r"\w", stripped) else text

    return strip


def group_key(text: str) -> str:
    """The key of a group whose seed is ``text`` (masked): stable across wordings' case and punctuation."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]


@dataclass
class Phrasing:
    """One wording (same normalised text), as it was most often typed, and how often."""

    text: str
    count: int
    first_seen: float
    last_seen: float


@dataclass
class Group:
    key: str
    seed: str  # the first phrasing asked (masked): what the key is made of
    messages: List[Missed] = field(default_factory=list)
    phrasings: List[Phrasing] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def conversations(self) -> int:
        return len({m.conversation for m in self.messages})

    @property
    def last_seen(self) -> float:
        return max(m.timestamp for m in self.messages)

    @property
    def kinds(self) -> List[str]:
        found = {m.kind for m in self.messages}
        return [kind for kind in KINDS if kind in found]

    @property
    def representative(self) -> str:
        """The phrasing asked most often; the seed on a tie (it is first in ``phrasings``' order)."""
        return self.phrasings[0].text

    @property
    def shown(self) -> List[Phrasing]:
        return self.phrasings[:MAX_PHRASINGS]


def phrasings_of(messages: Iterable[Missed]) -> Dict[str, Phrasing]:
    """Normalised text -> its phrasing: the most typed wording (the newest on a tie), counts, dates."""
    by_key: Dict[str, List[Missed]] = {}
    for message in messages:
        by_key.setdefault(normalise(message.text), []).append(message)
    found = {}
    for key, group in by_key.items():
        if not key:
            continue
        wordings = Counter(m.text for m in group)
        newest = {m.text: m.timestamp for m in sorted(group, key=lambda m: m.timestamp)}
        text = max(wordings, key=lambda t: (wordings[t], newest[t]))
        stamps = [m.timestamp for m in group]
        found[key] = Phrasing(text, len(group), min(stamps), max(stamps))
    return found


def find_groups(messages: Sequence[Missed], taught: Set[str] = frozenset(), embed: Optional[Embed] = None,
                threshold: float = SIMILARITY, names: Sequence[str] = ()) -> List[Group]:
    """Groups by meaning (module doc), newest first by when last asked. ``taught``: normalised
    texts already in the training data, left out; ``names``: the condition's names, left out
    when comparing meanings (``without_names``)."""
    phrasings = {k: p for k, p in phrasings_of(messages).items() if k not in taught}
    if not phrasings:
        return []
    order = sorted(phrasings, key=lambda k: (phrasings[k].first_seen, k))
    strip = without_names(names)
    vectors = (embed or default_embed)([strip(phrasings[k].text) for k in order])
    seeds: List[int] = []  # index into `order` of each group's seed
    member_of: Dict[str, int] = {}  # normalised text -> group number
    for i, key in enumerate(order):
        if seeds:
            similarities = vectors[seeds] @ vectors[i]
            best = int(np.argmax(similarities))
            if similarities[best] >= threshold:
                member_of[key] = best
                continue
        member_of[key] = len(seeds)
        seeds.append(i)
    groups = [Group(group_key(phrasings[order[s]].text), phrasings[order[s]].text) for s in seeds]
    for message in messages:
        key = normalise(message.text)
        if key in member_of:
            groups[member_of[key]].messages.append(message)
    for key in order:  # seed first, then first asked: a stable order for ties
        groups[member_of[key]].phrasings.append(phrasings[key])
    for group in groups:
        group.phrasings.sort(key=lambda p: -p.count)  # stable: the seed stays first among equals
    return sorted(groups, key=lambda g: g.last_seen, reverse=True)


# ------------------------------------------------------------------------------ ignoring


@dataclass(frozen=True)
class Ignored:
    key: str
    example: str  # the group's representative when it was ignored (masked)
    by: str  # the staff account
    at: float


def ignored(db) -> Dict[str, Ignored]:
    rows = db.execute("SELECT key, example, by, at FROM ignored_questions ORDER BY at DESC")
    return {row["key"]: Ignored(row["key"], row["example"], row["by"], row["at"]) for row in rows}


def ignore(db, group: Group, by: str) -> None:
    """Hides the group (and the messages that join it later) until restored."""
    db.execute("INSERT OR REPLACE INTO ignored_questions (key, example, by, at) VALUES (?, ?, ?, ?)",
               (group.key, group.representative, by, time.time()))


def restore(db, key: str) -> bool:
    """Shows an ignored group again; False when it was not ignored."""
    return db.execute("DELETE FROM ignored_questions WHERE key = ?", (key,)).rowcount > 0


def split_ignored(groups: List[Group], ignored_keys: Iterable[str]) -> tuple:
    """(groups to show, groups ignored), each in the given order."""
    hidden = set(ignored_keys)
    return [g for g in groups if g.key not in hidden], [g for g in groups if g.key in hidden]


# --------------------------------------------------------------------------- the project


def taught_texts(project: Path) -> Set[str]:
    """The normalised text of every training example in the project's data/."""
    from staff.training_data import training_examples

    return {normalise(text) for texts in training_examples(project).values() for text in texts}


def project_groups(project: Path, embed: Optional[Embed] = None) -> List[Group]:
    """The unanswered questions in the project's tracker store, grouped (ConversationsError when
    the store cannot be read)."""
    from staff.conversations import missed_messages

    return find_groups(missed_messages(project), taught_texts(project), embed, names=condition_names(project))
