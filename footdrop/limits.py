"""How much one conversation may send: a pace and a length (issue 16).

Every message a patient sends is stored with its conversation, and each turn reads that
conversation back. nginx limits what one *client address* may send (docker/nginx.conf); this
limits what one *conversation* may send, wherever it comes from, so that a client holding a
conversation's secret can neither flood it nor grow it without end:

- **pace**: a token bucket. A conversation may send ``burst`` messages at once, then one more
  every ``60 / per_minute`` seconds. A patient typing, or tapping buttons, stays far below it.
- **length**: at most ``per_conversation`` messages in all; then the patient is asked to start a
  new conversation (the widget's "Start over").

The counts live in the memory of the process that serves the conversation (the most recently
active ``tracked`` conversations; older ones are forgotten, as after a restart). With several
Rasa servers, nginx sends each client address to the same one (``ip_hash``), so the limits hold
per server. Imports nothing from Rasa; the channels (``footdrop_rasa/channels/kind.py``) hold the replies.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

#: what ``ConversationLimits.admit`` returns for a message over a limit
TOO_FAST = "too_fast"
TOO_MANY = "too_many"


@dataclass(frozen=True)
class Limits:
    """The limits of one conversation (credentials.yml can set each, per channel)."""

    per_minute: float = 30.0  # the pace a conversation may keep up
    burst: int = 20  # messages it may send at once, before the pace applies
    per_conversation: int = 500  # messages in all
    tracked: int = 50_000  # conversations whose counts are kept (the most recent)

    #: the keys of credentials.yml, per channel, and the field each sets
    KEYS = {
        "messages_per_minute": "per_minute",
        "message_burst": "burst",
        "messages_per_conversation": "per_conversation",
    }

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "Limits":
        """The limits a channel's settings give (unset keys keep the defaults); a value that is
        not a positive number raises ValueError naming the key."""
        values: Dict[str, Any] = {}
        for key, field in cls.KEYS.items():
            if key not in settings:
                continue
            value = settings[key]
            whole = field != "per_minute"
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or value <= 0
                or (whole and value != int(value))
            ):
                kind = "a whole number above 0" if whole else "a number above 0"
                raise ValueError(f"credentials.yml: '{key}' must be {kind}, e.g. {getattr(cls, field):g}")
            values[field] = int(value) if whole else float(value)
        return cls(**values)


class _Count:
    __slots__ = ("tokens", "at", "sent")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at
        self.sent = 0


class ConversationLimits:
    """Counts each conversation's messages; says whether the next one may pass."""

    def __init__(self, limits: Limits = Limits(), clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._counts: "OrderedDict[str, _Count]" = OrderedDict()

    def admit(self, conversation_id: str) -> Optional[str]:
        """None if the conversation may send this message (and counts it), else ``TOO_FAST`` or
        ``TOO_MANY``. A refused message is not counted."""
        now = self._clock()
        count = self._counts.get(conversation_id)
        if count is None:
            count = self._counts[conversation_id] = _Count(float(self.limits.burst), now)
            while len(self._counts) > self.limits.tracked:
                self._counts.popitem(last=False)
        else:
            self._counts.move_to_end(conversation_id)
            refill = (now - count.at) * self.limits.per_minute / 60.0
            count.tokens = min(float(self.limits.burst), count.tokens + refill)
            count.at = now
        if count.sent >= self.limits.per_conversation:
            return TOO_MANY
        if count.tokens < 1.0:
            return TOO_FAST
        count.tokens -= 1.0
        count.sent += 1
        return None

    def wait_seconds(self, conversation_id: str) -> int:
        """Whole seconds until a conversation refused as too fast may send again (at least 1)."""
        count = self._counts.get(conversation_id)
        if count is None or count.tokens >= 1.0:
            return 1
        return max(1, int(-(-(1.0 - count.tokens) * 60.0 // self.limits.per_minute)))
