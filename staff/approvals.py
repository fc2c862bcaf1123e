"""Changes to a topic's answer: a clinician's is written at once, an editor's waits for a clinician.

- ``change_answer``: a clinician's new answer is checked (`make check`'s checks of one answer,
  staff/topics.py) and committed under their name; an editor's is checked and saved as a
  proposal (the ``proposals`` table, staff/store.py), and the project is not touched.
- ``approve``: a clinician writes a waiting proposal's text and commits it with the editor as
  author and ``Approved-by:`` the clinician. Refused, with nothing changed, when the answer was
  changed since the proposal was made (the clinician must look at it again) or when the
  checks no longer pass.
- ``decline``: a clinician turns a proposal down with a note saying why.
- ``withdraw``: an editor takes back their own waiting proposal.
- ``new_topic``: a new topic (staff/new_topics.py): a clinician's is checked and committed at
  once; an editor's is checked and saved as a proposal of kind ``topic`` (its answer is new, so
  a clinician approves it like a changed answer). Approving it checks it again and writes it
  (one commit of the six files, the editor as author, ``Approved-by:`` the clinician); decline
  and withdraw work as for an answer. Proposals of kind ``answer``, and the table, are as before.

Answers on the safety path (staff/safety.py: anything but a topic's answer) are never
proposals: ``change_answer`` refuses an editor's change to them with SafetyError.

Every change that writes holds ``History.lock()`` from its checks to its commit.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import List, Optional

from staff.accounts import Account, Accounts
from staff.history import Author, History
from staff.new_topics import KIND as TOPIC
from staff.new_topics import DraftError, check_draft, create, lines, tidy
from staff.safety import SafetyError, is_safety_response, refusal
from staff.topics import ANSWER_FILE, answer_text, check_answer, load, normalise, set_answer, title_of, \
    topic_responses
from tools.new_topic import Draft

ANSWER = "answer"  # proposals.kind, and the Staff-change trailer of a changed answer
SAFETY = "safety"  # the Staff-change trailer of a clinician's change on the safety path
WAITING, APPROVED, DECLINED, WITHDRAWN = "waiting", "approved", "declined", "withdrawn"
MAX_NOTE = 500
SUBJECT = 100  # History.commit keeps this much of a subject line


class ProposalError(ValueError):
    """A proposal cannot be made, approved, declined or withdrawn as asked; the message says why
    (and, for failed checks, ``problems`` lists them)."""

    def __init__(self, message: str, problems: Optional[List[str]] = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Proposal:
    id: int
    response: str
    text: str  # the proposed answer
    replaces: str  # the answer when the proposal was made
    note: str  # the editor's note: what changed and why
    author: str
    created: float
    status: str
    decided_by: str
    decided: Optional[float]
    decision_note: str
    commit_sha: str
    kind: str = ANSWER  # ANSWER: a changed answer; TOPIC: a new topic (``draft``; ``replaces`` is "")
    draft: Optional[Draft] = None


def _draft(values: dict) -> Draft:
    return Draft(**{key: tuple(value) if isinstance(value, list) else value for key, value in values.items()})


def _proposal(row: sqlite3.Row) -> Proposal:
    content = json.loads(row["content"])
    kind = row["kind"] or ANSWER
    return Proposal(row["id"], row["target"], content["text"], content["replaces"], row["message"], row["author"],
                    row["created"], row["status"], row["decided_by"] or "", row["decided"], row["note"] or "",
                    row["commit_sha"] or "", kind, _draft(content["draft"]) if kind == TOPIC else None)


def author(account: Account) -> Author:
    return Author(account.name, account.display_name)


def commit_message(title: str, note: str) -> str:
    """"Answer to '<title>': <note>"; the whole note again below when the subject line would cut it."""
    subject = f"Answer to '{title}': {note or 'changed'}"
    return subject + (f"\n\n{note}" if len(subject) > SUBJECT else "")


class Approvals:
    def __init__(self, db: sqlite3.Connection, project: Path, history: Optional[History] = None):
        self.db, self.project = db, project
        self.history = history or History(project)

    # ------------------------------------------------------------------ reading

    def get(self, proposal_id: int) -> Proposal:
        row = self.db.execute("SELECT * FROM proposals WHERE id = ?", (int(proposal_id),)).fetchone()
        if row is None:
            raise ProposalError("There is no such proposal.")
        return _proposal(row)

    def waiting(self) -> List[Proposal]:
        """Proposals waiting for a clinician, oldest first."""
        rows = self.db.execute("SELECT * FROM proposals WHERE status = ? ORDER BY id", (WAITING,))
        return [_proposal(row) for row in rows]

    def decided(self, limit: int = 20) -> List[Proposal]:
        """The latest proposals approved, declined or withdrawn, newest first."""
        rows = self.db.execute("SELECT * FROM proposals WHERE status != ? ORDER BY decided DESC, id DESC LIMIT ?",
                               (WAITING, int(limit)))
        return [_proposal(row) for row in rows]

    # ------------------------------------------------------------------ changing

    def _checked(self, response: str, text: str) -> str:
        """The normalised text; ProposalError listing the problems when `make check` would fail."""
        problems = check_answer(self.project, response, text)
        if problems:
            raise ProposalError("The answer was not saved: please fix what the checks found.", problems)
        return normalise(text)

    def _write_and_commit(self, response: str, text: str, by: Author, message: str, kind: str,
                          approved_by: Optional[Author] = None) -> str:
        """Writes the answer and commits it; on any failure domain.yml is put back as it was.
        The caller holds the lock."""
        self.history.ensure_unchanged([ANSWER_FILE])
        path = self.project / ANSWER_FILE
        before = path.read_text(encoding="utf-8")
        try:
            set_answer(self.project, response, text)
            return self.history.commit(by, message, [ANSWER_FILE], kind=kind, approved_by=approved_by)
        except BaseException:
            path.write_text(before, encoding="utf-8")
            raise

    def change_answer(self, account: Account, response: str, text: str, note: str) -> dict:
        """A clinician's change is committed: {"committed": sha}; an editor's is saved as a
        proposal: {"proposal": id}. ProposalError when the checks fail or nothing changed;
        SafetyError when an editor tries to change a message on the safety path."""
        note = " ".join(note.split())[:MAX_NOTE]  # one line: it is the commit's subject
        with self.history.lock():
            parsed = load(self.project)
            current = answer_text(parsed, response)
            safety = is_safety_response(parsed, response)
            if safety and not account.is_clinician:
                raise SafetyError(refusal([f"'{response}' is not a topic's answer: it is on the safety path"]))
            text = self._checked(response, text)
            if text == normalise(current):
                raise ProposalError("The answer is the same as now: there is nothing to save.")
            topics = topic_responses(parsed)
            title = title_of(parsed, topics[response]) if response in topics else response
            if account.is_clinician:
                message = f"Safety message '{response}': {note or 'changed'}" if safety \
                    else commit_message(title, note)
                return {"committed": self._write_and_commit(response, text, author(account), message,
                                                            SAFETY if safety else ANSWER)}
            cursor = self.db.execute(
                "INSERT INTO proposals (kind, target, content, message, author, created) VALUES (?, ?, ?, ?, ?, ?)",
                (ANSWER, response, json.dumps({"text": text, "replaces": current}), note, account.name, time.time()))
            return {"proposal": cursor.lastrowid}

    def new_topic(self, account: Account, draft: Draft, note: str = "") -> dict:
        """A clinician's new topic is committed: {"committed": sha}; an editor's is saved as a
        proposal: {"proposal": id}. DraftError, naming the fields, when the checks fail."""
        note = " ".join(note.split())[:MAX_NOTE]
        with self.history.lock():
            draft = tidy(draft)
            problems = check_draft(self.project, draft)
            if not account.is_clinician and any(p.kind == TOPIC and p.draft and p.draft.name == draft.name
                                                for p in self.waiting()):
                problems.setdefault("name", []).append(
                    f"A new topic called {draft.name} is already waiting for a clinician (see Approvals): choose "
                    "another name, or wait for their decision.")
            if problems:
                raise DraftError(problems)
            if account.is_clinician:
                return {"committed": create(self.project, self.history, draft, author(account), note=note)}
            cursor = self.db.execute(
                "INSERT INTO proposals (kind, target, content, message, author, created) VALUES (?, ?, ?, ?, ?, ?)",
                (TOPIC, draft.response, json.dumps({"text": draft.answer(), "replaces": "", "draft": asdict(draft)}),
                 note, account.name, time.time()))
            return {"proposal": cursor.lastrowid}

    def _proposer(self, proposal: Proposal) -> Author:
        editor = Accounts(self.db).get(proposal.author)
        return Author(proposal.author, editor.display_name if editor else proposal.author)

    def _approve_topic(self, proposal: Proposal, clinician: Account) -> str:
        """Checks a waiting new topic again, then writes and commits it. The caller holds the lock."""
        assert proposal.draft is not None
        problems = check_draft(self.project, proposal.draft)
        refused = ("This new topic does not pass the checks now (the assistant's files changed since it was "
                   "proposed). Nothing was changed: decline it with a note saying what to fix, and the editor "
                   "can propose it again.")
        if problems:
            raise ProposalError(refused, lines(problems))
        try:
            sha = create(self.project, self.history, proposal.draft, self._proposer(proposal),
                         approved_by=author(clinician), note=proposal.note)
        except DraftError as error:
            raise ProposalError(refused, lines(error.problems)) from None
        self._decide(proposal.id, APPROVED, clinician.name, "", sha)
        return sha

    def approve(self, proposal_id: int, clinician: Account) -> str:
        """Writes and commits a waiting proposal (the editor as author, Approved-by the
        clinician); the commit's sha. ProposalError, with nothing changed, when it cannot."""
        if not clinician.is_clinician:
            raise ProposalError("Only a clinician may approve an answer.")
        with self.history.lock():
            proposal = self._waiting(proposal_id)
            if proposal.kind == TOPIC:
                return self._approve_topic(proposal, clinician)
            parsed = load(self.project)
            if normalise(answer_text(parsed, proposal.response)) != normalise(proposal.replaces):
                raise ProposalError("The answer was changed since this proposal was made, so approving it would "
                                    "undo that change. Nothing was changed: compare the proposal with the answer as "
                                    "it is now, then decline it (the editor can propose again from the new answer).")
            text = self._checked(proposal.response, proposal.text)
            by = self._proposer(proposal)
            topics = topic_responses(parsed)
            title = title_of(parsed, topics[proposal.response]) if proposal.response in topics else proposal.response
            sha = self._write_and_commit(proposal.response, text, by, commit_message(title, proposal.note), ANSWER,
                                         approved_by=author(clinician))
            self._decide(proposal.id, APPROVED, clinician.name, "", sha)
            return sha

    def decline(self, proposal_id: int, clinician: Account, note: str) -> None:
        if not clinician.is_clinician:
            raise ProposalError("Only a clinician may decline an answer.")
        if not note.strip():
            raise ProposalError("Please say why, so the editor knows what to change.")
        with self.history.lock():  # not while an approval of it is being written
            self._waiting(proposal_id)
            self._decide(proposal_id, DECLINED, clinician.name, note.strip()[:MAX_NOTE])

    def withdraw(self, proposal_id: int, account: Account) -> None:
        with self.history.lock():
            proposal = self._waiting(proposal_id)
            if proposal.author != account.name:
                raise ProposalError("Only the person who proposed this answer may withdraw it.")
            self._decide(proposal_id, WITHDRAWN, account.name)

    def _waiting(self, proposal_id: int) -> Proposal:
        proposal = self.get(proposal_id)
        if proposal.status != WAITING:
            raise ProposalError(f"This proposal was already {proposal.status}; nothing was changed.")
        return proposal

    def _decide(self, proposal_id: int, status: str, by: str, note: str = "", sha: str = "") -> None:
        changed = self.db.execute(
            "UPDATE proposals SET status = ?, decided_by = ?, decided = ?, note = ?, commit_sha = ? "
            "WHERE id = ? AND status = ?", (status, by, time.time(), note, sha, proposal_id, WAITING)).rowcount
        if not changed:
            raise ProposalError("This proposal was decided by someone else just now; nothing was changed.")

