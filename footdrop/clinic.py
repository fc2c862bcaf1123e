"""The clinic's contact details from the staff-edited ``clinic.yml``. Imports nothing from Rasa.

``load_clinic()`` validates the file and raises :class:`ClinicConfigError` with a message
that names the file and the field ("clinic.yml: 'phone' must be ..."), so a mistake is
caught when the action server starts (and by ``make test``), not in front of a patient.

    python -m footdrop.clinic            # checks clinic.yml, prints what patients will see
"""

from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

CLINIC_FILE = Path(__file__).resolve().parent.parent / "clinic.yml"

_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{2,24}$")
_EMERGENCY = re.compile(r"^[0-9]{2,4}$")
_URL = re.compile(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$")
_FIELDS = ("name", "phone", "booking_url", "hours", "emergency_number")


class ClinicConfigError(ValueError):
    """clinic.yml is missing, unreadable, or has a bad field; the message says which."""


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    booking_url: Optional[str]
    hours: str
    emergency_number: str = "911"

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _text(raw: Dict[str, Any], field: str, where: str) -> str:
    """A field clinic.yml must have, checked (see ``_optional_text``)."""
    value = _optional_text(raw, field, where)
    if value is None:
        raise ClinicConfigError(f"{where}: '{field}' is missing; add a line `{field}: ...`")
    return value


def _optional_text(raw: Dict[str, Any], field: str, where: str) -> Optional[str]:
    """A field's text, on one line, or None when it is absent or blank."""
    value = raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ClinicConfigError(f"{where}: '{field}' must be text, not {type(value).__name__}")
    value = " ".join(value.split())
    if len(value) > 200:
        raise ClinicConfigError(f"{where}: '{field}' is longer than 200 characters")
    if "<" in value or ">" in value:
        raise ClinicConfigError(f"{where}: '{field}' must not contain < or >")
    return value


def parse_clinic(raw: Any, where: str = "clinic.yml") -> Clinic:
    """Validates the parsed YAML of clinic.yml; ``where`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise ClinicConfigError(f"{where}: expected lines like `name: ...`, found {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ClinicConfigError(
            f"{where}: unknown field '{unknown[0]}' (the fields are: {', '.join(_FIELDS)})"
        )
    name = _text(raw, "name", where)
    hours = _text(raw, "hours", where)
    phone = _text(raw, "phone", where)
    if not _PHONE.match(phone):
        raise ClinicConfigError(
            f"{where}: 'phone' must be a phone number (digits, spaces, + - ( ) .), not {phone!r}"
        )
    booking_url = _optional_text(raw, "booking_url", where)
    if booking_url is not None and not _URL.match(booking_url):
        raise ClinicConfigError(
            f"{where}: 'booking_url' must start with https:// or http://, not {booking_url!r}"
        )
    emergency = _optional_text(raw, "emergency_number", where) or "911"
    if not _EMERGENCY.match(emergency):
        raise ClinicConfigError(
            f"{where}: 'emergency_number' must be the local emergency number in digits "
            f"(911, 112, 999, 000 ...), not {emergency!r}"
        )
    return Clinic(name=name, phone=phone, booking_url=booking_url, hours=hours, emergency_number=emergency)


def load_clinic(path: Path = CLINIC_FILE) -> Clinic:
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClinicConfigError(f"{where} is missing: copy it from git (`git checkout {where}`)") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" on line {mark.line + 1}" if mark is not None else ""
        raise ClinicConfigError(
            f"{where}: not valid YAML{line} (put text with ':' or '#' in quotes)"
        ) from None
    return parse_clinic(raw, where)


def main() -> int:
    try:
        clinic = load_clinic()
    except ClinicConfigError as error:
        print(f"Clinic details are not valid: {error}", file=sys.stderr)
        return 1
    print(f"{CLINIC_FILE.name} is valid:")
    for field, value in clinic.as_dict().items():
        print(f"  {field}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
