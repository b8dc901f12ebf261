"""/meeting ics: the meeting as an iCalendar file, uploaded to the channel."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from base.chat import MARKER_PROP
from base.safetext import plain
from commands.base import Context, Reply, SlashRequest
from commands.channels import channel_locale
from commands.meeting.people import meeting_for
from commands.meeting.requests import CalendarFile
from commands.meeting.texts import ICS_BBB, ICS_DESCRIPTION, ICS_DONE, ICS_POST
from commands.meeting_views import load_schedule
from domain.recurrence import BYDAY, Schedule, clock_faults, local_instant, rrule_text, skipped_days
from domain.wallclock import yearly_observances
from storage.meeting_models import Meeting

ICS_HORIZON = timedelta(days=10 * 366)  # holidays and clock-change dates are listed this far ahead (10 years)


def build_ics(meeting: Meeting, schedule: Schedule, *, now: datetime, host: str, locale: str) -> bytes:
    """The meeting as an iCalendar file: one VEVENT with TZID-local times, RRULE, EXDATEs, VTIMEZONE.

    The UID is derived from stored facts only, so downloading it twice updates the
    same calendar entry; SEQUENCE grows with every cancellation.

    Every client must read the dates as the bot announces them: the VTIMEZONE has one yearly rule
    for each kind of clock change (`zone_block`), holidays and called-off dates are EXDATEs for ten
    years ahead, and a date whose time falls into a clock change (`clock_faults`) is taken out of
    the rule and listed again as an RDATE at the very instant the bot announces, in UTC."""
    tz = schedule.tz
    begin = local_instant(schedule.first_day, schedule.start, tz)
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
    event.add("dtstart", _wall(schedule.first_day, schedule))
    event.add("dtend", (begin.astimezone(UTC) + schedule.duration).astimezone(tz))
    horizon = max(schedule.first_day, now.astimezone(tz).date()) + ICS_HORIZON
    if (rule := rrule_text(schedule)) is not None:
        event.add("rrule", vRecur.from_ical(rule))
    faults = [occ for occ, _ in clock_faults(schedule, until=horizon)]
    excluded = sorted({*skipped_days(schedule, until=horizon), *(occ.day for occ in faults)})
    if excluded and (rule is not None or faults):
        event.add("exdate", [_wall(day, schedule) for day in excluded])
    if faults:
        event.add("rdate", [occ.start.astimezone(UTC) for occ in faults])
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
    since = min(schedule.first_day, now.astimezone(tz).date()).year - 1
    zone = zone_block(tz, since=since, until=horizon.year + 1)
    if zone is not None:
        calendar.add_component(zone)
    calendar.add_component(event)
    if zone is None:  # a zone without a steady yearly rule: its changes one by one, up to the horizon
        calendar.add_missing_timezones(first_date=date(since, 1, 1), last_date=horizon)
    ical: bytes = calendar.to_ical()
    return ical


def _wall(day: date, schedule: Schedule) -> datetime:
    """The rule's wall-clock time on `day` as written in the file (TZID), even on a clock-change day."""
    return datetime.combine(day, schedule.start, tzinfo=schedule.tz)


def zone_block(tz: ZoneInfo, *, since: int, until: int) -> Timezone | None:
    """A VTIMEZONE the way Outlook and Thunderbird write Europe/Berlin: a STANDARD and a DAYLIGHT
    observance, each with a yearly RRULE, so it holds for any year. None if the zone does not follow
    a yearly rule from `since` to `until` (checked against each of its changes in those years)."""
    observances = yearly_observances(tz, since=since, years=until - since + 1)
    if observances is None:
        return None
    zone = Timezone()
    zone.add("tzid", tz.key)
    for observance in observances:
        part = TimezoneDaylight() if observance.daylight else TimezoneStandard()
        part.add("dtstart", observance.start)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.name)
        if observance.month:
            part.add("rrule", vRecur(freq="YEARLY", bymonth=observance.month,
                                     byday=f"{observance.week}{BYDAY[observance.weekday]}"))
        zone.add_component(part)
    return zone


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
