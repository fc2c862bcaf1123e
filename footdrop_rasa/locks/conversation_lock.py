"""A lock store for several Rasa replicas: one Redis lock per conversation.

Rasa 3.6's RedisLockStore keeps each conversation's queue of tickets in one Redis value that
every replica reads, changes and writes back, which is not atomic (RasaHQ/rasa#9213):

- two replicas that get messages of one conversation at the same moment can both take ticket
  0, handle both turns at once, and one turn then never reaches the tracker store;
- a message waiting behind the ticket of a replica that died loses its own ticket when both
  expire between two of its one-second polls, and then waits for ever: the patient gets the
  channel's fallback (or, from Rasa's own REST channel, an empty reply after Sanic's 60 s)
  and the message is never handled nor stored.

This store takes redis-py's lock instead (SET NX PX with a random token, released by a Lua
script that checks the token): taking it is one atomic command, and the lock of a replica
that died expires after TICKET_LOCK_LIFETIME seconds (Rasa's setting, 60 by default; keep it
well under Sanic's 60 s response timeout, and above the time one message takes). Keys stay
"<key_prefix>:lock:<sender id>". Waiting messages are not served in arrival order, which only
matters for messages of one conversation sent at the same moment.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Text

import redis
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class ConversationRedisLockStore(RedisLockStore):
    """endpoints.yml: `lock_store: {type: footdrop_rasa.locks.conversation_lock.ConversationRedisLockStore,
    url, port, db, password, key_prefix}`: the same keys as Rasa's `type: redis`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 0.05
    ) -> AsyncGenerator[None, None]:
        lock = self.red.lock(self.key_prefix + conversation_id, timeout=lock_lifetime)
        while not lock.acquire(blocking=False):
            await asyncio.sleep(wait_time_in_seconds)
        try:
            yield None
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # held longer than its lifetime: it expired and may be someone else's now
