"""/meeting ics: the meeting as an iCalendar file, uploaded to the channel."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vRecur

from base.chat import MARKER_PROP
from base.safetext import plain
from commands.base import Context, Reply, SlashRequest
from commands.channels import channel_locale
from commands.meeting.people import meeting_for
from commands.meeting.requests import CalendarFile
from commands.meeting.texts import ICS_BBB, ICS_DESCRIPTION, ICS_DONE, ICS_POST
from commands.meeting_views import load_schedule
from domain.recurrence import Schedule, local_instant, rrule_text, skipped_days
from storage.meeting_models import Meeting

ICS_HORIZON_DAYS = 3 * 365  # holidays listed as EXDATE this far ahead


def build_ics(meeting: Meeting, schedule: Schedule, *, now: datetime, host: str, locale: str) -> bytes:
    """The meeting as an iCalendar file: one VEVENT with TZID-local times, RRULE, EXDATEs, VTIMEZONE.

    The UID is derived from stored facts only, so downloading it twice updates the
    same calendar entry; SEQUENCE grows with every cancellation."""
    tz = schedule.tz
    start = local_instant(schedule.first_day, schedule.start, tz)
    calendar = Calendar()
    calendar.add("prodid", "-//Amtsbote//Besprechungen//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"amtsbote-meeting-{meeting.id}-{int(meeting.created_at.timestamp())}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("summary", " ".join(meeting.title.split()))
    event.add("dtstart", start)
    event.add("dtend", (start.astimezone(UTC) + schedule.duration).astimezone(tz))
    horizon = max(schedule.first_day, now.astimezone(tz).date()) + timedelta(days=ICS_HORIZON_DAYS)
    if (rule := rrule_text(schedule)) is not None:
        event.add("rrule", vRecur.from_ical(rule))
        skipped = skipped_days(schedule, until=horizon)
        if skipped:
            event.add("exdate", [local_instant(day, schedule.start, tz) for day in skipped])
    if meeting.join_url:
        event.add("url", meeting.join_url)
        event.add("location", meeting.join_url)
        event.add("description", ICS_DESCRIPTION(locale, url=meeting.join_url))
    elif meeting.provider == "bbb":
        event.add("location", ICS_BBB(locale))
    event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    event.add("sequence", len(schedule.cancelled) + (1 if meeting.cancelled_at else 0))
    if meeting.reminder_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", " ".join(meeting.title.split()))
        alarm.add("trigger", -timedelta(minutes=meeting.reminder_minutes))
        event.add_component(alarm)
    calendar.add_component(event)
    last = horizon if meeting.repeat else schedule.first_day + timedelta(days=366)
    calendar.add_missing_timezones(first_date=date(schedule.first_day.year, 1, 1), last_date=last)
    ical: bytes = calendar.to_ical()
    return ical


async def ics(request: SlashRequest, ctx: Context, parsed: CalendarFile, trigger: str) -> Reply:
    meeting = meeting_for(ctx, parsed.meeting_id)
    with ctx.db.read() as session:
        schedule = load_schedule(session, meeting, ctx.settings.bot_holiday_region)
        locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
    host = urlsplit(ctx.settings.bot_public_url or "").hostname or "amtsbote"
    data = build_ics(meeting, schedule, now=ctx.now, host=host, locale=locale)
    # A file post is made here, not through the outbox: the outbox cannot carry file ids, and an
    # on-demand file that fails is simply asked for again.
    file_id = await ctx.mm.upload_file(ctx.channel_id, f"meeting-{meeting.id}.ics", data)
    message = ICS_POST(locale, title=plain(meeting.title), who=plain(ctx.user.display_name, max_length=60))
    await ctx.mm.create_post(channel_id=ctx.channel_id, message=message,
                             props={MARKER_PROP: f"meeting:{meeting.id}:ics:{uuid.uuid4().hex}"},
                             pending_post_id=f"{ctx.mm.bot_user_id}:{uuid.uuid4().hex}", file_ids=[file_id])
    return Reply(ICS_DONE(ctx.locale, title=plain(meeting.title)))
