"""The morning roster and its edits.

The morning post is claimed in our own ledger (`roster_post`, one row per channel
and local date, unique) in the same transaction that queues the post in the
outbox. Whoever inserts the row posts; a second run, a restarted process or a
second replica finds the row and does nothing. Later changes that day edit the
post in place. A day that came too late (after ROSTER_LATEST) is a ledger row
with the outbox key "skipped"; only a lead's `posten` turns it into a post, by
a conditional update of that row, so that too happens once.

Holidays of the roster are those of the channel's roster region (`/anwesenheit
region`, default the rotation's region): on-demand, in the morning post and in
its edits alike. A roster for a later day shows the forwards active at that
day's roster time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from commands.anwesenheit.compose import (
    ChannelRoster,
    _channels_with_meetings,
    _day_plan,
    _describe_forwards,
    _forward_views,
    _meetings,
    effective_settings,
    forwards_instant,
)
from commands.anwesenheit.texts import SKIPPED
from commands.base import Services
from commands.duty_views import duty_lines
from commands.duty_views import people_of as duty_people
from domain import calendar as cal
from domain import roster as roster_view
from storage import duties as duty_store
from storage import presence
from storage.db import insert_for, rowcount, table_of
from storage.models import (
    ChannelSettings,
    PhoneNumbers,
    RosterPost,
    Rotation,
    RotationMember,
)
from storage.outbox import URGENT, enqueue_patch, enqueue_posts

# Morning rosters composed, claimed and queued together: a few at first, so that the first posts
# go out at once, then more at a time.
FIRST_CHUNK = 50
POST_CHUNK = 200
log = logging.getLogger("amtsbote.roster")

# -- the morning job -----------------------------------------------------------------------------


def _roster_key(channel_id: str, day: date) -> str:
    return f"roster:{channel_id}:{day.isoformat()}"


def _claim_many(session: Session, digests: dict[str, str], day: date, now: datetime) -> set[str]:
    """Insert the ledger rows of many channels in one statement; the channels this process won
    (a row another process inserted first is left alone)."""
    if not digests:
        return set()
    table = table_of(RosterPost)
    rows = [{"channel_id": cid, "day": day, "outbox_key": _roster_key(cid, day), "content_hash": digest, "edits": 0,
             "claimed_at": now} for cid, digest in sorted(digests.items())]
    stmt = insert_for(session, table).values(rows).on_conflict_do_nothing(index_elements=["channel_id", "day"])
    return set(session.execute(stmt.returning(table.c.channel_id)).scalars().all())


def _claim_skipped(session: Session, channel_id: str, day: date, digest: str, now: datetime) -> bool:
    """Turn the day's "skipped" ledger row into a real post's row; True if this process did it.
    Conditional on the row still saying "skipped", so of simultaneous callers exactly one wins."""
    result = session.execute(
        sa.update(RosterPost)
        .where(col(RosterPost.channel_id) == channel_id, col(RosterPost.day) == day, col(RosterPost.outbox_key) == SKIPPED)
        .values(outbox_key=_roster_key(channel_id, day), content_hash=digest, edits=0, claimed_at=now))
    return rowcount(result) == 1


def _skip_many(session: Session, channel_days: list[tuple[str, date]], now: datetime) -> list[tuple[str, date]]:
    """Record days as skipped (one statement); the (channel, day) pairs this process recorded."""
    if not channel_days:
        return []
    table = table_of(RosterPost)
    rows = [{"channel_id": cid, "day": day, "outbox_key": SKIPPED, "content_hash": "", "edits": 0, "claimed_at": now}
            for cid, day in sorted(channel_days)]
    stmt = insert_for(session, table).values(rows).on_conflict_do_nothing(index_elements=["channel_id", "day"])
    return sorted(tuple(r) for r in session.execute(stmt.returning(table.c.channel_id, table.c.day)).all())


@dataclass
class _RosterData:
    """What many channels' rosters of one day are composed from, read in a few bulk statements."""

    members: dict[str, dict[str, str]]  # channel id -> user id -> group
    changes: dict[Any, Any]
    absences: Any
    instants: dict[str, datetime]  # channel id -> the moment whose forwards its roster shows
    views_at: dict[datetime, dict[str, Any]]  # that moment -> active forwards by user id
    numbers: dict[str, Any]
    meetings: dict[str, list[roster_view.RosterMeeting]]
    # channel id -> (where their home rotation places members whose days another channel sets, those members)
    homes: dict[str, tuple[dict[Any, Any], frozenset[str]]]
    duties: dict[str, list[Any]] = field(default_factory=dict)  # channel id -> its duties' plans of the day
    duty_numbers: dict[str, Any] = field(default_factory=dict)  # holders' office numbers

    def named(self) -> set[str]:
        """Whose names the rosters show: the members, the colleagues calls are forwarded to, and
        the people holding or standing in for a duty."""
        people = {uid for members in self.members.values() for uid in members}
        people.update(p for plans in self.duties.values() for p in duty_people(plans))
        for views in self.views_at.values():
            people.update(v.colleague_id for v in views.values() if getattr(v, "colleague_id", None))
        return people


