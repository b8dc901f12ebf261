"""Reading duties and computing their rota from the plan (one truth per person and day).

`duty_plans` gives, for one channel and a span of days, each duty with its cycle and its duty
days (`domain.duty.DutyDay`). A person's place on a day is the one every view shows: their home
rotation decides, absences and one-off changes are the person's; someone in no rotation counts
as in the office unless away or changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain import calendar as cal
from domain.duty import Carry, DutyDay, DutyRule, Handover, carry_forward, rota
from domain.rotation import Where
from storage import presence
from storage.db import insert_for, rowcount, table_of
from storage.duty_models import Duty, DutyHandover, DutyLedger, DutyParticipant, DutyRequest
from storage.models import RotationMember

ALL_WEEKDAYS = "0,1,2,3,4"


def carry_of(duty: Duty) -> Carry | None:
    """The duty's carry (domain.duty.Carry), None if it has none (or it is not readable)."""
    if duty.carry_day is None or not duty.carry:
        return None
    return _parse_carry(duty.carry_day, duty.carry)


@lru_cache(maxsize=8192)
def _parse_carry(day: date, text: str) -> Carry | None:
    try:
        rows = json.loads(text)
        return Carry(day, tuple(str(r[0]) for r in rows), tuple(int(r[1]) for r in rows),
                     tuple(int(r[2]) for r in rows))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def carry_json(carry: Carry) -> str:
    return json.dumps([[p, t, a] for p, t, a in zip(carry.people, carry.turns, carry.since_away, strict=True)],
                      separators=(",", ":"))


def drop_from_carries(session: Session, user_id: str) -> None:
    """Take a person out of every duty's carry (`vergessen`); the others keep their order."""
    for duty in session.exec(select(Duty).where(col(Duty.carry).contains(json.dumps(user_id)))).all():
        carry = carry_of(duty)
        if carry is None:
            duty.carry_day, duty.carry = None, None
            continue
        keep = [i for i, p in enumerate(carry.people) if p != user_id]
        duty.carry = carry_json(Carry(carry.day, tuple(carry.people[i] for i in keep),
                                      tuple(carry.turns[i] for i in keep), tuple(carry.since_away[i] for i in keep)))
        session.add(duty)


def origin(duty: Duty, start: date) -> date:
    """The first day whose places the rota of `start` and later asks for: the carry's day, else the
    duty's start (domain.duty: the rota goes on from there)."""
    carry = carry_of(duty)
    return min(carry.day if carry is not None and carry.day >= duty.start else duty.start, start)


def first_day(duties: Sequence[Duty], start: date) -> date:
    """The first day whose places the rota of `start` and later may ask for."""
    return min(origin(d, start) for d in duties)


def weekdays_of(duty: Duty) -> frozenset[int]:
    return frozenset(int(d) for d in (duty.weekdays or ALL_WEEKDAYS).split(",") if d.strip())


def rule_of(duty: Duty) -> DutyRule:
    return DutyRule(on_site=duty.on_site, min_holders=duty.min_holders, weekdays=weekdays_of(duty), start=duty.start)


@dataclass
class DutyPlan:
    """A duty, its cycle, and its duty days in the span asked for (covered or not)."""

    duty: Duty
    participants: tuple[str, ...]
    days: dict[date, DutyDay]
    open_drops: dict[date, list[DutyRequest]] = field(default_factory=dict)  # open `abgeben` requests by day


def duties_of(session: Session, channel_ids: Collection[str]) -> dict[str, list[Duty]]:
    """channel id -> its duties, by name."""
    ids = sorted(set(channel_ids))
    found: dict[str, list[Duty]] = {}
    for at in range(0, len(ids), 500):
        for duty in session.exec(select(Duty).where(col(Duty.channel_id).in_(ids[at:at + 500]))
                                 .order_by(col(Duty.channel_id), col(Duty.name_key))).all():
            found.setdefault(duty.channel_id, []).append(duty)
    return found


def duty_by_name(session: Session, channel_id: str, name: str) -> Duty | None:
    return session.exec(select(Duty).where(Duty.channel_id == channel_id,
                                           Duty.name_key == name.casefold())).first()


def rotation_order(session: Session, channel_ids: Collection[str]) -> dict[str, list[str]]:
    """channel id -> its rotation's members in the order they joined."""
    ids = sorted(set(channel_ids))
    found: dict[str, list[tuple[datetime | None, str]]] = {}
    for at in range(0, len(ids), 500):
        for m in session.exec(select(RotationMember).where(col(RotationMember.channel_id).in_(ids[at:at + 500]))).all():
            found.setdefault(m.channel_id, []).append((m.joined_at, m.user_id))
    far = datetime.min.replace(tzinfo=None)
    return {cid: [uid for _, uid in sorted(rows, key=lambda r: ((r[0].replace(tzinfo=None) if r[0] else far), r[1]))]
            for cid, rows in found.items()}


