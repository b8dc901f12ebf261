"""What others read of `/meeting`: a meeting's schedule in its channel's holiday region, and the
meetings of a channel on one day, as the morning roster shows them.

A shared module below the feature packages: `commands/meeting/` uses `load_schedule` from here,
and the roster (`commands/anwesenheit`) uses `meetings_on` without importing the meeting feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from base.safetext import plain
from commands.channels import channel_region
from domain.recurrence import Schedule, occurrences
from storage.meeting_models import Meeting
from storage.meetings import active_meetings, cancelled_days, schedule_of


def load_schedule(session: Session, meeting: Meeting, default_region: str) -> Schedule:
    """The meeting's rule with its called-off days and the holidays of its channel's region."""
    days = cancelled_days(session, meeting.id)
    region = channel_region(session, meeting.channel_id, default_region)
    return schedule_of(meeting, cancelled=days, region=region)


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting on a given day, for the morning roster. `title` is already safe to post."""

    start: time
    end: time
    title: str
    join_url: str
    meeting_id: int


def meetings_on(session: Session, channel_id: str, day: date, tz: ZoneInfo, *,
                default_region: str = "DE") -> list[MeetingView]:
    """Today's meetings of the channel: occurrences starting on `day` (local), in order."""
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    views = []
    for meeting in active_meetings(session, channel_id, start, end):
        schedule = load_schedule(session, meeting, default_region)
        for occ in occurrences(schedule, start=start, end=end):
            views.append(MeetingView(start=occ.start.astimezone(tz).time(), end=occ.end.astimezone(tz).time(),
                                     title=plain(meeting.title, max_length=80), join_url=meeting.join_url,
                                     meeting_id=meeting.id or 0))
    return sorted(views, key=lambda v: (v.start, v.meeting_id))
