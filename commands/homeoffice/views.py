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
from commands.homeoffice.texts import (
    ME_GROUP,
    ME_HOME,
    ME_STARTS,
    ME_TITLE,
    NO_ROTATION,
    NOT_SCHEDULED,
    WHERE_ICON,
    WHERE_TEXT,
)
from commands.plan_views import render_plan
from domain import calendar as cal
from domain.rotation import Where
from storage import presence
from storage.models import Absence, Rotation, RotationMember

# A plan asked for again is answered from memory: until this process writes anything, and for
# at most PLAN_CACHE_SECONDS of the bot's clock (another replica's writes).
PLAN_CACHE_SECONDS = 2.0


async def plan_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await show_plan(request, ctx, parse_plan(rest, ctx))


async def show_plan(request: SlashRequest, ctx: Context, wanted: PlanRequest) -> Reply:
    """The plan with the holidays of the rotation's own region (not the channel's roster region)."""
    span = wanted.span
    key, version, now = ("plan", ctx.channel_id, span.start, span.end, wanted.asked, ctx.locale), ctx.db.version, ctx.services.clock.now()
    text = ctx.db.view(key, version, now)
    if text is None:
        with ctx.db.read() as session:
            result = presence.channel_plan(session, ctx.channel_id, span.start, span.end, locale=ctx.locale)
        if result is None:
            raise LocalizedError(NO_ROTATION, trigger=trigger(ctx, request))
        row, members, days = result.row, result.members, result.days
        users = await ctx.mm.users(list(members))
        channel = await ctx.channel()
        text = render_plan(days, users, row, ctx.locale, channel.display_name, span, result.foreign,
                           asked=wanted.asked)
        ctx.db.keep_view(key, version, now + timedelta(seconds=PLAN_CACHE_SECONDS), text)
    return Reply(text)


async def me_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    """My next ten working days, as every roster and plan shows them: my home rotation decides."""
    with ctx.db.read() as session:
        rotations = presence.rotations_of(session, ctx.user.id)
        home = presence.homes(session, [ctx.user.id]).get(ctx.user.id)
        home_row = next((r for r in rotations if r.channel_id == home), None)
        region = home_row.region if home_row is not None else ctx.settings.bot_holiday_region
        days = cal.next_working_days(ctx.today, 10, region)
        notes = {a.day: a.note for a in session.exec(select(Absence).where(
            Absence.user_id == ctx.user.id, Absence.day >= days[0], Absence.day <= days[-1])).all()}
        per_day = presence.person_days(session, ctx.user.id, days[0], days[-1])[1]
        groups = [(row, session.get(RotationMember, (row.channel_id, ctx.user.id))) for row in rotations]
        changes = presence.changes_for(session, [ctx.user.id], days[0], days[-1])
    return Reply(await render_me(ctx, days, per_day, changes, notes,
                                 [(row, m.group if m else None) for row, m in groups], home=home_row))


async def render_me(ctx: Context, days: list[date], per_day: dict[date, Where], changes: dict[tuple[str, date], Where],
                    notes: dict[date, str], groups: list[tuple[Rotation, str | None]], *,
                    home: Rotation | None = None) -> str:
    locale = ctx.locale
    lines = [ME_TITLE(locale)]
    if groups:
        labels = []
        for row, group in sorted(groups, key=lambda g: home is None or g[0].channel_id != home.channel_id):
            try:
                channel_name = (await ctx.mm.channel(row.channel_id)).display_name
            except Exception:
                channel_name = row.channel_id
            label = ME_GROUP(locale, group=group or "–", channel=plain(channel_name, max_length=60))
            if home is not None and row.channel_id == home.channel_id and len(groups) > 1:
                label += ME_HOME(locale)
            labels.append(label)
        lines.append("_" + "; ".join(labels) + "_")
    if home is not None and home.start > days[0]:
        lines.append(ME_STARTS(locale, day=cal.format_day(home.start, locale)))
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
