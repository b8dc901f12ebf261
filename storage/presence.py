"""Queries that turn stored rows into the inputs of the pure plan computation.

One truth per person and day (SPEC §2.1): whichever channel asks, a person's place on a day comes
from their home rotation (`domain.rotation.home_channel`), their own one-off changes and their
absences. `channel_plan` and `roster_days` give every channel that one answer; `homes` and
`places_from_home` are how they find it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.rotation import DayPlan, Membership, Where, home_channel, plan
from domain.rotation import Rotation as RotationPlan
from domain.rotation import where as place_on
from storage.db import insert_for, table_of
from storage.models import Absence, PresenceChange, Rotation, RotationMember


@lru_cache(maxsize=4096)
def _domain(groups: str, pattern: str, start: date, custom: str | None, min_office: int | None,
            region: str) -> RotationPlan:
    return RotationPlan.create(groups=tuple(groups.split(",")), pattern=pattern, start=start, custom=custom,
                               min_office=min_office, region=region)


def to_domain(row: Rotation | Any, *, region: str | None = None) -> RotationPlan:
    """The stored rotation (a model or a row with its columns) as the pure plan computation takes
    it; `region` replaces its holiday region. The plan object is immutable and shared."""
    return _domain(row.groups, row.pattern, row.start, row.custom, row.min_office, region or row.region)


Elsewhere = Mapping[tuple[str, date], Where | None]


class ChannelPlan(NamedTuple):
    """A channel's plan: its rotation row, its members (person -> group), the days, and the members
    whose days another channel's rotation sets (`foreign`, marked in views)."""

    row: Rotation
    members: dict[str, str]
    days: list[DayPlan]
    foreign: frozenset[str] = frozenset()


def roster_days(row: Rotation | Any, region: str | None, start: date, end: date, members: Mapping[str, str],
                changes: Mapping[tuple[str, date], Where], absences: Collection[tuple[str, date]], *,
                locale: str = "de", elsewhere: Elsewhere | None = None,
                foreign: Collection[str] = ()) -> list[DayPlan]:
    """The plan as the channel's roster shows it, with the holidays of the channel's roster region
    (`/anwesenheit region`; None or the rotation's own region: the plan itself).

    Who is due in the office follows the rotation, as `/homeoffice plan` shows it. Only on a day that
    just one of the two regions has as a holiday does the roster region decide: a holiday of the
    roster region is a holiday in the roster; a day that only the rotation's region has as a
    holiday is an ordinary day in the roster, computed with the roster region's calendar.
    """
    days = plan(to_domain(row), start, end, members, changes, absences, locale=locale, elsewhere=elsewhere,
                foreign=foreign)
    if not region or region == row.region:
        return days
    other = plan(to_domain(row, region=region), start, end, members, changes, absences, locale=locale,
                 elsewhere=elsewhere, foreign=foreign)
    return [theirs if (theirs.holiday or own.holiday) else own for own, theirs in zip(days, other, strict=True)]


def load_rotation(session: Session, channel_id: str) -> tuple[Rotation, dict[str, str]] | None:
    row = session.get(Rotation, channel_id)
    if row is None:
        return None
    members = session.exec(select(RotationMember).where(RotationMember.channel_id == channel_id)).all()
    return row, {m.user_id: m.group for m in members}


def changes_for(session: Session, user_ids: Iterable[str], start: date, end: date) -> dict[tuple[str, date], Where]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = session.exec(select(PresenceChange).where(col(PresenceChange.user_id).in_(ids),
                                                     PresenceChange.day >= start, PresenceChange.day <= end)).all()
    return {(r.user_id, r.day): Where(r.where) for r in rows}


def absences_for(session: Session, user_ids: Iterable[str], start: date, end: date) -> set[tuple[str, date]]:
    ids = list(user_ids)
    if not ids:
        return set()
    rows = session.exec(select(col(Absence.user_id), col(Absence.day)).where(col(Absence.user_id).in_(ids),
                                                                   Absence.day >= start, Absence.day <= end)).all()
    return {(u, d) for u, d in rows}


def channel_plan(session: Session, channel_id: str, start: date, end: date, *, locale: str = "de",
                 region: str | None = None) -> ChannelPlan | None:
    """A channel's plan, or None without a rotation. With `region` (the channel's roster region),
    the days are those of its roster (see `roster_days`). Members whose home rotation is another
    channel's are placed as that rotation says (one truth per person and day)."""
    loaded = load_rotation(session, channel_id)
    if loaded is None:
        return None
    row, members = loaded
    elsewhere, foreign = places_from_home(session, {channel_id: members}, start, end)[channel_id]
    days = roster_days(row, region, start, end, members, changes_for(session, members, start, end),
                       absences_for(session, members, start, end), locale=locale, elsewhere=elsewhere,
                       foreign=foreign)
    return ChannelPlan(row, members, days, foreign)


