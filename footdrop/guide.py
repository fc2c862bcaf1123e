"""The patient guide and the shape of the answers written from it. Imports nothing from Rasa.

Every topic answer in ``domain.yml`` is one message with three parts, one per line:

1. the body: facts from the guide in plain words (one or more lines; "- " starts a list item);
2. one care-note line: whom to see (doctor, physical therapist) or when to get emergency care;
3. the source line: ``From: <section>[; <section>...]`` naming sections in ``content/sections.yml``.

(No blank lines: Rasa's REST and socket.io channels would split the answer at them
into separate messages, and the source would lose its answer.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SECTIONS_FILE = ROOT / "content" / "sections.yml"
SOURCE_PREFIX = "From: "


@dataclass(frozen=True)
class Answer:
    body: str
    care_note: str
    sources: Tuple[str, ...]


def load_sections(sections_file: Path = SECTIONS_FILE) -> Dict[str, str]:
    """Section title -> the guide's text of that section, in document order."""
    spec = yaml.safe_load(sections_file.read_text(encoding="utf-8"))
    document = (ROOT / spec["document"]).read_text(encoding="utf-8")
    return split_sections(spec, document, str(sections_file))


def split_sections(spec: Dict[str, Any], document: str, where: str = str(SECTIONS_FILE)) -> Dict[str, str]:
    """Section title -> its text in ``document`` (the guide), in document order, as ``spec`` (the
    parsed content/sections.yml, read from ``where``) divides it. ValueError for a section whose
    ``starts`` text is not in the guide."""
    starts = []
    for section in spec["sections"]:
        position = document.find(section["starts"])
        if position < 0:
            raise ValueError(
                f"{where}: section '{section['title']}' starts with text that is not "
                f"in {spec['document']}: {section['starts']!r}"
            )
        starts.append((position, section["title"]))
    starts.sort()
    ends = [position for position, _ in starts[1:]] + [len(document)]
    return {title: document[start:end].strip() for (start, title), end in zip(starts, ends)}


def split_answer(text: str) -> Optional[Answer]:
    """Splits a topic answer into its parts; ``None`` if it has no source line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 3 or not lines[-1].startswith(SOURCE_PREFIX):
        return None
    sources = tuple(s.strip() for s in lines[-1][len(SOURCE_PREFIX):].split(";") if s.strip())
    return Answer(body="\n".join(lines[:-2]), care_note=lines[-2], sources=sources)


def readable_text(text: str) -> str:
    """The text as a reader meets it: each bullet item is a sentence of its own."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            stripped = stripped[2:]
            if stripped and stripped[-1] not in ".!?:":
                stripped += "."
        lines.append(stripped)
    return "\n".join(lines)


def topic_answers(responses: Dict[str, List[dict]]) -> Dict[str, str]:
    """Response name -> text, for every response whose text carries a source line."""
    return {
        name: variation["text"]
        for name, variations in responses.items()
        for variation in variations[:1]
        if SOURCE_PREFIX in variation.get("text", "")
    }
