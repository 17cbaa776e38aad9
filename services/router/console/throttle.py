"""Login throttling before the key derivation, and a lock-out that slows the attacker, not
the officer. In memory, per process (each replica counts its own). Pure but for time.

Three checks run before a password is hashed, cheapest first:
1. the form itself: a username that cannot exist and an empty or huge password are refused
   without any hashing (the username's form is public, so this tells nothing);
2. a token bucket per client address (`burst` attempts, then one per `refill`), whatever
   the usernames: it bounds what one address can make the server hash;
3. a back-off per (address, account): after `free` failures, each further try waits
   `backoff`, doubled at every failure up to `backoff_max`. The officer at another address
   is not slowed; a success from that address clears its count.
The account-wide lock (`accounts.authenticate`, counted in the database, for attacks from
many addresses) spares addresses the account logged in from lately (`known`).
Then at most `concurrent` key derivations run at once (in worker threads, off the event
loop), and at most `queue` logins wait for one; beyond, the login is refused at once.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from services.router.console.accounts import USERNAME_CHARS, normal_username
from services.router.errors import Busy

MAX_PASSWORD_CHARS = 1024
MAX_KEYS = 50_000  # entries kept per table; the oldest go first
KNOWN_FOR = timedelta(days=30)
T = TypeVar("T")


def plausible(username: str, password: str) -> bool:
    """Whether the form could belong to an account at all (no hashing otherwise)."""
    name = normal_username(username)
    return (
        3 <= len(name) <= 64
        and set(name) <= USERNAME_CHARS
        and 0 < len(password) <= MAX_PASSWORD_CHARS
    )


class _Lru(OrderedDict[str, T]):
    def put(self, key: str, value: T) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_KEYS:
            self.popitem(last=False)


@dataclass
class _Bucket:
    tokens: float
    at: datetime


@dataclass
class _Failures:
    count: int
    until: datetime | None


@dataclass
class LoginThrottle:
    burst: int = 20
    refill: timedelta = timedelta(seconds=3)
    free: int = 3
    backoff: timedelta = timedelta(seconds=2)
    backoff_max: timedelta = timedelta(minutes=15)
    concurrent: int = 2
    queue: int = 32
    _buckets: _Lru[_Bucket] = field(default_factory=_Lru)
    _failures: _Lru[_Failures] = field(default_factory=_Lru)
    _known: _Lru[datetime] = field(default_factory=_Lru)
    _waiting: int = 0
    _slots: asyncio.Semaphore | None = None

    def wait_s(self, address: str, username: str, *, now: datetime) -> int:
        """Seconds this address must wait before trying this account (0: it may try now,
        and one attempt is counted)."""
        pair = self._failures.get(_pair(address, username))
        if pair is not None and pair.until is not None and now < pair.until:
            return _seconds(pair.until - now)
        bucket = self._buckets.get(address) or _Bucket(float(self.burst), now)
        gained = max(0.0, (now - bucket.at) / self.refill)
        tokens = min(float(self.burst), bucket.tokens + gained)
        if tokens < 1:
            return _seconds(self.refill * (1 - tokens))
        self._buckets.put(address, _Bucket(tokens - 1, now))
        return 0

    def failed(self, address: str, username: str, *, now: datetime) -> None:
        key = _pair(address, username)
        count = (self._failures.get(key) or _Failures(0, None)).count + 1
        until = None
        if count > self.free:
            wait = self.backoff * 2 ** min(count - self.free - 1, 30)
            until = now + min(wait, self.backoff_max)
        self._failures.put(key, _Failures(count, until))

    def succeeded(self, address: str, username: str, *, now: datetime) -> None:
        self._failures.pop(_pair(address, username), None)
        self._known.put(_pair(address, username), now)

    def known(self, address: str, username: str, *, now: datetime) -> bool:
        """Whether the account logged in from this address lately (the account-wide lock
        spares it)."""
        since = self._known.get(_pair(address, username))
        return since is not None and now - since < KNOWN_FOR

    async def derive(self, work: Callable[[], T]) -> T:
        """Run a key derivation in a worker thread, at most `concurrent` at once and at
        most `queue` waiting; beyond, `Busy` at once."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrent)
        if self._slots.locked() and self._waiting >= self.queue:
            raise Busy
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await asyncio.to_thread(work)
        finally:
            self._slots.release()


def _pair(address: str, username: str) -> str:
    return f"{address}\x00{normal_username(username)}"


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