def _read_rosters(services: Services, due: list[tuple[Rotation, ChannelRoster]], day: date) -> _RosterData:
    channel_ids = [r.channel_id for r, _ in due]
    with services.db.read() as session:
        member_rows = session.exec(select(RotationMember).where(col(RotationMember.channel_id).in_(channel_ids))).all()
        members_by_channel: dict[str, dict[str, str]] = {}
        for m in member_rows:
            members_by_channel.setdefault(m.channel_id, {})[m.user_id] = m.group
        everyone = list({m.user_id for m in member_rows})
        changes = presence.changes_for(session, everyone, day, day)
        absences = presence.absences_for(session, everyone, day, day)
        homes = presence.places_from_home(session, members_by_channel, day, day)
        # forwards active at the roster's moment: one read for today (now); for a later day one
        # per distinct roster time of the channels (a handful), never one per channel
        instants: dict[str, datetime] = {r.channel_id: forwards_instant(services, conf, day) for r, conf in due}
        people_at: dict[datetime, set[str]] = {}
        for cid, at in instants.items():
            people_at.setdefault(at, set()).update(members_by_channel.get(cid, {}))
        views_at: dict[datetime, dict[str, Any]] = {}
        numbers: dict[str, Any] = {}
        for at, people in people_at.items():
            views_at[at], found = _forward_views(session, sorted(people), at, services.tz)
            numbers.update(found)
        with_meetings = _channels_with_meetings(session, channel_ids, day, services)
        meetings = {cid: _meetings(session, cid, day, services) for cid in with_meetings}
        duties, duty_numbers = _read_duties(session, due, day)
    return _RosterData(members_by_channel, changes, absences, instants, views_at, numbers, meetings, homes, duties,
                       duty_numbers)


def _read_duties(session: Session, due: list[tuple[Rotation, ChannelRoster]],
                 day: date) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """The duty plans of the day of the channels that have duties, and their holders' numbers."""
    plans = duty_store.duty_plans_many(session, {r.channel_id: (r, conf.region) for r, conf in due}, day)
    if not plans:
        return {}, {}
    people = sorted({p for found in plans.values() for p in duty_people(found)})
    numbers: dict[str, Any] = {}
    for at in range(0, len(people), 500):
        numbers.update({n.user_id: n for n in session.exec(select(PhoneNumbers).where(
            col(PhoneNumbers.user_id).in_(people[at:at + 500]))).all()})
    return plans, numbers


def _compose_rosters(data: _RosterData, due: list[tuple[Rotation, ChannelRoster]], day: date, *,
                     names: dict[str, str], channels: dict[str, Any],
                     updated: time | None = None) -> dict[str, tuple[str, dict[str, Any], str]]:
    rendered = {}
    for rotation, conf in due:
        channel = channels.get(rotation.channel_id)
        members = data.members.get(rotation.channel_id, {})
        # only this channel's members: a change of someone in another channel must not list them here
        own_changes = {(p, day): data.changes[(p, day)] for p in members if (p, day) in data.changes}
        own_absences = {(p, day) for p in members if (p, day) in data.absences}
        elsewhere, foreign = data.homes.get(rotation.channel_id, ({}, frozenset()))
        days = presence.roster_days(rotation, conf.region, day, day, members, own_changes, own_absences,
                                    locale=conf.locale, elsewhere=elsewhere, foreign=foreign)
        day_plan = _day_plan(days, day)
        forwards = _describe_forwards(data.views_at[data.instants[rotation.channel_id]], data.numbers,
                                      day_plan.entries, conf.locale, names)
        plans = data.duties.get(rotation.channel_id, [])
        duties = tuple(duty_lines(plans, day, conf.locale, names, data.duty_numbers, forwards)) if plans else ()
        roster = roster_view.compose(
            day_plan, channel_name=channel.display_name if channel else "", names=names, forwards=forwards,
            meetings=data.meetings.get(rotation.channel_id, []), min_office=rotation.min_office,
            foreign=foreign, starts=rotation.start, duties=duties)
        rendered[rotation.channel_id] = roster_view.render_post(roster, conf.locale, updated=updated)
    return rendered


