"""staff/approvals.py on a git copy of the project with a real database: an editor's answer
waits as a proposal and touches nothing; a clinician approves it (one commit, the editor as
author, Approved-by the clinician) or declines it with a note; the editor may withdraw it; a
clinician's own change is committed at once; checks, the safety path and an answer changed
since the proposal are refused with nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff import store
from staff.approvals import APPROVED, DECLINED, WAITING, WITHDRAWN, Approvals, ProposalError
from staff.history import ChangeError
from staff.safety import SafetyError
from support.staff import accounts_database, git, project_copy, response_text, unsaved

BRACE = "utter_ask_brace"
NEW = ("Your doctor may suggest a brace. A brace can help you walk with less effort.\n"
       "Ask your doctor or physical therapist if a brace is right for you.\n"
       "From: Medical Interventions; Recovery")
OTHER = ("A brace can hold your foot up as you walk.\n"
         "Ask your doctor or physical therapist if a brace is right for you.\n"
         "From: Medical Interventions")



@pytest.fixture(scope="module")
def accounts_db(tmp_path_factory):
    return accounts_database(tmp_path_factory.mktemp("db") / "staff.db")


@pytest.fixture
def setup(tmp_path, accounts_db):
    path, made = accounts_db
    copy = tmp_path / "staff.db"
    copy.write_bytes(path.read_bytes())
    db = store.connect(copy)
    db.execute("DELETE FROM proposals")
    project = project_copy(tmp_path)
    return Approvals(db, project), project, made




def commits(project: Path) -> int:
    return int(git(project, "rev-list", "--count", "HEAD"))


def test_an_editors_answer_waits_as_a_proposal_and_touches_nothing(setup):
    approvals, project, who = setup
    before, domain = commits(project), (project / "domain.yml").read_text(encoding="utf-8")
    done = approvals.change_answer(who["ana"], BRACE, NEW, "Say how a brace helps")
    proposal = approvals.get(done["proposal"])
    assert (proposal.status, proposal.author, proposal.response, proposal.text, proposal.note) == (
        WAITING, "ana", BRACE, NEW, "Say how a brace helps")
    assert proposal.replaces == response_text(project, BRACE)
    assert approvals.waiting() == [proposal]
    assert (project / "domain.yml").read_text(encoding="utf-8") == domain and commits(project) == before
    assert unsaved(project) == ""


def test_a_clinician_approves_one_commit_by_the_editor_approved_by_the_clinician(setup):
    approvals, project, who = setup
    before = commits(project)
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "Say how a brace helps")["proposal"]
    sha = approvals.approve(proposal_id, who["bo"])
    assert response_text(project, BRACE) == NEW
    assert commits(project) == before + 1 and git(project, "rev-parse", "HEAD").strip() == sha
    assert git(project, "log", "-1", "--format=%an <%ae>").strip() == "Ana Pereira <ana@staff.footdrop.invalid>"
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith("Answer to 'Braces': Say how a brace helps\n")
    assert "Approved-by: Bo Clinician <bo@staff.footdrop.invalid>" in message and "Staff-change: answer" in message
    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == ["domain.yml"]
    decided = approvals.get(proposal_id)
    assert (decided.status, decided.decided_by, decided.commit_sha) == (APPROVED, "bo", sha)
    assert approvals.waiting() == []
    with pytest.raises(ProposalError, match="already approved"):
        approvals.approve(proposal_id, who["bo"])


def test_a_clinicians_own_change_is_committed_at_once(setup):
    approvals, project, who = setup
    before = commits(project)
    done = approvals.change_answer(who["bo"], BRACE, NEW, "Clearer")
    assert response_text(project, BRACE) == NEW and commits(project) == before + 1
    assert done == {"committed": git(project, "rev-parse", "HEAD").strip()}
    message = git(project, "log", "-1", "--format=%an|%B")
    assert message.startswith("Bo Clinician|Answer to 'Braces': Clearer") and "Approved-by" not in message
    assert approvals.waiting() == []


def test_an_editor_cannot_approve_or_decline(setup):
    approvals, project, who = setup
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "")["proposal"]
    with pytest.raises(ProposalError, match="Only a clinician"):
        approvals.approve(proposal_id, who["cy"])
    with pytest.raises(ProposalError, match="Only a clinician"):
        approvals.decline(proposal_id, who["cy"], "no")
    assert approvals.get(proposal_id).status == WAITING and response_text(project, BRACE) != NEW


def test_a_draft_that_fails_the_checks_is_not_saved(setup):
    approvals, project, who = setup
    broken = NEW.replace("Ask your doctor or physical therapist if a brace is right for you.", "Braces vary.")
    for account in (who["ana"], who["bo"]):
        with pytest.raises(ProposalError) as refused:
            approvals.change_answer(account, BRACE, broken, "")
        assert len(refused.value.problems) == 1 and "no care note" in refused.value.problems[0]
    assert approvals.waiting() == [] and response_text(project, BRACE) != broken
    assert unsaved(project) == ""


def test_the_same_answer_is_nothing_to_save(setup):
    approvals, project, who = setup
    with pytest.raises(ProposalError, match="same as now"):
        approvals.change_answer(who["ana"], BRACE, response_text(project, BRACE) + "\n\n", "")


def test_an_editor_may_not_change_a_safety_message_a_clinician_may(setup):
    approvals, project, who = setup
    before = commits(project)
    with pytest.raises(SafetyError, match="Only a clinician") as refused:
        approvals.change_answer(who["ana"], "utter_emergency", "Call for help now.", "")
    assert "utter_emergency" in str(refused.value)
    assert approvals.waiting() == [] and commits(project) == before
    approvals.change_answer(who["bo"], "utter_not_a_diagnosis", "This is only general advice. It is not a diagnosis.",
                            "Shorter")
    assert response_text(project, "utter_not_a_diagnosis") == "This is only general advice. It is not a diagnosis."
    message = git(project, "log", "-1", "--format=%B")
    assert "Staff-change: safety" in message and commits(project) == before + 1


def test_an_answer_changed_since_the_proposal_is_not_approved(setup):
    approvals, project, who = setup
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "Mine")["proposal"]
    approvals.change_answer(who["bo"], BRACE, OTHER, "Meanwhile")
    head, domain = git(project, "rev-parse", "HEAD"), (project / "domain.yml").read_text(encoding="utf-8")
    with pytest.raises(ProposalError, match="changed since this proposal was made"):
        approvals.approve(proposal_id, who["bo"])
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / "domain.yml").read_text(encoding="utf-8") == domain
    assert approvals.get(proposal_id).status == WAITING


def test_files_edited_outside_the_console_stop_an_approval(setup):
    approvals, project, who = setup
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "")["proposal"]
    domain = project / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8") + "# edited on the server\n", encoding="utf-8")
    with pytest.raises(ChangeError, match="domain.yml"):
        approvals.approve(proposal_id, who["bo"])
    assert domain.read_text(encoding="utf-8").endswith("# edited on the server\n")
    assert response_text(project, BRACE) != NEW and approvals.get(proposal_id).status == WAITING


def test_decline_needs_a_note_and_keeps_it(setup):
    approvals, project, who = setup
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "")["proposal"]
    with pytest.raises(ProposalError, match="say why"):
        approvals.decline(proposal_id, who["bo"], "  ")
    approvals.decline(proposal_id, who["bo"], "The guide does not say 'less effort'.")
    declined = approvals.get(proposal_id)
    assert (declined.status, declined.decided_by, declined.decision_note) == (
        DECLINED, "bo", "The guide does not say 'less effort'.")
    assert approvals.decided() == [declined] and response_text(project, BRACE) != NEW


def test_only_the_author_withdraws_a_waiting_proposal(setup):
    approvals, project, who = setup
    proposal_id = approvals.change_answer(who["ana"], BRACE, NEW, "")["proposal"]
    with pytest.raises(ProposalError, match="Only the person who proposed"):
        approvals.withdraw(proposal_id, who["cy"])
    approvals.withdraw(proposal_id, who["ana"])
    assert approvals.get(proposal_id).status == WITHDRAWN
    with pytest.raises(ProposalError, match="already withdrawn"):
        approvals.approve(proposal_id, who["bo"])
    assert response_text(project, BRACE) != NEW


def test_no_such_proposal(setup):
    approvals, _, who = setup
    with pytest.raises(ProposalError, match="no such proposal"):
        approvals.approve(12345, who["bo"])
