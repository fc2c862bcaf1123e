"""Emergency signs in a patient's own words: the red-flag detector. Imports nothing from Rasa.

How a message is read (``RedFlagDetector.assess``):

1. ``footdrop.context.ContextReader`` corrects typos of sign words, splits the message into
   parts (the whole message, each sentence, each clause) and finds the sign words of
   ``content/emergency_signs.yml`` with the context that reaches each one
   (``content/context_rules.yml``: denied, only a "what if", long ago, gone again, a known
   harmless cause, or unsure).
2. The sentence encoder (``footdrop.encoder``) turns every part into a vector, and a
   classifier gives, for each part, the probability of each sign and of "harmless". The
   classifier is scikit-learn's logistic regression, fitted on the vectors of the lay examples
   of every sign and of the harmless messages in ``content/emergency_examples.yml`` and
   ``content/emergency_messages.yml`` when the detector loads (kept in
   ``build/encoder/cache/`` until those files or the model change).
3. A part's probability for a sign counts unless the part's words for that sign are all set
   aside by their context (a general question, "no ...", "what if ...", "years ago", a known
   cause; "gone again" only for signs without ``gone_again_counts``). A part with none of the
   sign's words counts less (``unworded_penalty``): meaning alone must be surer.
4. The message is an **emergency** when a part's probability for a sign reaches
   ``thresholds.emergency`` (for a clause, only if its sentence and the whole message reach
   ``thresholds.whole_sentence`` too: "my arm went dead" misleads in "my arm went dead cos I
   slept on it"); **ask** (one safety question: is this happening now?) when the best one is
   between ``thresholds.ask`` and ``emergency``, or only a clause reads as an emergency;
   otherwise **none**.

The thresholds are set on the development part of the red-flag evaluation set
(``tests/red_flags/dev.yml``) and checked on its test part, which is never used for tuning
(``make evaluate``; docs/triage.md explains both for staff).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import yaml

from footdrop.context import RULES_FILE, ContextReader, Part, Reading, load_rules
from footdrop.encoder import DEFAULT_DIR, SentenceEncoder, shared_encoder
from footdrop.signs import SIGNS_FILE, Sign, SignsError, load_not_forms, load_signs

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_FILES = (ROOT / "content" / "emergency_examples.yml", ROOT / "content" / "emergency_messages.yml")
#: The assistant's own NLU training data: what patients ask is harmless too (see below).
NLU_FILES = (ROOT / "data" / "nlu.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml")))
#: Intents whose training examples can describe a sign happening now ("tight swollen shin and
#: dropped foot, is that compartment syndrome?"): never taught to the detector as harmless.
NOT_HARMLESS_INTENTS = frozenset({
    "emergency", "red_flag_check", "describe_symptoms", "ask_cause_compartment_syndrome",
    "ask_one_or_both_feet", "ask_symptom_pain_numbness", "ask_cause_stroke",
})

EMERGENCY = "emergency"
ASK = "ask"
NONE = "none"
#: Context categories that set a sign word aside (GONE only for signs that must not come and go).
SET_ASIDE = frozenset({"DENIED", "WHAT_IF", "LONG_AGO", "KNOWN_CAUSE"})
#: A sign is named when it has at least this share of a part's probability of some sign.
SHARE = 0.15
#: The classifier's regularisation (scikit-learn's C): chosen on the development set.
REGULARISATION = 100.0


@dataclass(frozen=True)
class Thresholds:
    """Probabilities that decide; set on the development set (docs/triage.md)."""

    emergency: float = 0.85
    ask: float = 0.4
    #: taken off the probability of a part that has none of the sign's words
    unworded_penalty: float = 0.15
    #: a part this similar to an example of a sign, with a word of the sign and nearer to it than
    #: to any harmless line, is at least "ask" ...
    similar: float = 0.7
    #: ... and this similar (almost the same words as an example), an emergency
    same: float = 0.9
    #: a part with a word of the sign that is at least ``nearer_floor`` similar to an example of
    #: the sign and ``nearer_margin`` nearer to it than to any harmless line is "ask" too (odd
    #: behaviour told in words no example uses: "put her shoes in the fridge and called me by
    #: my brother's name")
    nearer_floor: float = 0.6
    nearer_margin: float = 0.15
    #: a question ("would surgery fix my foot drop?") needs this much to get the safety question
    question_ask: float = 0.8
    #: a part this much closer to a harmless line than to any example of the sign is not sure
    #: enough for the emergency message at once (it gets the safety question instead)
    harmless_margin: float = 0.03
    #: a clause that reaches ``emergency`` gives the emergency message at once only when its
    #: sentence and the whole message score at least this too; when only the clause does ("my
    #: right arm is dead and tingly", then "cos I slept on it"), the rest may give a harmless
    #: cause: the safety question instead (a sentence that states a sign needs no more)
    whole_sentence: float = 0.1


@dataclass(frozen=True)
class Finding:
    """Why a sign was found: the part of the message, and the nearest example of the sign."""

    sign: str
    score: float
    part: str
    example: str


@dataclass(frozen=True)
class Assessment:
    level: str  # EMERGENCY, ASK or NONE
    findings: Tuple[Finding, ...] = field(default_factory=tuple)
    #: the message names a sign in words that its context does not set aside ("my bum is numb")
    names_a_sign: bool = False

    @property
    def signs(self) -> Tuple[str, ...]:
        """The signs found, the most certain first."""
        return tuple(f.sign for f in self.findings)


@dataclass
class Scores:
    """A message read and scored, before the thresholds decide (``RedFlagDetector.decide``)."""

    reading: Reading
    parts: List[Part]
    vectors: np.ndarray  # parts x dimension
    probability: np.ndarray  # parts x signs: the classifier's probability of each sign
    similarity: np.ndarray  # parts x signs: cosine similarity with the sign's nearest example
    harmless_similarity: np.ndarray  # parts: cosine similarity with the nearest harmless line
    states: List[List[str]]  # parts x signs: "live", "aside" or "none" (see _words_state)


def load_examples(
    signs: Mapping[str, Sign], paths: Sequence[Path] = EXAMPLES_FILES
) -> Tuple[Dict[str, List[str]], List[str]]:
    """Each sign's examples, and every harmless example (of all signs together), from all files."""
    examples: Dict[str, List[str]] = {sign_id: [] for sign_id in signs}
    harmless: List[str] = []
    for path in paths:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = raw.get("signs")
        if not isinstance(entries, dict):
            raise SignsError(f"{path.name}: 'signs' must map sign ids to their examples")
        unknown = [s for s in entries if s not in signs]
        if unknown:
            raise SignsError(f"{path.name}: examples for signs that content/emergency_signs.yml does not list: {unknown}")
        for sign_id, entry in entries.items():
            for key in ("examples", "harmless"):
                lines = (entry or {}).get(key) or []
                if not isinstance(lines, list) or not all(isinstance(t, str) and t.strip() for t in lines):
                    raise SignsError(f"{path.name}: sign '{sign_id}': '{key}' must be a list of lines")
            examples[sign_id] += [" ".join(t.split()) for t in entry.get("examples") or []]
            harmless += [" ".join(t.split()) for t in entry.get("harmless") or []]
    missing = [s for s, lines in examples.items() if not lines]
    if missing:
        raise SignsError(f"{', '.join(p.name for p in paths)}: no examples for the signs {missing}")
    return examples, harmless