async def _names(services: Services, user_ids: Any) -> dict[str, str]:
    user_ids = list(user_ids)
    return {u.id: u.display_name for u in (await services.mm.users(user_ids)).values()} if user_ids else {}


async def _render_many(services: Services, due: list[tuple[Rotation, ChannelRoster]], day: date, *,
                       updated: time | None = None) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Compose and render the rosters of many channels with a few bulk reads:
    channel id -> (message, props, content hash)."""
    if not due:
        return {}
    data = _read_rosters(services, due, day)
    everyone = {uid for members in data.members.values() for uid in members}
    names = await _names(services, everyone)
    channels = await services.mm.channels_by_ids([r.channel_id for r, _ in due])
    return _compose_rosters(data, due, day, names=names, channels=channels, updated=updated)


def _load_rotations(services: Services, channel_ids: list[str] | None) -> tuple[list[Rotation], dict[str, ChannelSettings]]:
    with services.db.read() as session:
        query = select(Rotation).order_by(col(Rotation.channel_id))  # every replica claims in the same order
        if channel_ids is not None:
            query = query.where(col(Rotation.channel_id).in_(channel_ids))
        rotations = list(session.exec(query).all())
        settings_rows = {s.channel_id: s for s in session.exec(select(ChannelSettings)).all()} if rotations else {}
    return rotations, settings_rows


async def post_rosters(services: Services, *, day: date | None = None, channel_id: str | None = None,
                       ignore_time: bool = False, requested: bool = False) -> int:
    """Post the roster of `day` (default: today) to every channel that is due; returns how many were posted.

    Without `ignore_time` (the scheduler), a channel is due between its roster time and
    ROSTER_LATEST of today; after ROSTER_LATEST the day is skipped and logged, and a working day
    before it that got no roster at all (the bot was down all that day) is logged as skipped when
    this one is due. The scheduler never posts a roster of another day than today. With
    `ignore_time` (`amtsbote post-rosters`, `posten`), the roster is posted now, whatever the
    channel's roster time and ROSTER_LATEST. `requested` is a lead's `posten` for one channel: it
    posts also when the morning post is switched off or not on today's weekdays, and also after
    the day was skipped. Weekends and holidays of the channel's roster region never get one.
    """
    now = services.clock.now()
    local_now = now.astimezone(services.tz)
    today = local_now.date()
    day = day or today
    if not ignore_time and day != today:
        return 0  # the morning job posts today's roster only, never a past (or future) day's
    rotations, settings_rows = _load_rotations(services, [channel_id] if channel_id else None)
    if not rotations:
        return 0
    with services.db.read() as session:
        query = select(RosterPost.channel_id, RosterPost.outbox_key).where(RosterPost.day == day)
        if channel_id:
            query = query.where(RosterPost.channel_id == channel_id)
        ledger = dict(session.exec(query).all())
    due: list[tuple[Rotation, ChannelRoster]] = []
    too_late: list[tuple[str, date]] = []
    reached: list[tuple[Rotation, ChannelRoster]] = []  # due or too late today: was the day before missed?
    for rotation in rotations:
        key = ledger.get(rotation.channel_id)
        if key is not None and not (requested and key == SKIPPED):
            continue
        conf = effective_settings(rotation, settings_rows.get(rotation.channel_id), services)
        if not cal.is_working_day(day, conf.region):
            continue
        if not requested and (not conf.enabled or day.weekday() not in conf.days):
            continue
        if not ignore_time:
            if local_now.time() < conf.at:
                continue
            if rotation.created_at.astimezone(services.tz) > datetime.combine(day, conf.at, tzinfo=services.tz):
                continue  # set up after this morning's roster time: the first roster comes tomorrow
            reached.append((rotation, conf))
            if local_now.time() > services.settings.roster_latest:
                too_late.append((rotation.channel_id, day))
                continue
        due.append((rotation, conf))
    previous_run = _note_run(services, now) if not ignore_time else None
    if reached:
        confs = {r.channel_id: conf for r, conf in reached}
        _skip(services, too_late + _missed_before(services, reached, day), now,
              why=lambda cid, d: _why_skipped(services, confs.get(cid), d, previous_run))
    if not due:
        return 0
    # What Mattermost has to tell us comes in a few large requests (they count against its rate
    # limit as the posts do): the channels' titles and the names of the first chunk's people, and,
    # while the first rosters are being delivered, everyone else's names. The rosters are composed,
    # claimed and queued a chunk at a time; the outbox starts on each chunk while the next one is
    # composed, so the first post goes out within a moment of the job's start.
    channels = await services.mm.channels_by_ids([r.channel_id for r, _ in due])
    with services.db.read() as session:
        everyone = set(session.exec(select(RotationMember.user_id).where(
            col(RotationMember.channel_id).in_([r.channel_id for r, _ in due]))).all())
    names: dict[str, str] = {}
    posted = 0
    bounds = [0, *range(FIRST_CHUNK, len(due), POST_CHUNK), len(due)]
    for i, (start, end) in enumerate(itertools.pairwise(bounds)):
        part = due[start:end]
        data = _read_rosters(services, part, day)
        if i == 0:
            names = await _names(services, data.named() & everyone)
        elif i == 1:
            names.update(await _names(services, everyone - names.keys()))
        chunk = _compose_rosters(data, part, day, names=names, channels=channels)
        with services.db.write() as session:
            won = _claim_many(session, {cid: r[2] for cid, r in chunk.items()}, day, now)
            if requested:  # a lead's `posten` after a skipped day (also one skipped just now by
                # another replica): the skipped row becomes the post's, if it still says skipped
                for cid in chunk:
                    if cid not in won and _claim_skipped(session, cid, day, chunk[cid][2], now):
                        won.add(cid)
            enqueue_posts(session, [{"key": _roster_key(cid, day), "channel_id": cid, "message": chunk[cid][0],
                                     "props": chunk[cid][1]} for cid in sorted(won)], now=now, priority=URGENT)
            posted += len(won)
        if won:
            services.notify_outbox()
            await asyncio.sleep(0)  # the outbox claims what was just queued before the next chunk is composed
    if posted:
        log.info("roster queued for %s channel(s) on %s", posted, day.isoformat())
    return posted


def _previous_roster_day(conf: ChannelRoster, day: date) -> date | None:
    """The channel's last morning-post day before `day` (within a week), or None."""
    for back in range(1, 8):
        earlier = day - timedelta(days=back)
        if earlier.weekday() in conf.days and cal.is_working_day(earlier, conf.region):
            return earlier
    return None


