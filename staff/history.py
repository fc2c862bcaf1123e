"""Every change made in the console is a git commit in the project, under the staff member's
name; the history lists them and undoes one (``git revert``) in one step.

- ``History.commit``: writes nothing itself; commits exactly the files a change wrote, with
  the staff member as author and committer, a message, and trailers: ``Staff-change: <kind>``
  and, for an approved answer, ``Approved-by:``. It refuses, naming them, files with changes
  the console did not make (someone edited them on the server), so a commit never carries
  another person's work under a staff member's name.
- ``History.changes``: the commits that touched the assistant's content, newest first.
- ``History.revert``: a new commit that undoes one change; when later changes touched the same
  lines, nothing is changed and the message says which to undo first.

One change at a time: a lock file under the project's var/ serialises them, also across
processes (the console and a terminal running the same code).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

#: what the assistant knows and says: the files a change in the console may touch
CONTENT_PATHS = ("domain.yml", "data", "content", "tests/nlu_holdout.yml", "tests/test_stories.yml", "clinic.yml")
TRAILER = "Staff-change"
APPROVED = "Approved-by"
REVERTS = "Reverts"
EMAIL_DOMAIN = "staff.footdrop.invalid"
#: the record separator of `git log` output: never in a commit message the console writes
_RECORD, _FIELD = "\x1e", "\x1f"


def is_content(name: str, paths: Sequence[str] = CONTENT_PATHS) -> bool:
    """Whether the file `name` (relative to the project) is under one of `paths`."""
    return any(name == p or name.startswith(p + "/") for p in paths)


class ChangeError(RuntimeError):
    """A change cannot be recorded or undone; the message says why in plain words."""


@dataclass(frozen=True)
class Author:
    name: str  # the account name
    display_name: str

    @property
    def identity(self) -> str:
        return f"{self.display_name} <{self.name}@{EMAIL_DOMAIN}>"


@dataclass(frozen=True)
class Change:
    sha: str
    author: str
    when: datetime
    subject: str
    body: str
    files: List[str]
    kind: str  # the Staff-change trailer; "" for a commit made outside the console
    approved_by: str
    reverts: str
    #: what else the commit changed (program files, say): such a change is undone with git, not here
    other_files: List[str] = field(default_factory=list)

    @property
    def short(self) -> str:
        return self.sha[:10]


class History:
    def __init__(self, project: Path):
        self.project = project
        if shutil.which("git") is None:
            raise ChangeError("git is not installed: the console records every change as a git commit "
                              "(apt-get install -y git).")
        if self._git("rev-parse", "--is-inside-work-tree", check=False).strip() != "true":
            raise ChangeError(f"{project} is not a git work tree: the console records every change as a git "
                              "commit, so the project must be a clone (git clone ...).")

    # ------------------------------------------------------------------ plumbing

    def _run(self, *args: str, env: Optional[Dict[str, str]] = None,
             stdin: Optional[str] = None) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=self.project, capture_output=True, text=True, input=stdin,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})})

    def _git(self, *args: str, check: bool = True, env: Optional[Dict[str, str]] = None,
             stdin: Optional[str] = None) -> str:
        result = self._run(*args, env=env, stdin=stdin)
        if check and result.returncode:
            raise ChangeError(f"git {args[0]} failed: {(result.stderr or result.stdout).strip()}")
        return result.stdout

    def head(self) -> str:
        """The sha of the commit checked out."""
        return self._git("rev-parse", "HEAD").strip()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One change at a time in this project, across processes."""
        path = self.project / "var" / "staff-change.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _relative(self, paths: Sequence[str]) -> List[str]:
        relative = []
        for path in paths:
            resolved = (self.project / path).resolve()
            if self.project.resolve() not in resolved.parents:
                raise ChangeError(f"{path} is outside the project")
            relative.append(str(resolved.relative_to(self.project.resolve())))
        return sorted(set(relative))

    def unsaved(self, paths: Sequence[str]) -> List[str]:
        """Of `paths`, the files with changes not committed (made outside the console, or left
        by a change that failed half-way)."""
        out = self._git("status", "--porcelain", "--untracked-files=all", "--", *self._relative(paths))
        return sorted(line[3:] for line in out.splitlines() if line.strip())

    def ensure_unchanged(self, paths: Sequence[str]) -> None:
        """Before a change writes `paths`: stop if someone else's edits are in them."""
        others = self.unsaved(paths)
        if others:
            raise ChangeError("These files have changes that were not made in the console: "
                              f"{', '.join(others)}. Ask whoever runs the assistant to save (commit) or undo "
                              "them first; nothing was changed.")

    # ------------------------------------------------------------------ recording

    def commit(self, author: Author, message: str, paths: Sequence[str], kind: str,
               approved_by: Optional[Author] = None, reverts: str = "") -> str:
        """Commits the files `paths` as they are now; the new commit's sha. The caller holds
        ``lock()`` from before it checked and wrote the files until this returns."""
        files = self._relative(paths)
        subject, _, rest = message.strip().partition("\n")
        subject = " ".join(subject.split())[:100] or "Change"
        trailers = [f"{TRAILER}: {kind}"]
        if approved_by is not None:
            trailers.append(f"{APPROVED}: {approved_by.identity}")
        if reverts:
            trailers.append(f"{REVERTS}: {reverts}")
        text = subject + ("\n\n" + rest.strip() if rest.strip() else "") + "\n\n" + "\n".join(trailers) + "\n"
        text = text.replace(_RECORD, " ").replace(_FIELD, " ")
        name, email = author.identity[:-1].split(" <")
        env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        present = [f for f in files if (self.project / f).exists()]
        if present:
            self._git("add", "--all", "--", *present)
        gone = [f for f in files if f not in present]
        if gone:  # deleted (e.g. by undoing the change that made them): git add refuses a path that is nowhere
            self._git("rm", "--cached", "--quiet", "--ignore-unmatch", "--", *gone)
        if not self._git("diff", "--cached", "--name-only", "--", *files).strip():
            raise ChangeError("Nothing changed: the files are as they were.")
        self._git("commit", "--quiet", "--no-verify", "-F", "-", "--", *files, env=env, stdin=text)
        return self.head()

    # ------------------------------------------------------------------ reading

    def changes(self, limit: int = 100, paths: Sequence[str] = CONTENT_PATHS) -> List[Change]:
        """The commits that touched `paths`, newest first."""
        existing = [p for p in paths if (self.project / p).exists()]
        fmt = _FIELD.join(["%H", "%an", "%aI", "%s", "%b", f"%(trailers:key={TRAILER},valueonly)",
                           f"%(trailers:key={APPROVED},valueonly)", f"%(trailers:key={REVERTS},valueonly)"])
        out = self._git("log", f"-n{int(limit)}", f"--format={_RECORD}{fmt}{_FIELD}", "--name-only", "--full-diff",
                        "--", *existing)
        changes = []
        for record in out.split(_RECORD)[1:]:
            sha, author, when, subject, body, kind, approved, reverts, names = record.split(_FIELD)
            body = "\n".join(line for line in body.strip().splitlines()
                             if not re.match(rf"^({TRAILER}|{APPROVED}|{REVERTS}):", line)).strip()
            touched = [n for n in names.split("\n") if n.strip()]
            changes.append(Change(sha, author, datetime.fromisoformat(when).astimezone(timezone.utc), subject, body,
                                  [n for n in touched if is_content(n, paths)], kind.strip(), approved.strip(),
                                  reverts.strip(), [n for n in touched if not is_content(n, paths)]))
        return changes

    def file_at(self, revision: str, path: str) -> Optional[str]:
        """The text of `path` at `revision` (e.g. a change's sha, or "<sha>^" for the version
        before it); None when the file did not exist there."""
        return self.files_at([(revision, path)])[0]

    def files_at(self, wanted: Sequence[Tuple[str, str]]) -> List[Optional[str]]:
        """file_at for many (revision, path) pairs, with one git command (git cat-file --batch)."""
        if not wanted:
            return []
        specs = "".join(f"{revision}:{path}\n" for revision, path in wanted)
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=self.project, input=specs.encode("utf-8"),
                             capture_output=True, env={**os.environ, "LC_ALL": "C"}).stdout
        texts: List[Optional[str]] = []
        position = 0
        for _ in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split(b" ")
            position = end + 1
            if len(header) != 3 or not header[2].isdigit():  # "<spec> missing" (or ambiguous)
                texts.append(None)
                continue
            size = int(header[2])
            blob = out[position:position + size]
            texts.append(blob.decode("utf-8", errors="replace") if header[1] == b"blob" else None)
            position += size + 1
        return texts

    def change(self, sha: str) -> Change:
        if not re.fullmatch(r"[0-9a-f]{7,40}", sha or ""):
            raise ChangeError("No such change.")
        for change in self.changes(limit=1000):
            if change.sha.startswith(sha):
                return change
        raise ChangeError("No such change in the assistant's content.")

    # ------------------------------------------------------------------ undoing

    def revert(self, sha: str, author: Author) -> str:
        """A new commit undoing `sha`; ChangeError, with nothing changed, when it cannot."""
        change = self.change(sha)
        others = change.other_files
        if others:
            raise ChangeError("This change also changed files that are not the assistant's content ("
                              f"{', '.join(others[:5])}), so it cannot be undone here. Ask whoever runs the "
                              "assistant to undo it with git; nothing was changed.")
        self.ensure_unchanged(change.files)
        if self._run("revert", "--no-commit", change.sha).returncode:
            self._run("revert", "--abort")
            later = [c for c in self.changes(limit=200) if set(c.files) & set(change.files)]
            newer = [c.subject for c in later[: next((i for i, c in enumerate(later) if c.sha == change.sha), 0)]]
            raise ChangeError("This change cannot be undone on its own: later changes edited the same lines"
                              + (f" ({'; '.join(newer[:5])})" if newer else "") + ". Undo those first; nothing was changed.")
        return self.commit(author, f"Undo: {change.subject}", change.files, kind="undo", reverts=change.sha)