def load_nlu_harmless(paths: Sequence[Path] = NLU_FILES) -> List[str]:
    """The NLU training examples of every intent that cannot describe a sign happening now:
    greetings, answers to the symptom check, questions about foot drop ... The detector learns
    from them what ordinary messages look like (``NOT_HARMLESS_INTENTS`` are left out)."""
    lines: List[str] = []
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block or block["intent"] in NOT_HARMLESS_INTENTS:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- ") and line[2:].strip():
                    lines.append(" ".join(line[2:].split()))
    return lines


@dataclass(frozen=True)
class Model:
    """The example vectors and the classifier fitted on them."""

    vectors: np.ndarray  # examples then harmless lines
    weights: np.ndarray  # (signs + 1) x dimension; the last row is "harmless"
    bias: np.ndarray


def fit_model(encoder: SentenceEncoder, examples: Mapping[str, Sequence[str]], harmless: Sequence[str],
              cache_dir: Path) -> Model:
    """Vectors of every example and the fitted classifier, from a cache file named by the hash
    of the lines, the encoder and the settings (fitted again when any of them changes)."""
    texts = [t for lines in examples.values() for t in lines] + list(harmless)
    labels = np.array([i for i, lines in enumerate(examples.values()) for _ in lines] + [len(examples)] * len(harmless))
    key = hashlib.sha256(f"{encoder.manifest['sha256']['model.onnx']} C={REGULARISATION} v2".encode())
    for sign_id in examples:
        key.update(f"\0sign:{sign_id}".encode())
    for text in texts:
        key.update(b"\0" + text.encode("utf-8"))
    path = cache_dir / f"red-flags-{key.hexdigest()[:24]}.npz"
    if path.is_file():
        with np.load(path) as cached:
            return Model(cached["vectors"], cached["weights"], cached["bias"])
    from sklearn.linear_model import LogisticRegression

    vectors = encoder.embed_many(texts, keep=True)
    classifier = LogisticRegression(C=REGULARISATION, max_iter=5000)
    classifier.fit(vectors, labels)
    model = Model(vectors, classifier.coef_.astype(np.float32), classifier.intercept_.astype(np.float32))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, vectors=model.vectors, weights=model.weights, bias=model.bias)
        os.replace(temporary, path)
        for stale in cache_dir.glob("red-flags-*.npz"):  # fitted on lines since changed
            if stale != path:
                stale.unlink()
    except OSError as error:  # a read-only disk: fit again next time
        logger.warning("Could not keep the red-flag model in %s (%s)", cache_dir, type(error).__name__)
    return model