def entries_of(session: Session, duty_ids: Collection[int]) -> dict[int, list[DutyParticipant]]:
    ids = sorted(set(duty_ids))
    found: dict[int, list[DutyParticipant]] = {}
    for at in range(0, len(ids), 500):
        for p in session.exec(select(DutyParticipant).where(col(DutyParticipant.duty_id).in_(ids[at:at + 500]))
                              .order_by(col(DutyParticipant.position), col(DutyParticipant.user_id))).all():
            found.setdefault(p.duty_id, []).append(p)
    return found


def cycle(members_in_order: Sequence[str], entries: Iterable[DutyParticipant]) -> tuple[str, ...]:
    """The duty's cycle: the rotation's members in the order they joined, then the people added
    with `mitglieder` in the order they were added, without those left out with `ohne`."""
    entries = list(entries)
    excluded = {e.user_id for e in entries if e.excluded}
    added = [e.user_id for e in sorted(entries, key=lambda e: (e.position, e.user_id)) if not e.excluded]
    return tuple(p for p in dict.fromkeys([*members_in_order, *added]) if p not in excluded)


def handovers_of(session: Session, duty_ids: Collection[int], start: date, end: date) -> dict[int, list[DutyHandover]]:
    ids = sorted(set(duty_ids))
    found: dict[int, list[DutyHandover]] = {}
    for at in range(0, len(ids), 500):
        for h in session.exec(select(DutyHandover).where(col(DutyHandover.duty_id).in_(ids[at:at + 500]),
                                                         DutyHandover.day >= start, DutyHandover.day <= end)
                              .order_by(col(DutyHandover.id))).all():
            found.setdefault(h.duty_id, []).append(h)
    return found


def open_drops_of(session: Session, duty_ids: Collection[int], start: date, end: date) -> dict[int, list[DutyRequest]]:
    ids = sorted(set(duty_ids))
    found: dict[int, list[DutyRequest]] = {}
    for at in range(0, len(ids), 500):
        for r in session.exec(select(DutyRequest).where(col(DutyRequest.duty_id).in_(ids[at:at + 500]),
                                                        col(DutyRequest.kind).in_(("drop", "cover")),
                                                        col(DutyRequest.claimed_by).is_(None),
                                                        DutyRequest.state == "open",
                                                        DutyRequest.day >= start, DutyRequest.day <= end)).all():
            found.setdefault(r.duty_id, []).append(r)
    return found


Place = Callable[[str, date], Where]


def places(session: Session, channel_id: str, people: Collection[str], start: date, end: date) -> Place:
    """Where each of `people` works on each day from `start` to `end`, as every view shows it."""
    known: dict[tuple[str, date], Where] = {}
    result = presence.channel_plan(session, channel_id, start, end)
    members: Collection[str] = ()
    if result is not None:
        members = result.members
        for day in result.days:
            for person, where in day.entries.items():
                known[(person, day.day)] = where
    for person in people:
        if person in members:
            continue
        _, days = presence.person_days(session, person, start, end)
        known.update({(person, d): w for d, w in days.items()})

    def place(person: str, day: date) -> Where:
        return known.get((person, day), Where.OFFICE)

    return place


def compute(duties: Sequence[Duty], order: Sequence[str], entries: Mapping[int, list[DutyParticipant]],
            handovers: Mapping[int, list[DutyHandover]], drops: Mapping[int, list[DutyRequest]], place: Place,
            region: str, start: date, end: date) -> list[DutyPlan]:
    """Each duty's rota over the days from `start` to `end` (pure, given what was read)."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)] if end >= start else []
    out = []
    for duty in duties:
        assert duty.id is not None
        people = cycle(order, entries.get(duty.id, ()))
        moves = [Handover(h.day, h.giver, h.taker) for h in handovers.get(duty.id, ())]
        computed = rota(rule_of(duty), people, days, is_working_day=lambda d: cal.is_working_day(d, region),
                        place=place, handovers=moves, carry=carry_of(duty)) if people and days else []
        open_drops: dict[date, list[DutyRequest]] = {}
        for r in drops.get(duty.id, ()):
            open_drops.setdefault(r.day, []).append(r)
        by_day = {d.day: d for d in computed}
        if not people:  # nobody takes part: every duty day is uncovered
            rule = rule_of(duty)
            by_day = {d: DutyDay(d, (), None, duty.min_holders) for d in days
                      if d >= rule.start and d.weekday() in rule.weekdays and cal.is_working_day(d, region)}
        out.append(DutyPlan(duty, people, by_day, open_drops))
    return out


def duty_plans(session: Session, channel_id: str, start: date, end: date, *, region: str,
               duties: Sequence[Duty] | None = None) -> list[DutyPlan]:
    """The channel's duties (or the ones given) with their duty days from `start` to `end`."""
    duties = list(duties) if duties is not None else duties_of(session, [channel_id]).get(channel_id, [])
    if not duties or end < start:
        return []
    ids = [d.id for d in duties if d.id is not None]
    order = rotation_order(session, [channel_id]).get(channel_id, [])
    entries = entries_of(session, ids)
    everyone = {p for duty in duties for p in cycle(order, entries.get(duty.id or 0, ()))}
    first = first_day(duties, start)
    place = places(session, channel_id, everyone, first, end)
    plans = compute(duties, order, entries, handovers_of(session, ids, first, end),
                    open_drops_of(session, ids, start, end), place, region, first, end)
    for plan in plans:  # only the days asked for
        plan.days = {d: v for d, v in plan.days.items() if start <= d <= end}
    return plans


