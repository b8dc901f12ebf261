"""Who is in which group: `gruppe`, `entfernen` and `aufteilen` (leads only)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from base.chat import User
from base.i18n import LocalizedError
from base.safetext import plain
from commands import channels
from commands.base import ActionRequest, ActionResult, Context, Reply, SlashRequest, user_locale
from commands.homeoffice.common import names, require_rotation, trigger
from commands.homeoffice.requests import AssignRequest, RemoveRequest, parse_assign, parse_remove
from commands.homeoffice.texts import (
    ASSIGNED,
    ASSIGNED_DM,
    HOME_ALREADY,
    HOME_ELSEWHERE,
    HOME_ELSEWHERE_DM,
    HOME_NOT_MEMBER,
    HOME_SET,
    NO_MEMBERS,
    NO_ROTATION,
    NOT_CHANNEL_MEMBERS,
    NOT_IN_ROTATION,
    REMOVED,
    SPLIT_DONE,
    UNKNOWN_GROUP,
)
from commands.leads import audit, require_lead, tell_subject
from storage import presence
from storage.models import AuditEntry, Rotation, RotationMember


async def assign(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    row, _ = require_rotation(ctx, request)
    return await assign_people(request, ctx, row, parse_assign(rest, trigger=trigger(ctx, request)))


async def assign_people(request: SlashRequest, ctx: Context, row: Rotation, wanted: AssignRequest) -> Reply:
    groups = {g.lower(): g for g in row.groups.split(",")}
    group = groups.get(wanted.group.lower())
    if group is None:
        raise LocalizedError(UNKNOWN_GROUP, group=plain(wanted.group, max_length=20), groups=", ".join(groups.values()))
    users = await ctx.users_by_mention(list(wanted.people), request.user_mentions)
    # A rotation takes only members of its channel (SPEC §2): no one is pulled into a team's plan,
    # or a self-made channel's, from outside.
    outside = [u for u in users if not await ctx.mm.is_channel_member(ctx.channel_id, u.id)]
    if outside:
        raise LocalizedError(NOT_CHANNEL_MEMBERS, names=names(outside))
    channel_name = plain((await ctx.channel()).display_name, max_length=60)
    # Whose days another channel's rotation already sets: they stay with that home team (SPEC §2.1),
    # and both the lead and the person are told.
    with ctx.db.read() as session:
        homes = presence.homes(session, [u.id for u in users])
    home_names = {}
    for home in {h for h in homes.values() if h != ctx.channel_id}:
        try:
            home_names[home] = plain((await ctx.mm.channel(home)).display_name, max_length=60)
        except Exception:  # noqa: BLE001 - a name is a courtesy
            home_names[home] = "?"
    elsewhere = [u for u in users if homes.get(u.id, ctx.channel_id) != ctx.channel_id]
    with ctx.db.write() as session:
        for user in users:
            member = session.get(RotationMember, (ctx.channel_id, user.id))
            if member is not None and member.group == group:
                continue  # nothing changes, nothing to tell
            member = member or RotationMember(channel_id=ctx.channel_id, user_id=user.id, group=group,
                                              joined_at=ctx.now)
            member.group = group
            session.add(member)
            entry = audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                          action="assign", detail={"group": group}, now=ctx.now)
            home = homes.get(user.id, ctx.channel_id)
            _tell_joined(ctx, session, entry, user, channel_name, group,
                         home_elsewhere=home_names[home] if home != ctx.channel_id else None)
    ctx.services.notify_outbox()
    reply = ASSIGNED(ctx.locale, group=group, names=names(users))
    if elsewhere:
        reply += "\n" + HOME_ELSEWHERE(ctx.locale, names=names(elsewhere))
    return Reply(reply)


def _tell_joined(ctx: Context, session: Session, entry: AuditEntry | None, user: User, channel_name: str,
                 group: str, *, home_elsewhere: str | None = None) -> None:
    """DM the person a lead put into a group (and, if their home team is elsewhere, that it stays so)."""
    locale = user_locale(user, ctx.settings)
    word = channels.trigger(ctx.settings, "homeoffice")
    note = HOME_ELSEWHERE_DM(locale, home=home_elsewhere, trigger=word) if home_elsewhere is not None else ""
    tell_subject(session, entry, ASSIGNED_DM(locale, lead=plain(ctx.user.display_name, max_length=60),
                                             channel=channel_name, group=group, trigger=word) + note, now=ctx.now)


async def home_team(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    """`stammteam`: this channel's rotation sets my days (SPEC §2.1 "One truth per person and day")."""
    channel_name = plain((await ctx.channel()).display_name, max_length=60)
    with ctx.db.write() as session:
        mine = session.get(RotationMember, (ctx.channel_id, ctx.user.id))
        if mine is None:
            raise LocalizedError(HOME_NOT_MEMBER, trigger=channels.trigger(ctx.settings, "homeoffice", request))
        if presence.homes(session, [ctx.user.id]).get(ctx.user.id) == ctx.channel_id and mine.home:
            return Reply(HOME_ALREADY(ctx.locale, channel=channel_name))
        session.execute(sa.update(RotationMember).where(col(RotationMember.user_id) == ctx.user.id).values(home=False))
        session.execute(sa.update(RotationMember).where(col(RotationMember.user_id) == ctx.user.id,
                                                        col(RotationMember.channel_id) == ctx.channel_id)
                        .values(home=True))
        group = mine.group
    return Reply(HOME_SET(ctx.locale, channel=channel_name, group=plain(group, max_length=10)))


