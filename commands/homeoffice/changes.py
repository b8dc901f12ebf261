"""Personal changes: `büro`, `zuhause`, `unterwegs`, `abwesend`, `zurücksetzen`, for oneself or,
as a lead, `für @name`; with a warning when a day drops below a rotation's minimum staffing."""

from __future__ import annotations

import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from base.chat import User
from base.i18n import DAYS, PEOPLE, LocalizedError
from base.safetext import plain
from commands import channels, parsing
from commands.base import Context, Reply, SlashRequest, user_locale
from commands.homeoffice import swap_unit
from commands.homeoffice.common import days_text, no_working_day
from commands.homeoffice.requests import MAX_RANGE_DAYS, PersonalRequest, parse_personal
from commands.homeoffice.texts import (
    AWAY_FOR_DM,
    AWAY_SET,
    BELOW_MIN,
    BELOW_MIN_DM,
    CHANGED,
    CHANGED_FOR_DM,
    CHANGED_WHERE,
    CHANGES,
    CLEARED,
    CLEARED_FOR_DM,
    IN_PAST,
    NEED_DATE,
    NOTE_FOR_DM,
    NOTE_PRIVATE,
    NOTE_PRIVATE_FOR,
    NOTE_TOO_LONG,
    NOTHING_TO_CLEAR,
    RANGE_TOO_LONG,
    WHERE_FOR_DM,
    T,
)
from commands.leads import Reach, audit, channel_leads, days_detail, require_may_act_for, tell_subject
from commands.plan_views import range_label
from domain import calendar as cal
from domain.rotation import Where
from storage import presence
from storage.outbox import enqueue_dm

NOTE_LIMIT = 200  # characters of an absence note (the column's size)

@dataclass(frozen=True)
class Target:
    """Who a personal change is for, and the words that remain after `für @name`."""

    user: User
    tokens: list[str]
    for_other: bool


async def _target(request: SlashRequest, ctx: Context, personal: PersonalRequest) -> Target:
    """The person of `für @name`, else the caller; only leads may act for others."""
    if personal.for_name is None:
        return Target(ctx.user, list(personal.words), False)
    (user,) = await ctx.users_by_mention([personal.for_name], request.user_mentions)
    if user.id == ctx.user.id:
        return Target(ctx.user, list(personal.words), False)
    await require_may_act_for(ctx, user, Reach.ROTATION)
    return Target(user, list(personal.words), True)


def _tell(ctx: Context, session: Session, target: Target, entry: Any, text: T, **values: Any) -> None:
    """DM the person a lead acted for, in their language (SPEC §2.1)."""
    locale = user_locale(target.user, ctx.settings)
    values = {k: v(locale) if callable(v) else v for k, v in values.items()}  # words in the person's language
    tell_subject(session, entry, text(locale, lead=plain(ctx.user.display_name, max_length=60),
                                      trigger=channels.trigger(ctx.settings, "homeoffice"), **values), now=ctx.now)


def _take_days(tokens: list[str], ctx: Context, region: str) -> tuple[list[date], list[str], parsing.DateRange]:
    taken = parsing.take_range(tokens, 0, today=ctx.today)
    if taken is None:
        raise LocalizedError(NEED_DATE)
    span, used = taken
    if (span.end - span.start).days >= MAX_RANGE_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, days=DAYS.of(MAX_RANGE_DAYS))
    label = range_label(span, ctx.locale)
    if span.end < ctx.today:
        raise LocalizedError(IN_PAST, range=label)
    days = [d for d in cal.working_days(max(span.start, ctx.today), span.end, region)]
    if not days:
        raise no_working_day(max(span.start, ctx.today), span.end, region, ctx.locale)
    return days, tokens[used:], span


class _Staffing:
    """The office counts, per (channel, day), of the rotations with a minimum that a person is in.

    Loaded in the change's own transaction: the rotations and their members in one query, their
    changes and absences over the days in another. The change is then applied to those overrides
    in memory as it is to the tables, so the counts before and after cost no further read.
    """

    def __init__(self, ctx: Context, session: Session, rotations: list[tuple[Any, dict[str, str]]],
                 days: list[date]) -> None:
        self.rotations = [(row, members) for row, members in rotations if row.min_office is not None]
        self.days = days
        people = {p for _, members in self.rotations for p in members}
        if self.rotations and days:
            self.changes, self.absences = presence.overrides_for(session, people, days[0], days[-1])
            # members whose home rotation is another channel's count where that rotation places them
            self.homes = _places_from_home(ctx, session, self.rotations, days[0], days[-1])
        else:
            self.changes, self.absences, self.homes = {}, set(), {}
        self.before = self.counts()

    def counts(self) -> dict[tuple[str, date], int]:
        counts: dict[tuple[str, date], int] = {}
        if not self.days:
            return counts
        wanted = set(self.days)
        for row, members in self.rotations:
            elsewhere, foreign = self.homes.get(row.channel_id, ({}, frozenset()))
            for day_plan in presence.roster_days(row, None, self.days[0], self.days[-1], members,
                                                 self.changes, self.absences, elsewhere=elsewhere, foreign=foreign):
                if day_plan.day in wanted:
                    counts[(row.channel_id, day_plan.day)] = day_plan.office_count
        return counts

    def set(self, user_id: str, where: Where | None) -> None:
        """The person's days are now `where` (None: away)."""
        for day in self.days:
            if where is None:
                self.changes.pop((user_id, day), None)
                self.absences.add((user_id, day))
            else:
                self.changes[(user_id, day)] = where
                self.absences.discard((user_id, day))

    def clear(self, user_id: str) -> None:
        for day in self.days:
            self.changes.pop((user_id, day), None)
            self.absences.discard((user_id, day))

    def dropped(self) -> list[tuple[Any, list[date], int]]:
        """(rotation, days now below its minimum that were not before, office count of the first)."""
        after = self.counts()
        found = []
        for row, _ in self.rotations:
            days = [d for d in self.days if (n := after.get((row.channel_id, d))) is not None
                    and n < row.min_office and self.before.get((row.channel_id, d), n + 1) > n]
            if days:
                found.append((row, days, after[(row.channel_id, days[0])]))
        return found


