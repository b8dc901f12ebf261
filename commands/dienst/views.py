"""What /dienst shows: `plan`, `ich`, and the command without arguments (my duties and the plan
for today and the next working day: `overview`, the one place a menu will take over)."""

from __future__ import annotations

from datetime import date, timedelta

from base.i18n import LocalizedError
from base.safetext import plain
from commands import parsing
from commands.base import Context, Reply, SlashRequest
from commands.dienst.common import display_names, region, trigger
from commands.dienst.texts import (
    HELP_HINT,
    ME_LINE,
    ME_NONE,
    ME_TITLE,
    NO_DUTIES,
    PLAN_HEADER,
    PLAN_NOTHING,
    PLAN_TITLE,
    STATUS_NONE,
    STATUS_TODAY,
    TOO_MANY_DAYS,
)
from commands.duty_views import duty_lines, people_of, uncovered_text
from commands.plan_views import default_plan_range, no_history, range_label
from domain import calendar as cal
from storage import duties as duty_store

PLAN_MOST_DAYS = 31
WEEK_WORDS = {"woche", "week", "diese woche", "this week"}


def _span(rest: str, ctx: Context) -> parsing.DateRange:
    text = rest.strip().lower()
    if not text or text in WEEK_WORDS:
        return default_plan_range(ctx.today)
    span = no_history(parsing.parse_range(rest, today=ctx.today), ctx)
    if (span.end - span.start).days >= PLAN_MOST_DAYS:
        raise LocalizedError(TOO_MANY_DAYS, most=PLAN_MOST_DAYS)
    return span


def _table(plans: list[duty_store.DutyPlan], span: parsing.DateRange, names: dict[str, str], locale: str) -> list[str]:
    rows = []
    for day in span.days():
        for plan in plans:
            dd = plan.days.get(day)
            if dd is None:
                continue
            dropping = {r.giver for r in plan.open_drops.get(day, ()) if r.giver}
            who = ", ".join(plain(names.get(u, "?"), max_length=60) + (" ⚠️" if u in dropping else "")
                            for u in dd.holders)
            if dd.missing:
                who = (who + " " if who else "") + uncovered_text(dd.missing, locale)
            stand_in = plain(names.get(dd.stand_in, "?"), max_length=60) if dd.stand_in else "–"
            rows.append(f"| {cal.format_day(day, locale)} | {plain(plan.duty.name, max_length=40)} | {who} | {stand_in} |")
    return rows


PLAN_CACHE_SECONDS = 2.0  # as the roster's: bounds how late another replica's write shows


async def plan_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    span = _span(rest, ctx)
    key = ("duty-plan", ctx.channel_id, span.start, span.end, ctx.locale)
    now = ctx.services.clock.now()
    version = ctx.db.version
    text = ctx.db.view(key, version, now)
    if text is None:
        text = await _plan_text(request, ctx, span)
        ctx.db.keep_view(key, version, now + timedelta(seconds=PLAN_CACHE_SECONDS), text)
    return Reply(text)


async def _plan_text(request: SlashRequest, ctx: Context, span: parsing.DateRange) -> str:
    with ctx.db.read() as session:
        plans = duty_store.duty_plans(session, ctx.channel_id, span.start, span.end,
                                      region=region(session, ctx.channel_id, ctx))
    if not plans:
        return NO_DUTIES(ctx.locale, trigger=trigger(ctx, request))
    names = await display_names(ctx, people_of(plans))
    channel = await ctx.channel()
    rows = _table(plans, span, names, ctx.locale)
    lines = [PLAN_TITLE(ctx.locale, channel=plain(channel.display_name, max_length=60),
                        range=range_label(span, ctx.locale)), ""]
    lines += [PLAN_HEADER(ctx.locale), "|:--|:--|:--|:--|", *rows] if rows else [PLAN_NOTHING(ctx.locale)]
    return "\n".join(lines)


def my_days(ctx: Context, user_id: str, days: int) -> list[tuple[date, str, str]]:
    """(day, duty name, channel id) of the person's duty days in the next `days` working days."""
    found = []
    with ctx.db.read() as session:
        for channel_id in duty_store.participant_channels(session, user_id):
            where = region(session, channel_id, ctx)
            upcoming = cal.next_working_days(ctx.today, days, where)
            for plan in duty_store.duty_plans(session, channel_id, upcoming[0], upcoming[-1], region=where):
                for day, dd in plan.days.items():
                    if user_id in dd.holders:
                        found.append((day, plan.duty.name, channel_id))
    return sorted(found)


async def _channel_names(ctx: Context, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {cid: c.display_name for cid, c in (await ctx.mm.channels_by_ids(sorted(ids))).items()}


async def me_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    found = my_days(ctx, ctx.user.id, 10)
    if not found:
        return Reply(ME_NONE(ctx.locale))
    channels = {cid for _, _, cid in found}
    names = await _channel_names(ctx, channels)
    lines = [ME_TITLE(ctx.locale)]
    for day, name, cid in found:
        where = f" ({plain(names.get(cid, ''), max_length=60)})" if len(channels) > 1 and cid in names else ""
        lines.append(ME_LINE(ctx.locale, day=cal.format_day(day, ctx.locale), name=plain(name, max_length=40),
                             channel=where))
    return Reply("\n".join(lines))


async def overview(request: SlashRequest, ctx: Context) -> Reply:
    """No arguments: my duties today and on the next working day, and this channel's duties on
    those days (the roster's lines). A menu (SPEC §2.6) replaces this one function."""
    typed = trigger(ctx, request)
    with ctx.db.read() as session:
        where = region(session, ctx.channel_id, ctx)
        days = cal.next_working_days(ctx.today, 2, where)
        plans = duty_store.duty_plans(session, ctx.channel_id, days[0], days[-1], region=where)
    mine = [(d, name) for d, name, _ in my_days(ctx, ctx.user.id, 2)]
    lines = [STATUS_TODAY(ctx.locale, duties=", ".join(f"{plain(name, max_length=40)} ({cal.format_day(d, ctx.locale)})"
                                                       for d, name in mine)) if mine else STATUS_NONE(ctx.locale)]
    if plans:
        names = await display_names(ctx, people_of(plans))
        for day in days:
            shown = duty_lines(plans, day, ctx.locale, names, {}, {})
            if shown:
                lines += ["", f"**{cal.format_day(day, ctx.locale)}**", *shown]
    else:
        lines += ["", NO_DUTIES(ctx.locale, trigger=typed)]
    lines += ["", HELP_HINT(ctx.locale, trigger=typed)]
    return Reply("\n".join(lines))