async def remove(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    _, members = require_rotation(ctx, request)
    return await remove_people(request, ctx, members, parse_remove(rest))


async def remove_people(request: SlashRequest, ctx: Context, members: dict[str, str], wanted: RemoveRequest) -> Reply:
    users = await ctx.users_by_mention(list(wanted.people), request.user_mentions)
    outside = [u for u in users if u.id not in members]
    if outside:
        raise LocalizedError(NOT_IN_ROTATION, names=names(outside))
    with ctx.db.write() as session:
        for user in users:
            session.execute(sa.delete(RotationMember).where(col(RotationMember.channel_id) == ctx.channel_id,
                                                            col(RotationMember.user_id) == user.id))
            audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                  action="remove", now=ctx.now)
    return Reply(REMOVED(ctx.locale, names=names(users)))


def split_evenly(groups: list[str], existing: dict[str, str], people: list[str]) -> dict[str, str]:
    """Spread `people` over `groups` so that group sizes differ by at most one, moving as few
    of the already assigned as possible.

    Each group's share is len(people) // len(groups), and the groups that already hold the
    most people get the one extra place each of the remainder. A group keeps up to its share
    of its current people (in the order of `people`); the others, and everyone unassigned or
    in a group that no longer exists, fill the remaining places, smallest group first."""
    people = list(dict.fromkeys(people))
    if not groups:
        return {}
    current: dict[str, list[str]] = {g: [] for g in groups}
    for person in people:
        group = existing.get(person)
        if group in current:
            current[group].append(person)
    base, extra = divmod(len(people), len(groups))
    by_size = sorted(groups, key=lambda g: (-len(current[g]), groups.index(g)))
    share = {g: base + (1 if i < extra else 0) for i, g in enumerate(by_size)}
    result: dict[str, str] = {}
    for group in groups:
        for person in current[group][: share[group]]:
            result[person] = group
    sizes = {g: min(len(current[g]), share[g]) for g in groups}
    for person in people:
        if person in result:
            continue
        group = min((g for g in groups if sizes[g] < share[g]), key=lambda g: (sizes[g], groups.index(g)))
        result[person] = group
        sizes[group] += 1
    return result


async def split(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    row, members = require_rotation(ctx, request)
    return Reply(await split_members(ctx, row, members))


async def split_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """The `aufteilen` button a lead gets after replacing a rotation left people without a group.
    The button sits on an ephemeral reply: the answer is a new ephemeral text, never an update."""
    ctx.channel_id = str(request.data.get("c") or ctx.channel_id)
    await require_lead(ctx)
    with ctx.db.read() as session:
        loaded = presence.load_rotation(session, ctx.channel_id)
    if loaded is None:
        raise LocalizedError(NO_ROTATION, trigger=channels.trigger(ctx.settings, "homeoffice"))
    return ActionResult(ephemeral_text=await split_members(ctx, *loaded))


async def split_members(ctx: Context, row: Rotation, members: dict[str, str]) -> str:
    """Spread the channel's people over the groups (`split_evenly`); each one moved is told."""
    people = [u for u in await ctx.mm.channel_members(ctx.channel_id) if not u.is_bot and not u.deleted]
    if not people:
        raise LocalizedError(NO_MEMBERS)
    groups = row.groups.split(",")
    assignment = split_evenly(groups, members, [u.id for u in people])
    by_id = {u.id: u for u in people}
    channel_name = plain((await ctx.channel()).display_name, max_length=60)
    with ctx.db.write() as session:
        for user_id, group in assignment.items():
            if members.get(user_id) != group:
                member = session.get(RotationMember, (ctx.channel_id, user_id)) or RotationMember(
                    channel_id=ctx.channel_id, user_id=user_id, group=group, joined_at=ctx.now)
                member.group = group
                session.add(member)
                entry = audit(session, actor_id=ctx.user.id, subject_id=user_id, channel_id=ctx.channel_id,
                              action="assign", detail={"group": group, "split": True}, now=ctx.now)
                _tell_joined(ctx, session, entry, by_id[user_id], channel_name, group)
    ctx.services.notify_outbox()
    summary = "; ".join(f"{g}: {names([by_id[p] for p, pg in assignment.items() if pg == g])}" for g in groups)
    return SPLIT_DONE(ctx.locale, summary=summary)