def memberships(session: Session, user_ids: Iterable[str]) -> dict[str, list[tuple[Membership, str]]]:
    """person -> every rotation they are in, as (membership, their group there)."""
    ids = sorted(set(user_ids))
    found: dict[str, list[tuple[Membership, str]]] = {}
    for start in range(0, len(ids), 500):
        # plain rows, not model instances: building those cost more than the query itself
        for user_id, channel_id, joined_at, home, group in session.execute(_MEMBERSHIPS,
                                                                             {"ids": ids[start:start + 500]}):
            found.setdefault(user_id, []).append((Membership(channel_id, joined_at, bool(home)), group))
    return found


def homes(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """person -> the channel whose rotation sets their days (people in no rotation are left out)."""
    return {person: home for person, ms in memberships(session, user_ids).items()
            if (home := home_channel(m for m, _ in ms)) is not None}


def places_from_home(session: Session, channels: Mapping[str, Mapping[str, str]], start: date,
                     end: date) -> dict[str, tuple[dict[tuple[str, date], Where | None], frozenset[str]]]:
    """For each channel (channel id -> its members): the members whose home rotation is another
    channel's (`foreign`), and where that rotation places them on each working day from `start`
    to `end` (`elsewhere`; None: not scheduled there, e.g. a holiday of its region)."""
    people = {p for members in channels.values() for p in members}
    found = memberships(session, people)
    home_of: dict[str, tuple[str, str]] = {}  # person -> (home channel, their group there)
    for person, ms in found.items():
        home = home_channel(m for m, _ in ms)
        if home is not None:
            home_of[person] = (home, next(g for m, g in ms if m.channel_id == home))
    wanted = {home_of[p][0] for cid, members in channels.items() for p in members
              if p in home_of and home_of[p][0] != cid}
    rotations = {r.channel_id: to_domain(r) for r in session.exec(
        select(Rotation).where(col(Rotation.channel_id).in_(sorted(wanted))))} if wanted else {}
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)] if end >= start else []
    days = [d for d in days if d.weekday() < 5]
    cache: dict[tuple[str, str], list[Where | None]] = {}
    out: dict[str, tuple[dict[tuple[str, date], Where | None], frozenset[str]]] = {}
    for cid, members in channels.items():
        elsewhere: dict[tuple[str, date], Where | None] = {}
        foreign: set[str] = set()
        for person in members:
            found_home = home_of.get(person)
            if found_home is None or found_home[0] == cid or found_home[0] not in rotations:
                continue
            foreign.add(person)
            places = cache.get(found_home)
            if places is None:
                places = cache[found_home] = [place_on(rotations[found_home[0]], d, found_home[1]) for d in days]
            elsewhere.update({(person, d): w for d, w in zip(days, places, strict=True)})
        out[cid] = (elsewhere, frozenset(foreign))
    return out


def rotations_of(session: Session, user_id: str) -> list[Rotation]:
    channel_ids = session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)).all()
    if not channel_ids:
        return []
    return list(session.exec(select(Rotation).where(col(Rotation.channel_id).in_(channel_ids))
                             .order_by(col(Rotation.channel_id))).all())


# The write path of one-off changes runs these on every command: built once, so a call pays only
# for its execution (SQLAlchemy caches the compiled form of a statement object).
_rotation, _member = table_of(Rotation), table_of(RotationMember)
_change, _absence = table_of(PresenceChange), table_of(Absence)
_mine = _member.alias("mine")
_ROTATIONS_WITH_MEMBERS = (
    sa.select(_rotation, _member.c.user_id.label("member_id"), _member.c.group.label("member_group"))
    .join(_mine, _mine.c.channel_id == _rotation.c.channel_id)
    .join(_member, _member.c.channel_id == _rotation.c.channel_id)
    .where(_mine.c.user_id == sa.bindparam("user_id"))
    .order_by(_rotation.c.channel_id))
_OVERRIDES = sa.union_all(
    sa.select(_change.c.user_id, _change.c.day, _change.c["where"])
    .where(_change.c.user_id.in_(sa.bindparam("ids", expanding=True)),
           _change.c.day >= sa.bindparam("start"), _change.c.day <= sa.bindparam("end")),
    sa.select(_absence.c.user_id, _absence.c.day, sa.literal(None, sa.String).label("where"))
    .where(_absence.c.user_id.in_(sa.bindparam("ids", expanding=True)),
           _absence.c.day >= sa.bindparam("start"), _absence.c.day <= sa.bindparam("end")))
