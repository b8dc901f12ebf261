"""Housekeeping: the retention purge (RETENTION_DAYS) of past presence data.

Presence data is personal data; what is past and older than the retention period
is deleted, not archived. Delivered outbox rows are kept only a week, for
diagnosing delivery problems; a meeting's announcement row stays as long as the
meeting, so that the announcement can still be edited.

The purge runs on the scheduler tick, throttled by the bot's own clock (the one
everything else asks): once per local day and at least once per hour of clock time.
Throttling by the wall clock of the machine instead would make a simulated clock
(console, tests) or a clock that jumps skip the purge that is due.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlmodel import col

from commands.base import Feature, Services
from commands.registry import FEATURES
from storage.db import rowcount
from storage.models import AuditEntry, OutboxItem

log = logging.getLogger("amtsbote.maintenance")

OUTBOX_KEEP = timedelta(days=7)
# A meeting's announcement is edited as long as the meeting runs (answers, next date, cancel), so its
# delivered outbox row, which holds the post's id, stays with the meeting and goes with it
# (the meeting feature's purge). One that was never delivered goes after the week like any other.
ANNOUNCEMENTS = "meeting:%:announce"
PURGE_EVERY = timedelta(hours=1)
# services -> (local day, instant) of its last purge, by its own clock
_last_purge: weakref.WeakKeyDictionary[Services, tuple[date, datetime]] = weakref.WeakKeyDictionary()


def purge(session: sa.orm.Session, *, now: datetime, retention_days: int, tz: tzinfo,
          features: Sequence[Feature] = FEATURES, default_region: str = "DE") -> dict[str, int]:
    """Delete everything older than the retention period; returns rows deleted per table.

    First every feature keeps what must outlive the data (`Feature.keep`: the duty rota's carry),
    then each purges its own tables (`Feature.purge`); the audit log and the outbox are the
    shell's."""
    cutoff_day = now.astimezone(tz).date() - timedelta(days=retention_days)
    cutoff = now - timedelta(days=retention_days)
    counts: dict[str, int] = {}
    for feature in features:
        if feature.keep is not None:
            feature.keep(session, day=cutoff_day, default_region=default_region)
    for feature in features:
        if feature.purge is not None:
            counts.update(feature.purge(session, cutoff=cutoff, cutoff_day=cutoff_day))
    for name, stmt in (
        ("audit_log", sa.delete(AuditEntry).where(col(AuditEntry.at) < cutoff)),
        ("outbox", sa.delete(OutboxItem).where(col(OutboxItem.status) != "pending", col(OutboxItem.created_at) < now - OUTBOX_KEEP,
                                               ~sa.and_(col(OutboxItem.key).like(ANNOUNCEMENTS),
                                                        col(OutboxItem.status) == "done"))),
    ):
        counts[name] = rowcount(session.execute(stmt))
    return counts


def purge_due(services: Services, now: datetime) -> bool:
    """True when the purge should run now: first tick, a new local day, an hour of clock
    time since the last run, or the clock was set back."""
    last = _last_purge.get(services)
    if last is None:
        return True
    last_day, last_at = last
    return now.astimezone(services.tz).date() != last_day or not last_at <= now < last_at + PURGE_EVERY


async def retention_job(services: Services) -> None:
    now = services.clock.now()
    if not purge_due(services, now):
        return
    _last_purge[services] = (now.astimezone(services.tz).date(), now)  # a failed run is tried again in an hour
    with services.db.write() as session:
        counts = purge(session, now=now, retention_days=services.settings.retention_days, tz=services.tz,
                       features=services.features or FEATURES, default_region=services.settings.bot_holiday_region)
    if any(counts.values()):
        log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items() if v))