class RedFlagDetector:
    """Finds emergency signs stated in a message (see the module doc)."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        reader: ContextReader,
        signs: Mapping[str, Sign],
        examples: Mapping[str, Sequence[str]],
        model: Model,
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self.encoder = encoder
        self.reader = reader
        self.signs = dict(signs)
        self.thresholds = thresholds
        self._sign_ids = list(signs)
        self._example_texts = [t for s in self._sign_ids for t in examples[s]]
        counts = [len(examples[s]) for s in self._sign_ids]
        self._example_columns = np.split(np.arange(sum(counts)), np.cumsum(counts)[:-1])
        self._starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self._model = model

    @classmethod
    def load(
        cls,
        encoder: Optional[SentenceEncoder] = None,
        encoder_dir: Path = DEFAULT_DIR,
        signs_file: Path = SIGNS_FILE,
        examples_files: Sequence[Path] = EXAMPLES_FILES,
        nlu_files: Sequence[Path] = NLU_FILES,
        rules_file: Path = RULES_FILE,
        thresholds: Thresholds = Thresholds(),
    ) -> "RedFlagDetector":
        encoder = encoder or SentenceEncoder.load(encoder_dir)
        signs = load_signs(signs_file)
        examples, harmless = load_examples(signs, examples_files)
        harmless += load_nlu_harmless(nlu_files)
        reader = ContextReader(
            {s: sign.words for s, sign in signs.items()}, load_rules(rules_file), encoder.words(), load_not_forms(signs_file)
        )
        model = fit_model(encoder, examples, harmless, encoder.directory / "cache")
        return cls(encoder, reader, signs, examples, model, thresholds)

    # ------------------------------------------------------------------------------------
    def _words_state(self, reading: Reading, part: Part, sign: Sign) -> str:
        """"live" if the part states a word of the sign that its context does not set aside,
        "aside" if it has the sign's words but all are set aside (or the part is a general
        question), "none" if it has no word of the sign."""
        if part.general_question:
            return "aside"
        words = [w for w in reading.words_in(part) if sign.id in w.signs]
        if not words:
            return "none"
        aside = SET_ASIDE if sign.gone_again_counts else SET_ASIDE | {"GONE"}
        return "aside" if all(w.categories & aside for w in words) else "live"

    def score(self, text: str) -> Scores:
        """Every part of the message, the probability of each sign, and its words' state."""
        reading = self.reader.read(text)
        parts = list(reading.parts)
        vectors = self.encoder.embed([p.text for p in parts])
        logits = vectors @ self._model.weights.T + self._model.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        probability = (odds / odds.sum(axis=1, keepdims=True))[:, : len(self._sign_ids)]
        cosine = vectors @ self._model.vectors.T
        examples = len(self._example_texts)
        similarity = np.maximum.reduceat(cosine[:, :examples], self._starts, axis=1)
        harmless_similarity = cosine[:, examples:].max(axis=1)
        states = [[self._words_state(reading, part, self.signs[s]) for s in self._sign_ids] for part in parts]
        return Scores(reading, parts, vectors, probability, similarity, harmless_similarity, states)

    def decide(self, scores: Scores, thresholds: Optional[Thresholds] = None) -> Assessment:
        """The level and the signs found, from a message's scores and the thresholds.

        A part's score is the classifier's probability that it states *some* sign (several
        signs in one message, "his face droops and his words are slurred", share it), counting
        only the signs its context does not set aside, and counting the signs none of whose
        words it uses less (``unworded_penalty``)."""
        t = thresholds or self.thresholds
        best: Dict[int, Tuple[float, int]] = {}
        part_score: Dict[int, float] = {}
        for row, states in enumerate(scores.states):
            question = scores.parts[row].question
            floor = max(t.ask, t.question_ask) if question else t.ask
            probability = scores.probability[row]
            eligible = [i for i, state in enumerate(states) if state != "aside"]
            score = self._part_score(probability, states, t)
            signs = [i for i in eligible if probability[i] >= SHARE * max(score, 1e-9)]
            for i in eligible:
                similar = float(scores.similarity[row, i])
                if states[i] == "live" and similar > scores.harmless_similarity[row] + t.harmless_margin:
                    if similar >= t.same:
                        score = max(score, t.emergency)  # almost the words of an example of the sign
                        signs.append(i)
                    elif not question and (
                        similar >= t.similar
                        or (similar >= t.nearer_floor and similar - scores.harmless_similarity[row] >= t.nearer_margin)
                    ):
                        score = max(score, t.ask)  # more like the sign than anything harmless
                        signs.append(i)
            part_score[row] = score
            if not signs:
                continue
            top = max(signs, key=lambda i: probability[i])
            if score >= t.emergency and scores.harmless_similarity[row] > scores.similarity[row, top] + t.harmless_margin:
                score = min(score, t.emergency - 1e-6)  # a harmless line is much nearer
            if score >= t.emergency and scores.parts[row].kind == "clause" and min(
                part_score[r] for r in self._around(scores.parts, row)
            ) < t.whole_sentence:
                score = min(score, t.emergency - 1e-6)  # only the clause reads as an emergency
            if score >= t.emergency or score >= floor:
                for i in set(signs):
                    if score > best.get(i, (-1.0, 0))[0]:
                        best[i] = (score, row)
        names_a_sign = any(state == "live" for states in scores.states for state in states)
        if not best:
            return Assessment(NONE, names_a_sign=names_a_sign)
        top_score = max(score for score, _ in best.values())
        level = EMERGENCY if top_score >= t.emergency else ASK
        floor = t.emergency if level == EMERGENCY else t.ask
        findings = [self._finding(scores, index, score, row) for index, (score, row) in best.items() if score >= floor]
        return Assessment(level, tuple(sorted(findings, key=lambda f: (-f.score, f.sign))), names_a_sign)

    @staticmethod
    def _around(parts: Sequence[Part], row: int) -> List[int]:
        """The rows of the sentence and the message a part is in."""
        part = parts[row]
        return [r for r, p in enumerate(parts) if p.kind != "clause" and p.start <= part.start and p.end >= part.end]

    @staticmethod
    def _part_score(probability: np.ndarray, states: Sequence[str], t: Thresholds) -> float:
        """The probability that a part states some sign: the signs whose words it states in full,
        plus the signs none of whose words it uses less ``unworded_penalty``; signs whose words
        its context sets aside do not count."""
        worded = sum(float(p) for p, state in zip(probability, states) if state == "live")
        unworded = sum(float(p) for p, state in zip(probability, states) if state == "none")
        return worded + max(0.0, unworded - t.unworded_penalty)

    def _finding(self, scores: Scores, index: int, score: float, row: int) -> Finding:
        columns = self._example_columns[index]
        nearest = columns[int((self._model.vectors[columns] @ scores.vectors[row]).argmax())]
        return Finding(self._sign_ids[index], score, scores.parts[row].text, self._example_texts[nearest])

    def message_text(self, text: str) -> str:
        """The text the detector embeds for the whole message (typos of sign words corrected):
        a component that embeds the same text shares the encoder's cached vector with it."""
        return self.reader.message_text(text)

    def assess(self, text: str) -> Assessment:
        """EMERGENCY, ASK or NONE for one message, with the signs and why (see the module doc)."""
        if not isinstance(text, str) or not text.strip():
            return Assessment(NONE)
        scores = self.score(text)
        return self.decide(scores) if scores.parts else Assessment(NONE)


