"""The announcement of a meeting in its channel, and how it follows the series.

The post says what, when, how often, who, where to join, and shows the RSVP counts of the next
occurrence and the buttons.
Scheduling queues it (`commands.meeting.handlers`); an RSVP, a cancellation and the end of a series'
occurrence (`refresh_announcements`, a scheduler job) edit it through the outbox, keyed by
`announce_key`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.chat import MARKER_PROP, MattermostError, User
from base.safetext import plain
from commands.base import Context, Services
from commands.channels import channel_locale, trigger
from commands.meeting.people import FORGOTTEN, participant_ids
from commands.meeting.schedule import format_minutes, format_when, link_target, repeat_words
from commands.meeting.texts import (
    A_FOOT,
    A_FOOT_CANCELLED,
    A_FOOT_NOW,
    A_HEAD,
    A_HEAD_CANCELLED,
    A_HEAD_NOW,
    A_JOIN,
    A_JOIN_BBB,
    A_JOIN_PLAIN,
    A_NEXT,
    A_OVER,
    A_REMIND,
    A_REMIND_CHANNEL,
    A_REMIND_DM,
    A_REPEAT,
    A_RSVP,
    A_WHEN,
    A_WHO,
    A_WHO_CHANNEL,
    B_JOIN,
    B_NO,
    B_YES,
)
from commands.meeting_views import load_schedule
from config.settings import Settings
from domain.recurrence import Occurrence, next_occurrence, occurrences
from storage.meeting_models import Meeting, MeetingRsvp
from storage.meetings import schedule_of
from storage.models import OutboxItem
from storage.outbox import enqueue_patch

log = logging.getLogger("amtsbote.meeting")


def announce_key(meeting_id: int | None) -> str:
    return f"meeting:{meeting_id}:announce"


@dataclass(frozen=True)
class AnnouncementFacts:
    """What the announcement shows besides the meeting row (read in one session). The answers
    counted are those for the next occurrence (for a one-off meeting that is over: its day)."""

    locale: str
    next_occ: Occurrence | None
    yes: int
    no: int


def answered_day(meeting: Meeting, next_occ: Occurrence | None) -> date | None:
    """The occurrence whose answers the announcement counts and a button press answers."""
    if next_occ is not None:
        return next_occ.day
    return None if meeting.repeat else meeting.first_day


def announcement_facts(session: Session, meeting: Meeting, settings: Settings,
                       now: datetime) -> AnnouncementFacts:
    schedule = load_schedule(session, meeting, settings.bot_holiday_region)
    next_occ = next_occurrence(schedule, after=now)
    counts = dict(session.exec(select(MeetingRsvp.answer, sa.func.count()).where(
        MeetingRsvp.meeting_id == meeting.id, MeetingRsvp.day == answered_day(meeting, next_occ))
        .group_by(MeetingRsvp.answer)).all())
    return AnnouncementFacts(locale=channel_locale(session, meeting.channel_id, settings.bot_locale),
                             next_occ=next_occ, yes=counts.get("yes", 0), no=counts.get("no", 0))


def render_announcement(ctx: Context, meeting: Meeting, facts: AnnouncementFacts, names: dict[str, str],
                        *, organizer: str, instant: bool = False) -> tuple[str, dict[str, Any]]:
    """The channel post: what, when, how often, who, where to join, the RSVP counts and buttons."""
    loc = facts.locale
    title = plain(meeting.title)
    cancelled = meeting.cancelled_at is not None
    head = A_HEAD_CANCELLED if cancelled else (A_HEAD_NOW if instant else A_HEAD)
    lines = [head(loc, title=title)]
    duration = format_minutes(meeting.duration_minutes, loc)
    if cancelled:
        pass  # no next date and no calendar file for what no longer takes place
    elif facts.next_occ is None:
        lines.append(A_OVER(loc))
    else:
        label = A_NEXT if meeting.repeat else A_WHEN
        lines.append(label(loc, when=format_when(facts.next_occ, loc), duration=duration))
    if meeting.repeat:
        lines.append(A_REPEAT(loc, rule=repeat_words(meeting, loc)))
    if meeting.audience == "people":
        people = [plain(names.get(uid, "?"), max_length=60) for uid in participant_ids(meeting)]
        lines.append(A_WHO(loc, names=", ".join(people) or "–"))
    else:
        lines.append(A_WHO_CHANNEL(loc))
    if meeting.provider == "bbb":
        lines.append(A_JOIN_BBB(loc))
    elif meeting.provider == "url":
        lines.append(A_JOIN_PLAIN(loc, url=meeting.join_url))  # a user's link: shown as it is, no label of ours
    else:
        lines.append(A_JOIN(loc, url=link_target(meeting.join_url)))
    if meeting.reminder_minutes and not instant:
        where = A_REMIND_DM if meeting.audience == "people" else A_REMIND_CHANNEL
        lines.append(A_REMIND(loc, lead=format_minutes(meeting.reminder_minutes, loc), where=where(loc)))
    if not instant and not cancelled:
        lines.append(A_RSVP(loc, yes=facts.yes, no=facts.no))
    foot = A_FOOT_CANCELLED if cancelled else (A_FOOT_NOW if instant else A_FOOT)
    lines.append(foot(loc, id=meeting.id, who=plain(organizer, max_length=60), trigger=trigger(ctx.settings, "meeting")))
    text = "\n".join(lines)
    attachment: dict[str, Any] = {"fallback": f"{title}", "color": "#8a8a8a" if cancelled else "#2389d7", "text": text}
    if not cancelled and facts.next_occ is not None:
        expires = ctx.now + timedelta(days=400)  # every click renders the buttons anew, with a new expiry
        data = {"m": meeting.id}
        actions = []
        if not instant:
            actions += [ctx.button(B_YES, "meeting.rsvp", {**data, "r": "yes"}, user_id=None, expires=expires,
                                   style="good", action_id="rsvpyes", locale=loc),
                        ctx.button(B_NO, "meeting.rsvp", {**data, "r": "no"}, user_id=None, expires=expires,
                                   style="danger", action_id="rsvpno", locale=loc)]
        if meeting.provider == "bbb":
            actions.append(ctx.button(B_JOIN, "meeting.join", data, user_id=None, expires=expires,
                                      style="primary", action_id="join", locale=loc))
        if actions:
            attachment["actions"] = actions
    return "", {"attachments": [attachment], MARKER_PROP: announce_key(meeting.id)}


# -- the announcement follows the series -----------------------------------------------------------

REFRESH_LOOKBACK = timedelta(days=3)  # an occurrence that ended while the bot was down this long still counts


def _refresh_key(meeting_id: int | None, occurrence_start: datetime) -> str:
    return f"meeting:{meeting_id}:next:{int(occurrence_start.astimezone(UTC).timestamp())}"


async def refresh_announcements(services: Services) -> None:
    """When an occurrence of a series is over, edit the announcement to show the next one.

    Each ended occurrence gives one edit, keyed by it in the outbox, so restarts and
    replicas queue it once; the edit itself is idempotent anyway. The bare rule
    decides cheaply which series to look at; cancellations and holidays come in
    with the rendering (an edit after a skipped date shows the same next date)."""
    now = services.clock.now()
    with services.db.read() as session:
        series = session.exec(select(Meeting).where(
            col(Meeting.repeat).is_not(None), col(Meeting.cancelled_at).is_(None), Meeting.starts_at <= now)).all()
        wanted: dict[str, Meeting] = {}
        for meeting in series:
            bare = schedule_of(meeting)
            ended = [occ for occ in occurrences(bare, start=now - REFRESH_LOOKBACK - bare.duration, end=now)
                     if occ.end <= now]
            if ended:
                wanted[_refresh_key(meeting.id, ended[-1].start)] = meeting
        if not wanted:
            return
        done = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(list(wanted)))).all())
        announced = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(
            [announce_key(m.id) for m in wanted.values()]))).all())
    todo = {key: m for key, m in wanted.items() if key not in done and announce_key(m.id) in announced}
    if not todo:
        return
    people = sorted({uid for m in todo.values() for uid in [m.organizer_id, *participant_ids(m)] if uid != FORGOTTEN})
    try:
        users = await services.mm.users(people)
    except MattermostError as e:  # the names are part of the post; try again at the next tick
        log.warning("announcements: could not look up names (%s)", e)
        return
    names = {uid: user.display_name for uid, user in users.items()}
    bot = User(id=getattr(services.mm, "bot_user_id", "") or "amtsbote", username="amtsbote",
               display_name="Amtsbote", locale=services.settings.bot_locale, is_bot=True)
    with services.db.write() as session:
        for key, meeting in todo.items():
            row = session.get(Meeting, meeting.id)
            if row is None or row.cancelled_at is not None:
                continue  # cancelled since we looked: the cancel edited the announcement
            facts = announcement_facts(session, row, services.settings, now)
            ctx = Context(services=services, user=bot, channel_id=row.channel_id, team_id=row.team_id,
                          locale=facts.locale, now=now)
            organizer = "–" if row.organizer_id == FORGOTTEN else names.get(row.organizer_id, "–")
            message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
            enqueue_patch(session, key=key, target_key=announce_key(row.id), message=message, props=props, now=now)
    services.notify_outbox()
