"""`einrichten`: create or replace the channel's rotation, typed or through the dialog. Both end
in one handler, `apply_setup`, for the same `SetupRequest`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from base.i18n import LocalizedError
from base.safetext import plain
from commands.base import Context, DialogRequest, Reply, SlashRequest
from commands.channels import channel_locale
from commands.homeoffice.common import trigger
from commands.homeoffice.requests import SetupRequest, parse_setup, setup_from_dialog
from commands.homeoffice.texts import (
    DIALOG_OPENED,
    DIALOG_TITLE,
    PATTERN_TEXT,
    SETUP_DONE,
    SETUP_POST,
    SETUP_USAGE,
    SUMMARY,
)
from commands.leads import audit, require_lead
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
    return Reply(apply_setup(ctx, parsed))


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
    apply_setup(ctx, parsed)
    return {}


def apply_setup(ctx: Context, parsed: SetupRequest) -> str:
    """Store the rotation, drop the members of groups that are gone, announce it in the channel;
    the reply to whoever set it up."""
    rotation = RotationPlan.create(groups=parsed.groups, pattern=parsed.pattern, start=parsed.start,
                                   custom=parsed.custom, min_office=parsed.min_office, region=parsed.region)
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        if row is None:
            row = Rotation(channel_id=ctx.channel_id, created_by=ctx.user.id, created_at=ctx.now,
                           groups="", pattern="", start=parsed.start, region=parsed.region)
        row.team_id = ctx.team_id
        row.groups = ",".join(rotation.groups)
        row.pattern, row.custom, row.start = parsed.pattern, parsed.custom, parsed.start
        row.min_office, row.region = parsed.min_office, parsed.region
        session.add(row)
        # People in a group that no longer exists leave the rotation: a lead's change to their data.
        dropped = session.exec(select(RotationMember).where(RotationMember.channel_id == ctx.channel_id,
                                                            col(RotationMember.group).not_in(rotation.groups))).all()
        for member in dropped:
            audit(session, actor_id=ctx.user.id, subject_id=member.user_id, channel_id=ctx.channel_id,
                  action="remove:setup", detail={"gone_group": member.group}, now=ctx.now)
        session.execute(sa.delete(RotationMember).where(col(RotationMember.channel_id) == ctx.channel_id,
                                                        col(RotationMember.group).not_in(rotation.groups)))
        locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
        preview_from = max(ctx.today, parsed.start)
        enqueue_post(session, key=f"ho:setup:{ctx.channel_id}:{int(ctx.now.timestamp() * 1000)}",
                     channel_id=ctx.channel_id, now=ctx.now,
                     message=SETUP_POST(locale, who=plain(ctx.user.display_name, max_length=60),
                                        summary=_summary(parsed, locale),
                                        preview=_preview_text(rotation, preview_from, locale)))
    ctx.services.notify_outbox()
    return SETUP_DONE(ctx.locale, summary=_summary(parsed, ctx.locale))


def _summary(setup: SetupRequest, locale: str) -> str:
    pattern = PATTERN_TEXT[setup.pattern](locale)
    if setup.pattern == "custom" and setup.custom:
        pattern += f" `{plain(setup.custom, max_length=100)}`"
    return SUMMARY(locale, groups="/".join(setup.groups), pattern=pattern, start=cal.format_day(setup.start, locale),
                   min=setup.min_office if setup.min_office is not None else "–", region=setup.region)


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
