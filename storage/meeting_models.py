"""Tables of `/meeting`: meetings, called-off occurrences, RSVPs and the reminder ledger.

A meeting stores its timing as the user meant it — a local first day, a local start
time and a repeat rule — because "every Monday at 10:00" is a wall-clock promise
that no single UTC instant can hold across daylight-saving changes. `starts_at` and
`ends_at` are derived UTC instants kept only so queries can skip finished meetings.

Personal data here: the organizer, named participants and each person's RSVP
(yes/no, for one occurrence). `forget` in commands/meeting/mydata.py removes or anonymizes all of it.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models import UTCDateTime, utc_column


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=26, index=True)  # where it is announced and listed
    team_id: str = Field(default="", max_length=26)
    organizer_id: str = Field(max_length=26, index=True)
    title: str = Field(max_length=200)  # as typed; made safe (base.safetext.plain) wherever it is shown
    first_day: date  # local date of the first occurrence
    start_time: time  # local wall-clock time of every occurrence
    timezone: str = Field(max_length=64)
    duration_minutes: int
    repeat: str | None = Field(default=None, max_length=10)  # domain.recurrence.Repeat; None = one-off
    reminder_minutes: int = 10  # 0 = no reminder
    audience: str = Field(default="channel", max_length=10)  # channel | people (named participants only)
    participants: str = Field(default="", sa_type=sa.Text)  # named participants' user ids, comma-separated
    provider: str = Field(max_length=10)  # jitsi | bbb | zoom | url
    join_url: str = Field(default="", sa_type=sa.Text)  # "" for BigBlueButton: its links are personal
    external_id: str = Field(default="", max_length=200)  # the provider's room or meeting id
    starts_at: datetime = Field(sa_column=utc_column(index=True))  # first occurrence, UTC
    ends_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))  # None: series
    created_at: datetime = Field(sa_column=utc_column())
    cancelled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class MeetingCancellation(SQLModel, table=True):
    """One occurrence of a series was called off (the local day it would have been on)."""

    __tablename__ = "meeting_cancellation"

    meeting_id: int = Field(primary_key=True, foreign_key="meeting.id", ondelete="CASCADE")
    day: date = Field(primary_key=True)
    created_at: datetime = Field(sa_column=utc_column())


class MeetingRsvp(SQLModel, table=True):
    """A person's answer to one occurrence of a meeting (its local day): one row per person and
    occurrence, the latest answer wins. The next occurrence starts with no answers."""

    __tablename__ = "meeting_rsvp"

    meeting_id: int = Field(primary_key=True, foreign_key="meeting.id", ondelete="CASCADE")
    user_id: str = Field(primary_key=True, max_length=26, index=True)
    day: date = Field(primary_key=True)  # the local day of the occurrence answered
    answer: str = Field(max_length=3)  # yes | no
    at: datetime = Field(sa_column=utc_column())


class ReminderLedger(SQLModel, table=True):
    """The reminder of one occurrence was claimed. The primary key makes the claim
    exactly-once: a second insert (a restart, another replica) is ignored."""

    __tablename__ = "meeting_reminder"

    meeting_id: int = Field(primary_key=True, foreign_key="meeting.id", ondelete="CASCADE")
    occurrence_start: datetime = Field(sa_column=sa.Column(UTCDateTime(), primary_key=True))
    claimed_at: datetime = Field(sa_column=utc_column())
