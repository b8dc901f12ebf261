"""Who may do what: who counts as a lead, for whom a lead may act, and the audit log of it.

A lead is a channel admin, team admin or system admin in Mattermost, or a user
named lead for the channel with `/homeoffice leitung add @user`. In Mattermost anyone who
creates a channel is its channel admin, so a lead's power is bounded by the channel
(`require_may_act_for`, the one rule every command, button and dialog asks):

- everyone may change their own data;
- a lead acts for another person only where that person is a member of the lead's channel,
  and for the person's days (office, home, field, away) only if they are also in the
  channel's rotation;
- whatever a lead changes for someone else is told to that person by DM (by the caller) and
  written to the audit log (`audit`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from base.chat import MattermostError, User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands.base import Context
from storage.models import AuditEntry, ChannelLead, RotationMember
from storage.outbox import enqueue_dm

log = logging.getLogger("amtsbote.leads")

ROLE_LOOKUPS_AT_ONCE = 8  # members whose roles are asked of Mattermost concurrently

NOT_A_LEAD = Text(
    de="Das dürfen nur Leitungen dieses Kanals (Kanal-, Team- oder Systemadmins oder per "
       "„/homeoffice leitung hinzufügen“ benannte Personen). Es wurde nichts geändert.",
    en="Only leads of this channel may do that (channel, team or system admins, or people named with "
       "“/homeoffice lead add”). Nothing was changed.",
)
NOT_A_MEMBER = Text(
    de="{name} ist nicht Mitglied dieses Kanals. Als Leitung kannst du nur für Mitglieder deines Kanals "
       "etwas eintragen. Es wurde nichts geändert.",
    en="{name} is not a member of this channel. As a lead you can only act for members of your channel. "
       "Nothing was changed.",
)
NOT_IN_ROTATION = Text(
    de="{name} gehört nicht zur Rotation dieses Kanals. Als Leitung kannst du Tage nur für Personen in der "
       "Rotation deines Kanals eintragen. Es wurde nichts geändert.",
    en="{name} is not in this channel's rotation. As a lead you can only enter days for people in your "
       "channel's rotation. Nothing was changed.",
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


class Reach(StrEnum):
    """How far a lead's hand reaches for someone else's data."""

    CHANNEL = "channel"  # phone numbers and call forwards: members of the lead's channel
    ROTATION = "rotation"  # days (office, home, field, away): members of the channel and of its rotation


async def require_may_act_for(ctx: Context, subject: User, reach: Reach, *, not_a_lead: Text = ONLY_OWN_DATA) -> None:
    """The one authorization rule for acting on another person's data (see the module's doc).

    Raises a LocalizedError naming the reason; returns if the caller may act for `subject` here."""
    if subject.id == ctx.user.id:
        return
    if not await is_lead(ctx):
        raise LocalizedError(not_a_lead)
    name = plain(subject.display_name, max_length=60)
    if not await ctx.mm.is_channel_member(ctx.channel_id, subject.id):
        raise LocalizedError(NOT_A_MEMBER, name=name)
    if reach is Reach.ROTATION:
        with ctx.db.read() as session:
            member = session.get(RotationMember, (ctx.channel_id, subject.id))
        if member is None:
            raise LocalizedError(NOT_IN_ROTATION, name=name)


def audit(session: Session, *, actor_id: str, subject_id: str, channel_id: str | None, action: str,
          now: datetime, detail: Mapping[str, Any] | None = None) -> AuditEntry | None:
    """Record a lead's change to someone else's data. `detail` never holds a private note.

    The detail is stored without words (days as ISO dates, a group's name, a forward's target),
    so that `/homeoffice meine-daten` shows it in the reader's language (`privacy.detail_text`)."""
    if actor_id != subject_id:
        text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if detail else ""
        entry = AuditEntry(at=now, actor_id=actor_id, subject_id=subject_id, channel_id=channel_id,
                           action=action[:40], detail=text if len(text) <= 200 else "")
        session.add(entry)
        return entry
    return None


def tell_subject(session: Session, entry: AuditEntry | None, message: str, *, now: datetime) -> None:
    """DM the person a lead's change was for (SPEC §2.1), keyed by the audit entry it is about,
    so the DM is owed exactly once with the change. Nothing when the person changed their own data."""
    if entry is None:
        return
    session.flush()  # the entry's id is the key
    enqueue_dm(session, key=f"audit:{entry.id}:dm", user_id=entry.subject_id, message=message, now=now)


def days_detail(days: Sequence[date]) -> dict[str, Any]:
    """The audit detail of a change on these days (few days each, many as first, last and count)."""
    if len(days) <= 3:
        return {"days": [d.isoformat() for d in days]}
    return {"from": days[0].isoformat(), "to": days[-1].isoformat(), "n": len(days)}
