"""The duty rota (SPEC §2.5): who has a duty on which working day, and who stands in.

Pure domain logic: no I/O, no clock. Every function takes its dates and asks the caller, through
callables, which days are working days and where a person is on a day.

(First version: the plain base cycle; the catch-up rule follows.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.rotation import Where

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DutyRule:
    """How a duty is staffed. `start` is the day it was defined or last changed by a lead."""

    on_site: bool
    min_holders: int
    weekdays: frozenset[int]
    start: date


@dataclass(frozen=True)
class Handover:
    """An explicit hand-over of one duty day (swap, drop taken by a colleague, take-over).

    `giver` is the holder who gives the day, None when the taker fills a free (uncovered) place.
    """

    day: date
    giver: str | None
    taker: str


@dataclass(frozen=True)
class DutyDay:
    day: date
    holders: tuple[str, ...]
    stand_in: str | None
    missing: int

    @property
    def covered(self) -> bool:
        return self.missing <= 0


def _duty_days_before(rule: DutyRule, day: date, is_working_day: Callable[[date], bool]) -> int:
    """How many duty days lie in [rule.start, day)."""
    count = 0
    d = rule.start
    while d < day:
        if d.weekday() in rule.weekdays and is_working_day(d):
            count += 1
        d += ONE_DAY
    return count


def rota(rule: DutyRule, participants: Sequence[str], days: Sequence[date], *,
         is_working_day: Callable[[date], bool],
         place: Callable[[str, date], Where],
         handovers: Iterable[Handover] = ()) -> list[DutyDay]:
    """One DutyDay per duty day among `days` (working days on one of the rule's weekdays), in order."""
    people = list(dict.fromkeys(participants))
    n = len(people)
    m = max(1, rule.min_holders)
    by_day: dict[date, list[Handover]] = {}
    for h in sorted(set(handovers), key=lambda h: (h.day, h.giver or "", h.taker)):
        by_day.setdefault(h.day, []).append(h)
    out: list[DutyDay] = []
    for day in sorted(set(days)):
        if day < rule.start or day.weekday() not in rule.weekdays or not is_working_day(day):
            continue
        if n == 0:
            out.append(DutyDay(day, (), None, m))
            continue

        def available(p: str, day: date = day) -> bool:
            where = place(p, day)
            return where != Where.AWAY and (not rule.on_site or where == Where.OFFICE)

        k = _duty_days_before(rule, day, is_working_day)
        begin = (k * m) % n
        order = [people[(begin + i) % n] for i in range(n)]
        order = [p for p in order if available(p)]
        fixed: list[str] = []
        excluded: set[str] = set()
        for h in by_day.get(day, []):
            if h.taker in people and available(h.taker) and h.taker not in fixed:
                fixed.append(h.taker)
                if h.giver is not None:
                    excluded.add(h.giver)
        rest = [p for p in order if p not in excluded and p not in fixed]
        holders = (fixed + rest)[:m] if len(fixed) < m else fixed
        left = [p for p in rest if p not in holders]
        out.append(DutyDay(day, tuple(holders), left[0] if left else None, max(0, m - len(holders))))
    return out


def changed_days(before: Sequence[DutyDay], after: Sequence[DutyDay]) -> dict[str, set[date]]:
    """Who gained or lost a duty day between two rotas of the same days: person -> those days."""
    old = {d.day: set(d.holders) for d in before}
    new = {d.day: set(d.holders) for d in after}
    out: dict[str, set[date]] = {}
    for day in old.keys() | new.keys():
        for person in old.get(day, set()) ^ new.get(day, set()):
            out.setdefault(person, set()).add(day)
    return out
