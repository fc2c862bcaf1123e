"""The staff console as clinic staff start it (`make staff-user`, `make staff`), on a copy of
the project with its own git history and database, and a browser-like client for it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional, Sequence, Tuple

import requests

from support.processes import free_port, wait_until_up
from support.project import ROOT, copy_checked_files

PASSWORD = "a long staff password"
#: the accounts of accounts_database: name, role, display name
STAFF = (("ana", "editor", "Ana Pereira"), ("cy", "editor", "Cy"), ("bo", "clinician", "Bo Clinician"))
#: test accounts: name -> role
ACCOUNTS = {"ana": "editor", "bo": "clinician"}


def accounts_database(path: Path) -> Tuple[Path, Dict[str, object]]:
    """A staff database at `path` with ana and cy (editors) and bo (clinician), each with
    PASSWORD; (its path, name -> Account). Made once per test module: argon2 is slow on purpose."""
    from staff import store
    from staff.accounts import Accounts

    db = store.connect(path)
    accounts = Accounts(db)
    made = {name: accounts.create(name, role, PASSWORD, display) for name, role, display in STAFF}
    db.close()
    return path, made


def project_copy(folder: Path) -> Path:
    """What the console reads and edits, copied under folder/project, committed in a new git
    repository (every console change is a commit on top)."""
    project = copy_checked_files(folder / "project")
    for relative in ("content", "config.yml"):
        source = ROOT / relative
        if source.is_dir():  # into the folder copy_checked_files began (not a folder inside it)
            shutil.copytree(source, project / relative, dirs_exist_ok=True)
        else:
            subprocess.run(["cp", str(source), str(project / relative)], check=True)
    git = ["git", "-c", "user.name=Set up", "-c", "user.email=setup@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The project as copied for the test"], cwd=project, check=True)
    return project


def environment(project: Path, database: Path, port: int) -> Dict[str, str]:
    return {**os.environ, "STAFF_PROJECT": str(project), "STAFF_DATABASE": str(database),
            "STAFF_PORT": str(port), "RASA_TELEMETRY_ENABLED": "false"}


def add_account(env: Dict[str, str], name: str, role: str, password: str = PASSWORD,
                make: bool = True) -> subprocess.CompletedProcess:
    """`make staff-user NAME=... ROLE=...` (or, with make=False, the command it runs:
    `python -m staff.users add`), the password given as STAFF_PASSWORD."""
    command = (["make", "-s", "staff-user", f"NAME={name}", f"ROLE={role}"] if make
               else [sys.executable, "-m", "staff.users", "add", name, "--role", role])
    return subprocess.run(command, cwd=ROOT, env={**env, "STAFF_PASSWORD": password}, capture_output=True,
                          text=True, timeout=300)


@dataclass
class Console:
    url: str
    project: Path
    env: Dict[str, str]
    log: Path
    process: subprocess.Popen


@contextlib.contextmanager
def running_console(folder: Path, accounts: Optional[Dict[str, str]] = None, project: Optional[Path] = None,
                    make: bool = True) -> Iterator[Console]:
    """`make staff` on a project copy with `accounts` (ACCOUNTS by default), until it answers;
    stopped with Ctrl-C (SIGINT to its process group) after. `project`: an existing copy (and
    folder/staff.db, so a second console is the first one restarted); make=False: the command
    `make staff` runs (`python -m staff`), for a worktree that shares another's virtualenv."""
    project = project or project_copy(folder)
    port = free_port()
    env = environment(project, folder / "staff.db", port)
    for name, role in (ACCOUNTS if accounts is None else accounts).items():
        made = add_account(env, name, role, make=make)
        assert made.returncode == 0, made.stderr
    log = folder / "staff.log"
    command = ["make", "-s", "staff"] if make else [sys.executable, "-m", "staff"]
    with log.open("a") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/login", process, log, timeout=120)
        yield Console(url, project, env, log, process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def git(project: Path, *args: str) -> str:
    """A git command's output in a project copy (the test's view of the console's history)."""
    return subprocess.run(["git", *args], cwd=project, check=True, capture_output=True, text=True).stdout


def unsaved(project: Path) -> str:
    """Files changed and not committed (var/, where the console keeps its lock file, is not content)."""
    return git(project, "status", "--porcelain", "--", ".", ":(exclude)var")


def response_text(project: Path, response: str) -> str:
    """A response's (first) text in the project copy's domain.yml."""
    import yaml

    return yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))["responses"][response][0]["text"]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Staff:
    """A browser-like client: keeps cookies, sends the Origin a browser sends, reads tokens."""

    def __init__(self, console: Console):
        self.console = console
        self.http = requests.Session()
        self.http.headers["Origin"] = console.url

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.console.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, data: Dict[str, str], **kwargs) -> requests.Response:
        return self.http.post(self.console.url + path, data=data, allow_redirects=False, timeout=60, **kwargs)

    def login(self, name: str, password: str = PASSWORD) -> requests.Response:
        token = csrf_token(self.get("/login").text)
        return self.post("/login", {"csrf_token": token, "name": name, "password": password, "next": "/"})

    def form_token(self, path: str = "/") -> str:
        return csrf_token(self.get(path).text)


#: what a console change or a publication writes, copied into a served project (the rest is linked)
EDITABLE = ["domain.yml", "config.yml", "clinic.yml", "data", "content", "tests/nlu_holdout.yml",
            "tests/test_stories.yml", "models/footdrop.tar.gz", ".rasa", ".gitignore"]
#: of EDITABLE, what git keeps (the model and the training cache are not committed)
COMMITTED = ["domain.yml", "config.yml", "clinic.yml", "data", "content", "tests/nlu_holdout.yml",
             "tests/test_stories.yml", ".gitignore"]


def served_project(folder: Path, own: Sequence[str] = ()) -> Path:
    """A project `make serve` can run (scripts/serve, with the staff console) whose content,
    model and training cache are its own copies, committed in a git repository of its own; the
    code, the virtualenv and build/ are links to this checkout's (bench/serve.py's linked copy);
    `own`: more files the copy may change (copied, not committed)."""
    from bench.serve import linked_copy

    folder.mkdir(parents=True, exist_ok=True)
    project = linked_copy(folder, ROOT, own=[p for p in [*EDITABLE, *own] if (ROOT / p).exists()])
    git = ["git", "-c", "user.name=Set up", "-c", "user.email=setup@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(project)], check=True)
    subprocess.run([*git, "add", "--", *[p for p in COMMITTED if (project / p).exists()]], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "The project as copied for the test"], cwd=project, check=True)
    return project


def add_account_to(project: Path, name: str, role: str, password: str = PASSWORD, display_name: str = "") -> None:
    """An account in a served project's console (its var/staff.db), as `make staff-user` makes it."""
    env = {**os.environ, "STAFF_PROJECT": str(project), "STAFF_PASSWORD": password, "RASA_TELEMETRY_ENABLED": "false"}
    made = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "staff.users", "add", name, "--role", role,
                           "--display-name", display_name or name],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