_MEMBERSHIPS = sa.select(_member.c.user_id, _member.c.channel_id, _member.c.joined_at, _member.c.home,
                         _member.c.group).where(_member.c.user_id.in_(sa.bindparam("ids", expanding=True)))
_DELETE_DAYS = {table.name: sa.delete(table).where(table.c.user_id == sa.bindparam("user_id"),
                                                   table.c.day.in_(sa.bindparam("days", expanding=True)))
                for table in (_change, _absence)}
_DELETE_RANGE = {table.name: sa.delete(table).where(table.c.user_id == sa.bindparam("user_id"),
                                                    table.c.day >= sa.bindparam("start"),
                                                    table.c.day <= sa.bindparam("end"))
                 for table in (_change, _absence)}
_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(session: Session, table: sa.Table, update: tuple[str, ...]) -> Any:
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get((dialect, table.name))
    if stmt is None:
        insert = insert_for(session, table)
        stmt = _UPSERTS[(dialect, table.name)] = insert.on_conflict_do_update(
            index_elements=["user_id", "day"], set_={c: insert.excluded[c] for c in update})
    return stmt


def rotations_with_members(session: Session, user_id: str) -> list[tuple[Any, dict[str, str]]]:
    """Every rotation the person belongs to, by channel id, with all of its members (person ->
    group), in one query. Each rotation is a row with the columns of `Rotation`."""
    found: dict[str, tuple[Any, dict[str, str]]] = {}
    for row in session.connection().execute(_ROTATIONS_WITH_MEMBERS, {"user_id": user_id}):
        entry = found.get(row.channel_id)
        if entry is None:
            entry = found[row.channel_id] = (row, {})
        entry[1][row.member_id] = row.member_group
    return list(found.values())


def overrides_for(session: Session, user_ids: Collection[str], start: date,
                  end: date) -> tuple[dict[tuple[str, date], Where], set[tuple[str, date]]]:
    """The one-off changes and the absences of these people from `start` to `end`, in one query."""
    if not user_ids:
        return {}, set()
    changes: dict[tuple[str, date], Where] = {}
    absences: set[tuple[str, date]] = set()
    params = {"ids": sorted(user_ids), "start": start, "end": end}
    for user_id, day, where in session.connection().execute(_OVERRIDES, params):
        if where is None:
            absences.add((user_id, day))
        else:
            changes[(user_id, day)] = Where(where)
    return changes, absences


def set_days(session: Session, user_id: str, days: list[date], where: Where | None, *, set_by: str,
             note: str = "") -> None:
    """Record the person's days as `where` (None: away with `note`), replacing what was there."""
    conn = session.connection()
    if where is None:
        conn.execute(_DELETE_DAYS[_change.name], {"user_id": user_id, "days": days})
        conn.execute(_upsert(session, _absence, ("note", "set_by")),
                     [{"user_id": user_id, "day": d, "note": note, "set_by": set_by} for d in days])
    else:
        conn.execute(_DELETE_DAYS[_absence.name], {"user_id": user_id, "days": days})
        conn.execute(_upsert(session, _change, ("where", "set_by")),
                     [{"user_id": user_id, "day": d, "where": where.value, "set_by": set_by} for d in days])


def clear_days(session: Session, user_id: str, start: date, end: date) -> int:
    """Remove the person's changes and absences from `start` to `end`; how many there were."""
    conn = session.connection()
    params = {"user_id": user_id, "start": start, "end": end}
    return sum(conn.execute(_DELETE_RANGE[t.name], params).rowcount or 0 for t in (_change, _absence))


def person_days(session: Session, user_id: str, start: date, end: date) -> tuple[str | None, dict[date, Where]]:
    """Where the person works on each working day from `start` to `end`, as every view shows it:
    (their home rotation's channel id or None, day -> place). Days without a place are left out."""
    home = homes(session, [user_id]).get(user_id)
    if home is not None:
        result = channel_plan(session, home, start, end)
        if result is not None:
            return home, {d.day: d.entries[user_id] for d in result.days if user_id in d.entries}
    changes = changes_for(session, [user_id], start, end)
    absences = absences_for(session, [user_id], start, end)
    days: dict[date, Where] = {}
    day = start
    while day <= end:
        if (user_id, day) in absences:
            days[day] = Where.AWAY
        elif (user_id, day) in changes:
            days[day] = changes[(user_id, day)]
        day += timedelta(days=1)
    return None, days
