"""Which emergency-sign words a message states as happening now: medspaCy's ConText, in lay words.

Imports nothing from Rasa. ``ContextReader`` builds a small spaCy pipeline in code (no model
download): spaCy's English tokenizer and rule-based sentencizer, the lookup lemmatizer from
``spacy-lookups-data``, medspaCy's ``TargetMatcher`` for the sign words of
``content/emergency_signs.yml`` and medspaCy's ``ConText`` with the patient-language rules of
``content/context_rules.yml``. For a message it returns ``Reading``: its sentences and clauses
(the parts the detector compares with its examples) and every sign word, with the context
categories that reach it (DENIED, WHAT_IF, LONG_AGO, GONE, KNOWN_CAUSE, UNSURE).

Typos in sign words ("numbe", "bladdder", "dizzey") are corrected first, with rapidfuzz's
optimal-string-alignment distance against the sign and rule words, for words that are not
English words in spaCy's lemma tables.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Sequence, Set, Tuple, cast

import spacy
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Span

from footdrop.questions import is_question

#: what is trimmed from the ends of a part of a message
PART_STRIP = " ,;:-"
#: how many messages' corrected text is kept (see ``ContextReader._corrected``)
RECENT = 64

ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = ROOT / "content" / "context_rules.yml"

CATEGORIES = ("DENIED", "WHAT_IF", "LONG_AGO", "GONE", "KNOWN_CAUSE", "UNSURE")
DIRECTIONS = {
    "forward": "FORWARD",
    "backward": "BACKWARD",
    "bidirectional": "BIDIRECTIONAL",
    "terminate": "TERMINATE",
    "pseudo": "PSEUDO",
}
SPAN_GROUP = "footdrop_sign_words"
# Where a sentence splits into clauses for the comparison with examples.
CLAUSE_BREAKS = {
    ",", ";", ":", "but", "however", "although", "though", "whereas", "while", "so", "then",
    "because", "plus", "also", "-", "--", "—", "–", "(", ")",
}
# "and" starts a new clause when a new subject follows ("... of my life and my foot won't lift",
# "... slaps down too and both legs feel like jelly", "... and suddenly the words went blurry").
AND_SUBJECTS = {"i", "my", "he", "his", "she", "her", "it", "its", "the", "now", "then", "we", "our", "their", "they",
                "both", "suddenly", "you", "your", "this", "everything"}
MIN_CLAUSE_WORDS = 2
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def sentences_of(span: Span) -> Iterable[Span]:
    """The sentences a span overlaps (spaCy 3.4's ``Span.sents``, missing from its type stubs)."""
    return span.sents  # type: ignore[attr-defined]


class ContextRulesError(ValueError):
    """content/context_rules.yml is wrong; the message names the rule and the field."""


@dataclass(frozen=True)
class SignWord:
    """A sign word found in a message, the signs it can name, and the context reaching it."""

    text: str
    start: int  # token offsets in the message
    end: int
    signs: FrozenSet[str]
    categories: FrozenSet[str]


@dataclass(frozen=True)
class Part:
    """A part of a message (the whole, a sentence or a clause) and where its tokens are."""

    text: str
    start: int
    end: int
    general_question: bool
    kind: str  # "message", "sentence" or "clause"
    question: bool  # it asks something (a part of several sentences: every one of them does)


@dataclass(frozen=True)
class Reading:
    text: str  # the message with typos of sign words corrected
    parts: Tuple[Part, ...]
    words: Tuple[SignWord, ...]

    def words_in(self, part: Part) -> List[SignWord]:
        return [w for w in self.words if w.start >= part.start and w.end <= part.end]


# Short forms written without the apostrophe, as spaCy's rules expect them.
CONTRACTIONS = [
    (re.compile(r"\b(cannot|can not|cant)\b", re.IGNORECASE), "can't"),
    (re.compile(r"\bwont\b", re.IGNORECASE), "won't"),
    (re.compile(r"\b(dont|havent|hasnt|isnt|wasnt|arent|werent|didnt|doesnt|couldnt|wouldnt|shouldnt)\b",
                re.IGNORECASE), None),
]


def _apostrophe(match: "re.Match[str]") -> str:
    word = match.group(0)
    return word[:-1] + "'" + word[-1]


def normalise(text: str) -> str:
    """NFKC, straight apostrophes, "cant"/"cannot" as "can't", one space between words."""
    text = unicodedata.normalize("NFKC", text).translate(APOSTROPHES)
    for pattern, replacement in CONTRACTIONS:
        text = pattern.sub(replacement or _apostrophe, text)
    return " ".join(text.split())


def load_rules(path: Path = RULES_FILE) -> dict:
    """Reads and checks the context rules file; errors name the rule."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ContextRulesError(f"{path.name}: 'rules' must be a list of rules")
    for number, rule in enumerate(rules, start=1):
        where = f"{path.name}: rule {number} ({(rule or {}).get('literal')!r})"
        if not isinstance(rule, dict) or not isinstance(rule.get("literal"), str) or not rule["literal"].strip():
            raise ContextRulesError(f"{where}: needs a 'literal'")
        category = rule.get("category")
        if category not in CATEGORIES + ("NOW", "TERMINATE", "PSEUDO"):
            raise ContextRulesError(f"{where}: 'category' must be one of {CATEGORIES + ('NOW', 'TERMINATE', 'PSEUDO')}")
        if rule.get("direction") not in DIRECTIONS:
            raise ContextRulesError(f"{where}: 'direction' must be one of {sorted(DIRECTIONS)}")
    if not isinstance(raw.get("personal_words"), list) or not raw["personal_words"]:
        raise ContextRulesError(f"{path.name}: 'personal_words' must be a list of words")
    return raw


class ContextReader:
    """Reads a message: its parts, its sign words and the context of each (see the module doc)."""

    def __init__(
        self, sign_words: Mapping[str, Sequence[str]], rules: dict, english: Iterable[str], not_forms: Iterable[str] = ()
    ) -> None:
        import medspacy  # noqa: F401  (registers medspaCy's pipeline components)
        from medspacy.context import ConText, ConTextRule
        from medspacy.target_matcher import TargetMatcher, TargetRule

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        lemmas = cast(Lemmatizer, nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
        # Each phrase's signs, by its words as spaCy splits them ("cannot feel" and "can not
        # feel" are the same three words, so they name the same signs).
        self._phrase_signs: Dict[str, Set[str]] = {}
        for sign, words in sign_words.items():
            for word in words:
                key = " ".join(t.lower_ for t in nlp.make_doc(normalise(word)))
                self._phrase_signs.setdefault(key, set()).add(sign)

        matcher = TargetMatcher(nlp, result_type="group", span_group_name=SPAN_GROUP)
        target_rules = []
        for phrase in self._phrase_signs:
            target_rules.append(TargetRule(phrase, "SIGN_WORD", pattern=[{"LOWER": w} for w in phrase.split(" ")]))
            # Other forms of a base word ("droop": "drooping", "drooped"); not of a plural
            # ("feet" must not match "foot"), nor words that only look like forms ("number").
            if " " not in phrase and "'" not in phrase and lemmas.get(phrase, phrase) == phrase:
                pattern = [{"LEMMA": phrase, "LOWER": {"NOT_IN": sorted(set(not_forms))}}]
                target_rules.append(TargetRule(phrase, "SIGN_WORD", pattern=pattern))
        matcher.add(target_rules)
        self._matcher = matcher

        # No max_scope for ConText itself: a global one would make every rule reach across
        # sentences (medspaCy then uses a window of words instead of the sentence). Each rule
        # gets its own limit, within its sentence.
        context = ConText(
            nlp,
            rules=None,
            input_span_type="group",
            span_group_name=SPAN_GROUP,
            prune_on_target_overlap=False,
            span_attrs=None,
        )
        default_scope = int(rules.get("default_max_scope", 12))
        context.add([
            ConTextRule(
                literal=rule["literal"],
                category=rule["category"],
                direction=DIRECTIONS[rule["direction"]],
                pattern=rule.get("pattern"),
                max_scope=rule.get("max_scope", default_scope),
                terminated_by=set(rule.get("terminated_by") or ()) or None,
            )
            for rule in rules["rules"]
        ])
        self._context = context
        self._nlp = nlp
        self._personal = {w.lower() for w in rules["personal_words"]}

        # Typo correction: towards sign words, for words spaCy's tables do not know.
        lexicon: Set[str] = set()
        for phrase in self._phrase_signs:
            lexicon |= {w for w in re.findall(r"[a-z]+", phrase) if len(w) >= 4}
        self._lexicon = sorted(lexicon)
        # English words: the forms spaCy's lemma table knows, their lemmas, and any words the
        # caller knows (the detector passes the sentence encoder's word list).
        self._english = {str(lemma) for lemma in lemmas.values()} | {w.lower() for w in english}
        self._lemmas = lemmas
        self._corrected = functools.lru_cache(maxsize=RECENT)(self._correct_message)

    # -- typos ------------------------------------------------------------------------------
    def _correct(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < 4 or not lower.isalpha() or lower in self._lemmas or lower in self._english or lower in self._lexicon:
            return word
        limit = 1 if len(lower) < 7 else 2
        best = process.extractOne(lower, self._lexicon, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else word

    def correct(self, text: str) -> str:
        return re.sub(r"[A-Za-z]+", lambda m: self._correct(m.group(0)), text)

    def _correct_message(self, text: str) -> str:
        """The message normalised and its typos corrected (``_corrected`` keeps the last few:
        the intent featurizer asks for the whole message's text just before the detector
        reads it)."""
        return self.correct(normalise(text))

    # -- reading ------------------------------------------------------------------------------
    def message_text(self, text: str) -> str:
        """The text of the whole message as ``read`` gives it (its first part, when it has
        enough words): what the detector embeds for the whole message."""
        return self._corrected(text).strip(PART_STRIP)

    def read(self, text: str) -> Reading:
        corrected = self._corrected(text)
        doc = self._nlp(corrected)
        doc = self._context(self._matcher(doc))
        words = []
        for span in doc.spans[SPAN_GROUP]:
            signs = self._phrase_signs.get(" ".join(t.lower_ for t in span)) or self._phrase_signs.get(
                span._.target_rule.literal, set())
            categories = frozenset(m.category for m in span._.modifiers)
            words.append(SignWord(span.text, span.start, span.end, frozenset(signs), categories))
        return Reading(corrected, tuple(self._parts(doc)), tuple(words))

    def _parts(self, doc: Doc) -> Iterable[Part]:
        seen: Set[str] = set()

        def part(span: Span, kind: str) -> Iterable[Part]:
            text = span.text.strip(PART_STRIP)
            if len([t for t in span if t.is_alpha]) < MIN_CLAUSE_WORDS or text.lower() in seen:
                return
            seen.add(text.lower())
            yield Part(text, span.start, span.end, self._general_question(span), kind,
                       all(is_question(sentence.text) for sentence in sentences_of(span)))

        yield from part(doc[:], "message")
        for sentence in doc.sents:
            yield from part(sentence, "sentence")
            start = sentence.start
            for token in sentence:
                next_word = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
                if token.lower_ in CLAUSE_BREAKS or (token.lower_ == "and" and next_word in AND_SUBJECTS):
                    yield from part(doc[start:token.i], "clause")
                    start = token.i + 1
            if start > sentence.start:
                yield from part(doc[start:sentence.end], "clause")

    def _general_question(self, span: Span) -> bool:
        """A question about people in general ("can a stroke cause foot drop?"); a part of
        several sentences only when every sentence is one."""
        sentences = list(sentences_of(span))
        if len(sentences) > 1:
            return all(self._general_question(sentence) for sentence in sentences)
        words = [t.lower_ for t in span if not t.is_punct]
        personal = any(w in self._personal or w.replace("'", "") in self._personal for w in words)
        return bool(words) and is_question(span.text) and not personal