def holders_on(plans: Sequence[DutyPlan], day: date) -> dict[int, DutyDay]:
    return {p.duty.id or 0: p.days[day] for p in plans if day in p.days}


def participant_channels(session: Session, user_id: str) -> list[str]:
    """Channels with duties whose cycle may hold the person (rotation member or added)."""
    channels = set(session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)).all())
    added = session.exec(select(Duty.channel_id).join(DutyParticipant, col(DutyParticipant.duty_id) == Duty.id)
                         .where(DutyParticipant.user_id == user_id, col(DutyParticipant.excluded).is_(False))).all()
    channels.update(added)
    with_duties = set(session.exec(select(Duty.channel_id).where(col(Duty.channel_id).in_(sorted(channels)))).all()) \
        if channels else set()
    return sorted(with_duties)


# -- the ledger of once-only notices -----------------------------------------------------------------


def claim_notice(session: Session, key: str, day: date, now: datetime, value: str = "") -> bool:
    """Insert the ledger row `key`; True if this process inserted it (and so sends the notice)."""
    table = table_of(DutyLedger)
    stmt = insert_for(session, table).values([{"key": key, "day": day, "value": value, "created_at": now}])
    won = session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)).scalars().all()
    return bool(won)


def move_snapshot(session: Session, key: str, old: str, new: str) -> bool:
    """Move a `holders:` row from `old` to `new`; True if this process did it (conditional UPDATE)."""
    result = session.execute(sa.update(DutyLedger).where(col(DutyLedger.key) == key, col(DutyLedger.value) == old)
                             .values(value=new))
    return rowcount(result) == 1


def set_snapshot(session: Session, key: str, day: date, value: str, now: datetime) -> None:
    """Record who holds a duty day now (after a hand-over the people in it were told already)."""
    if not claim_notice(session, key, day, now, value):
        session.execute(sa.update(DutyLedger).where(col(DutyLedger.key) == key).values(value=value))


def claim_request(session: Session, request_id: int, user_id: str, now: datetime) -> bool:
    """Claim an open request for `user_id`; of simultaneous callers exactly one gets True."""
    result = session.execute(
        sa.update(DutyRequest)
        .where(col(DutyRequest.id) == request_id, col(DutyRequest.claimed_by).is_(None), col(DutyRequest.state) == "open")
        .values(claimed_by=user_id, claimed_at=now, state="done"))
    return rowcount(result) == 1


def decline_request(session: Session, request_id: int, now: datetime) -> bool:
    result = session.execute(
        sa.update(DutyRequest)
        .where(col(DutyRequest.id) == request_id, col(DutyRequest.claimed_by).is_(None), col(DutyRequest.state) == "open")
        .values(state="declined", claimed_at=now))
    return rowcount(result) == 1


