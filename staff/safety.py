"""The safety path: the changes only a clinician may make (or undo), defined here and only here.

On the safety path are:

- the emergency signs and messages, the context rules and the symptom check's questions:
  ``content/emergency_*.yml``, ``content/context_rules.yml``, ``content/symptom_check.yml``;
- every response in domain.yml that is not a topic's answer (``utter_<intent>`` of an ``ask_...``
  intent): the emergency message, the safety question, "not a diagnosis", the symptom check's
  texts, and the rest the assistant says outside the topics.

An editor may propose a topic's answer (a clinician approves it, staff/approvals.py); anything
on the safety path is a clinician's change, and the console refuses an editor's attempt with
``SafetyError``, whose message says why.
"""

from __future__ import annotations

from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import yaml

from staff.topics import topic_responses
from tools.check import DOMAIN, Project

SAFETY_FILES = ("content/emergency_*.yml", "content/context_rules.yml", "content/symptom_check.yml")


class SafetyError(PermissionError):
    """An editor tried to change something on the safety path; the message says what and why."""


def is_safety_file(relative: str) -> bool:
    return any(fnmatch(relative, pattern) for pattern in SAFETY_FILES)


def is_safety_response(parsed: Project, response: str) -> bool:
    """True for every domain.yml response that is not a topic's answer."""
    return response not in topic_responses(parsed)


@lru_cache(maxsize=64)
def _domain(text: Optional[str]) -> Dict[str, Any]:
    """domain.yml's text parsed (read only: the result is shared); {} when it does not parse.
    Cached: the history page reads the same versions again and again."""
    try:
        content = yaml.load(text or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return content if isinstance(content, dict) else {}


def changed_safety_responses(old_domain: Optional[str], new_domain: Optional[str]) -> List[str]:
    """The responses on the safety path that differ between two texts of domain.yml."""
    old, new = _domain(old_domain), _domain(new_domain)
    topics = set()
    for domain in (old, new):
        topics |= set(topic_responses(Project(root=Path("."), domain=domain)))
    old_responses, new_responses = old.get("responses") or {}, new.get("responses") or {}
    return sorted(name for name in set(old_responses) | set(new_responses)
                  if name not in topics and old_responses.get(name) != new_responses.get(name))


def safety_reasons(files: Iterable[str], old_domain: Optional[str] = None,
                   new_domain: Optional[str] = None) -> List[str]:
    """Why a change to `files` (with domain.yml's text before and after, when it is one of them)
    is on the safety path, in plain words; empty when it is not."""
    reasons = [f"it changes {path}, which holds what the assistant does about emergencies and the symptom check"
               for path in sorted(set(files)) if is_safety_file(path)]
    if DOMAIN in files:
        reasons += [f"it changes the message '{name}', which is not a topic's answer"
                    for name in changed_safety_responses(old_domain, new_domain)]
    return reasons


def refusal(reasons: List[str]) -> str:
    """The message an editor gets when a change is a clinician's."""
    return ("Only a clinician may make this change: " + "; ".join(reasons) + ". Safety messages are "
            "checked by a clinician before patients see them. Ask a clinician to do it.")
