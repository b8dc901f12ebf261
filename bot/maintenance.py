"""Housekeeping: the retention purge (RETENTION_DAYS) of past presence data.

Presence data is personal data; what is past and older than the retention period
is deleted, not archived. Delivered outbox rows (which hold post texts) are kept
only a week, for diagnosing delivery problems.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import sqlalchemy as sa

from commands.base import Services
from storage.models import (
    Absence,
    AuditEntry,
    CallForward,
    OutboxItem,
    PresenceChange,
    RosterPost,
    SwapProposal,
)

log = logging.getLogger("amtsbote.maintenance")

OUTBOX_KEEP = timedelta(days=7)
PURGE_EVERY_SECONDS = 3600.0
_last_purge: dict[int, float] = {}


def purge(session: sa.orm.Session, *, now: datetime, retention_days: int, tz) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Delete everything older than the retention period; returns rows deleted per table."""
    cutoff_day = now.astimezone(tz).date() - timedelta(days=retention_days)
    cutoff = now - timedelta(days=retention_days)
    counts = {}
    for name, stmt in (
        ("presence_change", sa.delete(PresenceChange).where(PresenceChange.day < cutoff_day)),
        ("absence", sa.delete(Absence).where(Absence.day < cutoff_day)),
        ("swap_proposal", sa.delete(SwapProposal).where(SwapProposal.day < cutoff_day)),
        ("roster_post", sa.delete(RosterPost).where(RosterPost.day < cutoff_day)),
        ("call_forward", sa.delete(CallForward).where(CallForward.until < cutoff)),
        ("audit_log", sa.delete(AuditEntry).where(AuditEntry.at < cutoff)),
        ("outbox", sa.delete(OutboxItem).where(OutboxItem.status != "pending", OutboxItem.created_at < now - OUTBOX_KEEP)),
    ):
        counts[name] = session.execute(stmt).rowcount or 0
    from commands import meeting

    extra = getattr(meeting, "purge", None)
    if extra is not None:
        counts.update(extra(session, cutoff=cutoff, cutoff_day=cutoff_day))
    return counts


async def retention_job(services: Services) -> None:
    key = id(services)
    if time.monotonic() - _last_purge.get(key, -1e9) < PURGE_EVERY_SECONDS:
        return
    _last_purge[key] = time.monotonic()
    with services.db.write() as session:
        counts = purge(session, now=services.clock.now(), retention_days=services.settings.retention_days,
                       tz=services.tz)
    if any(counts.values()):
        log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items() if v))


JOBS = [retention_job]