# How long a person's rotations and their members are reused without a read. A write of this
# process to those tables ends it at once; the time bounds how late another replica's shows.
ROTATIONS_CACHE_SECONDS = 2.0


def _rotations_of(ctx: Context, session: Session, user_id: str) -> list[tuple[Any, dict[str, str]]]:
    """The person's rotations with their members (see `presence.rotations_with_members`)."""
    return ctx.db.cached_view(("rotations-of", user_id), ctx.db.table_version("rotation", "rotation_member"),
                              ctx.services.clock.now(), ROTATIONS_CACHE_SECONDS,
                              lambda: presence.rotations_with_members(session, user_id))


def _places_from_home(ctx: Context, session: Session, rotations: list[tuple[Any, dict[str, str]]], start: date,
                      end: date) -> dict[str, tuple[dict[tuple[str, date], Where | None], frozenset[str]]]:
    """`presence.places_from_home` for these rotations' members. It reads only the rotation tables,
    so it is kept as `_rotations_of` is: dropped by any write of this process to those tables, and
    after `ROTATIONS_CACHE_SECONDS` at the latest. The result is only read, never changed."""
    channels = {row.channel_id: members for row, members in rotations}
    key = ("places-from-home", tuple((cid, tuple(sorted(members.items()))) for cid, members in channels.items()),
           start, end)
    return ctx.db.cached_view(key, ctx.db.table_version("rotation", "rotation_member"), ctx.services.clock.now(),
                              ROTATIONS_CACHE_SECONDS, lambda: presence.places_from_home(session, channels, start, end))


def _region_of(rotations: list[tuple[Any, dict[str, str]]], default: str) -> str:
    """The person's holidays: those of their first rotation's region."""
    return rotations[0][0].region if rotations else default