def _missed_before(services: Services, reached: list[tuple[Rotation, ChannelRoster]], day: date) -> list[tuple[str, date]]:
    """(channel, day) of the working day before `day` of each channel that has no ledger row at all:
    the bot was down from before that day's roster time until the next day. One read for all."""
    wanted: dict[str, date] = {}
    for rotation, conf in reached:
        earlier = _previous_roster_day(conf, day)
        if earlier is not None and rotation.created_at.astimezone(services.tz) <= datetime.combine(
                earlier, conf.at, tzinfo=services.tz):
            wanted[rotation.channel_id] = earlier
    if not wanted:
        return []
    ids = sorted(wanted)
    found: set[tuple[str, date]] = set()
    with services.db.read() as session:
        for at in range(0, len(ids), 500):
            found.update((cid, day) for cid, day in session.exec(select(col(RosterPost.channel_id), col(RosterPost.day)).where(
                col(RosterPost.channel_id).in_(ids[at:at + 500]), col(RosterPost.day).in_(set(wanted.values())))).all())
    return [(cid, earlier) for cid, earlier in sorted(wanted.items()) if (cid, earlier) not in found]


# When the morning job of a process last ran (per Services). A day without a roster is a day the
# bot missed only if the job did not run after that day's roster time: had it run then, it would
# have posted the roster, or skipped it after ROSTER_LATEST, unless the channel was not due.
_LAST_RUN: weakref.WeakKeyDictionary[Services, datetime] = weakref.WeakKeyDictionary()


