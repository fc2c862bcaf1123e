"""The staff console as staff start it (`make staff-user`, `make staff`): loopback only, signing
in and out, the login limit, CSRF, roles, and the headers on every page (docs/STAFF.md)."""

from __future__ import annotations

import subprocess

import pytest

from support.project import ROOT
from support.staff import PASSWORD, Staff, add_account, environment, project_copy, running_console
from support.processes import free_port

from staff.sessions import MAX_FAILURES


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with running_console(tmp_path_factory.mktemp("staff")) as running:
        yield running


def listening_addresses(port: int):
    """The local addresses a socket listens on for `port` (/proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port:  # LISTEN
                    found.add(address)
    return found


def test_it_listens_on_loopback_only(console):
    port = int(console.url.rsplit(":", 1)[1])
    assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else


def test_signed_out_pages_lead_to_the_login_and_back(console):
    staff = Staff(console)
    response = staff.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/"
    signed_in = staff.login("ana")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    page = staff.get("/")
    assert page.status_code == 200 and "ana (editor)" in page.text


def test_the_session_cookie_is_httponly_and_samesite_strict(console):
    response = Staff(console).login("bo")
    cookie = next(c for c in response.raw.headers.getlist("set-cookie") if c.startswith("footdrop_staff="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= flags
    assert not any(flag.startswith(("expires", "max-age")) for flag in flags)  # ends with the browser


def test_a_wrong_password_is_refused_kindly(console):
    response = Staff(console).login("ana", PASSWORD + "!")
    assert response.status_code == 401
    assert "That name and password do not match an account." in response.text
    assert "footdrop_staff=" not in response.headers.get("set-cookie", "")


def test_too_many_failed_logins_pause_that_account(console):
    staff = Staff(console)
    for _ in range(MAX_FAILURES):
        assert staff.login("bo", "not the password at all").status_code == 401
    paused = staff.login("bo")  # even the right password waits now
    assert paused.status_code == 429 and "Too many failed sign-ins. Try again in 15 minutes" in paused.text


def test_login_without_its_csrf_token_is_refused(console):
    staff = Staff(console)
    staff.get("/login")
    response = staff.post("/login", {"name": "ana", "password": PASSWORD})
    assert response.status_code == 403 and "form had expired" in response.text
    assert "footdrop_staff=" not in response.headers.get("set-cookie", "")


def test_forms_need_the_session_s_token_and_this_origin(console):
    staff = Staff(console)
    staff.login("ana")
    token = staff.form_token("/")
    refused = staff.post("/logout", {})
    assert refused.status_code == 403 and "This form has expired" in refused.text
    wrong = staff.post("/logout", {"csrf_token": "x" * 43})
    assert wrong.status_code == 403
    elsewhere = staff.post("/logout", {"csrf_token": token}, headers={"Origin": "http://evil.example"})
    assert elsewhere.status_code == 403
    assert staff.get("/").status_code == 200  # still signed in after all three
    out = staff.post("/logout", {"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert staff.get("/").status_code == 303


def test_every_page_has_the_security_headers(console):
    staff = Staff(console)
    for response in (staff.get("/login"), staff.get("/"), staff.get("/static/console.css")):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "server" not in response.headers
    assert staff.get("/login").headers["cache-control"] == "no-store"


def test_a_huge_form_is_refused_without_a_server_error(console):
    response = Staff(console).http.post(console.url + "/login", data={"name": "x" * 600_000}, timeout=30)
    assert response.status_code == 413


def test_without_an_account_it_says_how_to_make_one(tmp_path):
    env = environment(project_copy(tmp_path), tmp_path / "staff.db", free_port())
    result = subprocess.run(["make", "-s", "staff"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "make staff-user NAME=yourname ROLE=clinician" in result.stderr


def test_make_staff_user_refuses_a_short_password_and_names_the_rule(tmp_path):
    env = environment(project_copy(tmp_path), tmp_path / "staff.db", free_port())
    result = add_account(env, "cy", "editor", "short")
    assert result.returncode != 0 and "at least 12 characters" in result.stderr
    usage = subprocess.run(["make", "-s", "staff-user", "NAME=cy"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert usage.returncode != 0 and "Usage: make staff-user NAME=ana ROLE=editor" in usage.stdout
