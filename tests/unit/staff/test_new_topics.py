"""A new topic from the console (staff/new_topics.py, staff/approvals.py ``new_topic``) on a git
copy of the project with a real database: the draft is written by `make new-topic`'s own code
(tools/new_topic.py ``write_topic``) and `make check` passes on the copy afterwards; the
checks refuse a draft naming the field at fault, before anything is written; a clinician's new
topic is one commit, an editor's a proposal a clinician approves (one commit by the editor,
Approved-by the clinician), declines or the editor withdraws; anything failing half-way
puts every file back."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bench.worked_example import ANSWER, HELD_OUT, QUESTIONS
from staff import new_topics, store
from staff.approvals import ANSWER as ANSWER_KIND
from staff.approvals import APPROVED, DECLINED, WAITING, WITHDRAWN, Approvals, ProposalError
from staff.history import ChangeError, History
from staff.new_topics import DraftError, check_draft, name_from_title, tidy
from support.staff import accounts_database, git, project_copy, response_text, unsaved
from support.project import ROOT
from tools import check, new_topic
from tools.new_topic import FILES, Draft, write_topic

FACTS, CARE_NOTE, _ = ANSWER.split("\n")
DRIVING = Draft(name="ask_driving", title="Driving with foot drop", facts=FACTS, care_note=CARE_NOTE,
                sections=("Recovery",), phrasings=tuple(QUESTIONS), held_out=tuple(HELD_OUT),
                question="can i drive with foot drop")


@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    return accounts_database(tmp_path_factory.mktemp("db") / "staff.db")


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory):
    """The project copied and committed once per module; each test gets a clone of it."""
    return project_copy(tmp_path_factory.mktemp("project"))


@pytest.fixture
def project(tmp_path, clean_copy) -> Path:
    target = tmp_path / "project"
    subprocess.run(["git", "clone", "-q", str(clean_copy), str(target)], check=True)
    for name, value in (("user.name", "Set up"), ("user.email", "setup@example.invalid")):
        subprocess.run(["git", "config", name, value], cwd=target, check=True)
    return target


@pytest.fixture
def setup(tmp_path, accounts_db, project):
    path, made = accounts_db
    copy = tmp_path / "staff.db"
    copy.write_bytes(path.read_bytes())
    return Approvals(store.connect(copy), project), project, made


def commits(project: Path) -> int:
    return int(git(project, "rev-list", "--count", "HEAD"))


def files_now(project: Path) -> dict:
    return {path: (project / path).read_bytes() if (project / path).exists() else None for path in FILES}


def make_check(project: Path) -> subprocess.CompletedProcess:
    """`python -m tools.check --root <project>`, as `make check` runs it."""
    return subprocess.run([sys.executable, "-m", "tools.check", "--root", str(project)], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[3])


# ---------------------------------------------------------------- the writer (tools/new_topic.py)


def test_a_filled_in_draft_is_written_to_the_six_files_and_make_check_passes(project):
    assert write_topic(project, DRIVING) == list(FILES)
    result = make_check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert response_text(project, "utter_ask_driving") == ANSWER
    titles = yaml.safe_load((project / "content/topics.yml").read_text(encoding="utf-8"))["titles"]
    assert titles["ask_driving"] == "Driving with foot drop"
    parsed, _ = check.load_project(project)
    assert [e for _, e in parsed.training_examples()["ask_driving"]] == QUESTIONS
    assert parsed.holdout_examples()["ask_driving"] == HELD_OUT
    stories = yaml.safe_load((project / "tests/test_stories.yml").read_text(encoding="utf-8"))["stories"]
    assert stories[-1]["steps"] == [{"user": "can i drive with foot drop\n", "intent": "ask_driving"},
                                    {"action": "utter_ask_driving"}]
    assert "ask_driving" in check.answered_during_check(parsed)
    assert check.check_todo(parsed) == []


def test_make_new_topic_writes_the_skeleton_with_the_same_code(tmp_path, project):
    """The skeleton is Draft.skeleton through write_topic: TODO in every file, and the answer's
    three parts as `make new-topic` always wrote them."""
    assert new_topic.new_topic(project, "ask_driving") == list(FILES)
    assert response_text(project, "utter_ask_driving") == (
        "TODO: the answer in plain words, from the patient guide (one or more lines).\n"
        "TODO: one care note, e.g. Your doctor or physical therapist can tell you more.\n"
        "From: TODO: the guide's section, as named in content/sections.yml")
    todo = check.check_todo(check.load_project(project)[0])
    for path in FILES:
        if path != "data/rules.yml":  # nothing to fill in there
            assert any(problem.startswith(f"{path}: line") for problem in todo), path
    assert len([p for p in todo if p.startswith("data/nlu/staff_topics.yml")]) == new_topic.TRAINING_EXAMPLES
    assert new_topic.TRAINING_EXAMPLES == check.MIN_TRAINING_EXAMPLES


def test_a_taken_name_is_refused_before_any_file_is_written(project):
    before = files_now(project)
    with pytest.raises(new_topic.NewTopicError, match="already exists"):
        write_topic(project, replace(DRIVING, name="ask_brace"))
    assert files_now(project) == before


def test_a_title_yaml_would_misread_is_quoted(project):
    write_topic(project, replace(DRIVING, title="Yes"))
    titles = yaml.safe_load((project / "content/topics.yml").read_text(encoding="utf-8"))["titles"]
    assert titles["ask_driving"] == "Yes"


@pytest.mark.parametrize("title, name", [
    ("Driving with foot drop", "ask_driving_with_foot_drop"),
    ("  Can I DRIVE?? ", "ask_can_i_drive"),
    ("Café & sport", "ask_cafe_sport"),
    ("One two three four five six seven eight nine ten eleven", "ask_one_two_three_four_five_six_seven_eight"),
])
def test_the_name_is_made_from_the_title(title, name):
    assert name_from_title(title) == name
    assert new_topic.NAME.match(name)


# ---------------------------------------------------------------- the checks, by field


def test_the_worked_example_passes_the_checks(project):
    assert check_draft(project, tidy(DRIVING)) == {}


HARD = ("Neuromuscular rehabilitation necessitates comprehensive multidisciplinary evaluation, individualised "
        "therapeutic interventions and longitudinal reassessment of functional ambulation capabilities.")


@pytest.mark.parametrize("change, field, words", [
    ({"title": ""}, "title", "Write a short title"),
    ({"title": "A title that is far too long for its button here"}, "title", "keep it to 40"),
    ({"title": "braces"}, "title", "has this title already"),
    ({"name": "driving"}, "name", "cannot be a topic name"),
    ({"name": "ask_brace"}, "name", "already a topic called ask_brace"),
    ({"facts": ""}, "facts", "Write what the guide says"),
    ({"facts": HARD}, "facts", "reads at grade"),
    ({"facts": "TODO: the facts"}, "facts", "still says TODO"),
    ({"care_note": "Braces vary."}, "care_note", "no care note"),
    ({"sections": ()}, "sections", "Choose the section"),
    ({"sections": ("Driving",)}, "sections", "cites section 'Driving', which is not in content/sections.yml"),
    ({"phrasings": tuple(QUESTIONS[:14])}, "phrasings", "at least 15"),
    ({"phrasings": (*QUESTIONS[:14], "what is foot drop")}, "phrasings", "already in the assistant's files"),
    ({"phrasings": (*QUESTIONS[:14], "call me on [phone]")}, "phrasings", "[phone]"),
    ({"phrasings": (*QUESTIONS, QUESTIONS[0].upper())}, "phrasings", "written twice"),
    ({"phrasings": (*QUESTIONS[:14], "TODO: one more")}, "phrasings", "still says TODO"),
    ({"held_out": (*HELD_OUT[:4], QUESTIONS[0])}, "held_out", "also one of the ways patients ask it"),
    ({"held_out": tuple(HELD_OUT[:4])}, "held_out", "at least 5"),
    ({"held_out": (*HELD_OUT[:4], "hello there friend")}, "held_out", "already in the assistant's files"),
    ({"question": ""}, "question", "Write one question"),
    ({"question": "my number is [phone]"}, "question", "[phone]"),
])
def test_each_refusal_names_its_field_and_nothing_is_written(project, change, field, words):
    before = files_now(project)
    problems = check_draft(project, tidy(replace(DRIVING, **change)))
    assert set(problems) == {field}, problems
    assert any(words in problem for problem in problems[field]), problems
    assert files_now(project) == before


def test_the_answers_problems_speak_of_this_answer_not_domain_yml(project):
    problems = check_draft(project, tidy(replace(DRIVING, care_note="Braces vary.")))
    assert problems["care_note"][0].startswith("This answer has no care note")
    assert new_topics.lines(problems) == [f"Care note: {problems['care_note'][0]}"]


def test_tidy_keeps_the_words_and_makes_the_name_from_the_title():
    draft = tidy(replace(DRIVING, name="", title="  Driving  with foot drop ", facts=f"  {FACTS}  \r\n\r\n",
                         phrasings=(" can i  drive with foot   drop ", "", *QUESTIONS[1:])))
    assert (draft.name, draft.title, draft.facts) == ("ask_driving_with_foot_drop", "Driving with foot drop", FACTS)
    assert draft.phrasings == tuple(QUESTIONS)


# ---------------------------------------------------------------- clinicians, editors, approvals


def test_a_clinicians_new_topic_is_one_commit_and_make_check_passes(setup):
    approvals, project, who = setup
    before = commits(project)
    done = approvals.new_topic(who["bo"], DRIVING, "Patients ask every week")
    assert done == {"committed": git(project, "rev-parse", "HEAD").strip()} and commits(project) == before + 1
    message = git(project, "log", "-1", "--format=%an <%ae>|%B")
    assert message.startswith("Bo Clinician <bo@staff.footdrop.invalid>|New topic 'Driving with foot drop'\n")
    assert "Patients ask every week" in message and "Staff-change: topic" in message and "Approved-by" not in message
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == sorted(FILES)
    assert unsaved(project) == "" and approvals.waiting() == []
    result = make_check(project)
    assert result.returncode == 0, result.stdout


def test_an_editors_new_topic_waits_and_a_clinicians_approval_commits_it(setup):
    approvals, project, who = setup
    before, files = commits(project), files_now(project)
    proposal_id = approvals.new_topic(who["ana"], DRIVING, "Asked a lot")["proposal"]
    proposal = approvals.get(proposal_id)
    assert (proposal.kind, proposal.status, proposal.author, proposal.response, proposal.note) == (
        new_topics.KIND, WAITING, "ana", "utter_ask_driving", "Asked a lot")
    assert proposal.draft == DRIVING and proposal.text == ANSWER and proposal.replaces == ""
    assert files_now(project) == files and commits(project) == before and unsaved(project) == ""

    with pytest.raises(ProposalError, match="Only a clinician"):
        approvals.approve(proposal_id, who["cy"])
    sha = approvals.approve(proposal_id, who["bo"])
    assert commits(project) == before + 1 and git(project, "rev-parse", "HEAD").strip() == sha
    message = git(project, "log", "-1", "--format=%an <%ae>|%B")
    assert message.startswith("Ana Pereira <ana@staff.footdrop.invalid>|New topic 'Driving with foot drop'\n")
    assert "Approved-by: Bo Clinician <bo@staff.footdrop.invalid>" in message and "Staff-change: topic" in message
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == sorted(FILES)
    decided = approvals.get(proposal_id)
    assert (decided.status, decided.decided_by, decided.commit_sha) == (APPROVED, "bo", sha)
    assert make_check(project).returncode == 0 and unsaved(project) == ""


def test_an_editors_new_topic_can_be_declined_or_withdrawn(setup):
    approvals, project, who = setup
    files = files_now(project)
    first = approvals.new_topic(who["ana"], DRIVING, "")["proposal"]
    approvals.decline(first, who["bo"], "The guide says nothing about driving.")
    assert approvals.get(first).status == DECLINED
    second = approvals.new_topic(who["ana"], DRIVING, "")["proposal"]
    with pytest.raises(ProposalError, match="Only the person who proposed"):
        approvals.withdraw(second, who["cy"])
    approvals.withdraw(second, who["ana"])
    assert approvals.get(second).status == WITHDRAWN
    assert files_now(project) == files and approvals.waiting() == []


def test_a_draft_that_fails_the_checks_is_neither_proposed_nor_written(setup):
    approvals, project, who = setup
    files, before = files_now(project), commits(project)
    for account in (who["ana"], who["bo"]):
        with pytest.raises(DraftError) as refused:
            approvals.new_topic(account, replace(DRIVING, care_note="Braces vary."), "")
        assert list(refused.value.problems) == ["care_note"]
    assert approvals.waiting() == [] and files_now(project) == files and commits(project) == before


def test_a_second_proposal_of_the_same_name_is_refused(setup):
    approvals, _, who = setup
    approvals.new_topic(who["ana"], DRIVING, "")
    with pytest.raises(DraftError) as refused:
        approvals.new_topic(who["cy"], replace(DRIVING, title="Can I drive?"), "")
    assert "already waiting for a clinician" in refused.value.problems["name"][0]


def test_a_new_topic_whose_name_was_taken_since_is_not_approved(setup):
    approvals, project, who = setup
    proposal_id = approvals.new_topic(who["ana"], DRIVING, "")["proposal"]
    approvals.new_topic(who["bo"], replace(DRIVING, title="Cars and driving",
                                           phrasings=tuple(f"{q} please" for q in QUESTIONS),
                                           held_out=tuple(f"{q} please" for q in HELD_OUT)), "")
    head, files = git(project, "rev-parse", "HEAD"), files_now(project)
    with pytest.raises(ProposalError, match="does not pass the checks now") as refused:
        approvals.approve(proposal_id, who["bo"])
    assert any("Topic name: There is already a topic called ask_driving" in p for p in refused.value.problems)
    assert git(project, "rev-parse", "HEAD") == head and files_now(project) == files
    assert approvals.get(proposal_id).status == WAITING


def test_answer_proposals_are_read_as_before(setup):
    """A proposal row of kind 'answer' (as every row was before new topics) reads as it did."""
    approvals, _, who = setup
    text = response_text(approvals.project, "utter_ask_brace").replace("walk", "walk safely", 1)
    proposal = approvals.get(approvals.change_answer(who["ana"], "utter_ask_brace", text, "")["proposal"])
    assert (proposal.kind, proposal.draft, proposal.response) == (ANSWER_KIND, None, "utter_ask_brace")


# ---------------------------------------------------------------- nothing half-done


def test_a_failed_commit_puts_every_file_back(setup, monkeypatch):
    approvals, project, who = setup
    files, head = files_now(project), git(project, "rev-parse", "HEAD")
    assert files["data/nlu/staff_topics.yml"] is None  # created by the new topic, so removed again

    def failing_commit(*args, **kwargs):
        raise ChangeError("git commit failed: the disk is full")

    monkeypatch.setattr(History, "commit", failing_commit)
    with pytest.raises(ChangeError, match="disk is full"):
        approvals.new_topic(who["bo"], DRIVING, "")
    assert files_now(project) == files and git(project, "rev-parse", "HEAD") == head
    assert unsaved(project) == "" and git(project, "diff", "--cached", "--name-only") == ""


def test_a_failure_after_git_add_leaves_nothing_staged(setup, monkeypatch):
    approvals, project, who = setup
    files = files_now(project)
    real = History._git

    def git_without_commit(self, *args, **kwargs):
        if args[0] == "commit":
            raise ChangeError("git commit failed: no")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(History, "_git", git_without_commit)
    with pytest.raises(ChangeError):
        approvals.new_topic(who["bo"], DRIVING, "")
    monkeypatch.undo()
    assert files_now(project) == files and unsaved(project) == ""
    assert git(project, "diff", "--cached", "--name-only") == ""


def test_a_problem_make_check_finds_after_writing_puts_every_file_back(setup, monkeypatch):
    approvals, project, who = setup
    files, head = files_now(project), git(project, "rev-parse", "HEAD")
    calls = []

    def checks(root):  # before writing: none; after: one new problem
        calls.append(root)
        return [] if len(calls) == 1 else ["domain.yml: something a new check finds"]

    monkeypatch.setattr(new_topics, "run_checks", checks)
    with pytest.raises(DraftError) as refused:
        approvals.new_topic(who["bo"], DRIVING, "")
    assert refused.value.problems == {"project": ["domain.yml: something a new check finds"]}
    assert files_now(project) == files and git(project, "rev-parse", "HEAD") == head and unsaved(project) == ""


def test_files_edited_outside_the_console_stop_a_new_topic(setup):
    approvals, project, who = setup
    rules = project / "data/rules.yml"
    rules.write_text(rules.read_text(encoding="utf-8") + "# edited on the server\n", encoding="utf-8")
    files = files_now(project)
    with pytest.raises(ChangeError, match="data/rules.yml"):
        approvals.new_topic(who["bo"], DRIVING, "")
    assert files_now(project) == files


def test_undoing_a_new_topic_in_the_history_takes_it_out_of_every_file(setup):
    approvals, project, who = setup
    files = files_now(project)
    sha = approvals.new_topic(who["bo"], DRIVING, "")["committed"]
    history = History(project)
    change = history.change(sha)
    assert (change.kind, change.subject, sorted(change.files)) == (new_topics.KIND, "New topic 'Driving with foot drop'",
                                                                    sorted(FILES))
    history.revert(sha, new_topics.Author("ana", "Ana Pereira"))  # an editor may: not on the safety path
    assert files_now(project) == files and unsaved(project) == ""
    assert make_check(project).returncode == 0


def test_the_worked_example_in_docs_extending_is_the_one_tested_here():
    """docs/EXTENDING.md gives staff the worked example to type into the console: the same
    answer and questions as DRIVING, which the tests above check, save and commit."""
    guide = (ROOT / "docs" / "EXTENDING.md").read_text(encoding="utf-8")
    console = guide.split("### Worked example in the console")[1].split("## From the command line")[0]
    for line in (DRIVING.facts, DRIVING.care_note, DRIVING.title, DRIVING.question, *DRIVING.phrasings,
                 *DRIVING.held_out):
        assert line in console, line
    assert 'tick "Recovery"' in console and DRIVING.sections == ("Recovery",)
