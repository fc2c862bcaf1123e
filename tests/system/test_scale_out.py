"""The scale-out profile for real (`make test-scale`): PostgreSQL and Redis from Debian on
loopback (scripts/scale-services), one action server and two Rasa replicas on
endpoints.scale.yml with the project's channels, and 20 conversations, ten at a time, whose
messages alternate between the replicas (message i to replica i % 2):

- six whole symptom checks, so each question of the form comes from the other replica than
  the one before;
- four conversations whose second and third messages go out at the same moment, one to each replica:
  only the lock in Redis keeps the two turns apart;
- mid-run, replica 1 is SIGKILLed while it handles a message, and everything goes on on
  replica 0.

PostgreSQL must then hold every conversation whole: each message once, in order, each followed
by its replies, and the form's answers as they were given.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from contextlib import closing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import redis
import requests

from footdrop import triage
from footdrop.check_questions import load_questions
from footdrop_rasa.channels import ownership
from support.project import filled, load_yaml
from support.rest_client import secret_given, without_secret
from support.scale import Cluster, RedisMonitor, Services
from support.topic_questions import QUESTIONS

REPLICAS = 2
KILLED, SURVIVOR = 1, 0
WORKERS = 10  # at least the conversations the kill waits for (6 checks, 4 pairs): they start first
# The symptom checks wait for the kill after this many messages (5: the last one went to
# replica 0), so that every one of them goes on across it; the first check's next message,
# to replica 1, is the one in flight when replica 1 is killed.
PAUSE_AFTER = 5
WAIT = 300  # seconds: only a safety net against a hang, never reached when things work

ASKED = load_questions()
SLOTS = list(ASKED)
# Each check's answers, as the buttons' titles, with the slot values and advice they lead to.
CHECKS = [
    (
        ["Left foot", "Slowly, over months", "None of these", "No", "No", "No", "No", "No", "Staying the same", "Yes"],
        ["left", "gradual", "none", False, False, False, False, False, "stable", True],
        triage.Level.ROUTINE,
    ),
    (
        ["Right foot", "Slowly, over months", "A knee or back problem", "Yes", "Yes", "No", "No", "No",
         "Staying the same", "No"],
        ["right", "gradual", "knee_back", True, True, False, False, False, "stable", False],
        triage.Level.SOON,
    ),
    (
        ["Left foot", "Over days to weeks", "A fall", "Yes", "No", "No", "No", "No", "Getting worse", "No"],
        ["left", "days_weeks", "fall", True, False, False, False, False, "worse", False],
        triage.Level.URGENT,
    ),
]
# Messages any assistant must answer kindly, mixed into the topic conversations.
ODD = ["", "🦶🦶🦶 ???", "<b>hello</b><script>alert(1)</script>", "purple bananas dance on the moon"]


@dataclass
class Conversation:
    messages: List[str]
    check: Optional[int] = None  # a symptom check: the index of its answers in CHECKS
    together: bool = False  # its second and third messages go out at the same moment
    sender: str = field(default_factory=lambda: uuid.uuid4().hex)
    secret: Optional[str] = None  # given by the reply to its first message (footdrop_rasa/channels/ownership.py)
    answered_by: Dict[int, int] = field(default_factory=dict, repr=False)  # message index: replica that answered
    replies: Dict[int, List[dict]] = field(default_factory=dict, repr=False)  # message index: the replies
    ready: bool = False  # has told the kill it may come

    @property
    def stored(self) -> str:
        """The id the conversation is stored (and locked) under."""
        assert self.secret, f"{self.sender}: no secret was given"
        return ownership.conversation_id(self.sender, self.secret)

    def expected_orders(self) -> List[List[str]]:
        """What PostgreSQL may hold: the messages in order; the second and third either way
        round when they were sent together."""
        swapped = self.messages[:1] + self.messages[2:0:-1] + self.messages[3:]
        return [self.messages, swapped] if self.together else [self.messages]


def button_payload(slot: str, title: str) -> str:
    return next(b["payload"] for b in ASKED[slot].buttons if b["title"] == title)


def conversations() -> List[Conversation]:
    """6 symptom checks and 4 conversations that send their second and third messages at once
    (first, so that all of them start at once), then 10 more topic conversations."""
    checks = [
        Conversation(["check my symptoms", *(button_payload(s, t) for s, t in zip(SLOTS, CHECKS[n % 3][0]))], check=n % 3)
        for n in range(6)
    ]
    topics = sorted(QUESTIONS.values())
    chats = [
        Conversation([topics[(3 * n + k) % len(topics)] for k in range(3)] + [ODD[n % len(ODD)]], together=n < 4)
        for n in range(14)
    ]
    return checks + chats


def user_texts(events: List[dict]) -> List[str]:
    return [e.get("text") for e in events if e.get("event") == "user"]


class Run:
    """Drives the conversations over REST, message i of each to replica i % 2, and kills
    replica 1 in the middle."""

    def __init__(self, services: Services, cluster: Cluster, chats: List[Conversation]) -> None:
        self.services, self.cluster, self.chats = services, cluster, chats
        self.checks = [c for c in chats if c.check is not None]
        self.victim = self.checks[0]
        self.alive = [True] * REPLICAS
        # The kill waits until every check is at its pause and every pair sent together is
        # answered: it then comes in the middle of every symptom check.
        self.waiting_for = [c for c in chats if c.check is not None or c.together]
        self.ready = threading.Semaphore(0)
        self.victim_go, self.victim_sent, self.killed = threading.Event(), threading.Event(), threading.Event()
        self.lock_seen_at_kill = False
        # Requests the kill cut off: (sender, message index, whether the replica had already
        # stored the turn when it died).
        self.cut: List[tuple] = []
        self.guard = threading.Lock()
        self.monitor: Optional[RedisMonitor] = None
        self.seconds = (0.0, 0.0)  # starting the processes, the conversations

    def post(self, replica: int, chat: Conversation, message: str) -> List[dict]:
        """A message of ``chat`` to one replica, with the conversation's secret once it has one
        (whichever replica gave it: they share the store); the replies without the secret."""
        body = {"sender": chat.sender, "message": message}
        if chat.secret:
            body["metadata"] = {ownership.KEY: chat.secret}
        response = requests.post(f"{self.cluster.urls[replica]}/webhooks/rest/webhook", json=body, timeout=120)
        assert response.status_code == 200, f"replica {replica}: {response.status_code} {response.text[:300]}"
        replies = response.json()
        given = secret_given(replies)
        if given:
            assert chat.secret is None, f"{chat.sender}: replica {replica} started a new conversation"
            chat.secret = given
        return without_secret(replies)

    def deliver(self, chat: Conversation, index: int, together: Optional[threading.Barrier] = None) -> None:
        message = chat.messages[index]
        target = index % REPLICAS if self.alive[index % REPLICAS] else SURVIVOR
        if together:
            together.wait(WAIT)
        try:
            replies = self.post(target, chat, message)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            if target != KILLED or self.alive[KILLED]:
                raise
            target, replies = self.after_cut(chat, index)
        chat.answered_by[index] = target
        chat.replies[index] = replies

    def after_cut(self, chat: Conversation, index: int) -> tuple:
        """The replica died with this message in flight. Rasa stores a turn (the message and
        its replies) in one transaction at its end, so the replica stored either all of it or
        none. The REST channel has no idempotency key: resending blindly would store the
        message twice whenever the replica had committed the turn and died before answering.
        So look first at what PostgreSQL holds (a client without the database would ask
        Rasa's tracker API) and resend only what was not stored. Cluster.kill has waited
        until PostgreSQL closed the dead replica's sessions, so nothing of it arrives later."""
        assert self.killed.wait(WAIT)
        events = self.services.events(chat.stored)
        stored = user_texts(events)
        if stored == chat.messages[: index + 1]:
            with self.guard:
                self.cut.append((chat.sender, index, True))
            # The turn is stored whole; only its replies never reached the patient.
            last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
            return KILLED, [{"text": e.get("text"), **(e.get("data") or {})} for e in events[last_user:] if e.get("event") == "bot"]
        assert stored == chat.messages[:index], f"{chat.sender}: stored {stored} after message {index} was cut"
        with self.guard:
            self.cut.append((chat.sender, index, False))
        return SURVIVOR, self.post(SURVIVOR, chat, chat.messages[index])

    def tell_ready(self, chat: Conversation) -> None:
        if (chat.check is not None or chat.together) and not chat.ready:
            chat.ready = True
            self.ready.release()

    def converse(self, chat: Conversation) -> None:
        try:
            first = 0
            if chat.together:
                # Message 0 alone (its reply gives the conversation's secret), then messages 1
                # and 2 at the same moment, one to each replica: only the shared lock keeps the
                # two turns from being handled at once, and one overwriting the other in the
                # tracker store.
                self.deliver(chat, 0)
                both = threading.Barrier(2)
                with ThreadPoolExecutor(1) as other:
                    third = other.submit(self.deliver, chat, 2, both)
                    self.deliver(chat, 1, both)
                    third.result()
                first = 3
                self.tell_ready(chat)
            for index in range(first, len(chat.messages)):
                if chat.check is not None and index == PAUSE_AFTER:
                    self.tell_ready(chat)
                    go = self.victim_go if chat is self.victim else self.killed
                    assert go.wait(WAIT), "the kill never came"
                self.deliver(chat, index)
                if chat is self.victim and index == PAUSE_AFTER:
                    self.victim_sent.set()
        finally:
            # A conversation that failed early must not leave the kill waiting for it.
            self.tell_ready(chat)
            if chat is self.victim:
                self.victim_sent.set()

    def kill_mid_message(self) -> None:
        """Once every check waits at its pause, let the first one send its next message to
        replica 1 and SIGKILL replica 1 while that message holds its conversation's lock in
        Redis: a request certainly in flight."""
        for _ in self.waiting_for:
            assert self.ready.acquire(timeout=WAIT), "the conversations never got ready for the kill"
        lock_key = f"{self.services.env['LOCK_KEY_PREFIX']}:lock:{self.victim.stored}"
        watcher = self.services.redis()
        self.victim_go.set()
        while not self.victim_sent.is_set():
            if watcher.exists(lock_key):
                self.lock_seen_at_kill = True
                break
            time.sleep(0.002)
        self.alive[KILLED] = False  # from now on, messages meant for replica 1 go to replica 0
        self.cluster.kill(KILLED)
        self.killed.set()

    def drive(self) -> None:
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(self.converse, chat) for chat in self.chats]
            try:
                self.kill_mid_message()
            finally:
                self.victim_go.set()
                self.killed.set()
            for future in futures:
                future.result()


