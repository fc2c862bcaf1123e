"""The emergency signs of ``content/emergency_signs.yml``. Imports only PyYAML.

Both servers read this file: the Rasa server's red-flag detector (``footdrop.red_flags``) finds
the signs in a message, and the action server names them in the emergency message (``why``).
``load_signs()`` checks it and raises ``SignsError`` naming the file, the sign and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SIGNS_FILE = ROOT / "content" / "emergency_signs.yml"


class SignsError(ValueError):
    """The signs or examples file is wrong; the message names the file, the sign and the field."""


@dataclass(frozen=True)
class Sign:
    id: str
    group: str
    name: str
    why: str
    words: Tuple[str, ...]
    gone_again_counts: bool = False


@lru_cache(maxsize=4)
def load_signs(path: Path = SIGNS_FILE) -> Dict[str, Sign]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    signs = raw.get("signs")
    if not isinstance(signs, dict) or not signs:
        raise SignsError(f"{path.name}: 'signs' must map sign ids to their details")
    out = {}
    for sign_id, entry in signs.items():
        where = f"{path.name}: sign '{sign_id}'"
        if not isinstance(entry, dict):
            raise SignsError(f"{where}: must have group, name, why and words")
        for key in ("group", "name", "why"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise SignsError(f"{where}: needs '{key}' text")
        words = entry.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise SignsError(f"{where}: 'words' must be a list of words or phrases")
        out[sign_id] = Sign(sign_id, entry["group"].strip(), entry["name"].strip(), " ".join(entry["why"].split()),
                            tuple(w.strip() for w in words), bool(entry.get("gone_again_counts", False)))
    return out


def load_not_forms(path: Path = SIGNS_FILE) -> Tuple[str, ...]:
    """Words spaCy's lemma tables give as forms of sign words that mean something else."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = raw.get("not_forms") or []
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise SignsError(f"{path.name}: 'not_forms' must be a list of words")
    return tuple(w.strip().lower() for w in words)
