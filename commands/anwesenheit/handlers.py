"""The typed command: the roster today or on a day, the week, one person's reach, the lead's settings."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta
from typing import Any

from base.i18n import DAYS, LocalizedError
from base.safetext import plain
from commands import parsing
from commands.anwesenheit.compose import (
    _forwards,
    build_roster,
    channel_roster,
    not_working_day_text,
)
from commands.anwesenheit.morning import post_rosters, refresh_posted
from commands.anwesenheit.texts import (
    ALREADY,
    AND,
    DAYS_USAGE,
    HELP,
    LANG_USAGE,
    NO_POST_TODAY,
    NO_ROTATION,
    NO_WEEKEND_DAYS,
    POSTED,
    RANGE_TOO_LONG,
    REACH_AWAY,
    REACH_FORWARD,
    REACH_NUMBER,
    REACH_ONE_DAY,
    REACH_STANDIN,
    REACH_UNKNOWN,
    REACH_WHERE,
    SAVED,
    SKIPPED,
    SUBCOMMANDS,
    TIME_USAGE,
    UNKNOWN_SUB,
    WEEKDAYS,
    WHAT_DAYS,
    WHAT_LANG,
    WHAT_OFF,
    WHAT_ON,
    WHAT_REGION,
    WHAT_TIME,
    WHEN_DAY,
    WHEN_TODAY,
    WHEN_TOMORROW,
    WHERE_PHRASE,
    help_text,
    sub_help_text,
)
from commands.base import Context, Reply, SlashRequest, split_subcommand
from commands.duty_views import person_duties_line
from commands.forward_views import active_forwards
from commands.help import did_you_mean, help_topic, usage_words
from commands.leads import require_lead
from commands.plan_views import NO_HISTORY, default_plan_range, no_history, render_plan, working_week
from domain import calendar as cal
from domain import roster as roster_view
from domain.rotation import Where
from storage import presence
from storage.models import (
    ChannelSettings,
    PhoneNumbers,
    RosterPost,
    Rotation,
)

# -- the command -------------------------------------------------------------------------------


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = request.command.lstrip("/") or "anwesenheit"
    text = request.text.strip()
    topic = help_topic(text, {**SUBCOMMANDS, **{w: "reach" for w in text.split()[:1] if w.startswith("@")}})
    if topic is not None:
        return Reply(sub_help_text(ctx.locale, trigger, topic) if topic else help_text(ctx.locale, trigger))
    if text.startswith("@"):
        return await reach(request, ctx, text, trigger)
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if not text:
        return await show_day(ctx, ctx.today)
    if name in (None, "today", "tomorrow"):
        # one parser: every date and range form that /homeoffice takes, worded alike when wrong
        tokens = text.split()
        taken = parsing.take_range(tokens, 0, today=ctx.today)
        if taken is None:
            word = plain(tokens[0], max_length=30)
            hint = did_you_mean(tokens[0], usage_words(HELP, ctx.locale), ctx.locale)
            return Reply(UNKNOWN_SUB(ctx.locale, word=word) + hint + "\n\n" + help_text(ctx.locale, trigger))
        span, used = taken
        if used != len(tokens):
            raise LocalizedError(parsing.INVALID_RANGE, value=plain(text, max_length=40))
        if span.start == span.end:
            if span.start < ctx.today:
                raise LocalizedError(NO_HISTORY)
            return await show_day(ctx, span.start)
        if (span.end - span.start).days >= RANGE_MAX_DAYS:
            raise LocalizedError(RANGE_TOO_LONG, days=DAYS.of(RANGE_MAX_DAYS))
        return await show_week(ctx, span)
    if name == "week":
        return await show_week(ctx)
    if name == "post":
        return await post_now(ctx)
    return await configure(request, ctx, name, rest, trigger)


# The rendered roster per (channel, day, language), for the morning rush when a whole team asks
# at once. An entry is good while this process has written nothing since and for at most
# VIEW_CACHE_SECONDS of the bot's clock, which bounds how late a forward's end or a write by
# another replica shows.
VIEW_CACHE_SECONDS = 2.0


async def show_day(ctx: Context, day: date) -> Reply:
    views = ctx.db.views
    key = ("roster", ctx.channel_id, day, ctx.locale)
    now = ctx.services.clock.now()
    version = ctx.db.version
    cached = ctx.db.view(key, version, now)
    if cached is not None:
        return Reply(cached)
    # One composition at a time per key: who asks meanwhile waits for it instead of repeating it.
    pending = views.get(("pending", *key))
    if pending is not None and pending[0] == version:
        return Reply(await asyncio.shield(pending[1]))
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    views[("pending", *key)] = (version, future)
    try:
        text = await _roster_text(ctx, day)
    except BaseException as e:
        future.set_exception(e)
        future.exception()  # retrieved: the waiters, if any, raise it themselves
        raise
    else:
        future.set_result(text)
        ctx.db.keep_view(key, version, now + timedelta(seconds=VIEW_CACHE_SECONDS), text)
        return Reply(text)
    finally:
        if views.get(("pending", *key), (0, None))[1] is future:
            del views[("pending", *key)]


async def _roster_text(ctx: Context, day: date) -> str:
    roster = await build_roster(ctx.services, ctx.channel_id, day, locale=ctx.locale)
    if roster is None:
        raise LocalizedError(NO_ROTATION)
    # a weekend or a holiday of the channel's roster region is a sentence, else the roster
    return roster if isinstance(roster, str) else roster_view.render_text(roster, ctx.locale)


RANGE_MAX_DAYS = 62  # days in one table at most, as `/homeoffice plan`


async def show_week(ctx: Context, asked: parsing.DateRange | None = None) -> Reply:
    asked = working_week(asked or default_plan_range(ctx.today))
    span = no_history(asked, ctx)
    with ctx.db.read() as session:
        loaded = channel_roster(session, ctx.channel_id, ctx.services)
        if loaded is None:
            raise LocalizedError(NO_ROTATION)
        result = presence.channel_plan(session, ctx.channel_id, span.start, span.end, locale=ctx.locale,
                                       region=loaded[1].region)
    if result is None:
        raise LocalizedError(NO_ROTATION)
    row, members, days = result.row, result.members, result.days
    users = await ctx.mm.users(list(members))
    channel = await ctx.channel()
    return Reply(render_plan(days, users, row, ctx.locale, channel.display_name, span, result.foreign,
                             asked=asked))


def _when(day: date, today: date, locale: str) -> str:
    if day == today:
        return WHEN_TODAY(locale)
    formatted = cal.format_day(day, locale)
    return (WHEN_TOMORROW if day == today + timedelta(days=1) else WHEN_DAY)(locale, day=formatted)


async def reach(request: SlashRequest, ctx: Context, text: str, trigger: str) -> Reply:
    """How to reach a person: where they work today (or on the day asked), their number, and
    today a forward and a stand-in."""
    mention, _, rest = text.partition(" ")
    today = ctx.today
    day = today
    if rest.strip():
        span = parsing.parse_range(rest, today=today)
        if span.start != span.end:
            raise LocalizedError(REACH_ONE_DAY, trigger=trigger)
        if span.start < today:
            raise LocalizedError(NO_HISTORY)
        day = span.start
    (user,) = await ctx.users_by_mention([mention], request.user_mentions)
    name = plain(user.display_name, max_length=60)
    when = _when(day, today, ctx.locale)
    with ctx.db.read() as session:
        # one truth: the place the person's home rotation, changes and absences give (as every roster)
        where = presence.person_days(session, user.id, day, day)[1].get(day)
        numbers = session.get(PhoneNumbers, user.id)
        lines = []
        if where is Where.AWAY:
            lines.append(REACH_AWAY(ctx.locale, name=name, when=when))
        elif where is not None:
            lines.append(REACH_WHERE(ctx.locale, name=name, when=when, where=WHERE_PHRASE[where](ctx.locale)))
        else:
            lines.append(REACH_UNKNOWN(ctx.locale, name=name, when=when))
        if numbers is not None and numbers.office:
            lines.append(REACH_NUMBER(ctx.locale, number=numbers.office))
        duties = person_duties_line(session, user.id, day, ctx.locale, ctx.settings.bot_holiday_region)
        if duties:
            lines.append(duties)
        # a forward is about now: shown on today's answer only
        view = active_forwards(session, [user.id], ctx.now, tz=ctx.tz).get(user.id) if day == today else None
    colleague_id = getattr(view, "colleague_id", None) if view else None
    names = {user.id: user.display_name}
    colleague = await ctx.mm.user(colleague_id) if colleague_id else None
    if colleague is not None:
        names[colleague.id] = colleague.display_name
    if view is not None:
        with ctx.db.read() as session:
            forwards = _forwards(session, [user.id], ctx.now, ctx.locale, names, ctx.tz)
        if user.id in forwards:
            lines.append(REACH_FORWARD(ctx.locale, forward=forwards[user.id]))
    if colleague is not None:
        lines.append(REACH_STANDIN(ctx.locale, name=plain(colleague.display_name, max_length=60)))
    return Reply("\n".join(lines))


async def post_now(ctx: Context) -> Reply:
    """A lead's `posten`: today's roster now, also when the morning post is switched off or today
    was skipped (too late); once a day like the morning post, whoever asks first."""
    await require_lead(ctx)
    with ctx.db.read() as session:
        loaded = channel_roster(session, ctx.channel_id, ctx.services)
        if loaded is None:
            raise LocalizedError(NO_ROTATION)
        ledger = session.get(RosterPost, (ctx.channel_id, ctx.today))
    _, conf = loaded
    if not cal.is_working_day(ctx.today, conf.region):
        return Reply(not_working_day_text(ctx.today, conf.region, ctx.locale, NO_POST_TODAY))
    if ledger is None or ledger.outbox_key == SKIPPED:
        posted = await post_rosters(ctx.services, day=ctx.today, channel_id=ctx.channel_id, ignore_time=True,
                                    requested=True)
        if posted:
            return Reply(POSTED(ctx.locale))
    # posted before, or by a simultaneous `posten` (another lead, another replica): bring it up to date
    await refresh_posted(ctx.services, only_channel=ctx.channel_id, force=True)
    return Reply(ALREADY(ctx.locale))


async def configure(request: SlashRequest, ctx: Context, name: str, rest: str, trigger: str) -> Reply:
    await require_lead(ctx)
    with ctx.db.read() as session:
        if session.get(Rotation, ctx.channel_id) is None:
            raise LocalizedError(NO_ROTATION)
    changes: dict[str, Any] = {}
    if name == "time":
        latest = ctx.settings.roster_latest
        try:
            at = parsing.parse_time(rest)
        except LocalizedError:
            raise LocalizedError(TIME_USAGE, trigger=trigger, latest=latest.strftime("%H:%M")) from None
        if not time(5, 0) <= at < latest:
            raise LocalizedError(TIME_USAGE, trigger=trigger, latest=latest.strftime("%H:%M"))
        changes["roster_time"] = at.strftime("%H:%M")
        what = WHAT_TIME(ctx.locale, time=changes["roster_time"])
    elif name == "days":
        days = parse_days(rest)
        if days is None:
            raise LocalizedError(DAYS_USAGE, trigger=trigger)
        if days & {5, 6}:  # the roster never comes on a weekend: say so rather than save a day it skips
            raise LocalizedError(NO_WEEKEND_DAYS, trigger=trigger)
        changes["roster_days"] = ",".join(str(d) for d in sorted(days))
        names = [cal.format_day_short(date(2026, 11, 23) + timedelta(days=d), ctx.locale).split()[0]
                 for d in sorted(days)]
        what = WHAT_DAYS(ctx.locale, days=", ".join(names[:-1]) + AND(ctx.locale) + names[-1] if len(names) > 1
                         else names[0])
    elif name in ("on", "off"):
        changes["roster_enabled"] = name == "on"
        what = (WHAT_ON if name == "on" else WHAT_OFF)(ctx.locale)
    elif name == "region":
        changes["region"] = cal.validate_region(rest)
        what = WHAT_REGION(ctx.locale, region=cal.region_name(changes["region"], ctx.locale))
    else:
        lang = rest.strip().lower()
        if lang not in ("de", "en"):
            raise LocalizedError(LANG_USAGE, trigger=trigger)
        changes["locale"] = lang
        what = WHAT_LANG[lang](ctx.locale)
    with ctx.db.write() as session:
        row = session.get(ChannelSettings, ctx.channel_id) or ChannelSettings(channel_id=ctx.channel_id)
        for key, value in changes.items():
            setattr(row, key, value)
        session.add(row)
    return Reply(SAVED(ctx.locale, what=what))


def parse_days(text: str) -> frozenset[int] | None:
    """`Mo-Fr`, `Mo,Mi,Fr`, `Mon-Fri` -> weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        a, b = WEEKDAYS.get(first.rstrip(".")), WEEKDAYS.get(last.rstrip(".")) if sep else None
        if a is None or (sep and b is None):
            return None
        days.update(range(a, (b if b is not None else a) + 1) if b is None or b >= a else [])
        if sep and b is not None and b < a:
            return None
    return frozenset(days) or None
