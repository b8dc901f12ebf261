"""Queries that turn stored rows into the inputs of the pure plan computation."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.rotation import DayPlan, Where, plan
from domain.rotation import Rotation as RotationPlan
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


def roster_days(row: Rotation | Any, region: str | None, start: date, end: date, members: Mapping[str, str],
                changes: Mapping[tuple[str, date], Where], absences: Collection[tuple[str, date]], *,
                locale: str = "de") -> list[DayPlan]:
    """The plan as the channel's roster shows it, with the holidays of the channel's roster region
    (`/anwesenheit region`; None or the rotation's own region: the plan itself).

    Who is due in the office follows the rotation, as `/homeoffice plan` shows it. Only on a day that
    just one of the two regions has as a holiday does the roster region decide: a holiday of the
    roster region is a holiday in the roster; a day that only the rotation's region has as a
    holiday is an ordinary day in the roster, computed with the roster region's calendar.
    """
    days = plan(to_domain(row), start, end, members, changes, absences, locale=locale)
    if not region or region == row.region:
        return days
    other = plan(to_domain(row, region=region), start, end, members, changes, absences, locale=locale)
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
                 region: str | None = None) -> tuple[Rotation, dict[str, str], list[DayPlan]] | None:
    """(rotation row, members, plan days) for a channel, or None without a rotation. With `region`
    (the channel's roster region), the days are those of its roster (see `roster_days`)."""
    loaded = load_rotation(session, channel_id)
    if loaded is None:
        return None
    row, members = loaded
    days = roster_days(row, region, start, end, members, changes_for(session, members, start, end),
                       absences_for(session, members, start, end), locale=locale)
    return row, members, days


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
