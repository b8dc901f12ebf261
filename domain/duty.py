"""The duty rota (SPEC §2.5): who holds a duty on each working day. Pure, no I/O.

Participants stand in a cycle; each duty day the first `min_holders` available people in the
queue take it and go to its back; someone passed over keeps their place at the front.
Explicit hand-overs replace the giver by the taker on their day only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.rotation import Where


@dataclass(frozen=True, slots=True)
class DutyRule:
    on_site: bool
    min_holders: int
    weekdays: frozenset[int]  # 0 = Monday .. 4 = Friday
    start: date


@dataclass(frozen=True, slots=True)
class Handover:
    day: date
    giver: str | None
    taker: str


@dataclass(frozen=True, slots=True)
class DutyDay:
    day: date
    holders: tuple[str, ...]
    stand_in: str | None
    missing: int

    @property
    def covered(self) -> bool:
        return self.missing == 0


def _available(rule: DutyRule, where: Where) -> bool:
    return where is Where.OFFICE if rule.on_site else where is not Where.AWAY


def rota(rule: DutyRule, participants: Sequence[str], days: Sequence[date], *,
         is_working_day: Callable[[date], bool], place: Callable[[str, date], Where],
         handovers: Iterable[Handover] = ()) -> list[DutyDay]:
    """The duty days among `days` (working days on the rule's weekdays from its start), in order."""
    wanted = sorted(set(days))
    if not wanted:
        return []
    by_day: dict[date, list[Handover]] = {}
    for h in handovers:
        by_day.setdefault(h.day, []).append(h)
    queue = list(dict.fromkeys(participants))
    out: list[DutyDay] = []
    wanted_set = set(wanted)
    day = rule.start
    while day <= wanted[-1]:
        if day.weekday() in rule.weekdays and is_working_day(day):
            free = [p for p in queue if _available(rule, place(p, day))]
            holders = free[:rule.min_holders]
            for p in holders:
                queue.remove(p)
                queue.append(p)
            rest = [p for p in free if p not in holders]
            final = list(holders)
            for h in by_day.get(day, []):
                if h.giver in final:
                    final[final.index(h.giver)] = h.taker
                elif h.taker not in final:
                    final.append(h.taker)
            final = list(dict.fromkeys(final))
            if day in wanted_set:
                stand_in = next((p for p in rest if p not in final), None)
                out.append(DutyDay(day, tuple(final), stand_in, max(0, rule.min_holders - len(final))))
        day += timedelta(days=1)
    return out


def changed_days(before: Sequence[DutyDay], after: Sequence[DutyDay]) -> dict[str, set[date]]:
    """Who gained or lost a duty day between two rotas of the same days."""
    old = {d.day: set(d.holders) for d in before}
    new = {d.day: set(d.holders) for d in after}
    out: dict[str, set[date]] = {}
    for day in old.keys() | new.keys():
        for person in old.get(day, set()) ^ new.get(day, set()):
            out.setdefault(person, set()).add(day)
    return out
