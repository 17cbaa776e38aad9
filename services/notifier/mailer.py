"""The mailer: hands each staged e-mail to the transport at most once.

A delivery is claimed (compare-and-set on its status, so replicas never share one), marked
`sending` in its own committed transaction just before the DATA phase, then recorded as
sent, failed, uncertain, or pending again with a later attempt time. A crash leaves the row
claimed (nothing was handed over: it goes back to pending when its lease ends) or sending
(the server may have it: it becomes uncertain and is shown to the office, never resent
automatically). docs/decisions/0003-mail-delivery.md explains the choice.

A daily digest is staged without a body: the claim's transaction renders it from its lines
(services/notifier/digest.py), so the mail holds every line added before the claim.

Deliveries go out concurrently, up to `smtp_connections` at once; each one keeps its own
claim, `sending` mark and recorded outcome, so concurrency changes nothing of the above.
The marks and outcomes that fall due together share one transaction (a group commit,
services/kit/group_commit.py): each delivery still waits for its own mark to be committed
before DATA, and for its outcome to be committed before the next.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

from services.kit import wakeups
from services.kit.columns import utc_now
from services.kit.db import Database
from services.kit.faults import is_transient
from services.kit.group_commit import GroupCommit
from services.kit.health import backoff_s, readiness
from services.kit.logs import context as log_context
from services.kit.loop import Poller
from services.kit.metrics import MAILS
from services.notifier.digest import render_claimed
from services.notifier.messages import Digest
from services.notifier.models import Delivery
from services.notifier.outgoing import compose
from services.notifier.ports import Attempt, Storage, UnitOfWork
from services.notifier.settings import NotifierSettings
from services.notifier.sql_store import MAIL, SqlStorage
from services.notifier.transports import (
    MailTransport,
    PermanentMailError,
    TransientMailError,
    UncertainMailError,
)

log = logging.getLogger(__name__)

ROUND = 50  # deliveries claimed by one round at most
ABANDONED = "the mailer stopped during DATA; the server may or may not have the message"


class LostClaim(Exception):
    """Another mailer took this delivery over (our lease ran out): leave it alone."""


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | failed | uncertain | pending
    error: str | None = None
    retry_in_s: float | None = None
    attempted: bool = True  # False: given back before anything reached the server


class Mailer:
    """The mailer on `storage`; given only `db`, on that database's SQL storage (for the
    callers that hold a database: the migration and PostgreSQL lock tests)."""

    def __init__(
        self,
        *,
        transport: MailTransport,
        settings: NotifierSettings,
        storage: Storage | None = None,
        db: Database | None = None,
    ) -> None:
        if storage is None:
            if db is None:
                raise TypeError("Mailer needs storage= or db=")
            storage = SqlStorage(db)
        self._storage, self._transport, self._settings = storage, transport, settings
        self._poller = Poller(self.run_once, idle_s=settings.mail_poll_s, name="mailer", full=ROUND)
        self._commits: GroupCommit[UnitOfWork] = GroupCommit(storage.transaction)
        self._recovered_at: float | None = None  # loop time of the last `recover`

    def wake(self) -> None:
        self._poller.wake()

    async def run(self) -> None:
        wakeups.listen(MAIL, self)  # a commit that queued a delivery
        try:
            await self._poller.run()
        finally:
            wakeups.forget(MAIL, self)
            close = getattr(self._transport, "close", None)
            if callable(close):
                close()  # hang up the idle SMTP connections

    async def run_once(self, *, batch: int = ROUND) -> int:
        """Recover abandoned claims (on the first round, then every tenth of a lease at
        most), claim up to `batch` due deliveries in one transaction (compare-and-set on
        each: another mailer's are left alone), then attempt each once, up to
        `smtp_connections` at a time. Claims a failure leaves unattempted are given back at
        once rather than after their lease."""
        now = asyncio.get_running_loop().time()
        if self._recovered_at is None or now - self._recovered_at >= self._recover_every_s:
            await self.recover()
            self._recovered_at = now
        token = uuid4().hex
        queue = deque(await self._claim_due(batch, token=token))
        if not queue:
            return 0
        errors: list[Exception] = []
        attempted = 0

        async def worker() -> None:
            nonlocal attempted
            while queue and not errors:  # after a failure, finish what is in hand only
                claimed = queue.popleft()
                try:
                    with log_context(
                        case_id=claimed.case_id,
                        event_id=claimed.event_id,
                        delivery_id=claimed.id,
                    ):
                        await self._deliver(claimed)
                    attempted += 1
                except Exception as error:
                    errors.append(error)

        workers = min(self._settings.smtp_connections, len(queue))
        await asyncio.gather(*(worker() for _ in range(workers)))
        if queue:
            await self._release([d.id for d in queue if d.id is not None], token=token)
        if errors:
            raise errors[0]
        return attempted

    @property
    def _recover_every_s(self) -> float:
        return min(self._settings.mail_lease_s / 10, 30.0)

    async def _claim_due(self, limit: int, *, token: str) -> list[Delivery]:
        """The first `limit` due deliveries, claimed in the transaction that finds them."""
        async with self._storage.transaction() as uow:
            ids = await uow.deliveries.due(utc_now(), limit=limit)
            return await self._claim_in(uow, ids, token=token) if ids else []

    async def _claim_all(self, ids: list[int], *, token: str) -> list[Delivery]:
        async with self._storage.transaction() as uow:
            return await self._claim_in(uow, ids, token=token)

    @staticmethod
    async def _claim_in(uow: UnitOfWork, ids: list[int], *, token: str) -> list[Delivery]:
        """Claim `ids` and read them in `uow`'s transaction (if the database goes away in
        between, the claims roll back instead of holding the rows until their lease ends);
        a digest is rendered while its claim holds its row."""
        claimed = await uow.deliveries.claim_many(ids, token=token, at=utc_now())
        for delivery in claimed:
            if delivery.template == Digest.template:
                await render_claimed(uow, delivery)
        return claimed

    async def _release(self, ids: list[int], *, token: str) -> None:
        """Give back claims not attempted; if the database is away, their lease will."""
        try:
            async with self._storage.transaction() as uow:
                await uow.deliveries.release(ids, token=token)
        except Exception as error:
            log.warning("mailer: %d claims wait for their lease: %s", len(ids), error)

    async def recover(self) -> None:
        """Deliveries whose mailer vanished: back to pending before DATA, uncertain after."""
        cutoff = utc_now() - timedelta(seconds=self._settings.mail_lease_s)
        async with self._storage.transaction() as uow:
            await uow.deliveries.release_claims(claimed_before=cutoff)
            await uow.deliveries.abandon_sending(claimed_before=cutoff, error=ABANDONED)

    async def _claim(self, delivery_id: int) -> Delivery | None:
        """One delivery claimed as a round claims its own (None: not pending)."""
        claimed = await self._claim_all([delivery_id], token=uuid4().hex)
        return claimed[0] if claimed else None

    async def _mark_sending(self, delivery: Delivery) -> None:
        delivery_id, token = delivery.id, delivery.claim_token
        assert delivery_id is not None and token is not None

        async def mark(uow: UnitOfWork) -> bool:
            return await uow.deliveries.mark_sending(delivery_id, token=token, at=utc_now())

        if not await self._commits.run(mark):
            raise LostClaim(f"delivery {delivery.id} was taken over")

    async def _deliver(self, delivery: Delivery) -> None:
        assert delivery.id is not None
        try:
            outcome = await self._attempt(delivery)
        except LostClaim as lost:
            log.warning("mailer: %s", lost)
            return
        now = utc_now()
        retry_at = (
            None if outcome.retry_in_s is None else now + timedelta(seconds=outcome.retry_in_s)
        )
        attempt = Attempt(
            status=outcome.status,
            error=outcome.error,
            attempts=delivery.attempts + int(outcome.attempted),
            sent_at=now if outcome.status == "sent" else None,
            retry_at=retry_at,
        )
        await self._record(delivery, attempt)
        MAILS.labels(outcome=_outcome_label(outcome)).inc()
        if outcome.status != "sent":
            log.warning("mail %s to case %s: %s", outcome.status, delivery.case_id, outcome.error)

    async def _record(self, delivery: Delivery, attempt: Attempt) -> None:
        """Write the outcome; if the database is away, wait for it with the outcome in hand.

        Giving up here would leave a mail the server accepted as `sending`, later shown as
        uncertain although it went out: only a crash may do that.
        """
        delivery_id, token = delivery.id, delivery.claim_token
        assert delivery_id is not None and token is not None

        async def record(uow: UnitOfWork) -> None:
            await uow.deliveries.record(delivery_id, token=token, attempt=attempt)

        failures = 0
        while True:
            try:
                await self._commits.run(record)
            except Exception as error:
                if not is_transient(error):
                    raise
                failures += 1
                readiness.down("mailer outcome", error)
                log.warning(
                    "mailer: recording delivery %s waits (%d): %s", delivery.id, failures, error
                )
                await asyncio.sleep(backoff_s(failures, base_s=0.5, cap_s=10.0))
                continue
            readiness.up("mailer outcome")
            return

    async def _attempt(self, delivery: Delivery) -> Outcome:
        marked = False

        async def point_of_no_return() -> None:
            nonlocal marked
            await self._mark_sending(delivery)
            marked = True

        try:
            message = compose(delivery, sender=self._settings.mail_from)
            await self._transport.send(message, point_of_no_return=point_of_no_return)
        except PermanentMailError as error:
            return Outcome("failed", str(error))
        except UncertainMailError as error:
            return Outcome("uncertain", str(error))
        except TransientMailError as error:
            return self._retry(delivery, str(error))
        except ValueError as error:  # an address or header an e-mail cannot carry
            return Outcome("failed", f"{type(error).__name__}: {error}")
        except Exception as error:
            if marked or not is_transient(error):
                raise
            # Our database went away before DATA (marking the row `sending` failed): nothing
            # was handed over, so give the claim back now rather than after the lease.
            return Outcome("pending", f"{type(error).__name__}: {error}", 0.0, attempted=False)
        return Outcome("sent")

    def _retry(self, delivery: Delivery, error: str) -> Outcome:
        s = self._settings
        if delivery.attempts + 1 >= s.mail_max_attempts:
            return Outcome("failed", f"{error} (đã thử {delivery.attempts + 1} lần)")
        delay = min(s.mail_backoff_s * 2**delivery.attempts, s.mail_backoff_max_s)
        return Outcome("pending", error, retry_in_s=delay)


def _outcome_label(outcome: Outcome) -> str:
    """`pakn_mails_total`'s outcome: a pending one is retried later, or was given back."""
    if outcome.status == "pending":
        return "retried" if outcome.attempted else "returned"
    return outcome.status
