"""staff/history.py on a real git repository in a temporary folder: a change is a commit under
the staff member's name with its trailers; files edited outside the console stop a change and
are named; Undo is a new commit; an Undo that would clash with a later change changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.staff import git
from staff.history import APPROVED, TRAILER, Author, ChangeError, History

ANA = Author("ana", "Ana Pereira")
BO = Author("bo", "Bo Clinician")



@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "domain.yml").write_text("responses:\n  utter_a:\n  - text: one\n  utter_b:\n  - text: two\n")
    (tmp_path / "content" / "topics.yml").write_text("titles:\n  ask_a: A\n")
    (tmp_path / ".gitignore").write_text("var/\n")  # as the project's: the lock file is not content
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "-c", "user.name=Set up", "-c", "user.email=setup@example.invalid", "commit", "-q", "-m", "start")
    return tmp_path


def edit(project: Path, old: str, new: str, relative: str = "domain.yml") -> None:
    path = project / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_change_is_a_commit_by_the_staff_member_with_its_trailers(project):
    history = History(project)
    edit(project, "text: one", "text: one, better")
    with history.lock():
        sha = history.commit(ANA, "Answer to 'A': clearer\n\nMore words.", ["domain.yml"], kind="answer",
                             approved_by=BO)
    assert git(project, "log", "-1", "--format=%an <%ae>|%cn").strip() == \
        "Ana Pereira <ana@staff.footdrop.invalid>|Ana Pereira"
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith("Answer to 'A': clearer\n\nMore words.\n")
    assert f"{TRAILER}: answer" in message and f"{APPROVED}: Bo Clinician <bo@staff.footdrop.invalid>" in message
    change = history.changes()[0]
    assert (change.sha, change.author, change.subject, change.body) == (sha, "Ana Pereira", "Answer to 'A': clearer",
                                                                       "More words.")
    assert (change.files, change.kind, change.approved_by) == (["domain.yml"], "answer",
                                                              "Bo Clinician <bo@staff.footdrop.invalid>")
    assert history.change(sha[:10]) == change
    assert git(project, "status", "--porcelain") == ""


def test_only_the_files_named_are_committed(project):
    history = History(project)
    edit(project, "text: one", "text: uno")
    edit(project, "ask_a: A", "ask_a: Aa", "content/topics.yml")
    history.commit(ANA, "Only the domain", ["domain.yml"], kind="answer")
    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == ["domain.yml"]
    assert git(project, "status", "--porcelain").strip() == "M content/topics.yml"


def test_files_changed_outside_the_console_stop_a_change_and_are_named(project):
    history = History(project)
    edit(project, "ask_a: A", "ask_a: edited on the server", "content/topics.yml")
    (project / "content" / "new.yml").write_text("x: 1\n")
    with pytest.raises(ChangeError) as refused:
        history.ensure_unchanged(["domain.yml", "content"])
    assert "content/new.yml" in str(refused.value) and "content/topics.yml" in str(refused.value)
    assert "domain.yml" not in str(refused.value) and "nothing was changed" in str(refused.value)
    history.ensure_unchanged(["domain.yml"])  # the other files are clean: no complaint


def test_nothing_to_commit_is_said_plainly(project):
    with pytest.raises(ChangeError, match="Nothing changed"):
        History(project).commit(ANA, "No change", ["domain.yml"], kind="answer")


def test_a_path_outside_the_project_is_refused(project):
    with pytest.raises(ChangeError, match="outside the project"):
        History(project).commit(ANA, "Sneaky", ["../elsewhere.yml"], kind="answer")


def test_undo_is_a_new_commit_that_restores_the_old_text(project):
    history = History(project)
    edit(project, "text: one", "text: one, changed")
    sha = history.commit(ANA, "Answer to 'A': changed", ["domain.yml"], kind="answer")
    undo = history.revert(sha, BO)
    assert "text: one\n" in (project / "domain.yml").read_text()
    assert git(project, "rev-list", "--count", "HEAD").strip() == "3"  # nothing rewritten: one more commit
    change = history.changes()[0]
    assert (change.sha, change.author, change.subject, change.kind, change.reverts) == (
        undo, "Bo Clinician", "Undo: Answer to 'A': changed", "undo", sha)
    assert git(project, "status", "--porcelain") == ""


def test_an_undo_that_clashes_with_a_later_change_changes_nothing_and_says_so(project):
    history = History(project)
    edit(project, "text: one", "text: first")
    first = history.commit(ANA, "Answer to 'A': first", ["domain.yml"], kind="answer")
    edit(project, "text: first", "text: second")
    history.commit(BO, "Answer to 'A': second", ["domain.yml"], kind="answer")
    head, text = git(project, "rev-parse", "HEAD"), (project / "domain.yml").read_text()
    with pytest.raises(ChangeError) as refused:
        history.revert(first, BO)
    assert "later changes edited the same lines" in str(refused.value)
    assert "Answer to 'A': second" in str(refused.value) and "nothing was changed" in str(refused.value)
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / "domain.yml").read_text() == text
    assert git(project, "status", "--porcelain") == ""


def test_undo_refuses_when_its_files_were_edited_outside_the_console(project):
    history = History(project)
    edit(project, "text: one", "text: changed")
    sha = history.commit(ANA, "Answer to 'A': changed", ["domain.yml"], kind="answer")
    edit(project, "text: two", "text: edited by hand")
    with pytest.raises(ChangeError, match="domain.yml"):
        history.revert(sha, BO)
    assert "text: edited by hand" in (project / "domain.yml").read_text()
    assert "text: changed" in (project / "domain.yml").read_text()


def test_a_file_as_it_was_before_and_after_a_change(project):
    history = History(project)
    edit(project, "text: one", "text: later")
    sha = history.commit(ANA, "Later", ["domain.yml"], kind="answer")
    assert "text: one" in history.file_at(f"{sha}^", "domain.yml")
    assert "text: later" in history.file_at(sha, "domain.yml")
    assert history.file_at(sha, "content/missing.yml") is None
    many = history.files_at([(sha, "domain.yml"), (sha, "content/missing.yml"), (sha, "content"),
                             (f"{sha}^", "domain.yml"), (sha, "content/topics.yml")])
    assert many == [(project / "domain.yml").read_text(), None, None, history.file_at(f"{sha}^", "domain.yml"),
                    "titles:\n  ask_a: A\n"]


def test_no_such_change(project):
    history = History(project)
    with pytest.raises(ChangeError, match="No such change"):
        history.change("not-a-sha")
    with pytest.raises(ChangeError, match="No such change"):
        history.change("0123456789abcdef")


def test_a_folder_that_is_not_a_git_work_tree_is_refused(tmp_path):
    with pytest.raises(ChangeError, match="not a git work tree"):
        History(tmp_path)


def test_a_change_that_also_touched_other_files_is_not_undone_here(project):
    """A commit made with git outside the console, touching code as well as content: Undo
    would revert the code too (and leave it uncommitted), so it is refused, naming the file."""
    history = History(project)
    edit(project, "text: one", "text: by hand")
    (project / "app.py").write_text("print('hello')\n")
    git(project, "add", "-A")
    git(project, "-c", "user.name=Dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "Code and content")
    change = history.changes()[0]
    assert change.files == ["domain.yml"]  # the history lists the content it changed
    assert change.other_files == ["app.py"] and change.kind == ""  # and says what else (no Undo on the page)
    with pytest.raises(ChangeError, match=r"app\.py"):
        history.revert(change.sha, BO)
    assert "text: by hand" in (project / "domain.yml").read_text() and (project / "app.py").exists()
    assert git(project, "status", "--porcelain") == ""


def test_undoing_a_change_that_made_a_file_removes_it(project):
    """A new topic's first commit creates data/nlu/staff_topics.yml: undoing it deletes the file,
    which git add alone would refuse (the path is then nowhere)."""
    history = History(project)
    (project / "data" / "nlu").mkdir(parents=True)
    (project / "data" / "nlu" / "staff_topics.yml").write_text("nlu: []\n")
    edit(project, "text: one", "text: uno")
    sha = history.commit(ANA, "New topic 'A'", ["domain.yml", "data/nlu/staff_topics.yml"], kind="topic")
    undo = history.revert(sha, BO)
    assert not (project / "data" / "nlu" / "staff_topics.yml").exists()
    assert "text: one\n" in (project / "domain.yml").read_text()
    assert sorted(git(project, "show", "--name-only", "--format=", undo).split()) == [
        "data/nlu/staff_topics.yml", "domain.yml"]
    assert git(project, "status", "--porcelain") == ""
