"""Understands patients' free-text answers to the foot drop symptom check. No Rasa imports.

One parser per question of the check (``docs/triage.md``) turns a short answer into the slot's
value, or ``None`` when the answer is not understood:

- ``parse_side``        -> "left" | "right" | "both"
- ``parse_onset``       -> "sudden" | "days_weeks" | "gradual"
- ``parse_preceded_by`` -> "injury" | "fall" | "knee_back" | "surgery" | "none"
- ``parse_yes_no``      -> True | False (for the yes/no questions)
- ``parse_progression`` -> "stable" | "worse" | "spreading"

``extract_answers`` reads a free-text description and returns every slot it states. (Emergency
signs in a message are the red-flag detector's job: ``footdrop.red_flags``.)

How it works: the text is normalised (case, apostrophes, contractions, emoji, stretched
letters, a few abbreviations, one-letter typos of key words such as "lft" or "rigth"), then run
through the project's blank spaCy pipeline (``footdrop.language.build_pipeline``:
rule tokenizer + lookup lemmas). spaCy ``Matcher`` rules (their words and patterns are in
``footdrop/answer_words.py``) find body locations, symptoms, times,
events and ConText-style modifier cues (negation before/after a target, uncertainty,
hypothetical, future). A cue's scope runs through its clause and stops at a terminator
("but", "however", ",", ".", "and" before a new subject ...). Symptoms are tied to the nearest
body location in their clause. Findings inside a general question ("what causes ...",
"can a stroke cause ...") do not count; a question about the patient's own body ("is it normal
that my arm is weak?") does.

Why not medspaCy's ConText: medspacy 1.3.1 resolves with spaCy 3.4.4, but it does not install
cleanly. Its required dependency medspacy-quickumls 3.2 puts a top-level ``tests`` package into
site-packages, which shadowed this project's ``tests`` package and broke the suite's imports
(measured 2026-11-25); it also adds 12 packages (Cython, nltk, a compiled key-value store ...)
to the action server for one feature. So the ConText-style rules here are our own, built on
spaCy's Matcher.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple, cast

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Lemmatizer
from spacy.util import filter_spans

from footdrop.answer_words import (  # the word sets and patterns
    ABBREVIATIONS,
    ANCHORS,
    BASE_VERBS,
    CAUSAL,
    CONJ_GROUP,
    CONTRACTIONS,
    DAYS_WEEKS_MAX_DAYS,
    EMOJI_WORDS,
    FUZZY_TARGETS,
    GENERIC,
    HARD_SPLIT,
    INTERJECTIONS,
    LABEL_FAMILY,
    LANGUAGES,
    LOCAL_CONSUMERS,
    MAX_CHARS,
    MODALS,
    MODALS_DO,
    NEG_MAX_SCOPE,
    NEG_POST_MAX_SCOPE,
    NUMBER_WORDS,
    PAIN_TREATMENT,
    PATTERNS,
    PLURAL_DEFAULT,
    PRON_POSS,
    PUNCT_TERMINATORS,
    REQUEST_VERBS,
    SAME_NOT_STABLE,
    SENT_END,
    SETS,
    SOFT_SPLIT,
    STRETCHED,
    SUBJECTS,
    SUDDEN_MAX_DAYS,
    TERMINATORS,
    UNIT_DAYS,
    VERBISH,
    WH,
)
from footdrop.questions import QUESTION_WORDS, opens_question

__all__ = [
    "parse_side",
    "parse_onset",
    "parse_preceded_by",
    "parse_yes_no",
    "parse_progression",
    "extract_answers",
]


def _compile(spec: str) -> List[dict]:
    tokens = []
    for part in spec.split():
        op = None
        if len(part) > 1 and part[-1] == "?":
            op, part = "?", part[:-1]
        if part == "_":
            token: dict = {}
        elif part.startswith("$"):
            token = {"LOWER": {"IN": SETS[part[1:]]}}
        elif part.startswith("~"):
            alts = part[1:].split("|")
            token = {"LEMMA": {"IN": alts}}
        else:
            alts = part.split("|")
            token = {"LOWER": alts[0]} if len(alts) == 1 else {"LOWER": {"IN": alts}}
        if op:
            token["OP"] = op
        tokens.append(token)
    return tokens


@dataclass
class _Resources:
    nlp: Language
    matchers: Dict[str, Matcher]  # one per pattern family
    vocabulary: Set[str]  # known words: never "corrected"
    lemma_table: Any  # spaCy lookups Table (hashed keys) of inflected forms, also known words


_LOCK = threading.Lock()
_RESOURCES: Optional[_Resources] = None


def _resources() -> _Resources:
    global _RESOURCES
    if _RESOURCES is None:
        with _LOCK:
            if _RESOURCES is None:
                _RESOURCES = _build_resources()
    return _RESOURCES


def _build_resources() -> _Resources:
    # The project's own pipeline: same tokenizer and lookup lemmas as the NLU model.
    from footdrop.language import build_pipeline, load_terminology

    nlp = build_pipeline(load_terminology())
    if "entity_ruler" in nlp.pipe_names:  # our rules do not use its entities
        nlp.remove_pipe("entity_ruler")
    matchers: Dict[str, Matcher] = {}
    lexicon: Set[str] = set()
    for family, labels in PATTERNS.items():
        matcher = Matcher(nlp.vocab)
        for label, specs in labels.items():
            matcher.add(label, [_compile(spec) for spec in specs])
            for spec in specs:
                for part in spec.split():
                    part = part.rstrip("?").lstrip("~")
                    if part.startswith("$"):
                        lexicon.update(SETS[part[1:]])
                    else:
                        lexicon.update(part.split("|"))
        matchers[family] = matcher
    for words in SETS.values():
        lexicon.update(words)
    lexicon.update(ANCHORS | GENERIC | QUESTION_WORDS | TERMINATORS | VERBISH | set(UNIT_DAYS))
    lexicon.update(NUMBER_WORDS)
    vocabulary: Set[str] = set(nlp.Defaults.stop_words) | lexicon
    table = cast(Lemmatizer, nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
    vocabulary.update(str(v) for v in table.values())
    return _Resources(nlp=nlp, matchers=matchers, vocabulary=vocabulary, lemma_table=table)


# ----------------------------------------------------------------------------------------
# Normalisation and typo correction.
# ----------------------------------------------------------------------------------------

def _strip_symbols(text: str) -> str:
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cn") or ch in "\u200d\ufe0f\ufe0e":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for quote in ("\u2019", "\u2018", "`", "\u00b4"):
        text = text.replace(quote, "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = _strip_symbols(text).lower()
    # letters stretched for emphasis: "soooo" -> "soo", "yesss" -> "yes" below
    text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)
    # hyphens between letters: "left-sided" -> "left sided", "foot-drop" -> "foot drop"
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    # "!!!" / "???" -> one mark; keep "?" so questions are still questions
    text = re.sub(r"([!?.])[!?.]+", lambda m: "?" if "?" in m.group(0) else m.group(1), text)

    def word(match: "re.Match[str]") -> str:
        w = match.group(0)
        for pattern, repl in STRETCHED:
            if pattern.match(w):
                return repl
        return ABBREVIATIONS.get(w, w)

    text = re.sub(r"[a-z0-9&']+", word, text)
    for pattern, repl in CONTRACTIONS:
        text = pattern.sub(repl, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits + adjacent swaps), stopped early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _known(word: str, res: _Resources) -> bool:
    return word in res.vocabulary or word in res.lemma_table


def _correct(word: str, res: _Resources) -> str:
    if len(word) < 3 or not word.isalpha() or _known(word, res):
        return word
    if word.endswith("in") and _known(word + "g", res):  # "droopin", "tinglin"
        return word + "g"
    best: List[str] = []
    best_distance = 99
    for target in dict.fromkeys(FUZZY_TARGETS):
        limit = 2 if len(target) >= 8 and len(word) >= 7 else 1
        d = _osa_distance(word, target, limit)
        if d <= limit:
            if d < best_distance:
                best, best_distance = [target], d
            elif d == best_distance:
                best.append(target)
    return best[0] if len(best) == 1 else word


@lru_cache(maxsize=512)
def _prepare(text: str) -> str:
    res = _resources()
    normalised = _normalise(text[:MAX_CHARS])
    doc = res.nlp.tokenizer(normalised)
    return "".join(_correct(t.text, res) + t.whitespace_ for t in doc)


# ----------------------------------------------------------------------------------------
# Analysis of one message: spans, sentences, clauses, cue scopes.
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    label: str
    start: int
    end: int

    @property
    def tokens(self) -> range:
        return range(self.start, self.end)


@dataclass
class _Analysis:
    words: List[str]
    lemmas: List[str]
    spans: Dict[str, List[_Span]]
    sent_of: List[int] = field(default_factory=list)
    sent_bounds: List[Tuple[int, int, bool]] = field(default_factory=list)
    clause_of: List[int] = field(default_factory=list)
    neg_scopes: List[Tuple[Set[int], Set[int]]] = field(default_factory=list)
    location_negated: Set[int] = field(default_factory=set)
    consumed: Dict[str, Set[int]] = field(default_factory=dict)
    uncertain: Set[int] = field(default_factory=set)
    hypothetical: Set[int] = field(default_factory=set)
    future: Set[int] = field(default_factory=set)
    general: Set[int] = field(default_factory=set)
    topic: Set[int] = field(default_factory=set)
    historical: Set[int] = field(default_factory=set)
    modal_question: Set[int] = field(default_factory=set)

    @property
    def n(self) -> int:
        return len(self.words)

    def of(self, *labels: str) -> List[_Span]:
        out: List[_Span] = []
        for label in labels:
            out.extend(self.spans.get(label, []))
        return sorted(out, key=lambda s: (s.start, s.end))

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < self.n else ""

    # --- status of a finding -----------------------------------------------------------
    def skipped(self, span: _Span) -> bool:
        """Hypothetical, future, or part of a question about people in general."""
        return any(
            t in self.hypothetical or t in self.future or t in self.general or t in self.historical
            for t in span.tokens
        )

    def is_negated(self, span: _Span) -> bool:
        """In the scope of a negation cue that is not part of a target of the same family
        ("no feeling" is numbness, "no change" is stable; "no change in my bladder" still
        negates the bladder change)."""
        consumed = self.consumed.get(LABEL_FAMILY.get(span.label, ""), set()) | self.consumed.get(
            "*", set()
        )
        tokens = set(span.tokens)
        return any(
            scope & tokens and not cue & consumed for cue, scope in self.neg_scopes
        )

    def described(self, span: _Span, modal: bool = True) -> bool:
        """Not part of a bare topic question ("surgery?") nor, with ``modal``, of a question
        about what could happen ("could it spread to my other foot?")."""
        return not any(
            t in self.topic or (modal and t in self.modal_question) for t in span.tokens
        )

    def sentence_words(self, span: _Span) -> List[str]:
        start, end, _ = self.sent_bounds[self.sent_of[span.start]]
        return self.words[start:end]

    def is_uncertain(self, span: _Span) -> bool:
        return any(t in self.uncertain for t in span.tokens)

    def status(self, span: _Span) -> Optional[bool]:
        """True: stated as present; False: stated as absent; None: neither (or unsure)."""
        if self.skipped(span) or self.is_uncertain(span):
            return None
        return not self.is_negated(span)


def _is_verbish(word: str) -> bool:
    return word in VERBISH or (len(word) > 4 and (word.endswith("ed") or word.endswith("ing")))


@lru_cache(maxsize=512)
def _analyse(text: str, yes_no: bool = False) -> _Analysis:
    res = _resources()
    doc = res.nlp(_prepare(text))
    words = [t.lower_ for t in doc]
    lemmas = [t.lemma_.lower() for t in doc]
    a = _Analysis(words=words, lemmas=lemmas, spans={})
    raw: Dict[str, List[_Span]] = {}
    for family, matcher in res.matchers.items():
        if family == "YN" and not yes_no:
            continue
        raw[family] = [
            _Span(res.nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in matcher(doc)
        ]
    _drop_false_matches(a, raw)
    kept: Dict[str, List[_Span]] = {}
    for family, family_spans in raw.items():
        if family in ("CUE", "MOD"):
            # modifiers of different kinds overlap freely: longest match per label
            groups = [[s for s in family_spans if s.label == label]
                      for label in {s.label for s in family_spans}]
        else:
            groups = [family_spans]  # longest match in the family ("between my legs" > "legs")
        kept[family] = [
            _Span(chosen.label_, chosen.start, chosen.end)
            for group in groups
            for chosen in filter_spans([_as_spacy(doc, s) for s in group])
        ]
    _consume(a, kept, yes_no)
    spans: Dict[str, List[_Span]] = {}
    for family_spans in kept.values():
        for span in family_spans:
            spans.setdefault(span.label, []).append(span)
    a.spans = spans
    _segment(a)
    _scope_cues(a)
    _mark_general(a)
    _mark_historical(a)
    return a


LEFT_AS_VERB_OBJECTS = {
    "over", "behind", "alone", "out", "it", "me", "him", "her", "them", "work", "home", "school",
}


def _as_spacy(doc, span: _Span):
    out = doc[span.start:span.end]
    out.label_ = span.label
    return out


def _drop_false_matches(a: _Analysis, raw: Dict[str, List[_Span]]) -> None:
    """Matches that the words around them show to mean something else."""
    w = a.word

    def drop(family: str, predicate) -> None:
        raw[family] = [s for s in raw.get(family, []) if not predicate(s)]

    # "the bottom of my foot", "the back of my knee": not the saddle or the back
    drop("LOC", lambda s: s.label in ("LOC_SADDLE", "LOC_BACK") and w(s.end) == "of")
    # "I hurt my ankle" is an injury, not pain now
    drop("SX", lambda s: s.label == "SX_PAIN" and a.words[s.start] == "hurt"
         and (w(s.end) in PRON_POSS | set(SETS["REFL"])
              or w(s.start - 1) in ("got", "get", "gets", "was", "were", "been", "be")))
    # "dead" only as a symptom of a limb ("my arm feels dead"), not "dead tired"
    drop("SX", lambda s: s.label == "SX_WEAK" and a.words[s.start] == "dead"
         and w(s.end) not in ("", ".", ",", "and", "!", "?"))
    # falls that are consequences, habits or fears, not events: "I keep falling",
    # "so I stop falling over", "afraid I'll fall"; a dated one counts ("after falling off")
    drop("PRE", lambda s: s.label == "PRE_FALL" and a.words[s.start] in ("falling", "falls", "fall")
         and w(s.start - 1) not in ("after", "since", "from", "following", "a", "the", "my", "his",
                                    "her", "bad", "nasty", "big"))
    drop("PRE", lambda s: s.label == "PRE_FALL" and (
        w(s.start - 1) in ("keep", "keeps", "kept", "always", "often", "nearly", "almost", "might",
                           "may", "could", "would", "to", "of", "risk", "prevent", "avoid")
        or w(s.start) in ("fell",) and w(s.end) == "asleep"
        or (w(s.start) in ("tripped", "slipped") and w(s.start - 1) in ("keep", "always", "often"))
    ))
    # negation after the target: "has gone" only at the end of a clause ("the tingling has gone")
    drop("CUE", lambda s: s.label == "NEG_POST" and a.words[s.end - 1] in ("gone", "stopped")
         and w(s.end) not in ("", ".", ",", "!", "?", "now", "completely", "away", "but", "and"))
    # "fine" as in "fine, my foot is numb" at the very start is an interjection
    drop("CUE", lambda s: s.label == "NEG_POST" and s.start == 0 and w(s.end) in (",", ""))
    # side words that are not sides: "right now", "that's right", "I left work"
    not_side_after = {
        "now", "away", "after", "before", "then", "there", "here", "off", "back", "through",
        "enough", "thing", "things", "way", "time", "place", "direction", "answer", "choice",
        "idea", "to", "so", "ok", "okay", "sorry", "into", "over", "behind", "alone", "out", "it",
        "words", "word", "question",
        "me", "him", "her", "them", "work", "home", "school", "early",
    }
    not_side_before = {
        "all", "that", "is", "you", "yeah", "quite", "i", "we", "he", "she", "they", "it", "have",
        "has", "had", "just", "was", "nothing", "anything", "what", "are", "am",
    }

    def not_a_side(s: _Span) -> bool:
        first = a.words[s.start]
        if s.label == "SIDE_RIGHT" and first == "right":
            if w(s.end) in not_side_after or w(s.start - 1) in not_side_before:
                return True
        if s.label == "SIDE_LEFT" and first == "left":
            if w(s.start - 1) in not_side_before - {"all", "quite", "yeah", "is", "that", "what"}:
                return True  # "I left", "nothing left"
            if w(s.end) in LEFT_AS_VERB_OBJECTS:
                return True  # "left it", "left work"
        if first in ("l", "r"):
            # one letter is a side only in a short answer or before a limb ("L foot")
            return not (a.n <= 3 or w(s.end) in ("foot", "leg", "side", "ankle", "one"))
        return False

    drop("SIDE", not_a_side)
    # "pain meds", "pain relief", "something to numb the pain": treatments, not symptoms
    drop("SX", lambda s: s.label == "SX_PAIN" and w(s.end) in PAIN_TREATMENT)
    drop("SX", lambda s: s.label == "SX_NUMB" and a.words[s.start] == "numb"
         and w(s.start - 1) == "to" and w(s.end) in ("the", "it", "this", "them"))
    # "the same thing", "the same as": not "it stayed the same"
    drop("PROG", lambda s: s.label == "PROG_STABLE" and a.words[s.end - 1] == "same"
         and w(s.end) in SAME_NOT_STABLE)
    # "moving up the stairs" is not weakness moving up the body
    drop("SX", lambda s: s.label == "SX_SPREAD" and a.words[s.end - 1] == "up" and (
        w(s.end) in ("stairs", "stair", "steps", "hill", "hills", "ladder", "slope", "kerb", "curb",
                     "a", "and", "on") or w(s.end + 1) in ("stairs", "steps", "hill", "ladder")))
    # "I can't speak Spanish"
    drop("SX", lambda s: s.label == "SX_SPEECH" and a.words[s.end - 1] in ("talk", "speak")
         and w(s.end) in LANGUAGES)
    # "I can't talk right now", "I can't talk about it": busy or upset, not a speech problem
    drop("SX", lambda s: s.label == "SX_SPEECH" and a.words[s.end - 1] in ("talk", "speak")
         and w(s.end) in ("right", "now", "at", "long", "to", "about", "with", "much", "here"))


def _consume(a: _Analysis, kept: Dict[str, List[_Span]], yes_no: bool) -> None:
    """Settles matches of different families that share words."""

    def drop(family: str, predicate) -> None:
        kept[family] = [s for s in kept.get(family, []) if not predicate(s)]

    # "it's creeping up my leg" is spreading, not a slow onset
    spread_tokens = {t for s in kept.get("SX", []) if s.label == "SX_SPREAD" for t in s.tokens}
    drop("TIME", lambda s: s.label == "TIME_GRADUAL" and any(t in spread_tokens for t in s.tokens))
    # "no" inside a bigger target ("no feeling", "no change", "nothing happened") is not a
    # negation cue for that target's family; "will" in "will not move" is not the future.
    consumed: Dict[str, Set[int]] = {}
    for family, family_spans in kept.items():
        if family in ("CUE", "MOD", "LOC"):
            continue
        if family == "YN" and not yes_no:
            continue
        for s in family_spans:
            if s.label in ("SX_ABN", "SEEN_NEG", "PROG_CHANGE"):
                continue
            # "no change", "nothing happened" are negative statements of their own: their
            # "no" still negates other things ("no change in my bladder")
            key = family if s.label in LOCAL_CONSUMERS else "*"
            consumed.setdefault(key, set()).update(s.tokens)
    everything = set().union(*consumed.values()) if consumed else set()
    drop("CUE", lambda s: any(t in everything for t in s.tokens) and s.label in ("FUTURE", "HYPO"))
    a.consumed = consumed


def _segment(a: _Analysis) -> None:
    """Sentences (with a question flag) and clauses for tying symptoms to body locations."""
    sent_of = [0] * a.n
    bounds: List[Tuple[int, int, bool]] = []
    start = 0
    sid = 0
    for i, word in enumerate(a.words):
        sent_of[i] = sid
        if word in SENT_END or "\n" in word:
            bounds.append((start, i + 1, word == "?"))
            start, sid = i + 1, sid + 1
    if start < a.n:
        bounds.append((start, a.n, False))
    a.sent_of, a.sent_bounds = sent_of, bounds

    clause_of = [0] * a.n
    cid = 0
    for s_start, s_end, _ in bounds:
        # split into segments at separators
        segments: List[Tuple[int, int, str]] = []  # (start, end, separator before)
        seg_start, sep = s_start, "start"
        for i in range(s_start, s_end):
            word = a.words[i]
            if word in HARD_SPLIT or word in SOFT_SPLIT:
                segments.append((seg_start, i, sep))
                seg_start, sep = i + 1, word
        segments.append((seg_start, s_end, sep))
        cid += 1
        current_has_verb = False
        for seg_start, seg_end, sep in segments:
            seg_has_verb = any(_is_verbish(a.words[i]) for i in range(seg_start, seg_end))
            if sep in HARD_SPLIT or (sep in SOFT_SPLIT and current_has_verb and seg_has_verb):
                cid += 1
                current_has_verb = False
            for i in range(max(seg_start - 1, s_start), seg_end):
                clause_of[i] = cid if i >= seg_start else clause_of[i]
            current_has_verb = current_has_verb or seg_has_verb
            if seg_start - 1 >= s_start:
                clause_of[seg_start - 1] = -1  # separators belong to no clause
    a.clause_of = clause_of


def _ends_scope(a: _Analysis, i: int, sentence_end: int) -> bool:
    """Whether token ``i`` stops a forward cue scope."""
    word = a.words[i]
    if word in TERMINATORS or word in SENT_END:
        return True
    if word in ("and", "or", ","):
        nxt = a.word(i + 1)
        if word == "," and nxt in ("and", "or", "nor"):
            return False
        if nxt in SUBJECTS:
            return True
        if word == ",":
            # a list "no numbness, tingling or weakness" keeps the scope going
            j = i + 1
            has_or = False
            while j < sentence_end and a.words[j] not in SENT_END and a.words[j] != ",":
                if a.words[j] in VERBISH:
                    return True
                if a.words[j] in ("or", "nor", "and"):
                    has_or = True
                j += 1
            return not has_or
    if word in PUNCT_TERMINATORS:
        return True
    return False


def _scope_cues(a: _Analysis) -> None:
    def forward(cue: _Span, limit: int = NEG_MAX_SCOPE) -> Iterable[int]:
        s_end = a.sent_bounds[a.sent_of[cue.start]][1]
        i, count = cue.end, 0
        while i < s_end and count < limit:
            if _ends_scope(a, i, s_end):
                break
            yield i
            i, count = i + 1, count + 1

    def backward(cue: _Span, limit: int = NEG_POST_MAX_SCOPE) -> Iterable[int]:
        s_start = a.sent_bounds[a.sent_of[cue.start]][0]
        i, count = cue.start - 1, 0
        while i >= s_start and count < limit:
            word = a.words[i]
            if word in TERMINATORS or word in SENT_END or word in PUNCT_TERMINATORS:
                break
            if word == "and" and a.word(i + 1) in SUBJECTS:
                break
            yield i
            i, count = i - 1, count + 1

    pseudo = {t for s in a.of("PSEUDO") for t in s.tokens}
    uncertain_tokens = {t for s in a.of("UNCERTAIN") for t in s.tokens}
    for cue in a.of("NEG_PRE"):
        if any(t in pseudo or t in uncertain_tokens for t in cue.tokens):
            continue
        scope = set(forward(cue))
        a.neg_scopes.append((set(cue.tokens), scope))
        if a.word(cue.end) in ("problem", "problems", "issue", "issues", "trouble", "wrong",
                               "difficulty", "difficulties", "change", "changes"):
            a.location_negated.update(scope)
    for cue in a.of("NEG_POST"):
        if any(t in pseudo for t in cue.tokens):
            continue
        scope = set(backward(cue))
        a.neg_scopes.append((set(cue.tokens), scope))
        a.location_negated.update(scope)
    for cue in a.of("UNCERTAIN"):
        a.uncertain.update(forward(cue))
    for cue in a.of("HYPO"):
        hypothetical = list(forward(cue))
        # "if my face is drooping" describes what is happening; "if my face droops" does not
        if any(a.words[t] in ("is", "are", "was", "were", "has", "have", "had", "been", "keeps",
                              "started", "began", "went", "gone", "am") for t in hypothetical):
            continue
        a.hypothetical.update(hypothetical)
    for cue in a.of("FUTURE"):
        a.future.update(forward(cue, limit=6))


RESOLVED = [
    ("fine", "now"), ("ok", "now"), ("okay", "now"), ("better", "now"), ("gone", "now"),
    ("not", "anymore"), ("no", "longer"), ("went", "away"), ("gone", "away"), ("resolved",),
    ("recovered",), ("cleared", "up"), ("back", "to", "normal"),
]


def _mark_historical(a: _Analysis) -> None:
    """"my face felt numb last year but it's fine now": a past episode that is over."""
    for s_start, s_end, _ in a.sent_bounds:
        words = a.words[s_start:s_end]
        if not any(tuple(words[i:i + len(r)]) == r for r in RESOLVED for i in range(len(words))):
            continue
        for span in a.of("TIME_UNIT", "TIME_SEASON"):
            if not s_start <= span.start < s_end:
                continue
            days = 120.0 if span.label == "TIME_SEASON" else _unit_days(a, span, strict=True)
            if days is not None and days >= 14:
                clause = a.clause_of[span.start]
                a.historical.update(i for i, c in enumerate(a.clause_of) if c == clause)


def _mark_general(a: _Analysis) -> None:
    """Tokens in a question about conditions in general, or a statement about people in general."""
    inquiry_phrases = [
        ("tell", "me", "about"), ("information", "about"), ("information", "on"), ("info", "on"),
        ("info", "about"), ("know", "about"), ("read", "about"), ("read", "that"),
        ("heard", "about"), ("heard", "that"), ("learn", "about"), ("is", "it", "true"),
        ("explain",),
    ]
    for s_start, s_end, is_q in a.sent_bounds:
        starts: List[int] = []
        first = s_start
        while first < s_end and a.words[first] in INTERJECTIONS | {","}:
            first += 1
        # the sentence starts like a question (footdrop/questions.py; "can't feel my toes" does not)
        if first < s_end and opens_question([a.words[first], a.word(first + 1)], asked=is_q):
            starts.append(first)
        sentence = range(s_start, s_end)
        if is_q and not any(a.words[t] in ANCHORS for t in sentence):
            # "surgery?", "numbness?", "both sides?": a topic, not a description
            a.topic.update(sentence)
        for i in range(s_start, s_end):
            word = a.words[i]
            if word in WH and i not in starts:
                starts.append(i)
            if is_q and i > s_start and a.words[i - 1] in (",", "and", "but", "so", "or") \
                    and word in QUESTION_WORDS:
                starts.append(i)
            for phrase in inquiry_phrases:
                if tuple(a.words[i:i + len(phrase)]) == phrase:
                    starts.append(i + len(phrase) - 1)
        for start in sorted(set(starts)):
            end = start + 1
            while end < s_end and a.words[end] not in {",", ";", "but", ":"} | SENT_END:
                end += 1
            span = range(start, end)
            if a.words[start] in MODALS:
                a.modal_question.update(span)
                # "can both my feet go floppy?", "could it move to my other foot?": what comes
                # after the question's verb is a possibility, unless it is described as
                # happening ("should I worry that my face is drooping?")
                verb = next((t for t in range(start + 1, end) if _is_verbish(a.words[t])
                             or a.words[t] in BASE_VERBS), None)
                if verb is not None:
                    happening = any(
                        a.words[t] in ("is", "are", "am", "keeps", "been")
                        or (a.words[t] in ("has", "have")
                            and (a.word(t + 1) in ("got", "gone", "become", "started")
                                 or a.word(t + 1).endswith("ed")))
                        for t in range(verb, end)
                    )
                    if not happening:
                        a.general.update(range(verb, end))
            # "tell me about ...", "can I ...": the asker, not a person described
            anchored = any(
                a.words[t] in ANCHORS
                and not (a.words[t] in ("me", "i") and a.word(t - 1) in REQUEST_VERBS | MODALS_DO)
                and not (a.words[t] == "me" and a.word(t - 2) in REQUEST_VERBS)
                for t in span
            )
            causal_at = [t for t in span if a.words[t] in CAUSAL or a.lemmas[t] in CAUSAL]
            for t in span:
                if not anchored or any(c < t for c in causal_at):
                    a.general.add(t)
    # statements about people in general: a clause with no person in it and a generic word
    by_clause: Dict[int, List[int]] = {}
    for i, c in enumerate(a.clause_of):
        if c >= 0:
            by_clause.setdefault(c, []).append(i)
    for tokens in by_clause.values():
        words = {a.words[t] for t in tokens}
        if not words & ANCHORS and words & GENERIC:
            a.general.update(tokens)


# ----------------------------------------------------------------------------------------
# Symptoms tied to body locations.
# ----------------------------------------------------------------------------------------

LOWER_LIMB = {"LOC_FOOT", "LOC_LEG", "LOC_SHIN", "LOC_BOTH", "LOC_LEGS_PL"}


def _location_groups(a: _Analysis, clause: int) -> List[List[_Span]]:
    locs = [s for s in a.of(*PATTERNS["LOC"].keys()) if a.clause_of[s.start] == clause]
    groups: List[List[_Span]] = []
    for loc in locs:
        if groups:
            last = groups[-1][-1]
            gap = a.words[last.end:loc.start]
            if all(g in CONJ_GROUP for g in gap) and len(gap) <= 4:
                groups[-1].append(loc)
                continue
        groups.append([loc])
    return groups


def _locations_of(a: _Analysis, finding: _Span) -> Set[str]:
    """Labels of the body locations nearest to a symptom in its clause."""
    clause = a.clause_of[finding.start]
    if clause < 0:
        return set()
    best: Optional[List[_Span]] = None
    best_distance = 10 ** 6
    for group in _location_groups(a, clause):
        distance = 10 ** 6
        for loc in group:
            if loc.end <= finding.start:
                d = finding.start - loc.end
            elif loc.start >= finding.end:
                d = loc.start - finding.end
            else:
                d = 0
            distance = min(distance, d)
        if distance < best_distance:
            best, best_distance = group, distance
    return {loc.label for loc in best} if best else set()


@dataclass
class _Finding:
    kind: str
    span: _Span
    locations: Set[str]
    present: Optional[bool]  # True present, False stated absent, None not counted
    uncertain: bool


def _findings(a: _Analysis) -> List[_Finding]:
    out: List[_Finding] = []
    for span in a.of(*PATTERNS["SX"].keys()):
        skipped = a.skipped(span)
        present: Optional[bool] = None if skipped else not a.is_negated(span)
        out.append(
            _Finding(span.label, span, _locations_of(a, span), present, a.is_uncertain(span))
        )
    return out


def _near(a: _Analysis, span: _Span, labels: Sequence[str], window: int) -> bool:
    clause = a.clause_of[span.start]
    for other in a.of(*labels):
        if a.clause_of[other.start] != clause:
            continue
        if other.end <= span.start and span.start - other.end <= window:
            return True
        if other.start >= span.end and other.start - span.end <= window:
            return True
    return False


def _in_clause(a: _Analysis, span: _Span, labels: Sequence[str]) -> bool:
    clause = a.clause_of[span.start]
    return any(a.clause_of[o.start] == clause for o in a.of(*labels))


# ----------------------------------------------------------------------------------------
# Time: onset.
# ----------------------------------------------------------------------------------------

def _number(word: str) -> Optional[float]:
    if re.fullmatch(r"\d+(\.\d+)?", word):
        return float(word)
    return NUMBER_WORDS.get(word)


def _unit_days(a: _Analysis, span: _Span, strict: bool) -> Optional[float]:
    unit = a.words[span.start]
    per = UNIT_DAYS[unit]
    i = span.start - 1
    w = a.word
    # "the other day"
    if unit == "day" and w(i) == "other" and w(i - 1) == "the":
        return 3
    skip_before = {"every", "each", "per", "once", "twice", "times", "all", "most", "these",
                   "those", "good", "bad", "whole", "long", "same", "next", "coming", "following",
                   "first", "other", "working", "school", "rest"}
    if w(i) in skip_before or (w(i) in ("a", "an") and w(i - 1) in ("once", "twice", "times")):
        return None  # "every day", "twice a day"
    if w(i) == "some" and unit in ("day", "days"):
        return None
    quantity: Optional[float] = None
    j = i
    if w(j) == "of":  # "a couple of weeks"
        j -= 1
    n = _number(w(j))
    if n is not None:
        quantity = n
        if w(j) == "an" and w(j - 1) == "half":
            quantity = 0.5
        if w(j - 1) in ("few", "couple") and w(j) in ("a", "an"):
            quantity = NUMBER_WORDS[w(j - 1)]
    if w(span.end) == "or" and _number(w(span.end + 1)) is not None:  # "a day or two"
        quantity = max(quantity or 1, _number(w(span.end + 1)) or 1)
    if quantity is None:
        quantity = PLURAL_DEFAULT if unit.endswith("s") else 1
    if strict:
        context_before = {"for", "since", "over", "past", "last", "about", "around", "nearly",
                          "almost", "roughly", "approximately", "approx", "within", "than",
                          "this", "under", "maybe", "probably", "only", "just"}
        before = {w(k) for k in range(span.start - 4, span.start)}
        after = {w(span.end), w(span.end + 1)}
        if not (before & context_before or after & {"ago", "back", "now", "earlier", "before"}):
            return None
    return quantity * per


def _onset(a: _Analysis, strict: bool) -> Optional[str]:
    def usable(span: _Span) -> bool:
        if a.skipped(span) or a.is_negated(span):
            return False
        if strict:
            if not a.described(span):
                return False
            clause = a.clause_of[span.start]
            if any(a.clause_of[s.start] == clause for s in a.of("SEEN_POS", "FUTURE")):
                return False
            # a time in a description dates the symptom only in a sentence about it
            # ("that's all for today" does not)
            sentence = a.sent_of[span.start]
            if not (set(a.sentence_words(span)) & (ONSET_WORDS | ANCHORS) or any(
                    a.sent_of[s.start] == sentence for s in a.of(*PATTERNS["SX"].keys()))):
                return False
        # "it got worse this week", "it suddenly got worse": the change, not the start;
        # "it has been getting weaker for months" still says how long it has been going on
        clause = a.clause_of[span.start]
        if any(a.clause_of[s.start] == clause for s in a.of("PROG_WORSE", "PROG_BETTER")):
            if span.label == "TIME_GRADUAL":
                return True
            if span.label != "TIME_UNIT" or a.word(span.end) == "ago":
                return False
            return any(a.word(k) in ("for", "over", "since")
                       for k in range(span.start - 4, span.start))
        return True

    if any(usable(s) for s in a.of("TIME_SUDDEN")):
        return "sudden"
    if not strict and any(usable(s) for s in a.of("TIME_QUICK")):
        return "sudden"
    durations: List[Tuple[int, float]] = []
    for span in a.of("TIME_UNIT"):
        if usable(span):
            days = _unit_days(a, span, strict)
            if days is not None:
                durations.append((span.start, days))
    for span in a.of("TIME_POINT"):
        if usable(span) and a.word(span.start - 1) not in ("until", "till", "before", "by", "of"):
            durations.append((span.start, 1.0))
    for span in a.of("TIME_POINT_DAYS"):
        if usable(span):
            durations.append((span.start, 4.0))
    for span in a.of("TIME_SEASON"):
        if usable(span):
            durations.append((span.start, 120.0))
    if not strict:  # "recently" answers "when did it start?", but is vague in a description
        for span in a.of("TIME_RECENT"):
            if usable(span):
                durations.append((span.start, 7.0))
    if durations:
        # "I fell last year but this started last week": the time of the start, not the event
        def rank(item: Tuple[int, float]) -> Tuple[int, int]:
            clause = a.clause_of[item[0]]
            words = {a.words[i] for i, c in enumerate(a.clause_of) if c == clause}
            if words & START_WORDS:
                return (0, item[0])
            if any(a.clause_of[s.start] == clause for s in a.of(*PATTERNS["PRE"].keys())):
                return (2, item[0])
            return (1, item[0])

        days = min(durations, key=rank)[1]
        if days <= SUDDEN_MAX_DAYS:
            return "sudden"
        if days <= DAYS_WEEKS_MAX_DAYS:
            return "days_weeks"
        return "gradual"
    for span in a.of("TIME_GRADUAL"):
        if not usable(span):
            continue
        if strict and a.words[span.start] in ("slowly", "slow"):
            around = {a.lemmas[k] for k in range(span.start - 3, span.end + 3) if 0 <= k < a.n}
            if not around & {"come", "start", "develop", "get", "become", "worsen", "progress",
                             "build", "creep", "begin", "happen", "go", "worse", "weak", "weaker",
                             "onset"}:
                continue
        return "gradual"
    return None


ONSET_WORDS = {
    "started", "start", "starts", "began", "begun", "begin", "noticed", "notice", "happened",
    "came", "developed", "since", "woke", "ago", "had", "have", "has", "been", "it", "this",
    "foot", "feet", "leg", "legs", "drop", "dropping", "dragging", "drags", "weak", "numb",
}
START_WORDS = {
    "started", "start", "starts", "began", "begun", "begin", "noticed", "came", "developed",
    "woke", "first", "dropping", "dragging", "drags", "dropped",
}
PAST_MARKERS = {
    "had", "was", "were", "did", "got", "ago", "last", "fell", "broke", "tore", "hurt", "went",
    "came", "been", "when", "after", "since", "following", "post", "previously", "before",
    "earlier", "then", "once", "recent", "recently", "yesterday",
}


def _event_stated(a: _Analysis, span: _Span) -> bool:
    """In a description, an injury, fall or surgery counts when it is the patient's and past:
    "I had a knee op" does; "keyhole surgery for drop foot" and "could an op fix it?" do not."""
    if not a.described(span):
        return False
    words = a.sentence_words(span)
    temporal = any(a.word(k) in ("after", "since", "following", "post", "from")
                   for k in range(span.start - 3, span.start))
    if not (temporal or set(words) & ANCHORS):
        return False
    if span.label in ("PRE_SURGERY", "PRE_INJURY"):
        return temporal or any(
            w in PAST_MARKERS or (len(w) > 4 and w.endswith("ed")) for w in words
        )
    return True


# ----------------------------------------------------------------------------------------
# Slot values from an analysis.
# ----------------------------------------------------------------------------------------

def _side(a: _Analysis, strict: bool) -> Optional[str]:
    sides: Dict[str, Optional[bool]] = {}
    for span in a.of("SIDE_LEFT", "SIDE_RIGHT", "SIDE_BOTH"):
        value = {"SIDE_LEFT": "left", "SIDE_RIGHT": "right", "SIDE_BOTH": "both"}[span.label]
        if strict:
            nxt = [a.word(span.end + k) for k in range(0, 3)]
            limb_after = any(
                s.start in range(span.end, span.end + 3) and s.label in LOWER_LIMB
                for s in a.of(*LOWER_LIMB)
            )
            side_word = nxt[0] in ("one", "side", "sided", "ones") or (
                nxt[0] in ("hand",) and nxt[1] == "side")
            on_the = (a.word(span.start - 1) in ("the", "my")
                      and a.word(span.start - 2) in ("on", "in", "to"))
            both_ok = value == "both" and (
                nxt[0] in ("of", "sides", "feet", "legs") or limb_after
                or span.end - span.start > 1)  # "both sides", "left and right"
            if not (limb_after or side_word or on_the or both_ok):
                continue
            upper_body = [
                o for o in a.of("LOC_FACE", "LOC_ARM", "LOC_HEAD", "LOC_OTHER")
                if a.clause_of[o.start] == a.clause_of[span.start]
                and not (o.start < span.end and span.start < o.end)  # "left hand side"
            ]
            if not limb_after and upper_body and not _in_clause(a, span, list(LOWER_LIMB)):
                continue  # "my mouth droops on the left"
            if a.general & set(span.tokens) or a.skipped(span) or not a.described(span):
                continue
        else:
            if a.skipped(span):
                continue
        if not a.is_negated(span):
            sides[value] = True
        else:
            sides.setdefault(value, False)
    # explicit "both" (as a span covering both sides) in the location family
    if strict:
        for span in a.of("LOC_BOTH"):
            if not a.skipped(span) and a.described(span):
                if a.is_negated(span):
                    sides.setdefault("both", False)
                else:
                    sides["both"] = True
    positive = {k for k, v in sides.items() if v}
    if "both" in positive or {"left", "right"} <= positive:
        return "both"
    if len(positive) == 1:
        return positive.pop()
    return None


def _preceded_by(a: _Analysis, strict: bool) -> Optional[str]:
    order = [("PRE_SURGERY", "surgery"), ("PRE_FALL", "fall"), ("PRE_KNEEBACK", "knee_back"),
             ("PRE_INJURY", "injury")]
    negated_any = False
    for label, value in order:
        for span in a.of(label):
            if strict and label == "PRE_KNEEBACK" and a.words[span.end - 1] == "pain":
                continue  # "back pain" in a description is a symptom, not an event before
            status = a.status(span)
            if strict and status and not _event_stated(a, span):
                continue
            if strict and status is False and not a.described(span):
                continue
            if status:
                return value
            if status is False and label != "PRE_KNEEBACK":
                negated_any = True
    none_stated = any(
        a.status(s) is not None
        # a bare "nothing" / "none" answers the question, but in a description it can be
        # about anything ("nothing wrong with my face")
        and not (strict and (s.end - s.start == 1 or not a.described(s)))
        for s in a.of("PRE_NONE")
    )
    if negated_any or none_stated:
        return "none"
    return None


def _progression(a: _Analysis, strict: bool) -> Optional[str]:
    def ok(span: _Span) -> bool:
        return not strict or a.described(span)

    for f in _findings(a):
        if f.kind == "SX_SPREAD" and f.present and not f.uncertain and ok(f.span):
            return "spreading"
    worse: List[int] = []
    stable: List[int] = []
    for span in a.of("PROG_WORSE", *([] if strict else ["PROG_WORSE_LOOSE"])):
        if not ok(span):
            continue
        status = a.status(span)
        if status:
            worse.append(span.start)
        elif status is False:
            stable.append(span.start)
    for span in a.of("PROG_STABLE", "PROG_BETTER"):
        if not ok(span):
            continue
        if strict and " ".join(a.words[span.start:span.end]) == "same":
            continue  # "the same" / "stayed the same" are needed in a description
        if strict and a.words[span.start] == "better" and a.word(span.start - 1) not in BETTER:
            continue  # "to help him walk better"
        if a.status(span):
            stable.append(span.start)
    for span in a.of("PROG_CHANGE"):
        if ok(span) and a.status(span) is False:
            stable.append(span.start)
    for f in _findings(a):
        if f.kind == "SX_SPREAD" and f.present is False and ok(f.span):
            stable.append(f.span.start)
    if worse and stable:
        return "worse" if max(worse) > max(stable) else "stable"
    if worse:
        return "worse"
    if stable:
        return "stable"
    return None


def _shin_swelling(a: _Analysis, f: "_Finding") -> bool:
    if "LOC_SHIN" not in f.locations:
        return False
    if f.kind == "SX_SWELL":
        return True
    if f.kind == "SX_TIGHT":
        sentence = a.sent_of[f.span.start]
        intense_pain = any(
            a.sent_of[p.start] == sentence and _near(a, p, ["MOD_INTENSE"], 4)
            for p in a.of("SX_PAIN")
        )
        return intense_pain
    return False


BETTER = {  # words before "better" that make it about the foot getting better
    "getting", "got", "gotten", "gets", "is", "feels", "feel", "feeling", "been", "much", "bit",
    "slightly", "little", "now", "already", "slowly", "far", "lot", "seems", "looks", "its", "it",
    "any", "no", "abit", "gradually",
}


def _combine(values: Iterable[Optional[bool]]) -> Optional[bool]:
    values = list(values)
    if any(v is True for v in values):
        return True
    if any(v is False for v in values):
        return False
    return None


def _location_only_negation(a: _Analysis, labels: Sequence[str]) -> bool:
    """"my face is fine", "no problems with my arms": a body location stated as normal."""
    for span in a.of(*labels):
        if a.skipped(span) or a.is_uncertain(span) or not a.described(span, modal=False):
            continue
        if any(t in a.location_negated for t in span.tokens):
            return True
    return False


def _booleans(a: _Analysis) -> Dict[str, bool]:
    findings = _findings(a)
    out: Dict[str, bool] = {}

    def counted(f: _Finding) -> Optional[bool]:
        if f.present is None or (f.uncertain and f.present) or not a.described(f.span, modal=False):
            return None
        return f.present

    # back or leg pain
    pain = []
    for f in findings:
        if f.kind == "SX_PAIN":
            if f.locations and not f.locations & (LOWER_LIMB | {"LOC_BACK", "LOC_SADDLE"}):
                continue
            pain.append(counted(f))
    for span in a.of("LOC_BACK"):  # "back pain", "backache"
        words = {a.words[span.start], a.words[span.end - 1]}
        if words & {"pain", "ache", "aches", "backache", "backpain"} and a.described(span, False):
            pain.append(a.status(span))
    value = _combine(pain)
    if value is not None:
        out["back_leg_pain"] = value

    # numbness (legs, feet or not said; arm/face numbness is "other weakness", saddle is bladder)
    numb = [counted(f) for f in findings if f.kind == "SX_NUMB"
            and not f.locations & {"LOC_ARM", "LOC_FACE", "LOC_SADDLE", "LOC_HEAD"}]
    value = _combine(numb)
    if value is not None:
        out["numbness"] = value

    # weakness in an arm or the face, or trouble speaking
    other = []
    for f in findings:
        if f.kind in ("SX_WEAK", "SX_NUMB") and f.locations & {"LOC_ARM", "LOC_FACE"}:
            other.append(counted(f))
        elif f.kind == "SX_DROOP" and "LOC_FACE" in f.locations:
            other.append(counted(f))
        elif f.kind == "SX_SPEECH":
            other.append(counted(f))
        elif f.kind in ("SX_ABN", "SX_PROBLEM") and "LOC_SPEECH" in f.locations:
            other.append(counted(f))
    if not any(other) and _location_only_negation(a, ["LOC_FACE", "LOC_ARM", "LOC_SPEECH"]):
        other.append(False)
    value = _combine(other)
    if value is not None:
        out["other_weakness"] = value

    # swollen, tense, very painful shin
    shin = [counted(f) for f in findings if _shin_swelling(a, f)]
    if not any(shin) and _location_only_negation(a, ["LOC_SHIN"]):
        shin.append(False)
    value = _combine(shin)
    if value is not None:
        out["shin_swelling"] = value

    # bladder or bowel changes, or numbness between the legs
    bladder = []
    for f in findings:
        if f.kind in ("SX_BLADDER", "SX_SADDLE"):
            bladder.append(counted(f))
        elif f.kind in ("SX_PROBLEM", "SX_ABN", "SX_WEAK") and "LOC_BLADDER" in f.locations:
            bladder.append(counted(f))
        elif f.kind in ("SX_NUMB",) and "LOC_SADDLE" in f.locations:
            bladder.append(counted(f))
    if not any(bladder) and _location_only_negation(a, ["LOC_BLADDER"]):
        bladder.append(False)
    value = _combine(bladder)
    if value is not None:
        out["bladder_bowel"] = value

    # already seen by a doctor or physio
    seen = [a.status(s) for s in a.of("SEEN_POS") if a.described(s)]
    # "nobody has looked at it": its own "nobody" is what makes it a no
    if any(not a.skipped(s) and not a.is_uncertain(s) and a.described(s)
           for s in a.of("SEEN_NEG")):
        seen.append(False)
    value = _combine(seen)
    if value is not None:
        out["already_seen"] = value
    return out


# ----------------------------------------------------------------------------------------
# Yes / no.
# ----------------------------------------------------------------------------------------

def _yes_no(a: _Analysis) -> Optional[bool]:
    spans = a.spans
    if spans.get("UNCERTAIN"):  # "not sure", "I don't know", "can't remember"
        return None
    yes = spans.get("YES", [])
    no = spans.get("NO", [])
    # "I am ..." / "it is ..." / "I have ..." only answer yes on their own ("I have."), not in
    # "I'm waiting to see a neurologist" or "I have an appointment next week"
    pronoun_aux = {"i", "it", "they", "he", "she", "we"}
    answer_end = {"", ".", ",", "!", "?", "yes", "though", "sometimes", "some", "a", "slightly",
                  "definitely", "already"}
    yes = [
        s for s in yes
        if not (a.words[s.start] in pronoun_aux and s.end - s.start == 2
                and a.words[s.start + 1] in ("am", "is", "are", "have", "has")
                and (a.word(s.end) not in answer_end or spans.get("FUTURE") or spans.get("HYPO")))
    ]
    # one-letter answers only on their own
    yes = [s for s in yes if a.words[s.start] != "y" or a.n <= 2]
    no = [s for s in no if a.words[s.start] != "n" or a.n <= 2]
    if yes and not no:
        return True
    if no and not yes:
        return False
    return None


# ----------------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------------

def _text_ok(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def parse_side(text: str) -> Optional[str]:
    """Which foot: "left", "right", "both", or None."""
    if not _text_ok(text):
        return None
    a = _analyse(text)
    value = _side(a, strict=False)
    if value is None and a.of("LOC_BOTH", "LOC_LEGS_PL"):
        if any(not a.is_negated(s) and not a.skipped(s) for s in a.of("LOC_BOTH", "LOC_LEGS_PL")):
            return "both"
    return value


def parse_onset(text: str) -> Optional[str]:
    """How it started: "sudden" (hours), "days_weeks", "gradual" (months), or None."""
    if not _text_ok(text):
        return None
    return _onset(_analyse(text), strict=False)


def parse_preceded_by(text: str) -> Optional[str]:
    """What came before it: "injury", "fall", "knee_back", "surgery", "none", or None.

    One value: surgery > fall > knee or back problem > injury when several are named
    ("I fell and hurt my knee" -> "fall"; a knee or back operation -> "surgery").
    """
    if not _text_ok(text):
        return None
    a = _analyse(text)
    value = _preceded_by(a, strict=False)
    if value is not None:
        return value
    if parse_yes_no(text) is False:
        return "none"
    return None


def parse_yes_no(text: str) -> Optional[bool]:
    """Yes -> True, no -> False, anything else (including "not sure") -> None."""
    if not _text_ok(text):
        return None
    return _yes_no(_analyse(text, yes_no=True))


def parse_progression(text: str) -> Optional[str]:
    """"stable" (same, or better), "worse", "spreading", or None."""
    if not _text_ok(text):
        return None
    return _progression(_analyse(text), strict=False)


def extract_answers(text: str) -> Dict[str, object]:
    """Every symptom-check slot a free-text description states, e.g.

    "my left foot started dragging suddenly this morning and my arm feels weak"
    -> {"affected_side": "left", "onset": "sudden", "other_weakness": True}
    """
    if not _text_ok(text):
        return {}
    a = _analyse(text)
    out: Dict[str, object] = {}
    side = _side(a, strict=True)
    if side:
        out["affected_side"] = side
    onset = _onset(a, strict=True)
    if onset:
        out["onset"] = onset
    preceded = _preceded_by(a, strict=True)
    if preceded:
        out["preceded_by"] = preceded
    out.update(_booleans(a))
    progression = _progression(a, strict=True)
    if progression:
        out["progression"] = progression
    return out