async def office(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _unless_a_swap(request, ctx, "office", rest, change(request, ctx, parse_personal(rest), Where.OFFICE))


async def home(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _unless_a_swap(request, ctx, "home", rest, change(request, ctx, parse_personal(rest), Where.HOME))


async def field(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _unless_a_swap(request, ctx, "field", rest, change(request, ctx, parse_personal(rest), Where.FIELD))


async def away(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _unless_a_swap(request, ctx, "away", rest, _away(request, ctx, rest))


async def clear(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _unless_a_swap(request, ctx, "clear", rest, _clear(request, ctx, rest))


async def _unless_a_swap(request: SlashRequest, ctx: Context, kind: str, rest: str,
                         work: Coroutine[Any, Any, Reply]) -> Reply:
    """The change, unless it touches a day of an accepted swap: then nothing is written and the
    person is asked to undo the whole swap first (`swap_unit`)."""
    try:
        return await work
    except swap_unit.SwapInTheWay as held:
        return await swap_unit.ask(request, ctx, held.swap, kind, rest)


async def change(request: SlashRequest, ctx: Context, personal: PersonalRequest, where: Where) -> Reply:
    target = await _target(request, ctx, personal)
    # one transaction: the minimum is checked against what is written
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        days, leftover, _ = _take_days(target.tokens, ctx, _region_of(rotations, ctx.settings.bot_holiday_region))
        if leftover:
            raise LocalizedError(NEED_DATE)
        swap_unit.check(session, target.user.id, days)
        staffing = _Staffing(ctx, session, rotations, days)
        presence.set_days(session, target.user.id, days, where, set_by=ctx.user.id)
        staffing.set(target.user.id, where)
        if target.for_other:
            entry = audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                          action=f"change:{where.value}", detail=days_detail(days), now=ctx.now)
            _tell(ctx, session, target, entry, CHANGED_FOR_DM, where=WHERE_FOR_DM[where],
                  days=lambda locale: days_text(days, locale))
    if target.for_other:
        ctx.services.notify_outbox()
    reply = CHANGED(ctx.locale, who=plain(target.user.display_name, max_length=60),
                    where=CHANGED_WHERE[where](ctx.locale), days=days_text(days, ctx.locale))
    return Reply(reply + await _warn_below_minimum(ctx, target.user, staffing.dropped()))


async def _away(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    target = await _target(request, ctx, parse_personal(rest))
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        days, leftover, _ = _take_days(target.tokens, ctx, _region_of(rotations, ctx.settings.bot_holiday_region))
        note = " ".join(leftover).strip()
        if len(note) > NOTE_LIMIT:  # refused with the limit named, never cut (SPEC §2.1)
            raise LocalizedError(NOTE_TOO_LONG, limit=NOTE_LIMIT, length=len(note))
        swap_unit.check(session, target.user.id, days)
        staffing = _Staffing(ctx, session, rotations, days)
        presence.set_days(session, target.user.id, days, None, set_by=ctx.user.id, note=note)
        staffing.set(target.user.id, None)
        if target.for_other:
            # The note stays out of the audit log: it is private to its author.
            entry = audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                          action="change:away", detail=days_detail(days), now=ctx.now)
            # the note is the person's to see too (their right of access), never anyone else's
            _tell(ctx, session, target, entry, AWAY_FOR_DM, days=lambda locale: days_text(days, locale),
                  note=lambda locale: NOTE_FOR_DM(locale, note=plain(note)) if note else "")
    if target.for_other:
        ctx.services.notify_outbox()
    note_text = ""
    if note:  # the person it concerns sees it too (their right of access), nobody else
        note_text = (NOTE_PRIVATE_FOR(ctx.locale, name=plain(target.user.display_name, max_length=60), note=plain(note))
                     if target.for_other else NOTE_PRIVATE(ctx.locale, note=plain(note)))
    reply = AWAY_SET(ctx.locale, who=plain(target.user.display_name, max_length=60),
                     days=days_text(days, ctx.locale), note=note_text)
    return Reply(reply + await _warn_below_minimum(ctx, target.user, staffing.dropped()))


async def _clear(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    target = await _target(request, ctx, parse_personal(rest))
    taken = parsing.take_range(target.tokens, 0, today=ctx.today)
    if taken is None or taken[1] != len(target.tokens):
        raise LocalizedError(NEED_DATE)
    span = taken[0]
    if (span.end - span.start).days >= MAX_RANGE_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, days=DAYS.of(MAX_RANGE_DAYS))
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        # Removing a change can take a day below the minimum too (a one-off office day, say).
        days = cal.working_days(max(span.start, ctx.today), span.end,
                                _region_of(rotations, ctx.settings.bot_holiday_region))
        swap_unit.check(session, target.user.id, days)
        staffing = _Staffing(ctx, session, rotations, days)
        count = presence.clear_days(session, target.user.id, span.start, span.end)
        staffing.clear(target.user.id)
        if target.for_other and count:
            entry = audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                          action="clear", detail={"from": span.start.isoformat(), "to": span.end.isoformat()},
                          now=ctx.now)
            _tell(ctx, session, target, entry, CLEARED_FOR_DM, days=lambda locale: cal.format_span(span.start, span.end, locale))
    if target.for_other and count:
        ctx.services.notify_outbox()
    label = cal.format_span(span.start, span.end, ctx.locale)
    if not count:
        return Reply(NOTHING_TO_CLEAR(ctx.locale, days=label[0].upper() + label[1:]))
    return Reply(CLEARED(ctx.locale, days=label, changes=CHANGES.of(count)) + await _warn_below_minimum(ctx, target.user,
                                                                                        staffing.dropped()))


async def _warn_below_minimum(ctx: Context, user: User, dropped: list[tuple[Any, list[date], int]]) -> str:
    """After a change: tell its author and DM the leads if a day dropped below the minimum."""
    if not dropped:
        return ""
    lines = []
    action = uuid.uuid4().hex  # one warning per change, keyed by it (never by the clock)
    for row, days, count in dropped:
        try:
            channel_name = plain((await ctx.mm.channel(row.channel_id)).display_name, max_length=60)
        except Exception:
            channel_name = row.channel_id
        # Every lead of that channel (SPEC §2.1), except whoever made the change: they see the warning.
        recipients = [u for u in await channel_leads(ctx, row.channel_id, row.team_id) if u.id != ctx.user.id]
        with ctx.db.write() as session:
            for lead in recipients:
                locale = lead.locale if lead.locale in ("de", "en") else ctx.settings.bot_locale
                enqueue_dm(session, key=f"ho:min:{row.channel_id}:{lead.id}:{action}",
                           user_id=lead.id, now=ctx.now,
                           message=BELOW_MIN_DM(locale, channel=channel_name, days=days_text(days, locale),
                                                count=count, people=PEOPLE.of(row.min_office),
                                                who=plain(ctx.user.display_name, max_length=60)))
        lines.append(BELOW_MIN(ctx.locale, channel=channel_name, days=days_text(days, ctx.locale), count=count,
                               people=PEOPLE.of(row.min_office)))
    ctx.services.notify_outbox()
    return "\n" + "\n".join(lines)
