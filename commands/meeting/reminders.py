"""Reminders before each occurrence: in the channel, or by direct message to the named people.

Reminders are claimed per occurrence with a ledger row inserted in the same transaction as
the outbox row, so a restart or a second replica never sends one twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.chat import MattermostError, User
from base.safetext import plain
from commands.base import Services
from commands.channels import channel_locale
from commands.meeting.people import FORGOTTEN, locale_of, participant_ids
from commands.meeting.schedule import format_when, link_target
from commands.meeting.texts import R_JOIN, R_JOIN_BBB, REMINDER_POST, SOON_MINUTES, SOON_NOW
from commands.meeting_views import load_schedule
from domain.recurrence import Occurrence, occurrences
from storage.db import insert_for, table_of
from storage.meeting_models import Meeting, MeetingCancellation, ReminderLedger
from storage.meetings import schedule_of
from storage.outbox import URGENT, enqueue_dm, enqueue_post

log = logging.getLogger("amtsbote.meeting")

MAX_REMINDER = timedelta(hours=24)  # what parse_duration allows


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    occurrence: Occurrence
    locale: str


def _due_reminders(services: Services, now: datetime) -> list[DueReminder]:
    """Occurrences that start within their reminder lead and have no ledger row yet.

    A reminder whose time passed while the bot was down is still due as long as the
    meeting has not started; after that it is skipped."""
    due = []
    with services.db.read() as session:
        meetings = session.exec(select(Meeting).where(
            col(Meeting.cancelled_at).is_(None), Meeting.reminder_minutes > 0,
            Meeting.starts_at <= now + MAX_REMINDER,
            sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > now))).all()
        for meeting in meetings:
            lead = timedelta(minutes=meeting.reminder_minutes)
            tiny = timedelta(microseconds=1)  # the window is (now, now + lead]
            # The bare rule first (no queries); cancellations and holidays only when something is near.
            if not occurrences(schedule_of(meeting), start=now + tiny, end=now + lead + tiny):
                continue
            schedule = load_schedule(session, meeting, services.settings.bot_holiday_region)
            for occ in occurrences(schedule, start=now + tiny, end=now + lead + tiny):
                if session.get(ReminderLedger, (meeting.id, occ.start.astimezone(UTC))) is None:
                    locale = channel_locale(session, meeting.channel_id, services.settings.bot_locale)
                    due.append(DueReminder(meeting, occ, locale))
    return due


def _claim(session: Session, meeting_id: int, occurrence_start: datetime, now: datetime) -> bool:
    """Insert the ledger row unless it exists; True if this call inserted it (and so owns the reminder)."""
    table = table_of(ReminderLedger)
    stmt = (insert_for(session, table).values(meeting_id=meeting_id, occurrence_start=occurrence_start, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["meeting_id", "occurrence_start"])
            .returning(table.c.meeting_id))
    return session.execute(stmt).first() is not None  # a row comes back only from a real insert


def reminder_text(meeting: Meeting, occ: Occurrence, now: datetime, locale: str) -> str:
    minutes = round((occ.start - now).total_seconds() / 60)  # a tick a few seconds late still says "in 10"
    soon = SOON_MINUTES(locale, m=minutes) if minutes >= 2 else SOON_NOW(locale)
    if meeting.provider == "bbb":
        join = R_JOIN_BBB(locale)
    elif meeting.provider == "url":
        join = meeting.join_url
    else:
        join = R_JOIN(locale, url=link_target(meeting.join_url))
    return REMINDER_POST(locale, title=plain(meeting.title), soon=soon, when=format_when(occ, locale), join=join)


async def send_reminders(services: Services) -> None:
    """Queue the reminders that are due; each occurrence is claimed once, ever."""
    now = services.clock.now()
    due = _due_reminders(services, now)
    if not due:
        return
    wanted = sorted({uid for d in due if d.meeting.audience == "people"
                     for uid in [d.meeting.organizer_id, *participant_ids(d.meeting)] if uid != FORGOTTEN})
    users: dict[str, User] = {}
    if wanted:
        try:
            users = await services.mm.users(wanted)
        except MattermostError as e:  # a late reminder in the default language beats none
            log.warning("reminders: could not look up recipients' languages (%s)", e)
    with services.db.write() as session:
        for item in due:
            meeting, occ = item.meeting, item.occurrence
            start_utc = occ.start.astimezone(UTC)
            row = session.get(Meeting, meeting.id)
            if (row is None or row.cancelled_at is not None
                    or session.get(MeetingCancellation, (meeting.id, occ.day)) is not None):
                continue  # cancelled since we looked
            if not _claim(session, row.id or 0, start_utc, now):
                continue  # another replica or an earlier tick has it
            key = f"meeting:{row.id}:remind:{int(start_utc.timestamp())}"
            if row.audience == "people":
                for uid in dict.fromkeys([row.organizer_id, *participant_ids(row)]):
                    if uid == FORGOTTEN:
                        continue
                    locale = locale_of(users.get(uid), services.settings.bot_locale)
                    enqueue_dm(session, key=f"{key}:{uid}", user_id=uid, now=now,
                               message=reminder_text(row, occ, now, locale))
            else:
                enqueue_post(session, key=key, channel_id=row.channel_id, now=now, priority=URGENT,
                             message=reminder_text(row, occ, now, item.locale))
    services.notify_outbox()