_SHARED: Dict[Tuple[Path, Thresholds], RedFlagDetector] = {}


def shared_detector(encoder_dir: Path = DEFAULT_DIR, thresholds: Thresholds = Thresholds()) -> RedFlagDetector:
    """One detector (and one encoder) per process, however many components ask for it."""
    key = (Path(encoder_dir).resolve(), thresholds)
    if key not in _SHARED:
        _SHARED[key] = RedFlagDetector.load(encoder=shared_encoder(key[0]), encoder_dir=key[0], thresholds=thresholds)
    return _SHARED[key]


def main() -> None:
    """Fits the detector's classifier (kept in build/encoder/cache) and shows how it reads a
    message: ``python -m footdrop.red_flags ["a message" ...]`` (``make train`` runs it)."""
    import sys

    detector = RedFlagDetector.load()
    print(f"Red-flag detector ready: {len(detector.signs)} signs, "
          f"{len(detector._example_texts)} examples, {len(detector._model.vectors) - len(detector._example_texts)} "
          "harmless lines")
    for text in sys.argv[1:]:
        assessment = detector.assess(text)
        print(f"{assessment.level}: {text}")
        for finding in assessment.findings:
            print(f"  {finding.sign} {finding.score:.2f} in {finding.part!r} (like {finding.example!r})")


if __name__ == "__main__":
    main()
