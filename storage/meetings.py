"""Queries of `/meeting`'s tables that more than one reader needs: a stored meeting as the pure
recurrence rule takes it (`domain.recurrence.Schedule`), its called-off days, and the meetings of a
channel that may occur in a time window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.recurrence import Repeat, Schedule
from storage.meeting_models import Meeting, MeetingCancellation


def schedule_of(meeting: Meeting, *, cancelled: Iterable[date] = (), region: str | None = None) -> Schedule:
    """The meeting's rule; without `cancelled` and `region` the bare rule (no query needed)."""
    return Schedule(first_day=meeting.first_day, start=meeting.start_time,
                    duration=timedelta(minutes=meeting.duration_minutes), tz=ZoneInfo(meeting.timezone),
                    repeat=Repeat(meeting.repeat) if meeting.repeat else None, cancelled=frozenset(cancelled),
                    holiday_region=region)


def cancelled_days(session: Session, meeting_id: int | None) -> list[date]:
    """The local days on which single occurrences of the meeting were called off."""
    query = select(col(MeetingCancellation.day)).where(MeetingCancellation.meeting_id == meeting_id)
    return list(session.exec(query).all())


def active_meetings(session: Session, channel_id: str, start: datetime, end: datetime) -> list[Meeting]:
    """The channel's meetings that are not cancelled and may have an occurrence in [start, end)."""
    return list(session.exec(select(Meeting).where(
        Meeting.channel_id == channel_id, col(Meeting.cancelled_at).is_(None), Meeting.starts_at < end,
        sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > start)).order_by(col(Meeting.id))).all())


def running_count(session: Session, channel_id: str, organizer_id: str, now: datetime) -> int:
    """How many of the channel's meetings the person organizes that are not over and not cancelled
    (what the quota `MEETINGS_PER_PERSON` counts)."""
    return session.exec(select(sa.func.count()).select_from(Meeting).where(
        Meeting.channel_id == channel_id, Meeting.organizer_id == organizer_id,
        col(Meeting.cancelled_at).is_(None),
        sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > now))).one()
