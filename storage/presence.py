"""Queries that turn stored rows into the inputs of the pure plan computation."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from sqlmodel import Session, col, select

from domain.rotation import DayPlan, Where, plan
from domain.rotation import Rotation as RotationPlan
from storage.models import Absence, PresenceChange, Rotation, RotationMember


def to_domain(row: Rotation, *, region: str | None = None) -> RotationPlan:
    """The stored rotation as the pure plan computation takes it; `region` replaces its holiday region."""
    return RotationPlan.create(groups=tuple(row.groups.split(",")), pattern=row.pattern, start=row.start,
                               custom=row.custom, min_office=row.min_office, region=region or row.region)


def roster_days(row: Rotation, region: str | None, start: date, end: date, members: Mapping[str, str],
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
    rows = session.exec(select(Absence.user_id, Absence.day).where(col(Absence.user_id).in_(ids),
                                                                   Absence.day >= start, Absence.day <= end)).all()
    return {(u, d) for u, d in rows}


def channel_plan(session: Session, channel_id: str, start: date, end: date, *, locale: str = "de",  # noqa: ANN201
                 region: str | None = None):
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
