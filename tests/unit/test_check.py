"""`make check` (tools/check.py): the real project passes, and each kind of mistake is caught and named.

Each broken case copies only the files tools.check reads into a temporary folder, breaks the copy
the way a person editing it might, and runs tools.check's command line on it (`--root <copy>`):
in this process, to keep the unit tier fast; the untouched copy is checked with
`python -m tools.check --root <copy>` as `make check` runs it. No model, no server.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tools import check
from support.project import ROOT, copy_checked_files


def run_check(root: Path) -> subprocess.CompletedProcess:
    """`python -m tools.check --root <root>`, as `make check` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tools.check", "--root", str(root)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def check_in_process(root: Path, capsys: pytest.CaptureFixture) -> subprocess.CompletedProcess:
    """The same command line (tools.check's main) in this process: its exit status and output."""
    capsys.readouterr()
    status = check.main(["--root", str(root)])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["tools.check", "--root", str(root)], status, out, err)


# ---------------------------------------------------------------- editing a copy as a person would
# Most breakages edit the parsed YAML and write it back, so they do not depend on how the real
# files happen to be laid out (indentation, comments); the YAML-syntax case edits the text itself.

def edit_yaml(root: Path, relative: str, change) -> None:
    path = root / relative
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


def response(content: dict, name: str) -> dict:
    return content["responses"][name][0]


def replace_in_response(root: Path, name: str, old: str, new: str) -> None:
    def change(domain):
        text = response(domain, name)["text"]
        assert old in text, f"{name}: {old!r} not found (the test needs updating)"
        response(domain, name)["text"] = text.replace(old, new, 1)
    edit_yaml(root, "domain.yml", change)


def examples_block(content: dict, intent: str) -> dict:
    return next(b for b in content["nlu"] if b.get("intent") == intent)


def keep_examples(root: Path, relative: str, intent: str, count: int) -> None:
    def change(content):
        block = examples_block(content, intent)
        lines = [line for line in block["examples"].splitlines() if line.strip()]
        assert len(lines) > count
        block["examples"] = "\n".join(lines[:count]) + "\n"
    edit_yaml(root, relative, change)


def add_example(root: Path, relative: str, intent: str, example: str) -> None:
    def change(content):
        examples_block(content, intent)["examples"] += f"- {example}\n"
    edit_yaml(root, relative, change)


# ---------------------------------------------------------------- the broken cases

def delete_response(root):
    edit_yaml(root, "domain.yml", lambda d: d["responses"].pop("utter_ask_brace"))


def delete_source_line(root):
    replace_in_response(root, "utter_ask_brace", "\nFrom: Medical Interventions; Recovery", "")


def cite_unknown_section(root):
    replace_in_response(root, "utter_ask_brace", "From: Medical Interventions; Recovery", "From: Medical Interventions; Braces")


def drop_care_note(root):
    replace_in_response(
        root, "utter_ask_brace", "Ask your doctor or physical therapist if a brace is right for you.", "Braces come in many kinds."
    )


RECOVERY_FACT = "Depending on the cause, many people can fully recover."
INVENTED = "Massage cures foot drop in a week."  # the guide names massage in Physical Therapy Interventions only


def invented_treatment(root):
    """utter_ask_recovery (From: Recovery) says massage cures foot drop; Recovery never names massage."""
    replace_in_response(root, "utter_ask_recovery", RECOVERY_FACT, f"{RECOVERY_FACT} {INVENTED}")


def fourteen_examples(root):
    """ask_brace left with 14 examples, all in data/nlu/treatment.yml."""
    for path in [root / "data" / "nlu.yml", *(root / "data" / "nlu").glob("*.yml")]:
        if path.name != "treatment.yml" and "- intent: ask_brace\n" in path.read_text(encoding="utf-8"):
            edit_yaml(root, str(path.relative_to(root)), lambda c: c["nlu"].remove(examples_block(c, "ask_brace")))
    keep_examples(root, "data/nlu/treatment.yml", "ask_brace", 14)


