"""Builds the spaCy pipeline the assistant's NLU runs on, without downloading a model.

A blank English pipeline (spaCy's rule-based tokenizer), the lookup lemmatizer with
tables from spacy-lookups-data (so "feet" meets "foot" and "dragging" meets "drag"),
and an EntityRuler whose patterns come from ``terminology.yml``.

Rasa's ``SpacyNLP`` loads the result from disk by path (``config.yml``), so the rest
of the NLU pipeline uses Rasa's own spaCy components. This module imports nothing
from Rasa.

    python -m footdrop.language build/spacy/en_footdrop
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, List, cast

import spacy
import yaml
from spacy.language import Language
from spacy.pipeline import EntityRuler

TERMINOLOGY_FILE = Path(__file__).resolve().parent.parent / "content" / "terminology.yml"

Terminology = Dict[str, Dict[str, List[str]]]


class TerminologyError(ValueError):
    """The terminology file does not have the expected layout."""


def load_terminology(path: Path = TERMINOLOGY_FILE) -> Terminology:
    """Reads and checks ``entity_type -> canonical_value -> [phrases]``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise TerminologyError(f"{path}: expected entity types at the top level.")
    for entity_type, values in data.items():
        if not isinstance(values, dict) or not values:
            raise TerminologyError(
                f"{path}: '{entity_type}' must map canonical values to lists of phrases."
            )
        for canonical, phrases in values.items():
            if not isinstance(phrases, list) or not all(
                isinstance(p, str) and p.strip() for p in phrases
            ):
                raise TerminologyError(
                    f"{path}: '{entity_type}.{canonical}' must be a list of non-empty phrases."
                )
    return data


def entity_patterns(terminology: Terminology) -> List[Dict[str, Any]]:
    """One EntityRuler phrase pattern per phrase, labelled with its entity type.

    The pattern ``id`` carries the canonical value; spaCy exposes it as ``ent.ent_id_``.
    """
    return [
        {"label": entity_type, "pattern": phrase.lower(), "id": canonical}
        for entity_type, values in terminology.items()
        for canonical, phrases in values.items()
        for phrase in phrases
    ]


def build_pipeline(terminology: Terminology) -> Language:
    """Blank English + lookup lemmatizer + EntityRuler for the clinical vocabulary."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    # LOWER: Rasa hands the raw message to entity extraction, so match case-insensitively.
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}))
    # Loads the lookup tables from spacy-lookups-data; they are saved with the pipeline.
    nlp.initialize()
    ruler.add_patterns(entity_patterns(terminology))
    nlp.meta["name"] = "footdrop_blank"
    nlp.meta["description"] = "Blank English pipeline with lookup lemmas and foot drop terminology"
    return nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="directory to write the pipeline to")
    parser.add_argument("--terminology", type=Path, default=TERMINOLOGY_FILE)
    args = parser.parse_args()
    terminology = load_terminology(args.terminology)
    nlp = build_pipeline(terminology)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    print(f"spaCy pipeline written to {args.output} ({len(entity_patterns(terminology))} patterns)")


if __name__ == "__main__":
    main()
