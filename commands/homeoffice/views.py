"""What people read: `plan` (the channel's table, `commands.plan_views`) and `ich` (one's own
next ten working days)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from base.i18n import LocalizedError
from base.safetext import plain
from commands.base import Context, Reply, SlashRequest
from commands.homeoffice.common import trigger
from commands.homeoffice.requests import PlanRequest, parse_plan
from commands.homeoffice.texts import ME_GROUP, ME_TITLE, NO_ROTATION, NOT_SCHEDULED, WHERE_ICON, WHERE_TEXT
from commands.plan_views import render_plan
from domain import calendar as cal
from domain.rotation import Where
from storage import presence
from storage.models import Absence, Rotation

# A plan asked for again is answered from memory: until this process writes anything, and for
# at most PLAN_CACHE_SECONDS of the bot's clock (another replica's writes).
PLAN_CACHE_SECONDS = 2.0


async def plan_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await show_plan(request, ctx, parse_plan(rest, ctx))


async def show_plan(request: SlashRequest, ctx: Context, wanted: PlanRequest) -> Reply:
    """The plan with the holidays of the rotation's own region (not the channel's roster region)."""
    span = wanted.span
    key, version, now = ("plan", ctx.channel_id, span.start, span.end, ctx.locale), ctx.db.version, ctx.services.clock.now()
    text = ctx.db.view(key, version, now)
    if text is None:
        with ctx.db.read() as session:
            result = presence.channel_plan(session, ctx.channel_id, span.start, span.end, locale=ctx.locale)
        if result is None:
            raise LocalizedError(NO_ROTATION, trigger=trigger(ctx, request))
        row, members, days = result
        users = await ctx.mm.users(list(members))
        channel = await ctx.channel()
        text = render_plan(days, users, row, ctx.locale, channel.display_name, span)
        ctx.db.keep_view(key, version, now + timedelta(seconds=PLAN_CACHE_SECONDS), text)
    return Reply(text)


async def me_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    with ctx.db.read() as session:
        rotations = presence.rotations_of(session, ctx.user.id)
        region = rotations[0].region if rotations else ctx.settings.bot_holiday_region
        days = cal.next_working_days(ctx.today, 10, region)
        notes = {a.day: a.note for a in session.exec(select(Absence).where(
            Absence.user_id == ctx.user.id, Absence.day >= days[0], Absence.day <= days[-1])).all()}
        per_day: dict[date, Where] = {}
        groups = []
        for row in rotations:
            result = presence.channel_plan(session, row.channel_id, days[0], days[-1])
            if result is None:
                continue
            groups.append((row, result[1].get(ctx.user.id)))
            for day_plan in result[2]:
                if ctx.user.id in day_plan.entries:
                    per_day.setdefault(day_plan.day, day_plan.entries[ctx.user.id])
        changes = presence.changes_for(session, [ctx.user.id], days[0], days[-1])
    return Reply(await render_me(ctx, days, per_day, changes, notes, groups))


async def render_me(ctx: Context, days: list[date], per_day: dict[date, Where], changes: dict[tuple[str, date], Where],
                    notes: dict[date, str], groups: list[tuple[Rotation, str | None]]) -> str:
    locale = ctx.locale
    lines = [ME_TITLE(locale)]
    if groups:
        labels = []
        for row, group in groups:
            try:
                channel_name = (await ctx.mm.channel(row.channel_id)).display_name
            except Exception:
                channel_name = row.channel_id
            labels.append(ME_GROUP(locale, group=group or "–", channel=plain(channel_name, max_length=60)))
        lines.append("_" + "; ".join(labels) + "_")
    for day in days:
        if day in notes:
            where: Where | None = Where.AWAY
        else:
            where = per_day.get(day) or changes.get((ctx.user.id, day))
        text = f"{WHERE_ICON[where]} {WHERE_TEXT[where](locale)}" if where else NOT_SCHEDULED(locale)
        if day in notes and notes[day]:
            text += f" — {plain(notes[day])}"
        lines.append(f"- {cal.format_day(day, locale)}: {text}")
    return "\n".join(lines)