def no_holdout_block(root):
    edit_yaml(root, "tests/nlu_holdout.yml", lambda c: c["nlu"].remove(examples_block(c, "ask_brace")))


def no_conversation_test(root):
    def change(content):
        for story in content["stories"]:
            for step in story["steps"]:
                if step.get("intent") == "ask_cause_stroke":
                    step.update(user="what causes foot drop\n", intent="ask_causes")
                elif step.get("action") == "utter_ask_cause_stroke":
                    step["action"] = "utter_ask_causes"
    edit_yaml(root, "tests/test_stories.yml", change)


def example_under_two_intents(root):
    add_example(root, "data/nlu/treatment.yml", "ask_brace", "what causes foot drop")  # an ask_causes example


def holdout_in_training(root):
    add_example(root, "tests/nlu_holdout.yml", "ask_brace", "Should I wear a  brace")  # a training example, recased


def hard_sentence(root):
    replace_in_response(
        root, "utter_thank", "You're welcome.",
        "You're welcome. Notwithstanding considerable physiological heterogeneity, comprehensive "
        "neuromuscular rehabilitation necessitates individualized multidisciplinary interventions.",
    )


def bad_phone(root):
    edit_yaml(root, "clinic.yml", lambda c: c.update(phone="call us"))


def remove_rule_for(intent: str):
    def breakage(root):
        def change(content):
            rules = [r for r in content["rules"] if r["steps"][0].get("intent") == intent]
            assert len(rules) == 1, rules
            content["rules"].remove(rules[0])
        edit_yaml(root, "data/rules.yml", change)
    return breakage


def bad_section_start(root):
    def change(spec):
        causes = next(s for s in spec["sections"] if s["title"] == "Causes")
        causes["starts"] = causes["starts"] + " and more"
    edit_yaml(root, "content/sections.yml", change)


def bad_indentation(root):
    path = root / "data/nlu/causes.yml"
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.strip() == "- intent: ask_cause_stroke") + 1
    assert lines[number].strip() == "examples: |"
    lines[number] = " " + lines[number]  # one space too many: the line no longer lines up with `intent:`
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"line {number + 1}"


def title_removed(root):
    edit_yaml(root, "content/topics.yml", lambda c: c["titles"].pop("ask_surgery"))


def new_intent_with_nothing_else(root):
    edit_yaml(root, "domain.yml", lambda d: d["intents"].append("ask_driving"))


CASES = {
    # case: (break the copy, [text the output must contain, per problem line: the file and the culprit])
    "response deleted": (delete_response, [["domain.yml", "'ask_brace'", "'utter_ask_brace'", "add one under responses:"]]),
    "source line deleted": (delete_source_line, [["domain.yml", "'utter_ask_brace'", "From: "]]),
    "unknown section cited": (cite_unknown_section, [["domain.yml", "'utter_ask_brace'", "'Braces'", "content/sections.yml"]]),
    "care note missing": (drop_care_note, [["domain.yml", "'utter_ask_brace'", "care note"]]),
    "treatment the cited section does not name": (invented_treatment, [[
        "domain.yml", "'utter_ask_recovery'", "'Massage'", "a treatment", "(Recovery)", "From: ",
        "Physical Therapy Interventions", "take it out",
    ]]),
    "14 training examples": (fourteen_examples, [["data/nlu/treatment.yml", "'ask_brace'", "14 training examples", "add 1 more"]]),
    "held-out block removed": (no_holdout_block, [["tests/nlu_holdout.yml", "'ask_brace'", "0 held-out examples"]]),
    "no conversation test": (no_conversation_test, [["tests/test_stories.yml", "'ask_cause_stroke'", "no conversation test"]]),
    "example under two intents": (example_under_two_intents, [[
        "data/nlu/causes.yml", "data/nlu/treatment.yml", "'what causes foot drop'", "'ask_brace'", "'ask_causes'",
    ]]),
    "held-out example in training": (holdout_in_training, [[
        "tests/nlu_holdout.yml", "Should I wear a  brace", "'ask_brace'", "data/nlu/treatment.yml",
    ]]),
    "hard sentence": (hard_sentence, [["domain.yml", "'utter_thank'", "grade", "above 8.0"]]),
    "phone is not a number": (bad_phone, [["clinic.yml", "'phone'", "'call us'"]]),
    "rule removed": (remove_rule_for("goodbye"), [["data/rules.yml", "'goodbye'", "- intent: goodbye"]]),
    "topic rule removed": (remove_rule_for("ask_surgery"), [["data/rules.yml", "'ask_surgery'", "'utter_ask_surgery'"]]),
    "section start not in guide": (bad_section_start, [["content/sections.yml", "'Causes'", "content/foot-drop.txt"]]),
    "YAML indentation broken": (bad_indentation, [["data/nlu/causes.yml", "not valid YAML", "indentation"]]),
    "new intent with nothing else": (new_intent_with_nothing_else, [
        ["domain.yml", "'ask_driving'", "'utter_ask_driving'"],
        ["data/rules.yml", "'ask_driving'"],
        ["data/", "'ask_driving'", "no training examples"],
        ["tests/nlu_holdout.yml", "'ask_driving'", "0 held-out examples"],
        ["tests/test_stories.yml", "'ask_driving'"],
        ["content/topics.yml", "'ask_driving'", "no title"],
    ]),
    "title removed": (title_removed, [["content/topics.yml", "'ask_surgery'", "no title"]]),
}


