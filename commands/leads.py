"""Who counts as a lead of a channel, and the audit log of what leads do to others' data.

A lead is a channel admin, team admin or system admin in Mattermost, or a user
named lead for the channel with `/homeoffice leitung add @user`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from base.chat import MattermostError, User
from base.i18n import LocalizedError, Text
from commands.base import Context
from storage.models import AuditEntry, ChannelLead

log = logging.getLogger("amtsbote.leads")

ROLE_LOOKUPS_AT_ONCE = 8  # members whose roles are asked of Mattermost concurrently

NOT_A_LEAD = Text(
    de="Das dürfen nur Leitungen dieses Kanals (Kanal-, Team- oder Systemadmins oder per "
       "„/homeoffice leitung add“ benannte Personen). Es wurde nichts geändert.",
    en="Only leads of this channel may do that (channel, team or system admins, or people named with "
       "“/homeoffice lead add”). Nothing was changed.",
)
ONLY_OWN_DATA = Text(
    de="Du kannst nur deine eigenen Angaben ändern; für andere nur als Leitung mit „für @name“. "
       "Es wurde nichts geändert.",
    en="You can only change your own data; for others only as a lead with “for @name”. Nothing was changed.",
)


async def is_lead(ctx: Context, user: User | None = None, channel_id: str | None = None) -> bool:
    user = user or ctx.user
    channel_id = channel_id or ctx.channel_id
    if user.is_system_admin:
        return True
    with ctx.db.read() as session:
        if session.get(ChannelLead, (channel_id, user.id)) is not None:
            return True
    if await ctx.mm.is_channel_admin(channel_id, user.id):
        return True
    team_id = ctx.team_id
    if not team_id:
        try:
            team_id = (await ctx.mm.channel(channel_id)).team_id
        except Exception:
            team_id = ""
    return await ctx.mm.is_team_admin(team_id, user.id)


async def channel_leads(ctx: Context, channel_id: str, team_id: str = "") -> list[User]:
    """Every lead of a channel: the people named with `leitung add`, and the channel's human
    members who are channel, team or system admins in Mattermost.

    If Mattermost cannot be asked about roles, the named leads are still returned."""
    with ctx.db.read() as session:
        named = list(session.exec(select(ChannelLead.user_id).where(ChannelLead.channel_id == channel_id)).all())
    found: dict[str, User] = {}
    try:
        found.update((await ctx.mm.users(named)) if named else {})
    except MattermostError as e:
        log.warning("named leads of channel %s could not be looked up: %s", channel_id, e)
    try:
        if not team_id:
            team_id = (await ctx.mm.channel(channel_id)).team_id
        members = [u for u in await ctx.mm.channel_members(channel_id) if not u.is_bot and not u.deleted]

        gate = asyncio.Semaphore(ROLE_LOOKUPS_AT_ONCE)

        async def admin(user: User) -> bool:
            if user.is_system_admin or user.id in found:
                return True
            async with gate:
                if await ctx.mm.is_channel_admin(channel_id, user.id):
                    return True
                return await ctx.mm.is_team_admin(team_id, user.id)

        flags = await asyncio.gather(*(admin(u) for u in members))
        found.update({u.id: u for u, flag in zip(members, flags, strict=True) if flag})
    except MattermostError as e:
        log.warning("admins of channel %s could not be looked up: %s", channel_id, e)
    return sorted((u for u in found.values() if not u.is_bot and not u.deleted), key=lambda u: u.id)


async def require_lead(ctx: Context) -> None:
    if not await is_lead(ctx):
        raise LocalizedError(NOT_A_LEAD)


def audit(session: Session, *, actor_id: str, subject_id: str, channel_id: str | None, action: str,
          now: datetime, detail: Mapping[str, Any] | None = None) -> None:
    """Record a lead's change to someone else's data. `detail` never holds a private note.

    The detail is stored without words (days as ISO dates, a group's name, a forward's target),
    so that `/homeoffice meine-daten` shows it in the reader's language (`privacy.detail_text`)."""
    if actor_id != subject_id:
        text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if detail else ""
        session.add(AuditEntry(at=now, actor_id=actor_id, subject_id=subject_id, channel_id=channel_id,
                               action=action[:40], detail=text if len(text) <= 200 else ""))


def days_detail(days: Sequence[date]) -> dict[str, Any]:
    """The audit detail of a change on these days (few days each, many as first, last and count)."""
    if len(days) <= 3:
        return {"days": [d.isoformat() for d in days]}
    return {"from": days[0].isoformat(), "to": days[-1].isoformat(), "n": len(days)}