@pytest.fixture(scope="module")
def services() -> Iterator[Services]:
    with Services() as running:
        yield running


@pytest.fixture(scope="module")
def run(services: Services, trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    workdir = tmp_path_factory.mktemp("scale")
    started = time.monotonic()
    cluster = Cluster(services, trained_model, workdir, REPLICAS)
    try:
        up = time.monotonic()
        done = Run(services, cluster, conversations())
        with RedisMonitor(services, workdir / "redis-monitor.log") as done.monitor:
            done.drive()
        done.seconds = (up - started, time.monotonic() - up)
        yield done
    finally:
        cluster.stop()


def test_the_services_listen_on_loopback_only_and_need_their_passwords(services: Services):
    with closing(services.db()) as db, db.cursor() as cursor:
        cursor.execute("SHOW listen_addresses")
        assert cursor.fetchone() == ("127.0.0.1",)
    with pytest.raises(redis.AuthenticationError):
        services.redis(password=False).ping()
    assert services.redis().config_get("bind") == {"bind": "127.0.0.1"}


def test_every_conversation_is_stored_whole_once_and_in_order(run: Run, capsys):
    lost = duplicated = 0
    for chat in run.chats:
        events = run.services.events(chat.stored)
        stored = user_texts(events)
        lost += sum((Counter(chat.messages) - Counter(stored)).values())
        duplicated += sum((Counter(stored) - Counter(chat.messages)).values())
        cut = [index for sender, index, _ in run.cut if sender == chat.sender]
        assert stored in chat.expected_orders(), f"{chat.sender}: sent {chat.messages}, stored {stored}, cut {cut}"
        # Every message is followed by the assistant's replies before the next message.
        kinds = "".join("u" if e["event"] == "user" else "b" for e in events if e["event"] in ("user", "bot"))
        assert kinds.startswith("u") and "uu" not in kinds and kinds.endswith("b"), f"{chat.sender}: {kinds}"
    messages = sum(len(chat.messages) for chat in run.chats)
    with capsys.disabled():
        print(
            f"\nscale-out: {len(run.chats)} conversations, {messages} messages, {REPLICAS} replicas, "
            f"replica {KILLED} killed mid-run (requests it cut off: {len(run.cut)}; sent again "
            f"{sum(not stored for *_, stored in run.cut)}, already stored {sum(s for *_, s in run.cut)}); "
            f"events lost {lost}, duplicates {duplicated}; "
            f"start {run.seconds[0]:.0f} s, conversations {run.seconds[1]:.0f} s"
        )
    assert (lost, duplicated) == (0, 0)


def test_every_message_got_its_answer_whichever_replica_answered(run: Run):
    responses = load_yaml("domain.yml")["responses"]
    expected = {text: filled(responses[f"utter_{intent}"][0]["text"]) for intent, text in QUESTIONS.items()}
    for chat in run.chats:
        for index, message in enumerate(chat.messages):
            texts = [r.get("text") for r in chat.replies[index]]
            # Never silence: Rasa answers HTTP 200 with no replies when it gave up on a message.
            assert texts and all(texts), f"{chat.sender}: message {index} {message!r} got {chat.replies[index]}"
            if chat.check is None and message in expected:
                assert texts == [expected[message]], message


def test_the_symptom_check_follows_the_patient_across_replicas(run: Run):
    for chat in run.checks:
        _, values, level = CHECKS[chat.check]
        # Each reply is the next question, asked by the other replica than the last one
        # (until the kill): the form's state came from PostgreSQL every time.
        assert [chat.answered_by[i] for i in range(PAUSE_AFTER)] == [0, 1, 0, 1, 0]
        for index, slot in enumerate(SLOTS):
            replies = chat.replies[index]
            assert replies and replies[-1]["text"] == ASKED[slot].ask, (chat.sender, index, replies)
        advice = "\n".join(r.get("text") or "" for r in chat.replies[len(SLOTS)])
        assert f"My advice: {level.when}." in advice and "not a diagnosis" in advice, advice
        # The answers PostgreSQL holds, whichever replica took them.
        events = run.services.events(chat.stored)
        slots = {e["name"]: e["value"] for e in events if e["event"] == "slot" and e["name"] in SLOTS}
        assert slots == dict(zip(SLOTS, values)), chat.sender
        assert [e["value"] for e in events if e["event"] == "slot" and e["name"] == "triage_level"] == [level.name.lower()]


def test_killing_a_replica_mid_message_loses_no_conversation(run: Run):
    """Replica 1 died holding a conversation's lock in Redis; the message it was handling, sent
    again to replica 0, must wait for that lock to expire and then be handled like any other
    (the tests above check it was stored once and answered with the next question)."""
    assert run.cluster.replica(KILLED).returncode == -9
    assert run.cluster.replica(SURVIVOR).poll() is None
    assert run.lock_seen_at_kill, "replica 1 was not handling a message when it was killed"
    # After the kill the survivor answered everything, to the end of every symptom check.
    for chat in run.checks:
        after = [chat.answered_by[i] for i in range(PAUSE_AFTER + 1, len(chat.messages))]
        assert after and set(after) == {SURVIVOR}
    # The message in flight was cut off, and either sent again or found already stored.
    assert [index for sender, index, _ in run.cut if sender == run.victim.sender] in ([], [PAUSE_AFTER])


def test_the_locks_are_in_redis_under_the_configured_prefix(run: Run):
    prefix = run.services.env["LOCK_KEY_PREFIX"]
    commands = run.monitor.commands()
    locked = {key for command, key in commands if command == "SET" and key.startswith(f"{prefix}:lock:")}
    assert locked == {f"{prefix}:lock:{chat.stored}" for chat in run.chats}
    # Nothing under Rasa's default prefix: the configured one was taken (Rasa falls back to
    # "lock:" silently for a prefix that is not letters and digits).
    assert not [key for _, key in commands if key.startswith("lock:")]