def _bulk_places(session: Session, channels: Mapping[str, tuple[Any, str]], by_channel: Mapping[str, list[Duty]],
                 orders: Mapping[str, list[str]], entries: Mapping[int, list[DutyParticipant]], begin: date,
                 day: date) -> dict[str, tuple[date, Place]]:
    """channel id -> (the first day its duties ask for, where each participant is from then to
    `day`), with a few bulk reads for all channels."""
    first = first_day([d for duties in by_channel.values() for d in duties], begin)
    groups = {(m.channel_id, m.user_id): m.group for m in session.exec(
        select(RotationMember).where(col(RotationMember.channel_id).in_(sorted(by_channel)))).all()}
    members = {cid: {p: groups.get((cid, p), "") for p in orders.get(cid, [])} for cid in by_channel}
    everyone = {p for people in members.values() for p in people}
    changes = presence.changes_for(session, everyone, first, day)
    absences = presence.absences_for(session, everyone, first, day)
    homes = presence.places_from_home(session, members, first, day)
    out: dict[str, tuple[date, Place]] = {}
    for cid, duties in by_channel.items():
        row, _ = channels[cid]
        people = members.get(cid, {})
        start = first_day(duties, begin)
        known: dict[tuple[str, date], Where] = {}
        if row is not None and people:
            own_changes = {k: v for k, v in changes.items() if k[0] in people and k[1] >= start}
            own_absences = {k for k in absences if k[0] in people and k[1] >= start}
            elsewhere, foreign = homes.get(cid, ({}, frozenset()))
            for plan_day in presence.roster_days(row, None, start, day, people, own_changes, own_absences,
                                                 elsewhere=elsewhere, foreign=foreign):
                known.update({(p, plan_day.day): w for p, w in plan_day.entries.items()})
        extras = {p for d in duties for p in cycle(orders.get(cid, []), entries.get(d.id or 0, ())) if p not in people}
        for person in extras:
            known.update({(person, d): w for d, w in presence.person_days(session, person, start, day)[1].items()})

        def place(person: str, when: date, known: dict[tuple[str, date], Where] = known) -> Where:
            return known.get((person, when), Where.OFFICE)

        out[cid] = (start, place)
    return out


def duty_plans_many(session: Session, channels: Mapping[str, tuple[Any, str]], day: date,
                    end: date | None = None) -> dict[str, list[DutyPlan]]:
    """`duty_plans` from `day` to `end` (default: that day) for many channels (channel id -> (its
    rotation row or None, its region)), with a few bulk reads: the morning fan-out's and the duty
    job's path."""
    begin, day = day, end or day
    by_channel = duties_of(session, list(channels))
    if not by_channel:
        return {}
    ids = [d.id for duties in by_channel.values() for d in duties if d.id is not None]
    first = first_day([d for duties in by_channel.values() for d in duties], begin)
    orders = rotation_order(session, list(by_channel))
    entries = entries_of(session, ids)
    handovers = handovers_of(session, ids, first, day)
    drops = open_drops_of(session, ids, begin, day)
    out: dict[str, list[DutyPlan]] = {}
    for cid, (start, place) in _bulk_places(session, channels, by_channel, orders, entries, begin, day).items():
        plans = compute(by_channel[cid], orders.get(cid, []), entries, handovers, drops, place, channels[cid][1],
                        start, day)
        for plan in plans:
            plan.days = {d: v for d, v in plan.days.items() if begin <= d <= day}
        out[cid] = plans
    return out


def carry_forward_all(session: Session, channels: Mapping[str, tuple[Any, str]], day: date) -> int:
    """Write down where each duty's line stands at the start of `day` (domain.duty.carry_forward),
    for every duty of `channels` whose carry is older; returns how many were written.

    The same plan gives the same carry, so replicas doing this at once write the same; the UPDATE
    is conditional on the carry it started from, so an older one never overwrites a newer one."""
    by_channel = {cid: [d for d in duties if (d.carry_day or d.start) < day and d.start < day]
                  for cid, duties in duties_of(session, list(channels)).items()}
    by_channel = {cid: duties for cid, duties in by_channel.items() if duties}
    if not by_channel:
        return 0
    ids = [d.id for duties in by_channel.values() for d in duties if d.id is not None]
    orders = rotation_order(session, list(by_channel))
    entries = entries_of(session, ids)
    last = day - timedelta(days=1)
    written = 0
    for cid, (_, place) in _bulk_places(session, channels, by_channel, orders, entries, last, last).items():
        region = channels[cid][1]

        def working(d: date, region: str = region) -> bool:
            return cal.is_working_day(d, region)

        for duty in by_channel[cid]:
            people = cycle(orders.get(cid, []), entries.get(duty.id or 0, ()))
            old = carry_of(duty)
            new = carry_forward(rule_of(duty), people, day, is_working_day=working, place=place, carry=old)
            if new is None or new == old:
                continue
            same = col(Duty.carry_day).is_(None) if duty.carry_day is None else col(Duty.carry_day) == duty.carry_day
            result = session.execute(sa.update(Duty).where(col(Duty.id) == duty.id, col(Duty.start) == duty.start, same)
                                     .values(carry_day=new.day, carry=carry_json(new)))
            written += rowcount(result)
    return written


def close_request(session: Session, request_id: int, now: datetime) -> bool:
    """Close an open request nobody needs any more; True if this process closed it."""
    result = session.execute(
        sa.update(DutyRequest)
        .where(col(DutyRequest.id) == request_id, col(DutyRequest.claimed_by).is_(None), col(DutyRequest.state) == "open")
        .values(state="gone", claimed_at=now))
    return rowcount(result) == 1