def _note_run(services: Services, now: datetime) -> datetime | None:
    """Note a run of the scheduled morning job; returns when it ran before (None: not in this process)."""
    previous = _LAST_RUN.get(services)
    _LAST_RUN[services] = now
    return previous


def _why_skipped(services: Services, conf: ChannelRoster | None, day: date, previous_run: datetime | None) -> str:
    """The reason a channel's roster of `day` was not posted between its roster time and ROSTER_LATEST."""
    at = conf.at if conf is not None else services.settings.roster_time
    if previous_run is None or previous_run < datetime.combine(day, at, tzinfo=services.tz):
        before = (f", it last ran at {previous_run.astimezone(services.tz).isoformat(timespec='minutes')}"
                  if previous_run else "")
        return f"the bot was not running from before its roster time until after ROSTER_LATEST{before}"
    return ("the bot was running, but the channel's morning post was not due then: it was switched on, or its "
            "time or days were changed, after its roster time and too late for ROSTER_LATEST")


def _skip(services: Services, channel_days: list[tuple[str, date]], now: datetime, *,
          why: Callable[[str, date], str]) -> None:
    """Record days that got no roster as skipped, once each (across replicas), and log them."""
    by_reason: dict[tuple[date, str], list[str]] = {}
    for start in range(0, len(channel_days), 200):
        with services.db.write() as session:
            for cid, day in _skip_many(session, channel_days[start : start + 200], now):
                by_reason.setdefault((day, why(cid, day)), []).append(cid)
    services.count("roster_skipped", sum(len(channels) for channels in by_reason.values()))
    for (day, reason), channels in sorted(by_reason.items()):  # one line a day and reason, however many channels
        shown = ", ".join(channels[:5]) + (f" and {len(channels) - 5} more" if len(channels) > 5 else "")
        log.warning("roster for %s channel(s) on %s skipped: %s (%s)", len(channels), day.isoformat(), reason, shown)


async def refresh_posted(services: Services, *, only_channel: str | None = None, force: bool = False) -> int:
    """Edit today's posted rosters in place where their content changed since they were posted."""
    now = services.clock.now()
    local_now = now.astimezone(services.tz)
    day = local_now.date()
    with services.db.read() as session:
        query = select(RosterPost).where(RosterPost.day == day, RosterPost.outbox_key != SKIPPED)
        if only_channel:
            query = query.where(RosterPost.channel_id == only_channel)
        ledger = {row.channel_id: row for row in session.exec(query).all()}
    if not ledger:
        return 0
    rotations, settings_rows = _load_rotations(services, list(ledger))
    due = [(r, effective_settings(r, settings_rows.get(r.channel_id), services)) for r in rotations]
    rendered = await _render_many(services, due, day, updated=local_now.time())
    changed = {cid: r for cid, r in rendered.items() if force or r[2] != ledger[cid].content_hash}
    if not changed:
        return 0
    with services.db.write() as session:
        for cid, (message, props, digest) in changed.items():
            current = session.get(RosterPost, (cid, day))
            if current is None or (current.content_hash == digest and not force):
                continue  # another replica edited it already
            current.edits += 1
            current.content_hash = digest
            session.add(current)
            enqueue_patch(session, key=f"{current.outbox_key}:edit:{current.edits}", target_key=current.outbox_key,
                          message=message, props=props, now=now, priority=URGENT)
    services.notify_outbox()
    return len(changed)


REFRESH_AT_LEAST_EVERY = timedelta(minutes=5)


async def morning_job(services: Services) -> None:
    await post_rosters(services)
    # Today's posted rosters are composed again only when this process wrote something since the
    # last look (another replica's writes are that replica's to pass on), and every few minutes
    # anyway; otherwise a tick would recompose every channel's roster all day long.
    views, now = services.db.views, services.clock.now()
    version = services.db.version
    last = views.get(("refreshed",))
    if last is not None and last[0] == version and now - last[1] < REFRESH_AT_LEAST_EVERY:
        return
    await refresh_posted(services)
    views[("refreshed",)] = (version, now)
