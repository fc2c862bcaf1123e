"""The medical claims an answer makes, and which of them the guide sections it cites do not make.

A claim is a term of ``content/terminology.yml`` of one of the types in ``CLAIM_TYPES``: a body
structure ("anatomy"), a cause, a symptom, a treatment or a device. Claims are found by the
pipeline the assistant's NLU runs on (footdrop/language.py: the blank English spaCy pipeline with
the terminology's EntityRuler, so "massage" and "manual therapy" are one claim, treatment
``manual_therapy``). An answer may name only what the sections in its ``From:`` line name:
``unsupported_claims`` returns the rest.

`make check` (tools/check.py), the staff console's check as staff type (through tools/check.py)
and tests/unit/test_content.py all use this module. The pipeline is built once per process from
content/terminology.yml, when first needed (about a second, most of it importing spaCy); after
that a check takes milliseconds. Imports nothing from Rasa.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Tuple

if TYPE_CHECKING:
    from spacy.language import Language

#: entity types of content/terminology.yml whose terms are medical claims
CLAIM_TYPES = ("anatomy", "cause", "symptom", "treatment", "device")


@dataclass(frozen=True, order=True)
class Claim:
    kind: str  # its entity type in content/terminology.yml, one of CLAIM_TYPES
    term: str  # its canonical value there, e.g. "manual_therapy"


_lock = threading.Lock()  # one build of the pipeline; one text through it at a time
_nlp: Optional["Language"] = None


def _import_language() -> ModuleType:
    """footdrop.language, which imports spaCy, without spaCy's thinc importing TensorFlow.

    thinc imports TensorFlow when it is installed (Rasa needs it), which takes seconds and
    hundreds of MB and logs to the terminal; this pipeline never uses it. So, unless TensorFlow
    or thinc is already loaded in this process, ``import tensorflow`` is made to fail while spaCy
    is first imported, and works again afterwards (thinc then goes on without TensorFlow, which
    nothing here asks of it)."""
    if "tensorflow" in sys.modules or "thinc" in sys.modules:
        from footdrop import language
        return language
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # `import tensorflow` raises ImportError
    try:
        from footdrop import language
    finally:
        if sys.modules.get("tensorflow", False) is None:
            del sys.modules["tensorflow"]
    return language


def pipeline() -> "Language":
    """The spaCy pipeline of footdrop/language.py with the terminology of content/terminology.yml,
    built on the first call and kept for the life of the process."""
    global _nlp
    with _lock:
        if _nlp is None:
            language = _import_language()
            _nlp = language.build_pipeline(language.load_terminology())
        return _nlp


@lru_cache(maxsize=256)
def named_claims(text: str) -> Tuple[Tuple[Claim, str], ...]:
    """Each claim ``text`` makes, with the words that name it, in the order they come."""
    nlp = pipeline()
    with _lock:
        entities = [(e.label_, e.ent_id_, e.text) for e in nlp(text).ents]
    return tuple((Claim(kind, term), words) for kind, term, words in entities if kind in CLAIM_TYPES)


def claims(text: str) -> FrozenSet[Claim]:
    """The claims ``text`` makes."""
    return frozenset(claim for claim, _ in named_claims(text))


def unsupported_claims(body: str, sections: Iterable[str]) -> Dict[Claim, List[str]]:
    """The claims an answer's ``body`` makes that none of ``sections`` (the texts of the guide
    sections it cites) makes, each with the words the body names it by (as written, without
    repeats), in the order the body first names them. Empty when the body says nothing more."""
    found: FrozenSet[Claim] = frozenset().union(*(claims(section) for section in sections))
    unsupported: Dict[Claim, List[str]] = {}
    for claim, words in named_claims(body):
        if claim not in found:
            said = unsupported.setdefault(claim, [])
            if words.lower() not in (w.lower() for w in said):
                said.append(words)
    return unsupported
