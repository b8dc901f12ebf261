"""`einrichten`: create or replace the channel's rotation, typed or through the dialog. Both end
in one handler, `apply_setup`, for the same `SetupRequest`."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from base.i18n import PEOPLE, LocalizedError
from base.safetext import plain
from commands import channels
from commands.base import Context, DialogRequest, Reply, SlashRequest, user_locale
from commands.channels import channel_locale
from commands.homeoffice.common import trigger
from commands.homeoffice.requests import SetupRequest, parse_setup, setup_from_dialog
from commands.homeoffice.texts import (
    DIALOG_OPENED,
    DIALOG_TITLE,
    MAPPED,
    MIN_ABOVE_TEAM,
    MIN_NONE,
    MIN_SOME,
    PATTERN_TEXT,
    SETUP_DONE,
    SETUP_POST,
    SETUP_USAGE,
    SPLIT_BUTTON,
    SUMMARY,
    UNGROUPED,
    UNGROUPED_DM,
)
from commands.leads import audit, require_lead, tell_subject
from commands.plan_views import HOLIDAY
from domain import calendar as cal
from domain.rotation import Rotation as RotationPlan
from domain.rotation import preview
from storage.models import Rotation, RotationMember
from storage.outbox import enqueue_post

REGIONS = ["DE", "DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH", "DE-HE", "DE-MV", "DE-NI", "DE-NW",
           "DE-RP", "DE-SL", "DE-SN", "DE-ST", "DE-SH", "DE-TH"]


async def setup(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    if not rest:
        return await _open_setup_dialog(request, ctx)
    parsed = parse_setup(rest, today=ctx.today, default_region=ctx.settings.bot_holiday_region,
                         trigger=trigger(ctx, request))
    return await apply_setup(ctx, parsed)


async def setup_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    if request.cancelled:
        return {}
    ctx.channel_id = str(request.data.get("c") or ctx.channel_id)
    await require_lead(ctx)
    try:
        parsed = setup_from_dialog(request.submission, today=ctx.today,
                                   default_region=ctx.settings.bot_holiday_region, trigger="homeoffice")
    except LocalizedError as e:
        return {"error": e.render(ctx.locale)}
    await apply_setup(ctx, parsed)
    return {}


async def apply_setup(ctx: Context, parsed: SetupRequest) -> Reply:
    """Store the rotation and announce it in the channel; the reply to whoever set it up.

    Replacing a rotation never drops members silently (SPEC §2.1 "Edits stay whole"): each group's
    members move to the group at the same position (A,B -> Nord,Süd puts A's members into Nord), and
    the announcement names that mapping; members whose position no longer exists are without a
    group, listed, told by DM, and the lead gets an `aufteilen` button."""
    rotation = RotationPlan.create(groups=parsed.groups, pattern=parsed.pattern, start=parsed.start,
                                   custom=parsed.custom, min_office=parsed.min_office, region=parsed.region)
    channel = await ctx.channel()
    channel_name = plain(channel.display_name, max_length=60)
    people = [u for u in await ctx.mm.channel_members(ctx.channel_id) if not u.is_bot and not u.deleted]
    by_id = {u.id: u for u in people}
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        old_groups = row.groups.split(",") if row is not None and row.groups else []
        if row is None:
            row = Rotation(channel_id=ctx.channel_id, created_by=ctx.user.id, created_at=ctx.now,
                           groups="", pattern="", start=parsed.start, region=parsed.region)
        row.team_id = ctx.team_id
        row.groups = ",".join(rotation.groups)
        row.pattern, row.custom, row.start = parsed.pattern, parsed.custom, parsed.start
        row.min_office, row.region = parsed.min_office, parsed.region
        session.add(row)
        moves = _group_moves(old_groups, list(rotation.groups))
        members = list(session.exec(select(RotationMember).where(RotationMember.channel_id == ctx.channel_id)).all())
        ungrouped = []
        for member in members:
            old = next((g for g in old_groups if g.lower() == member.group.lower()), member.group)
            new = moves.get(old)
            if new is not None:
                member.group = new
                session.add(member)
                continue
            # the position is gone: out of the rotation, told, and listed for the lead
            ungrouped.append(member.user_id)
            entry = audit(session, actor_id=ctx.user.id, subject_id=member.user_id, channel_id=ctx.channel_id,
                          action="remove:setup", detail={"gone_group": member.group}, now=ctx.now)
            person = by_id.get(member.user_id)
            locale = user_locale(person, ctx.settings) if person is not None else ctx.settings.bot_locale
            tell_subject(session, entry, UNGROUPED_DM(locale, lead=plain(ctx.user.display_name, max_length=60),
                                                      channel=channel_name, group=plain(member.group, max_length=10)),
                         now=ctx.now)
            session.delete(member)
        locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
        preview_from = max(ctx.today, parsed.start)
        mapping = {old: new for old, new in moves.items() if old != new}
        message = SETUP_POST(locale, who=plain(ctx.user.display_name, max_length=60), summary=_summary(parsed, locale),
                             preview=_preview_text(rotation, preview_from, locale))
        extra = _replacement_lines(ctx, locale, mapping, ungrouped, by_id)
        # one post per setup, keyed by this action (never by the clock: two setups are two posts)
        enqueue_post(session, key=f"ho:setup:{ctx.channel_id}:{uuid.uuid4().hex}", channel_id=ctx.channel_id,
                     now=ctx.now, message="\n\n".join([message, *extra]))
    ctx.services.notify_outbox()
    lines = [SETUP_DONE(ctx.locale, summary=_summary(parsed, ctx.locale)),
             *_replacement_lines(ctx, ctx.locale, mapping, ungrouped, by_id)]
    if parsed.min_office is not None and people and parsed.min_office > len(people):
        lines.append(MIN_ABOVE_TEAM(ctx.locale, min=parsed.min_office, people=len(people)))
    attachments = None
    if ungrouped:
        attachments = [{"actions": [ctx.button(SPLIT_BUTTON, "homeoffice.split", {"c": ctx.channel_id},
                                               user_id=ctx.user.id, style="primary")]}]
    return Reply("\n".join(lines), attachments)


def _group_moves(old: list[str], new: list[str]) -> dict[str, str]:
    """old group -> new group: a group that is still there stays; otherwise the group at the same
    position. Old groups without such a position are left out."""
    lowered = {g.lower(): g for g in new}
    moves = {}
    for i, group in enumerate(old):
        if group.lower() in lowered:
            moves[group] = lowered[group.lower()]
        elif i < len(new) and new[i].lower() not in {g.lower() for g in old}:
            moves[group] = new[i]
    return moves


def _replacement_lines(ctx: Context, locale: str, mapping: dict[str, str], ungrouped: list[str],
                       by_id: dict[str, Any]) -> list[str]:
    lines = []
    if mapping:
        lines.append(MAPPED(locale, mapping=", ".join(f"{plain(a, max_length=10)} → {plain(b, max_length=10)}"
                                                      for a, b in mapping.items())))
    if ungrouped:
        names = ", ".join(sorted(plain(by_id[u].display_name, max_length=60) if u in by_id else "?" for u in ungrouped))
        lines.append(UNGROUPED(locale, names=names, trigger=channels.trigger(ctx.settings, "homeoffice")))
    return lines


def _summary(setup: SetupRequest, locale: str) -> str:
    pattern = PATTERN_TEXT[setup.pattern](locale)
    if setup.pattern == "custom" and setup.custom:
        pattern += f" `{plain(setup.custom, max_length=100)}`"
    return SUMMARY(locale, groups="/".join(setup.groups), pattern=pattern, start=cal.format_day(setup.start, locale),
                   min=MIN_SOME(locale, people=PEOPLE.of(setup.min_office)) if setup.min_office else MIN_NONE(locale),
                   region=cal.region_name(setup.region, locale))


def _preview_text(rotation: RotationPlan, start: date, locale: str) -> str:
    lines = []
    for day, groups in preview(rotation, start, days=10):
        holiday = cal.holiday_name(day, rotation.region, locale)
        label = HOLIDAY(locale, name=holiday) if holiday else (", ".join(sorted(groups)) or "–")
        lines.append(f"- {cal.format_day(day, locale)}: {label}")
    return "\n".join(lines)


async def _open_setup_dialog(request: SlashRequest, ctx: Context) -> Reply:
    if not request.trigger_id:
        raise LocalizedError(SETUP_USAGE, trigger=trigger(ctx, request))
    de = ctx.locale != "en"
    dialog = {
        "callback_id": "homeoffice.setup",
        "title": DIALOG_TITLE(ctx.locale),
        "submit_label": "Speichern" if de else "Save",
        "state": ctx.services.signer.sign_state("homeoffice.setup", {"c": ctx.channel_id}, user_id=ctx.user.id,
                                                expires=ctx.now + timedelta(hours=1)),
        "elements": [
            {"display_name": "Gruppen" if de else "Groups", "name": "groups", "type": "text", "default": "A,B",
             "help_text": "z. B. A,B oder A,B,C" if de else "e.g. A,B or A,B,C", "max_length": 120, "min_length": 1},
            {"display_name": "Muster" if de else "Pattern", "name": "pattern", "type": "select", "default": "weekly",
             "options": [{"text": PATTERN_TEXT[p](ctx.locale), "value": p} for p in ("weekly", "daily", "custom")]},
            {"display_name": "Eigenes Muster" if de else "Custom pattern", "name": "custom", "type": "text",
             "optional": True, "placeholder": "AAABB/BBBAA", "max_length": 200, "min_length": 0},
            {"display_name": "Beginn" if de else "Start", "name": "start", "type": "text", "optional": True,
             "placeholder": "30.11.2026", "max_length": 20, "min_length": 0},
            {"display_name": "Mindestbesetzung" if de else "Minimum staffing", "name": "min", "type": "text",
             "subtype": "number", "optional": True, "max_length": 3, "min_length": 0},
            {"display_name": "Feiertage" if de else "Holidays", "name": "region", "type": "select",
             "default": ctx.settings.bot_holiday_region, "options": [{"text": r, "value": r} for r in REGIONS]},
        ],
    }
    await ctx.mm.open_dialog(request.trigger_id, ctx.services.dialog_url, dialog)
    return Reply(DIALOG_OPENED(ctx.locale))
