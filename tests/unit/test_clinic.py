"""clinic.yml: the shipped file is valid, and each kind of mistake is named by file and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from footdrop.clinic import CLINIC_FILE, ClinicConfigError, load_clinic, parse_clinic
from support.project import ROOT

VALID = {
    "name": "Riverside Physio",
    "phone": "+44 (0)20 7946 0000",
    "booking_url": "https://riverside.example/book",
    "hours": "Mon-Fri 9-5",
    "emergency_number": "999",
}


def test_the_shipped_clinic_file_is_valid():
    clinic = load_clinic()
    assert clinic.name and clinic.phone and clinic.hours
    assert clinic.emergency_number.isdigit()


def test_a_valid_file_is_read_as_written():
    clinic = parse_clinic(dict(VALID))
    assert clinic.as_dict() == VALID


def test_emergency_number_defaults_to_911_and_booking_link_is_optional():
    raw = {k: v for k, v in VALID.items() if k not in ("emergency_number", "booking_url")}
    clinic = parse_clinic(raw)
    assert clinic.emergency_number == "911"
    assert clinic.booking_url is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"phone": "call us"}, "phone"),
        ({"phone": None}, "phone"),
        ({"hours": None}, "hours"),
        ({"booking_url": "javascript:alert(1)"}, "booking_url"),
        ({"booking_url": "www.clinic.example"}, "booking_url"),
        ({"emergency_number": "nine one one"}, "emergency_number"),
        ({"emergency_number": 0}, "emergency_number"),  # `000` unquoted is read by YAML as 0
        ({"name": "<script>alert(1)</script>"}, "name"),
        ({"name": ["a", "list"]}, "name"),
        ({"phone_number": "123"}, "phone_number"),
    ],
)
def test_each_mistake_is_named_by_file_and_field(change, field):
    raw = {**VALID, **change}
    with pytest.raises(ClinicConfigError) as error:
        parse_clinic(raw, "clinic.yml")
    message = str(error.value)
    assert message.startswith("clinic.yml: ")
    assert f"'{field}'" in message


def test_broken_yaml_and_missing_file_say_so(tmp_path: Path):
    broken = tmp_path / "clinic.yml"
    broken.write_text("name: Riverside\nhours: 9: to 5\n")
    with pytest.raises(ClinicConfigError, match=r"clinic.yml: not valid YAML on line 2"):
        load_clinic(broken)
    with pytest.raises(ClinicConfigError, match=r"clinic.yml is missing"):
        load_clinic(tmp_path / "missing" / "clinic.yml")


def test_the_check_command_prints_the_details_or_the_error(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "footdrop.clinic"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(CLINIC_FILE.read_text())["name"] in result.stdout

