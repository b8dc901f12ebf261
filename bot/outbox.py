"""The durable outbox: every post, edit and DM the bot makes goes through here.

A handler writes its change and the outbox row in one transaction, so a post is
owed exactly when the change it announces is stored. Delivery happens afterwards:

* Due rows are claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the single writer
  on SQLite) with a lease, so several replicas never send the same row at once. They are
  claimed, and so sent, by priority (lower first), then in the order they were owed.
* Before sending, a claimed post is marked `unsure`. If the process dies after
  Mattermost accepted the post but before the result was recorded, the next
  attempt finds the row still `unsure` and first looks for the post in the
  channel (every post carries its outbox key in `props.amtsbote_key`). Only if
  it is not there is it sent again. `pending_post_id` additionally covers quick
  retries inside Mattermost's 30-second dedup window.
* 5xx, timeouts and outages are retried with exponential backoff and jitter; a
  429 pauses all sending until `Retry-After` has passed. Our own send rate is
  capped by a token bucket (`OUTBOX_MAX_RATE`, `OUTBOX_BURST`), shared with the
  Mattermost port so that it counts every request the server's limiter counts
  (`bot/ratelimit.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from base.chat import (
    MARKER_PROP,
    MattermostPort,
    PermanentError,
    RateLimited,
    TransientError,
    UnknownOutcome,
    request_paid_for,
)
from base.clock import Clock
from base.ratelimit import TokenBucket
from bot import metrics
from storage.db import Database
from storage.models import OutboxItem

log = logging.getLogger("amtsbote.outbox")

LEASE = timedelta(seconds=30)  # longer than one delivery can take (10 s timeout + lookup)
MAX_BACKOFF_SECONDS = 300.0
MAX_BATCH = 200
RECORD_BATCH = 50  # delivered rows written per transaction
RECONCILE_WINDOW = timedelta(minutes=5)


class Outbox:
    def __init__(self, db: Database, port: MattermostPort, clock: Clock, *, rate: float = 10.0,
                 burst: int = 20, concurrency: int = 16, bucket: TokenBucket | None = None) -> None:
        self.db = db
        self.port = port
        self.clock = clock
        # `bucket`: the one the Mattermost port counts its other requests in (see Runtime)
        self.bucket = bucket or TokenBucket(rate, burst, monotonic=clock.monotonic)
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._delivered: list[dict[str, Any]] = []  # "done" records not yet written
        self.delivered = 0

    def notify(self) -> None:
        """Something was enqueued: deliver now instead of at the next poll."""
        self._wake.set()

    # -- the loop ------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, poll_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                sent = await self.deliver_due()
            except Exception:  # a database hiccup must not end delivery for good
                log.exception("outbox pass failed")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass

    def batch_size(self) -> int:
        """How many rows one pass claims: no more than the send rate gets through well inside
        the lease, so a claimed row is never still waiting when another replica may take it."""
        return max(1, min(MAX_BATCH, int(self.bucket.rate * LEASE.total_seconds() / 3)))

    async def deliver_due(self, *, limit: int | None = None) -> int:
        """Claim and deliver what is due; returns how many rows were attempted."""
        pause = self.bucket.held_for()  # a 429 (ours or another request's) holds all sending
        if pause > 0:
            await asyncio.sleep(pause)
        rows = self._claim(limit or self.batch_size())
        if not rows:
            return 0
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(row: OutboxItem) -> None:
            async with semaphore:
                await self._deliver(row)
                if len(self._delivered) >= RECORD_BATCH:
                    self._flush_delivered()

        try:
            await asyncio.gather(*(one(row) for row in rows))
        finally:
            self._flush_delivered()
        return len(rows)

    def _flush_delivered(self) -> None:
        """Record delivered rows, many in one transaction. Until then a row is `unsure`: a crash
        before this write makes the next attempt look the post up first, never post it again."""
        if not self._delivered:
            return
        done, self._delivered = self._delivered, []
        with self.db.write(changes_views=False) as session:
            session.execute(sa.update(OutboxItem), done)

    async def drain(self, *, timeout: float = 30.0) -> bool:
        """Deliver until nothing is due (CLI runs and tests). True if the outbox is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not await self.deliver_due():
                if self.pending_count() == 0:
                    return True
                await asyncio.sleep(0.05)
        return self.pending_count() == 0

    def pending_count(self) -> int:
        with self.db.read() as session:
            return session.exec(
                select(sa.func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")
            ).one()

    # -- claiming ------------------------------------------------------------------------

    def _claim(self, limit: int) -> list[OutboxItem]:
        now = self.clock.now()
        with self.db.write(changes_views=False) as session:
            query = (
                select(OutboxItem)
                .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now)
                .where(sa.or_(col(OutboxItem.claimed_until).is_(None), col(OutboxItem.claimed_until) < now))
                .order_by(col(OutboxItem.priority), col(OutboxItem.id))
                .limit(limit)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = list(session.exec(query))
            claimed = []
            for row in rows:
                claimed.append(OutboxItem.model_validate(row.model_dump()))  # detached copy, old `unsure`
                row.claimed_until = now + LEASE
                row.attempts += 1
                if row.kind in ("post", "dm"):
                    row.unsure = True  # from here on, the post may exist
                session.add(row)
            return claimed

    # -- delivery ------------------------------------------------------------------------

    async def _deliver(self, row: OutboxItem) -> None:
        props = json.loads(row.props) if row.props else {}
        try:
            if row.kind == "patch":
                await self._deliver_patch(row, props)
                return
            channel_id = row.channel_id
            if row.kind == "dm":
                channel_id = await self.port.direct_channel(row.user_id or "")
                if channel_id != row.channel_id:
                    self._record(row.id, channel_id=channel_id)
            assert channel_id
            props[MARKER_PROP] = row.key
            post_id = None
            if row.unsure:
                since = row.created_at - RECONCILE_WINDOW
                post_id = await self.port.find_post(channel_id, since_ms=int(since.timestamp() * 1000), marker=row.key)
                if post_id:
                    log.info("outbox %s: post already delivered earlier, not sending again", row.id)
            if post_id is None:
                if not await self.bucket.acquire():
                    self._release(row)
                    return
                with request_paid_for():
                    post_id = await self.port.create_post(channel_id=channel_id, message=row.message, props=props,
                                                          pending_post_id=row.pending_post_id)
            self._done(row, post_id)
        except PermanentError as e:
            metrics.DELIVERIES.labels(row.kind, "failed").inc()
            metrics.MATTERMOST_UP.set(1)  # it answered
            log.error("outbox %s (%s) refused by Mattermost: %s", row.id, row.kind, e)
            self._record(row.id, status="dead", last_error=str(e)[:200], claimed_until=None)
        except TransientError as e:
            metrics.MATTERMOST_UP.set(1 if isinstance(e, RateLimited) else 0)  # a 429 is an answer; a 5xx is not
            self._retry_later(row, e)
        except Exception as e:  # never lose the row to a bug in one delivery
            log.exception("outbox %s: unexpected error", row.id)
            self._retry_later(row, TransientError(type(e).__name__))

    async def _deliver_patch(self, row: OutboxItem, props: dict[str, Any]) -> None:
        with self.db.read() as session:
            target = session.exec(select(OutboxItem).where(OutboxItem.key == row.target_key)).first()
            newer = session.exec(
                select(OutboxItem.id).where(OutboxItem.kind == "patch", OutboxItem.target_key == row.target_key,
                                            OutboxItem.status == "pending", col(OutboxItem.id) > row.id)
            ).first()
        if target is None or target.status == "dead" or newer is not None:
            # Nothing to edit, or a newer edit of the same post supersedes this one.
            self._record(row.id, status="done", claimed_until=None, last_error="superseded")
            return
        if target.status != "done" or not target.post_id:
            self._record(row.id, next_attempt_at=self.clock.now() + timedelta(seconds=2), claimed_until=None,
                         attempts=row.attempts)
            return
        props[MARKER_PROP] = target.key
        if not await self.bucket.acquire():
            self._release(row)
            return
        with request_paid_for():
            await self.port.patch_post(target.post_id, message=row.message, props=props)
        self._done(row, target.post_id)

    def _done(self, row: OutboxItem, post_id: str) -> None:
        # The text is not kept once it is in Mattermost: the row only remembers where it went.
        self._delivered.append({"id": row.id, "status": "done", "post_id": post_id, "delivered_at": self.clock.now(),
                                "unsure": False, "claimed_until": None, "last_error": None, "message": "",
                                "props": None})
        self.delivered += 1
        metrics.delivered(row.kind, row.key)

    def _release(self, row: OutboxItem) -> None:
        """A 429 arrived while this row waited its turn: give it back unsent until the pause ends."""
        self._record(row.id, claimed_until=None, unsure=row.unsure,
                     next_attempt_at=self.clock.now() + timedelta(seconds=self.bucket.held_for()))

    def _retry_later(self, row: OutboxItem, error: TransientError) -> None:
        attempts = row.attempts + 1
        metrics.DELIVERIES.labels(row.kind, "retry").inc()
        if error.retry_after is not None:
            delay = max(error.retry_after, 0.0) + random.uniform(0.05, 0.5)
            self.bucket.hold(delay)  # the server's limit is spent: nothing until then, then from empty
        else:
            delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(attempts, 12)) * random.uniform(0.5, 1.5)
        changes: dict[str, Any] = {
            "next_attempt_at": self.clock.now() + timedelta(seconds=delay),
            "claimed_until": None,
            "last_error": str(error)[:200],
            # a definite failure means the post does not exist; an unknown outcome keeps `unsure`
            "unsure": isinstance(error, UnknownOutcome) or row.unsure,
        }
        # Never given up: a post that is owed stays owed until Mattermost takes it.
        log_at = logging.ERROR if attempts % 50 == 0 else logging.WARNING
        log.log(log_at, "outbox %s (%s): %s; attempt %s, retrying in %.1f s", row.id, row.kind, error, attempts, delay)
        self._record(row.id, **changes)

    def _record(self, row_id: int | None, **changes: Any) -> None:
        with self.db.write(changes_views=False) as session:
            session.execute(sa.update(OutboxItem).where(col(OutboxItem.id) == row_id).values(**changes))
