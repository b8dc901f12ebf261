"""Queries that turn stored rows into the inputs of the pure plan computation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from domain.rotation import Rotation as RotationPlan
from domain.rotation import Where
from storage.models import Absence, PresenceChange, Rotation, RotationMember


def to_domain(row: Rotation) -> RotationPlan:
    return RotationPlan.create(groups=tuple(row.groups.split(",")), pattern=row.pattern, start=row.start,
                               custom=row.custom, min_office=row.min_office, region=row.region)


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
    rows = session.exec(select(Absence.user_id, Absence.day).where(col(Absence.user_id).in_(ids),
                                                                   Absence.day >= start, Absence.day <= end)).all()
    return {(u, d) for u, d in rows}


def channel_plan(session: Session, channel_id: str, start: date, end: date, *, locale: str = "de"):  # noqa: ANN201
    """(rotation row, members, plan days) for a channel, or None without a rotation."""
    from domain.rotation import plan

    loaded = load_rotation(session, channel_id)
    if loaded is None:
        return None
    row, members = loaded
    days = plan(to_domain(row), start, end, members, changes_for(session, members, start, end),
                absences_for(session, members, start, end), locale=locale)
    return row, members, days


def rotations_of(session: Session, user_id: str) -> list[Rotation]:
    channel_ids = session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)).all()
    if not channel_ids:
        return []
    return list(session.exec(select(Rotation).where(col(Rotation.channel_id).in_(channel_ids))).all())
