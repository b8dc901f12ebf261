"""A lead's settings for the channel: extra leads (`leitung`), the morning call-forwarding
prompts (`erinnerung`) and deleting the rotation (`löschen`, after confirming)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import col, select

from base.safetext import plain
from commands.base import ActionRequest, ActionResult, Context, Reply, SlashRequest
from commands.channels import channel_locale
from commands.homeoffice.common import confirm, names, require_rotation, trigger
from commands.homeoffice.requests import LeadRequest, PromptsRequest, parse_leads, parse_prompts
from commands.homeoffice.texts import (
    CANCELLED,
    DELETE_CONFIRM,
    DELETE_YES,
    DELETED,
    DELETED_POST,
    LEAD_ADDED,
    LEAD_REMOVED,
    LEAD_STILL_ADMIN,
    OFF,
    ON,
    PROMPTS_SET,
)
from commands.leads import audit, is_lead, require_lead
from storage.models import ChannelLead, Rotation, RotationMember
from storage.outbox import enqueue_post


async def leads(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    return await set_leads(request, ctx, parse_leads(rest, trigger=trigger(ctx, request)))


async def set_leads(request: SlashRequest, ctx: Context, wanted: LeadRequest) -> Reply:
    users = await ctx.users_by_mention(list(wanted.people), request.user_mentions)
    with ctx.db.write() as session:
        for user in users:
            if wanted.adding:
                session.merge(ChannelLead(channel_id=ctx.channel_id, user_id=user.id))
            else:
                session.execute(sa.delete(ChannelLead).where(col(ChannelLead.channel_id) == ctx.channel_id,
                                                             col(ChannelLead.user_id) == user.id))
            audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                  action="lead:add" if wanted.adding else "lead:remove", now=ctx.now)
    reply = (LEAD_ADDED if wanted.adding else LEAD_REMOVED)(ctx.locale, names=names(users))
    if not wanted.adding:
        # honest: a Mattermost admin stays a lead whatever the list says (SPEC §2.1 `leitung`)
        still = [u for u in users if await is_lead(ctx, u)]
        if still:
            reply += LEAD_STILL_ADMIN(ctx.locale, names=names(still))
    return Reply(reply)


async def prompts(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    wanted = parse_prompts(rest, trigger=trigger(ctx, request))
    require_rotation(ctx, request)
    return set_prompts(ctx, wanted)


def set_prompts(ctx: Context, wanted: PromptsRequest) -> Reply:
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        assert row is not None  # the caller checked there is a rotation
        row.forward_prompts = wanted.enabled
        session.add(row)
    return Reply(PROMPTS_SET(ctx.locale, state=(ON if wanted.enabled else OFF)(ctx.locale)))


async def delete(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    require_rotation(ctx, request)
    return confirm(ctx, DELETE_CONFIRM, DELETE_YES, "homeoffice.delete", {"c": ctx.channel_id})


async def delete_action(request: ActionRequest, ctx: Context) -> ActionResult:
    if not request.data.get("ok"):
        return ActionResult(ephemeral_text=CANCELLED(ctx.locale))
    ctx.channel_id = str(request.data["c"])
    await require_lead(ctx)
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        if row is not None:
            for member in session.exec(select(RotationMember).where(RotationMember.channel_id == ctx.channel_id)).all():
                audit(session, actor_id=ctx.user.id, subject_id=member.user_id, channel_id=ctx.channel_id,
                      action="remove:delete", detail={"was_group": member.group}, now=ctx.now)
            session.execute(sa.delete(RotationMember).where(col(RotationMember.channel_id) == ctx.channel_id))
            session.delete(row)
            locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
            enqueue_post(session, key=f"ho:deleted:{ctx.channel_id}:{uuid.uuid4().hex}",
                         channel_id=ctx.channel_id, now=ctx.now,
                         message=DELETED_POST(locale, who=plain(ctx.user.display_name, max_length=60)))
    ctx.services.notify_outbox()
    return ActionResult(ephemeral_text=DELETED(ctx.locale))