def test_the_project_passes_every_check(capsys):
    assert check.run_checks(ROOT) == []
    assert check.main(["--root", str(ROOT)]) == 0
    assert capsys.readouterr().out.startswith("All checks passed (")


def test_an_untouched_copy_passes(tmp_path):
    """The copy the cases below break is complete: the failures come from the breakage only."""
    result = run_check(copy_checked_files(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("All checks passed (")


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_problem_is_caught_and_named(tmp_path, case, capsys):
    root = copy_checked_files(tmp_path)
    breakage, expected = CASES[case]
    extra = breakage(root)
    result = check_in_process(root, capsys)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    problems = lines[:-1]
    assert lines[-1] == f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", result.stdout
    if extra:  # e.g. the line number of a YAML error
        expected = [fragments + [extra] for fragments in expected]
    for fragments in expected:
        assert any(all(f in line for f in fragments) for line in problems), (
            f"no problem line names all of {fragments}:\n{result.stdout}"
        )
    assert result.stderr == "", result.stderr


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    root = copy_checked_files(tmp_path)
    delete_response(root)
    fourteen_examples(root)
    bad_phone(root)
    problems = check.run_checks(root)
    assert any("'utter_ask_brace'" in p for p in problems)
    assert any("14 training examples" in p for p in problems)
    assert any(p.startswith("clinic.yml: 'phone'") for p in problems)


@pytest.mark.parametrize("name", [n for n in dir(check) if n.startswith("check_")])
def test_each_check_returns_a_list_of_messages(name):
    project, problems = check.load_project(ROOT)
    assert problems == []
    assert getattr(check, name)(project) == []


def test_reading_grade_matches_the_content_test():
    """The same figure tests/unit/test_content.py asserts on: body and care note, not the 'From:' line."""
    text = check.load_project(ROOT)[0].responses["utter_ask_brace"][0]["text"]
    body_and_note = "\n".join(text.splitlines()[:-1])
    assert check.reading_grade(text) == check.reading_grade(body_and_note)
    assert re.fullmatch(r"-?\d+(\.\d+)?", str(check.reading_grade(text)))


# ---------------------------------------------------------------- the terms an answer names (footdrop/claims.py)

def recovery_answer(project: check.Project) -> str:
    return project.responses["utter_ask_recovery"][0]["text"]


def test_a_treatment_the_cited_section_does_not_name_is_reported_while_typing():
    """response_problems (the staff console's check as staff type) reports it, naming the term,
    the section cited, the section that does name it, and the two ways to fix it."""
    project = check.load_project(ROOT)[0]
    faithful = recovery_answer(project)
    assert check.response_problems(project, "utter_ask_recovery", faithful) == []
    invented = faithful.replace(RECOVERY_FACT, f"{RECOVERY_FACT} {INVENTED}", 1)
    problems = check.response_problems(project, "utter_ask_recovery", invented)
    assert problems == [
        "domain.yml: response 'utter_ask_recovery' names 'Massage' (a treatment), but the section it cites "
        "(Recovery) does not — an answer may only say what those sections say: add the section that says it to the "
        "'From: ' line (the guide says 'massage' in Physical Therapy Interventions), or take it out of the answer"
    ]
    # Either fix clears it: citing the section that names it, or taking it out.
    cited = invented.replace("From: Recovery", "From: Recovery; Physical Therapy Interventions")
    assert check.response_problems(project, "utter_ask_recovery", cited) == []


def test_run_checks_reports_the_invented_treatment_as_response_problems_does(tmp_path):
    root = copy_checked_files(tmp_path)
    invented_treatment(root)
    project = check.load_project(root)[0]
    expected = check.response_problems(project, "utter_ask_recovery", recovery_answer(project))
    assert len(expected) == 1 and "'Massage'" in expected[0]
    assert check.run_checks(root) == expected


def test_a_faithful_change_to_an_answer_passes(tmp_path):
    """An answer reworded with terms its sections name (surgery and physical therapy: Recovery) passes."""
    root = copy_checked_files(tmp_path)
    replace_in_response(root, "utter_ask_recovery", RECOVERY_FACT, f"{RECOVERY_FACT} Some people need surgery.")
    assert check.run_checks(root) == []


def test_the_message_says_which_sections_name_the_term_and_in_what_words():
    project = check.load_project(ROOT)[0]
    text = recovery_answer(project).replace(RECOVERY_FACT, f"{RECOVERY_FACT} Wear an ankle-foot orthosis.")
    problems = check.response_problems(project, "utter_ask_recovery", text.replace("From: Recovery", "From: Symptoms"))
    assert any("names 'ankle-foot orthosis' and 'brace' (a device)" in p and "'brace' in Medical Interventions and Recovery"
               in p for p in problems), problems
    assert any("names 'surgery' (a treatment)" in p and "in Treatment, Medical Interventions and Recovery" in p
               for p in problems), problems


def test_a_term_no_section_names_is_to_be_taken_out():
    """(Every term of content/terminology.yml an answer could name is in some section of today's guide.)"""
    text = "A brace helps steppage gait.\nAsk your doctor or physical therapist.\nFrom: Recovery"
    assert check.claim_problems("utter_ask_recovery", text, {"Recovery": "A brace helps."}) == [
        "domain.yml: response 'utter_ask_recovery' names 'steppage gait' (a symptom), but the section it cites "
        "(Recovery) does not — an answer may only say what those sections say: no section of the guide names it, "
        "so take it out of the answer"
    ]


def test_an_answer_citing_a_section_that_does_not_exist_gets_only_that_message(tmp_path):
    """The terms are checked once every section cited exists: the first thing to fix is the `From:` line."""
    project = check.load_project(ROOT)[0]
    text = recovery_answer(project).replace(RECOVERY_FACT, INVENTED).replace("From: Recovery", "From: Recovery; Massage")
    problems = check.response_problems(project, "utter_ask_recovery", text)
    assert len(problems) == 1 and "cites section 'Massage', which is not in content/sections.yml" in problems[0]


def test_make_check_loads_spacy_without_tensorflow():
    """The terms are found with spaCy; spaCy's thinc would import TensorFlow (seconds, hundreds of MB,
    log lines on the terminal) unless footdrop/claims.py stops it."""
    code = ("import sys; from tools import check; from support.project import ROOT; "
            "assert check.run_checks(ROOT) == []; assert 'spacy' in sys.modules; "
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'; import tensorflow")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
