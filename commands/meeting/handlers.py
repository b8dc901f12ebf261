"""/meeting, the command: help, and the subcommands new, now, list and cancel (`ics` is in
`commands.meeting.ics`).

Order of business when scheduling: parse everything (nothing is half-applied), ask
the provider for a room, then store the meeting and queue its announcement in one
transaction. A provider that fails leaves nothing behind; if storing fails, the
room is handed back to the provider.

Times are wall-clock times in the bot's zone (see `domain.recurrence`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from base.i18n import LocalizedError
from base.safetext import capped, plain
from commands.base import Context, Reply, SlashRequest, split_subcommand
from commands.channels import channel_locale
from commands.help import did_you_mean, help_topic, usage_words
from commands.leads import audit, is_lead
from commands.meeting import providers, rooms
from commands.meeting.announcements import announce_key, announcement_facts, render_announcement
from commands.meeting.ics import ICS_HORIZON, ics
from commands.meeting.people import display_name, display_names, meeting_for, participant_ids
from commands.meeting.requests import (
    DEFAULT_DURATION,
    SUBCOMMANDS,
    CalendarFile,
    CancelMeeting,
    InstantMeeting,
    ListMeetings,
    NewMeeting,
    parse_request,
)
from commands.meeting.schedule import format_when, link_target, zone_name
from commands.meeting.texts import (
    ALREADY_CANCELLED,
    B_JOIN,
    CANCELLED_ONE_POST,
    CANCELLED_ONE_REPLY,
    CANCELLED_POST,
    CANCELLED_REPLY,
    CLOCK_GAP,
    CLOCK_OVERLAP,
    HELP,
    HERE,
    IN_PAST,
    INSTANT_DONE,
    INSTANT_TITLE,
    LIST_EMPTY,
    LIST_MORE,
    LIST_TITLE,
    NO_OCCURRENCE,
    NO_OCCURRENCE_HOLIDAY,
    NOT_ALLOWED,
    NOT_MEMBER,
    ON_HOLIDAY,
    ON_WEEKEND,
    OVER,
    QUOTA,
    RUNNING_MEETINGS,
    SCHEDULED,
    SERIES_GAP,
    SERIES_OVERLAP,
    UHR,
    UNKNOWN_CHANNEL,
    UNKNOWN_SUB,
    WEEKDAY_NAMES,
    help_text,
    sub_help_text,
)
from commands.meeting_views import load_schedule
from domain import calendar as cal
from domain.recurrence import (
    Occurrence,
    Repeat,
    Schedule,
    clock_faults,
    describe,
    first_day_for,
    local_instant,
    occurrence_on,
    overlapping,
)
from domain.wallclock import Fault, fault_at
from storage.meeting_models import Meeting, MeetingCancellation
from storage.meetings import active_meetings, running_count
from storage.outbox import enqueue_patch, enqueue_post

LIST_DAYS = 14
LIST_MOST = 100  # occurrences listed at most; the rest are counted


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = request.command.lstrip("/") or "meeting"
    text = request.text.strip()
    topic = help_topic(text, SUBCOMMANDS)
    if not text or topic == "":
        return Reply(help_text(ctx.locale, trigger))
    if topic is not None:
        return Reply(sub_help_text(ctx.locale, trigger, topic))
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None:
        word = plain(text.split()[0], max_length=30)
        hint = did_you_mean(text.split()[0], usage_words(HELP, ctx.locale), ctx.locale)
        return Reply(UNKNOWN_SUB(ctx.locale, word=word) + hint + "\n\n" + help_text(ctx.locale, trigger))
    parsed = parse_request(name, rest, today=ctx.today, trigger=trigger, locale=ctx.locale)
    return await HANDLERS[type(parsed)](request, ctx, parsed, trigger)


async def _target_channel(request: SlashRequest, ctx: Context, name: str | None) -> str:
    """The channel a meeting belongs to: this one, or `~name` if the caller is a member there."""
    if name is None:
        return ctx.channel_id
    channel_id = request.channel_mentions.get(name)
    if not channel_id:
        raise LocalizedError(UNKNOWN_CHANNEL, name=plain(name, max_length=40))
    if channel_id != ctx.channel_id:
        members = await ctx.mm.channel_members(channel_id)
        if all(member.id != ctx.user.id for member in members):
            raise LocalizedError(NOT_MEMBER, name=plain(name, max_length=40))
    return channel_id


def _within_quota(ctx: Context, channel_id: str, trigger: str, session: Session | None = None) -> None:
    """One person runs at most MEETINGS_PER_PERSON meetings in a channel (not over, not cancelled)."""
    limit = ctx.settings.meetings_per_person
    if session is None:
        with ctx.db.read() as reading:
            running = running_count(reading, channel_id, ctx.user.id, ctx.now)
    else:
        running = running_count(session, channel_id, ctx.user.id, ctx.now)
    if running >= limit:
        raise LocalizedError(QUOTA, meetings=RUNNING_MEETINGS.of(running), trigger=trigger)


async def new_meeting(request: SlashRequest, ctx: Context, parsed: NewMeeting, trigger: str) -> Reply:
    day = parsed.day
    if parsed.repeat is Repeat.WEEKDAYS:
        day = first_day_for(parsed.repeat, day)
    start = local_instant(day, parsed.start, ctx.tz)
    if start <= ctx.now and parsed.weekday_given and day == ctx.today:
        day += timedelta(days=7)  # "Mo 10:00" typed on Monday at 11:00 means next Monday
        start = local_instant(day, parsed.start, ctx.tz)
    refuse_clock_change(day, parsed, ctx)
    if start <= ctx.now:
        when = UHR(ctx.locale, day=cal.format_day(day, ctx.locale), start=parsed.start.strftime("%H:%M"),
                   end=(start + parsed.duration).astimezone(ctx.tz).strftime("%H:%M"))
        raise LocalizedError(IN_PAST, when=when)
    channel_id = await _target_channel(request, ctx, parsed.channel)
    people = await ctx.users_by_mention(list(parsed.people), request.user_mentions) if parsed.people else []
    names = {u.id: u.display_name for u in people}
    room_request = providers.RoomRequest(title=parsed.title, start=start, duration=parsed.duration,
                                         recurring=parsed.repeat is not None, timezone=ctx.settings.bot_timezone)
    provider_name = parsed.provider or ctx.settings.meeting_provider
    _within_quota(ctx, channel_id, trigger)  # before a provider is asked for a room
    provider, room = await rooms.make_room(ctx.settings, provider_name, parsed.url, room_request)
    try:
        with ctx.db.write() as session:
            _within_quota(ctx, channel_id, trigger, session)
            meeting = Meeting(
                channel_id=channel_id, team_id=ctx.team_id, organizer_id=ctx.user.id, title=parsed.title,
                first_day=day, start_time=parsed.start, timezone=ctx.settings.bot_timezone,
                duration_minutes=int(parsed.duration.total_seconds() // 60), repeat=parsed.repeat,
                reminder_minutes=int(parsed.reminder.total_seconds() // 60),
                audience="people" if people else "channel", participants=",".join(dict.fromkeys(names)),
                provider=room.provider, join_url=room.join_url, external_id=room.external_id,
                starts_at=start.astimezone(UTC),
                ends_at=None if parsed.repeat else (start + parsed.duration).astimezone(UTC), created_at=ctx.now)
            session.add(meeting)
            session.flush()
            facts = announcement_facts(session, meeting, ctx.settings, ctx.now)
            message, props = render_announcement(ctx, meeting, facts, names, organizer=ctx.user.display_name)
            enqueue_post(session, key=announce_key(meeting.id), channel_id=channel_id, message=message,
                         props=props, now=ctx.now)
            schedule = load_schedule(session, meeting, ctx.settings.bot_holiday_region)
    except BaseException:
        await rooms.give_back(provider, room)
        raise
    ctx.services.notify_outbox()
    first = facts.next_occ
    assert first is not None
    # "monatlich am 15." ends the sentence with its own full stop
    repeat = f", {describe(parsed.repeat, day, ctx.locale).removesuffix('.')}" if parsed.repeat else ""
    where = HERE(ctx.locale) if channel_id == ctx.channel_id else f"~{plain(parsed.channel or '', max_length=40)}"
    text = SCHEDULED(ctx.locale, title=plain(parsed.title), id=meeting.id, when=format_when(first, ctx.locale),
                     repeat=repeat, where=where, trigger=trigger)
    notes = [] if parsed.repeat else day_off_note(day, schedule.holiday_region, ctx.locale)
    return Reply("\n".join([text, *notes, *series_clock_notes(schedule, ctx.now, ctx.locale)]))


def day_off_note(day: date, region: str | None, locale: str) -> list[str]:
    """A one-off meeting on a weekend or a public holiday is allowed, and said in the confirmation."""
    holiday = cal.holiday_name(day, region, locale) if region else None
    if holiday:
        return [ON_HOLIDAY(locale, day=cal.format_day(day, locale), name=holiday)]
    if day.weekday() >= 5:
        return [ON_WEEKEND(locale, day=cal.format_day(day, locale), weekday=WEEKDAY_NAMES[day.weekday() - 5](locale))]
    return []


def refuse_clock_change(day: date, parsed: NewMeeting, ctx: Context) -> None:
    """A first date whose time does not exist (spring gap) or happens twice (autumn overlap) is refused."""
    fault = fault_at(day, parsed.start, ctx.tz)
    if fault is None:
        return
    change = fault.change
    words = CLOCK_GAP if fault.kind is Fault.GAP else CLOCK_OVERLAP
    raise LocalizedError(words, day=cal.format_day(day, ctx.locale), time=parsed.start.strftime("%H:%M"),
                         before=change.before.strftime("%H:%M"), after=change.after.strftime("%H:%M"))


def series_clock_notes(schedule: Schedule, now: datetime, locale: str) -> list[str]:
    """For a series that runs into clock changes: how its date on such a day is handled (the first
    of each kind named), as the announcement and the calendar file have it."""
    if schedule.repeat is None:
        return []
    horizon = max(schedule.first_day, now.date()) + ICS_HORIZON  # as far as the calendar file lists them
    notes, seen = [], set()
    for occ, fault in clock_faults(schedule, until=horizon):
        if fault.kind in seen:
            continue
        seen.add(fault.kind)
        day, at = cal.format_day(occ.day, locale), schedule.start.strftime("%H:%M")
        if fault.kind is Fault.GAP:
            notes.append(SERIES_GAP(locale, time=at, day=day, moved=occ.start.strftime("%H:%M")))
        else:
            notes.append(SERIES_OVERLAP(locale, time=at, day=day, zone=zone_name(occ.start, locale)))
    return notes


async def instant_meeting(request: SlashRequest, ctx: Context, parsed: InstantMeeting, trigger: str) -> Reply:
    with ctx.db.read() as session:
        post_locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
    title = parsed.title or INSTANT_TITLE(post_locale)
    local = ctx.local_now.replace(second=0, microsecond=0)
    start = local.astimezone(UTC)
    room_request = providers.RoomRequest(title=title, start=start, duration=DEFAULT_DURATION, instant=True,
                                         timezone=ctx.settings.bot_timezone)
    provider_name = parsed.provider or ctx.settings.meeting_provider
    _within_quota(ctx, ctx.channel_id, trigger)
    provider, room = await rooms.make_room(ctx.settings, provider_name, parsed.url, room_request)
    try:
        with ctx.db.write() as session:
            _within_quota(ctx, ctx.channel_id, trigger, session)
            meeting = Meeting(
                channel_id=ctx.channel_id, team_id=ctx.team_id, organizer_id=ctx.user.id, title=title,
                first_day=local.date(), start_time=local.time(), timezone=ctx.settings.bot_timezone,
                duration_minutes=int(DEFAULT_DURATION.total_seconds() // 60), reminder_minutes=0,
                provider=room.provider, join_url=room.join_url, external_id=room.external_id, starts_at=start,
                ends_at=start + DEFAULT_DURATION, created_at=ctx.now)
            session.add(meeting)
            session.flush()
            facts = announcement_facts(session, meeting, ctx.settings, ctx.now)
            message, props = render_announcement(ctx, meeting, facts, {}, organizer=ctx.user.display_name,
                                                 instant=True)
            enqueue_post(session, key=announce_key(meeting.id), channel_id=ctx.channel_id, message=message,
                         props=props, now=ctx.now)
    except BaseException:
        await rooms.give_back(provider, room)
        raise
    ctx.services.notify_outbox()
    return Reply(INSTANT_DONE(ctx.locale, title=plain(title), id=meeting.id))


async def list_meetings(request: SlashRequest, ctx: Context, parsed: ListMeetings, trigger: str) -> Reply:
    end = ctx.now + timedelta(days=LIST_DAYS)
    found: list[tuple[Occurrence, Meeting]] = []
    with ctx.db.read() as session:
        for meeting in active_meetings(session, ctx.channel_id, ctx.now, end):
            schedule = load_schedule(session, meeting, ctx.settings.bot_holiday_region)
            found += [(occ, meeting) for occ in overlapping(schedule, start=ctx.now, end=end)]
    if not found:
        return Reply(LIST_EMPTY(ctx.locale, days=LIST_DAYS))
    lines = []
    for occ, meeting in sorted(found, key=lambda pair: (pair[0].start, pair[1].id or 0)):
        join = (meeting.join_url if meeting.provider == "url" else
                "BigBlueButton" if meeting.provider == "bbb" else
                f"[{B_JOIN(ctx.locale)}]({link_target(meeting.join_url)})")
        lines.append(f"- {format_when(occ, ctx.locale)} · **{plain(meeting.title)}** (ID {meeting.id}) · {join}")
    # within what Mattermost accepts as an answer, however many there are
    lines = capped(lines, lambda n: LIST_MORE(ctx.locale, n=n), most=LIST_MOST)
    return Reply("\n".join([LIST_TITLE(ctx.locale, days=LIST_DAYS), *lines]))


async def cancel(request: SlashRequest, ctx: Context, parsed: CancelMeeting, trigger: str) -> Reply:
    meeting = meeting_for(ctx, parsed.meeting_id)
    title = plain(meeting.title)
    if meeting.cancelled_at is not None:
        raise LocalizedError(ALREADY_CANCELLED, title=title)
    if meeting.ends_at is not None and meeting.ends_at <= ctx.now:
        raise LocalizedError(OVER, title=title)
    if parsed.day_error is not None:
        raise parsed.day_error
    day = parsed.day
    by_lead = meeting.organizer_id != ctx.user.id
    if by_lead and not await is_lead(ctx, channel_id=meeting.channel_id):
        raise LocalizedError(NOT_ALLOWED)
    names = await display_names(ctx.mm, participant_ids(meeting))
    organizer = await display_name(ctx.mm, meeting.organizer_id)
    whole = day is None or meeting.repeat is None
    with ctx.db.write() as session:
        row = session.get(Meeting, meeting.id)
        if row is None or row.cancelled_at is not None:
            raise LocalizedError(ALREADY_CANCELLED, title=title)
        schedule = load_schedule(session, row, ctx.settings.bot_holiday_region)
        if day is not None:
            occ = occurrence_on(schedule, day)
            if occ is None or occ.end <= ctx.now:
                holiday = (cal.holiday_name(day, schedule.holiday_region, ctx.locale)
                           if schedule.holiday_region and meeting.repeat else None)
                if holiday and occ is None:
                    raise LocalizedError(NO_OCCURRENCE_HOLIDAY, day=cal.format_day(day, ctx.locale), title=title,
                                         name=holiday)
                raise LocalizedError(NO_OCCURRENCE, day=cal.format_day(day, ctx.locale), title=title)
        locale = channel_locale(session, row.channel_id, ctx.settings.bot_locale)
        who = plain(ctx.user.display_name, max_length=60)
        if whole:
            row.cancelled_at = ctx.now
            session.add(row)
            notice = CANCELLED_POST(locale, title=title, who=who)
        else:
            assert day is not None and row.id is not None  # a stored meeting has its id
            session.add(MeetingCancellation(meeting_id=row.id, day=day, created_at=ctx.now))
            session.flush()
            notice = CANCELLED_ONE_POST(locale, title=title, who=who, day=cal.format_day(day, locale))
        facts = announcement_facts(session, row, ctx.settings, ctx.now)
        message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
        enqueue_patch(session, key=f"meeting:{row.id}:patch:{uuid.uuid4().hex}", target_key=announce_key(row.id),
                      message=message, props=props, now=ctx.now)
        # A day is called off once and a series once, so this key is unique without a clock.
        enqueue_post(session, key=f"meeting:{row.id}:cancel:{day.isoformat() if day and not whole else 'all'}",
                     channel_id=row.channel_id, message=notice, now=ctx.now)
        if by_lead:
            audit(session, actor_id=ctx.user.id, subject_id=row.organizer_id, channel_id=row.channel_id,
                  action="meeting:cancel", detail={"meeting": row.title[:60], **({"day": day.isoformat()} if day else {})},
                  now=ctx.now)
    ctx.services.notify_outbox()
    if whole and meeting.provider == "zoom":  # a Zoom meeting would otherwise stay in the account
        await rooms.give_back_zoom(ctx.settings, meeting)
    if whole:
        return Reply(CANCELLED_REPLY(ctx.locale, title=title))
    assert day is not None
    return Reply(CANCELLED_ONE_REPLY(ctx.locale, title=title, day=cal.format_day(day, ctx.locale)))


Handler = Callable[[SlashRequest, Context, Any, str], Awaitable[Reply]]
HANDLERS: dict[type, Handler] = {NewMeeting: new_meeting, InstantMeeting: instant_meeting,
                                 ListMeetings: list_meetings, CancelMeeting: cancel, CalendarFile: ics}
