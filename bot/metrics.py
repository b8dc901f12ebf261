"""What an operator alerts on, at `/metrics` (Prometheus text format).

Counted by the process (with several replicas, add them up: `sum(rate(...))`):

* `amtsbote_deliveries_total{kind,result}`: the outbox's attempts to deliver a post, edit or
  DM (`kind` post | patch | dm) and how each ended: `ok`, `retry` (Mattermost unreachable, 5xx,
  timeout or 429: tried again later) or `failed` (Mattermost refused it for good, 4xx).
* `amtsbote_rosters_total{result}`: morning rosters `posted` (Mattermost has it) and days
  recorded as `skipped` (the bot was down from before the roster time until after ROSTER_LATEST).
* `amtsbote_mattermost_rate_limited_total`: answers 429 from Mattermost.

Set by the process (per replica): `amtsbote_scheduler_last_tick_timestamp_seconds` (Unix time of
the last completed scheduler tick; it moves every TICK_SECONDS) and `amtsbote_mattermost_up` (1
if Mattermost answered the last ping or delivery, 0 if it was unreachable or failed with 5xx).

Read from the database when /metrics is scraped, one statement on indexed columns, so every
replica reports the same numbers (alert on `max` of them):

* `amtsbote_outbox_pending`: posts, edits and DMs owed to Mattermost.
* `amtsbote_outbox_oldest_pending_seconds`: how long the oldest of them has been owed (0: none).
* `amtsbote_rosters_posted_today`: channels whose roster for today (BOT_TIMEZONE) Mattermost has.

The `*_created` series of prometheus_client are switched off: they only repeat the start time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import tzinfo

import sqlalchemy as sa
from prometheus_client import REGISTRY, Counter, Gauge, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import col

from base.clock import Clock
from storage.db import Database
from storage.models import OutboxItem, RosterPost

log = logging.getLogger("amtsbote.metrics")

disable_created_metrics()  # type: ignore[no-untyped-call]  # the library does not annotate it

DELIVERIES = Counter("amtsbote_deliveries", "Outbox delivery attempts by kind (post, patch, dm) and result "
                     "(ok, retry, failed)", ["kind", "result"])
ROSTERS = Counter("amtsbote_rosters", "Morning rosters posted, and roster days skipped", ["result"])
RATE_LIMITED = Counter("amtsbote_mattermost_rate_limited", "Answers 429 (rate limited) from Mattermost")
LAST_TICK = Gauge("amtsbote_scheduler_last_tick_timestamp_seconds", "Unix time of the last completed scheduler tick")
MATTERMOST_UP = Gauge("amtsbote_mattermost_up", "1 if Mattermost answered the last ping or delivery, else 0")
# Every series exists from the start at 0, so that rate() and increase() see the first one.
for _result in ("posted", "skipped"):
    ROSTERS.labels(_result)
for _kind in ("post", "patch", "dm"):
    for _result in ("ok", "retry", "failed"):
        DELIVERIES.labels(_kind, _result)


def delivered(kind: str, key: str) -> None:
    DELIVERIES.labels(kind, "ok").inc()
    MATTERMOST_UP.set(1)
    if kind == "post" and key.startswith("roster:"):
        ROSTERS.labels("posted").inc()


def count_event(name: str, n: int = 1) -> None:
    """What the features report (`Services.count`): so far the roster days they skip."""
    if name == "roster_skipped":
        ROSTERS.labels("skipped").inc(n)


class DatabaseGauges(Collector):
    """The gauges read from the database at scrape time. One per process: the last `Runtime`
    built points it at its database and clock (tests build several)."""

    def __init__(self) -> None:
        self._source: _Source | None = None

    def watch(self, db: Database, clock: Clock, tz: tzinfo) -> None:
        self._source = _Source(db, clock, tz)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(())  # collected on each scrape, never at registration

    def collect(self) -> Iterator[GaugeMetricFamily]:
        source = self._source
        if source is None:
            return
        try:
            pending, oldest, posted_today = source.read()
        except Exception as e:  # noqa: BLE001 - /metrics answers without these rather than not at all
            log.warning("metrics: database gauges not read: %s", type(e).__name__)
            return
        yield GaugeMetricFamily("amtsbote_outbox_pending", "Posts, edits and DMs owed to Mattermost", value=pending)
        yield GaugeMetricFamily("amtsbote_outbox_oldest_pending_seconds",
                                "Seconds the oldest owed post has been waiting (0: none)", value=oldest)
        yield GaugeMetricFamily("amtsbote_rosters_posted_today",
                                "Channels whose roster for today Mattermost has", value=posted_today)


class _Source:
    def __init__(self, db: Database, clock: Clock, tz: tzinfo) -> None:
        self.db, self.clock, self.tz = db, clock, tz

    def read(self) -> tuple[int, float, int]:
        now = self.clock.now()
        today = now.astimezone(self.tz).date()
        pending = (sa.select(sa.func.count()).select_from(OutboxItem)
                   .where(col(OutboxItem.status) == "pending").scalar_subquery())
        oldest = (sa.select(sa.func.min(col(OutboxItem.created_at)))
                  .where(col(OutboxItem.status) == "pending").scalar_subquery())
        posted = (sa.select(sa.func.count()).select_from(RosterPost)
                  .join(OutboxItem, col(OutboxItem.key) == col(RosterPost.outbox_key))
                  .where(col(RosterPost.day) == today, col(OutboxItem.status) == "done").scalar_subquery())
        with self.db.read() as session:
            count, first, posted_today = session.execute(sa.select(pending, oldest, posted)).one()
        age = max(0.0, (now - first).total_seconds()) if first is not None else 0.0
        return int(count), age, int(posted_today)


DATABASE_GAUGES = DatabaseGauges()
REGISTRY.register(DATABASE_GAUGES)
