"""Publishing: from the content in git to the model every running Rasa server answers with,
without restarting them, and only when nothing got worse.

One publication runs these steps, in a thread of the console (the work itself in child
processes, with the project's own commands), one at a time:

1. **check**: no content file has changes outside the console (the model must be a commit);
   `rasa data validate` and `make check`'s checks (tools/check.py) pass.
2. **train**: `rasa train` of a snapshot of that commit (``git archive``) into
   var/staff/candidates/, with the project's training cache (so a changed phrasing retrains
   only what it touches). Progress: the components done, of as many as the last training had.
3. **evaluate**: the candidate and the model now served, through the whole pipeline as
   patients meet it (tools/evaluate.py's outcome table): the share of held-out and of external
   questions that get the right answer; the red-flag evaluation (tools/evaluate_red_flags.py
   ``--check``: the emergency signs' floors). Refused, saying why, when either share falls by
   more than ``MAX_DROP`` (one point) or the red-flag floors are not met.
4. **publish**: the candidate replaces models/footdrop.tar.gz (an atomic rename). Rasa's own
   model-server mechanism does the rest: every Rasa server of `make serve` asks the console
   for that file every few seconds (``models:`` in the endpoints scripts/serve writes, with
   the file's SHA-256 as ETag), loads a new one while it keeps answering, and says which one
   it has in each request (``If-None-Match``), which the Publish page shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from staff.history import CONTENT_PATHS, ChangeError, History

MODEL = Path("models") / "footdrop.tar.gz"
WORK = Path("var") / "staff"
#: most a share of right answers may fall (held-out or external), in points
MAX_DROP = 1.0
HOLDOUT_SET = "held-out (tests/nlu_holdout.yml)"
EXTERNAL_SET = "external questions (tests/nlu_external.yml)"
FIGURES = {HOLDOUT_SET: "held-out questions", EXTERNAL_SET: "external questions"}
#: what each step weighs in the progress bar (percent)
STEPS = (("check", "Checking the content", 10), ("train", "Training the new model", 60),
         ("evaluate", "Testing it against the model patients have now", 28), ("publish", "Publishing", 2))
#: tools/evaluate.py's per-intent counts in its outcome table (its BY_INTENT: staff imports no Rasa)
BY_INTENT = "by intent"
#: Rasa's log line for each trainable component done: trained now, or taken from the training cache
COMPONENT_DONE = re.compile(r"(?:Finished training|Restored) component '")
KEEP_CANDIDATES = 3


def components_done(log: Path) -> int:
    """How many trainable components a training's log says were done (0 without a log): the
    progress bar's measure for the next training, which has the same components."""
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text(errors="replace").splitlines() if COMPONENT_DONE.search(line))


def components_named(config: Path) -> int:
    """The components and policies config.yml names: more than train (some only process), the
    measure before the first training's log exists."""
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    return max(1, len(re.findall(r"^\s*- name:", text, flags=re.MULTILINE)))


class PublishError(RuntimeError):
    """A publication refused or failed; the message says why in plain words."""


@dataclass
class Progress:
    """What the Publish page shows while a publication runs and after it ended."""

    id: int = 0
    by: str = ""
    state: str = "idle"  # idle, running, published, refused, failed
    step: str = ""
    label: str = ""
    percent: int = 0
    started: float = 0.0
    finished: float = 0.0
    reasons: List[str] = field(default_factory=list)
    figures: Dict[str, Dict[str, float]] = field(default_factory=dict)
    commit: str = ""
    model_sha256: str = ""

    def to_json(self) -> Dict[str, object]:
        return asdict(self)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ModelFile:
    """The model the project serves (models/footdrop.tar.gz) and its SHA-256, computed again
    only when the file changes (size, modification time, inode)."""

    def __init__(self, project: Path):
        self.path = project / MODEL
        self._seen: Tuple[int, int, int] = (0, 0, 0)
        self._sha = ""
        self._lock = threading.Lock()

    def sha256(self) -> Optional[str]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        with self._lock:
            if key != self._seen:
                self._sha, self._seen = sha256_of(self.path), key
            return self._sha


def topics_file(project: Path, sha: str) -> Path:
    """Where the evaluation of the model with SHA-256 `sha` keeps each topic's counts:
    {"held-out questions": {intent: [right answers, questions]}, "external questions": {...}}."""
    return project / WORK / "figures" / f"{sha}.topics.json"


