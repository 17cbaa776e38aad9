"""What one client may do on the public channels: keys, rate limits, the invalid-body quota.

- A machine channel (the portal's export, the call centre) sends `Authorization: Bearer
  <key>`; the key's SHA-256 names its channel (setting `channel_keys`). Anyone else is
  public: the channel and the time of receipt are decided here, not by the caller.
- Public submissions are limited per client address and per e-mail address given (each
  one mails a receipt there); wrong proofs on a receipt per code and per address.
- Of a body that cannot be registered, the start is archived; past the per-client quota
  the body is counted and dropped.

The counters are sliding windows in this process's memory: with several replicas each
counts its own share (a client spread over n replicas gets up to n times the limit).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import ip_address

from fastapi import Request

from services.intake.settings import IntakeSettings

log = logging.getLogger(__name__)
MAX_KEYS = 50_000  # clients remembered per window; the least recently seen are forgotten

TOO_MANY_SUBMISSIONS = (
    "Quý ông/bà đã gửi quá nhiều phản ánh, kiến nghị trong thời gian ngắn; xin thử lại sau "
    "{minutes} phút hoặc gọi đường dây nóng."
)
TOO_MANY_FOR_RECIPIENT = (
    "Địa chỉ thư điện tử này đã được dùng cho quá nhiều phản ánh, kiến nghị trong thời gian "
    "ngắn; xin thử lại sau {minutes} phút."
)
BAD_KEY = "Khóa kênh tiếp nhận không đúng hoặc đã bị thu hồi."


class SlidingWindow:
    """At most `limit` hits per key in the last `window_s` seconds."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window_s, self.max_keys, self.clock = limit, window_s, max_keys, clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        start = self.clock() - self.window_s
        while hits and hits[0] <= start:
            hits.popleft()
        return hits

    def allow(self, key: str) -> bool:
        """Count a hit unless the key is at its limit; False: refused (not counted)."""
        hits = self._recent(key)
        if len(hits) >= self.limit:
            return False
        hits.append(self.clock())
        return True

    def full(self, key: str) -> bool:
        return len(self._recent(key)) >= self.limit

    def hit(self, key: str) -> None:
        self._recent(key).append(self.clock())

    def forget(self, key: str) -> None:
        self._hits.pop(key, None)

    def retry_after_s(self, key: str) -> int:
        hits = self._recent(key)
        if len(hits) < self.limit:
            return 0
        return max(1, int(hits[0] + self.window_s - self.clock()) + 1)


@dataclass
class Dropped:
    """What was not archived: bodies over the quota, and bytes cut from kept bodies."""

    bodies: int = 0
    bytes: int = 0


@dataclass
class Guard:
    settings: IntakeSettings
    clock: Callable[[], float] = time.monotonic
    dropped: Dropped = field(default_factory=Dropped)

    def __post_init__(self) -> None:
        s, clock = self.settings, self.clock
        self.submissions = SlidingWindow(s.submissions_per_client, s.rate_window_s, clock=clock)
        self.recipients = SlidingWindow(s.submissions_per_recipient, s.rate_window_s, clock=clock)
        self.invalid = SlidingWindow(s.invalid_bodies_per_client, s.invalid_window_s, clock=clock)
        proof = (s.receipt_proof_attempts, s.receipt_proof_window_s)
        self.proofs_by_code = SlidingWindow(*proof, clock=clock)
        self.proofs_by_client = SlidingWindow(proof[0] * 4, proof[1], clock=clock)
        self._keys = s.channel_key_hashes

    def client_of(self, request: Request) -> str:
        """The client's address: from the trusted proxy's header when configured."""
        header = self.settings.client_address_header
        if header and (value := request.headers.get(header, "")):
            candidate = value.split(",")[-1].strip()
            try:
                return str(ip_address(candidate))
            except ValueError:
                pass
        return request.client.host if request.client else "?"

    def channel_of(self, request: Request) -> str | None:
        """The machine channel whose key the request carries; None: no key (public).

        `PermissionError` for a key that is not one of the configured ones."""
        header = request.headers.get("authorization", "")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise PermissionError(BAD_KEY)
        digest = hashlib.sha256(key.strip().encode("utf-8", "surrogateescape")).hexdigest()
        found = None
        for known, channel in self._keys.items():  # every one compared, in constant time
            if hmac.compare_digest(known, digest):
                found = channel
        if found is None:
            raise PermissionError(BAD_KEY)
        return found

    def keep_invalid(self, client: str, size: int) -> int | None:
        """How many bytes of an invalid body of `size` bytes to archive; None: drop it all."""
        if not self.invalid.allow(client):
            self.dropped.bodies += 1
            self.dropped.bytes += size
            log.warning(
                "intake: invalid body of %d bytes from %s dropped (quota of %d per %d s); "
                "dropped so far: %d bodies, %d bytes",
                size,
                client,
                self.invalid.limit,
                self.invalid.window_s,
                self.dropped.bodies,
                self.dropped.bytes,
            )
            return None
        keep = min(size, self.settings.invalid_body_keep_bytes)
        self.dropped.bytes += size - keep
        return keep


def minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))
