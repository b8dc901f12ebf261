"""The person's data in /meeting: what `meine-daten` shows, what `vergessen` erases, and the
retention purge of the meeting tables."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.safetext import plain
from commands.meeting.announcements import announce_key
from commands.meeting.people import FORGOTTEN, participant_ids
from commands.meeting.texts import MYDATA_NAMED, MYDATA_ORGANIZED, MYDATA_RSVP, MYDATA_SECTION
from domain import calendar as cal
from storage.db import rowcount
from storage.meeting_models import Meeting, MeetingCancellation, MeetingRsvp, ReminderLedger
from storage.models import OutboxItem


def my_data(session: Session, user_id: str, locale: str) -> list[tuple[str, str, str | None]]:
    """For `meine-daten`: meetings the person scheduled or was named in, and their answers."""
    out: list[tuple[str, str, str | None]] = []
    section = MYDATA_SECTION(locale)
    for meeting in session.exec(select(Meeting).order_by(col(Meeting.id))).all():
        when = f"{cal.format_day(meeting.first_day, locale)} {meeting.start_time.strftime('%H:%M')}"
        if meeting.organizer_id == user_id:
            out.append((section, MYDATA_ORGANIZED(locale, title=plain(meeting.title), when=when), meeting.channel_id))
        elif user_id in participant_ids(meeting):
            out.append((section, MYDATA_NAMED(locale, title=plain(meeting.title), when=when), meeting.channel_id))
    rows = session.exec(select(MeetingRsvp, Meeting).join(Meeting, col(Meeting.id) == MeetingRsvp.meeting_id)
                        .where(MeetingRsvp.user_id == user_id).order_by(col(Meeting.id), col(MeetingRsvp.day))).all()
    for rsvp, meeting in rows:
        text = MYDATA_RSVP["yes" if rsvp.answer == "yes" else "no"](
            locale, title=plain(meeting.title), day=cal.format_day(rsvp.day, locale))
        out.append((section, text, meeting.channel_id))
    return out


def forget(session: Session, user_id: str) -> None:
    """For `vergessen`: answers are deleted; meetings stay for the others but no longer name the person."""
    session.execute(sa.delete(MeetingRsvp).where(col(MeetingRsvp.user_id) == user_id))
    session.execute(sa.update(Meeting).where(col(Meeting.organizer_id) == user_id).values(organizer_id=FORGOTTEN))
    for meeting in session.exec(select(Meeting).where(col(Meeting.participants).contains(user_id))).all():
        meeting.participants = ",".join(uid for uid in participant_ids(meeting) if uid != user_id)
        session.add(meeting)


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: meetings over or cancelled before the cutoff go, with their answers and ledger;
    so do the answers to occurrences before the cutoff of series that go on.

    Cancelled dates of running series stay: they are no personal data, and the calendar
    file's SEQUENCE counts them."""
    old = select(Meeting.id).where(sa.or_(col(Meeting.ends_at) < cutoff, col(Meeting.cancelled_at) < cutoff))
    ids = list(session.exec(old).all())
    counts = {"meeting_rsvp": 0, "meeting_cancellation": 0, "meeting_reminder": 0, "meeting": 0,
              "meeting_announcement": 0}
    if ids:
        for name, model in (("meeting_rsvp", MeetingRsvp), ("meeting_cancellation", MeetingCancellation),
                            ("meeting_reminder", ReminderLedger)):
            counts[name] += rowcount(session.execute(sa.delete(model).where(col(model.meeting_id).in_(ids))))
        counts["meeting"] = rowcount(session.execute(sa.delete(Meeting).where(col(Meeting.id).in_(ids))))
        # the announcement's outbox row was kept for editing it (bot.maintenance); with the meeting it goes
        counts["meeting_announcement"] = rowcount(session.execute(sa.delete(OutboxItem).where(
            col(OutboxItem.key).in_([announce_key(i) for i in ids]))))
    # Answers to occurrences of running series that are past the cutoff: nobody counts them any more.
    counts["meeting_rsvp"] += rowcount(session.execute(
        sa.delete(MeetingRsvp).where(col(MeetingRsvp.day) < cutoff_day)))
    # Ledger rows of running series are bookkeeping; past the cutoff they can never be due again.
    counts["meeting_reminder"] += rowcount(session.execute(
        sa.delete(ReminderLedger).where(col(ReminderLedger.occurrence_start) < cutoff)))
    return counts