def share_right(table: Dict[str, dict], name: str) -> float:
    """Percent of a set's messages that got the right answer (tools/evaluate.py's outcome table)."""
    return round(100 * float(table[name]["right answer"]), 2)


def compare(before: Dict[str, float], after: Dict[str, float], max_drop: float = MAX_DROP) -> List[str]:
    """Why the candidate may not be published: each share that fell by more than max_drop."""
    reasons = []
    for name, label in FIGURES.items():
        if name in before and name in after and before[name] - after[name] > max_drop:
            reasons.append(f"Fewer {label} get the right answer: {after[name]:.1f}% with the new model, "
                           f"{before[name]:.1f}% now (more than {max_drop:g} point lower).")
    return reasons


class Publisher:
    """Runs one publication at a time for a project; `progress` is what it is doing."""

    def __init__(self, project: Path, record: Callable[[Progress], None] = lambda progress: None,
                 python: str = sys.executable):
        self.project = project
        self.work = project / WORK
        self.model = ModelFile(project)
        self.record = record
        self.python = python
        self.rasa = str(Path(python).parent / "rasa")
        self.progress = Progress()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None

    # ------------------------------------------------------------------ starting

    def start(self, by: str, publication_id: int) -> None:
        """Starts a publication in the background; PublishError when one is running."""
        with self._lock:
            if self.progress.state == "running":
                raise PublishError(f"A publication started by {self.progress.by} is running: wait for it to end.")
            self.progress = Progress(id=publication_id, by=by, state="running", started=time.time())
            self._thread = threading.Thread(target=self._run, name=f"publish-{publication_id}", daemon=True)
            self._thread.start()

    def wait(self, timeout: Optional[float] = None) -> Progress:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.progress

    # ------------------------------------------------------------------ the steps

    def _step(self, name: str, within: float = 0.0) -> None:
        done = 0
        for step, label, weight in STEPS:
            if step == name:
                self.progress.step, self.progress.label = step, label
                self.progress.percent = min(99, int(done + weight * within))
                return
            done += weight

    def _run(self) -> None:
        progress = self.progress
        try:
            self._step("check")
            commit, snapshot = self._check()
            progress.commit = commit
            self._step("train")
            candidate = self._train(snapshot, progress.id)
            self._step("evaluate")
            before, after, reasons = self._evaluate(candidate, progress.id)
            progress.figures = {"before": before, "after": after}
            if reasons:
                raise PublishError("\n".join(reasons))
            self._step("publish")
            progress.model_sha256 = self._publish(candidate)
            progress.state, progress.percent = "published", 100
        except PublishError as refused:
            progress.state, progress.reasons = "refused", str(refused).splitlines()
        except Exception as error:  # noqa: BLE001 - shown to staff, and the model stays as it was
            progress.state = "failed"
            progress.reasons = [f"The publication stopped on an unexpected error ({error.__class__.__name__}: "
                                f"{error}). The model patients have is unchanged."]
        finally:
            progress.finished = time.time()
            self.record(progress)

    def _command(self, command: Sequence[str], log: Path, cwd: Optional[Path] = None,
                 on_line: Callable[[str], None] = lambda line: None) -> Tuple[int, str]:
        """Runs `command` (telemetry off), its output to `log` line by line; (exit code, output)."""
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               "PYTHONDONTWRITEBYTECODE": "1",
               # the training cache `make train` uses: a changed phrasing retrains only what it touches
               "RASA_CACHE_DIRECTORY": str(self.project / ".rasa" / "cache")}
        log.parent.mkdir(parents=True, exist_ok=True)
        lines: List[str] = []
        with open(log, "w") as out:
            process = subprocess.Popen(list(command), cwd=cwd or self.project, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True, errors="replace")
            assert process.stdout is not None
            for line in iter(process.stdout.readline, ""):  # tqdm's \r-lines arrive as one line each
                for part in line.replace("\r", "\n").splitlines():
                    out.write(part + "\n")
                    lines.append(part)
                    on_line(part)
            code = process.wait()
        return code, "\n".join(lines[-400:])

    def _check(self) -> Tuple[str, Path]:
        history = History(self.project)
        try:
            history.ensure_unchanged(CONTENT_PATHS)  # the model must be a commit
        except ChangeError as others:
            raise PublishError(str(others)) from None
        logs = self.work / "logs"
        code, out = self._command([self.rasa, "data", "validate", "--fail-on-warnings"], logs / "validate.log")
        if code:
            problems = [line for line in out.splitlines() if "UserWarning" in line or "error" in line.lower()]
            raise PublishError("Rasa's check of the training data failed:\n" + "\n".join(problems[-10:] or
                               ["see var/staff/logs/validate.log"]))
        code, out = self._command([self.python, "-m", "tools.check", "--root", str(self.project)], logs / "check.log")
        if code:
            problems = [line.strip() for line in out.splitlines()
                        if line.strip() and not re.match(r"^\d+ problems? found$", line.strip())]
            raise PublishError("The content checks found problems (fix them on the topic pages):\n"
                               + "\n".join(problems[:20] or ["see var/staff/logs/check.log"]))
        commit = history.head()
        snapshot = self.work / "snapshot"
        shutil.rmtree(snapshot, ignore_errors=True)
        snapshot.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "--", "config.yml", "domain.yml", "data",
                                  "content"], cwd=self.project, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive, check=True)
        (snapshot / "build").symlink_to(self.project / "build")  # the spaCy pipeline and the encoder
        return commit, snapshot

    def _train(self, snapshot: Path, publication_id: int) -> Path:
        out = self.work / "candidates"
        name = f"candidate-{publication_id}"

        log_path = self.work / "logs" / "train.log"
        expected = components_done(log_path) or components_named(snapshot / "config.yml")
        done = 0

        def on_line(line: str) -> None:
            nonlocal done
            if COMPONENT_DONE.search(line):
                done += 1
                self._step("train", 0.1 + 0.85 * min(1.0, done / expected))

        code, log = self._command([self.rasa, "train", "--fixed-model-name", name, "--out", str(out)],
                                  log_path, cwd=snapshot, on_line=on_line)
        if code:
            raise PublishError("Training failed; the model patients have is unchanged. The end of its log:\n"
                               + "\n".join(log.splitlines()[-8:]))
        self._tidy(out, keep=f"{name}.tar.gz")
        return out / f"{name}.tar.gz"

    def _tidy(self, folder: Path, keep: str) -> None:
        candidates = sorted(folder.glob("candidate-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in candidates[KEEP_CANDIDATES:]:
            if old.name != keep:
                old.unlink()

    def figures(self, model: Path, where: Path) -> Dict[str, float]:
        """Held-out and external right-answer shares of `model`, kept by its SHA-256."""
        sha = sha256_of(model)
        cached = self.work / "figures" / f"{sha}.json"
        if cached.exists():
            return json.loads(cached.read_text())
        code, log = self._command([self.python, "-m", "tools.evaluate", "--model", str(model), "--outcomes-only",
                                   "--no-development", "--out", str(where)], where / "evaluate.log")
        if code:
            raise PublishError("The evaluation could not run; nothing was published. The end of its log:\n"
                               + "\n".join(log.splitlines()[-8:]))
        table = json.loads((where / "outcomes.json").read_text())
        figures = {name: share_right(table, name) for name in FIGURES}
        cached.parent.mkdir(parents=True, exist_ok=True)
        # each topic's counts first (the topic pages read them for the model patients have)
        topics_file(self.project, sha).write_text(json.dumps(
            {label: table[name].get(BY_INTENT, {}) for name, label in FIGURES.items()}))
        cached.write_text(json.dumps(figures))
        return figures

    def _evaluate(self, candidate: Path, publication_id: int) -> Tuple[Dict[str, float], Dict[str, float], List[str]]:
        where = self.work / "evaluations" / str(publication_id)
        current = self.project / MODEL
        before = self.figures(current, where / "current") if current.exists() else {}
        self._step("evaluate", 0.35)
        after = self.figures(candidate, where / "candidate")
        self._step("evaluate", 0.7)
        reasons = compare(before, after)
        code, log = self._command([self.python, "-m", "tools.evaluate_red_flags", "--parts", "test", "--check",
                                   "--model", str(candidate), "--out", str(where / "red_flags")],
                                  where / "red_flags.log")
        if code:
            reasons.append("The emergency signs' evaluation is below its floor with the new model (see "
                           f"var/staff/evaluations/{publication_id}/red_flags/summary.md): a clinician must look.")
        return before, after, reasons

    def _publish(self, candidate: Path) -> str:
        target = self.project / MODEL
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.publishing")
        shutil.copyfile(candidate, staged)
        os.replace(staged, target)  # atomic: a server asking now gets the old file or the new one
        return self.model.sha256() or ""
