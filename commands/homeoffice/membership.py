"""Who is in which group: `gruppe`, `entfernen` and `aufteilen` (leads only)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from base.i18n import LocalizedError
from base.safetext import plain
from commands import channels
from commands.base import Context, Reply, SlashRequest, user_locale
from commands.homeoffice.common import names, require_rotation, trigger
from commands.homeoffice.requests import AssignRequest, RemoveRequest, parse_assign, parse_remove
from commands.homeoffice.texts import (
    ASSIGNED,
    ASSIGNED_DM,
    NO_MEMBERS,
    NOT_CHANNEL_MEMBERS,
    NOT_IN_ROTATION,
    REMOVED,
    SPLIT_DONE,
    UNKNOWN_GROUP,
)
from commands.leads import audit, require_lead, tell_subject
from storage.models import Rotation, RotationMember


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
    with ctx.db.write() as session:
        for user in users:
            member = session.get(RotationMember, (ctx.channel_id, user.id))
            if member is not None and member.group == group:
                continue  # nothing changes, nothing to tell
            member = member or RotationMember(channel_id=ctx.channel_id, user_id=user.id, group=group)
            member.group = group
            session.add(member)
            entry = audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                          action="assign", detail={"group": group}, now=ctx.now)
            locale = user_locale(user, ctx.settings)
            tell_subject(session, entry, ASSIGNED_DM(locale, lead=plain(ctx.user.display_name, max_length=60),
                                                     channel=channel_name, group=group,
                                                     trigger=channels.trigger(ctx.settings, "homeoffice")),
                         now=ctx.now)
    ctx.services.notify_outbox()
    return Reply(ASSIGNED(ctx.locale, group=group, names=names(users)))


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
                session.merge(RotationMember(channel_id=ctx.channel_id, user_id=user_id, group=group))
                entry = audit(session, actor_id=ctx.user.id, subject_id=user_id, channel_id=ctx.channel_id,
                              action="assign", detail={"group": group, "split": True}, now=ctx.now)
                locale = user_locale(by_id[user_id], ctx.settings)
                tell_subject(session, entry, ASSIGNED_DM(locale, lead=plain(ctx.user.display_name, max_length=60),
                                                         channel=channel_name, group=group,
                                                         trigger=channels.trigger(ctx.settings, "homeoffice")),
                             now=ctx.now)
    ctx.services.notify_outbox()
    summary = "; ".join(f"{g}: {names([by_id[p] for p, pg in assignment.items() if pg == g])}" for g in groups)
    return Reply(SPLIT_DONE(ctx.locale, summary=summary))
