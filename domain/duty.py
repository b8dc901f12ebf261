"""The duty rota (SPEC §2.5): who has a duty on which working day, and who stands in.

Pure domain logic: no I/O, no clock. Every function takes its dates and asks the caller, through
callables, which days are working days and where a person is on a day.

How the rota is made (plain words, for the user guide)
------------------------------------------------------
* **The cycle.** The participants stand in a fixed cycle, in the order they were added. Counted
  from the day the duty was defined (or last changed by a lead), each duty day takes the next
  `min` turns of the cycle: with Anna, Ben and Cem and one person a day it is Anna, Ben, Cem,
  Anna, Ben, Cem, … Only working days on the duty's weekdays count: on weekends and public
  holidays there is no duty and the cycle does not move on.
* **Available.** A person can take a duty day when they are not away that day, and, for an
  on-site duty, when they are in the office that day.
* **Whose turn comes first.** Every participant has a *next turn* in the cycle. Each duty day the
  `min` available participants whose next turn comes first take it. Whoever is due but not
  available keeps their turn: they take the first duty day on which they are available again.
  Whoever steps in early for them uses up their own next turn, so they simply skip it. A short
  absence therefore swaps two duty days between the absent person and the stand-in, and
  everything else stays as it was.
* **Longer absences.** Someone who misses several turns keeps only one: when they are back they
  are first in line once, then the cycle goes on as usual. While they are away the others take
  the days in turn, so the extra work is shared evenly.
* **The stand-in** of a day is the next available participant after the day's holders, in the
  same order.
* **Hand-overs win.** A swap, a dropped day taken by a colleague or a day taken over stands: on
  that day the taker has the duty and the giver does not; the rest of the rota is not shifted
  by it. A hand-over whose taker is not available that day does not count.
* **Too few people.** If fewer participants are available than the duty needs, all available
  ones have it and the day is *uncovered* (`missing` > 0).
* **A bounded memory.** The rota of a day looks back at most `HORIZON_DAYS` (eight weeks): it is
  worked out from the start of the four-week block before the day's own four-week block (blocks
  counted from the week the duty started), beginning with the plain cycle there. So a turn that
  was missed long ago is no longer made up, and deleting old presence data never changes the
  rota. An absence moves duty days only within the next two blocks at most; usually only the
  day itself and the one day it is paid back.

The rota is recomputed from the plan every time (no history is kept): the same plan always gives
the same rota.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from domain.rotation import Where

ONE_DAY = timedelta(days=1)
BLOCK_DAYS = 28  # the rota's memory works in blocks of four calendar weeks
HORIZON_DAYS = 2 * BLOCK_DAYS  # how far before the first day asked for the rota may look back
RETURN_DUTY_DAYS = 10  # duty days after an absence in which a returner keeps at most one turn


@dataclass(frozen=True)
class DutyRule:
    """How a duty is staffed. `start` is the day it was defined or last changed by a lead."""

    on_site: bool  # True: only people in the OFFICE that day may hold it
    min_holders: int  # >= 1
    weekdays: frozenset[int]  # 0=Mon .. 4=Fri, the duty's days
    start: date  # the cycle counts from here


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
    holders: tuple[str, ...]  # who has the duty (at most min_holders, first in line first)
    stand_in: str | None  # the next available participant after them
    missing: int  # min_holders - len(holders); > 0 means uncovered

    @property
    def covered(self) -> bool:
        return self.missing <= 0


# --- counting duty days --------------------------------------------------------------------------

def _weekday_count(weekdays: frozenset[int], a: date, b: date) -> int:
    """How many days in [a, b) fall on one of `weekdays` (arithmetic, no calendar)."""
    if b <= a:
        return 0
    days = (b - a).days
    count = days // 7 * len(weekdays)
    first = a.weekday()
    for i in range(days % 7):
        if (first + i) % 7 in weekdays:
            count += 1
    return count


@lru_cache(maxsize=4096)
def _days_off(is_working_day: Callable[[date], bool], weekdays: frozenset[int], year: int) -> tuple[date, ...]:
    """The days of `year` on one of `weekdays` that are not working days (holidays)."""
    out = []
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() in weekdays and not is_working_day(day):
            out.append(day)
        day += ONE_DAY
    return tuple(out)


def _duty_days_between(rule: DutyRule, a: date, b: date, is_working_day: Callable[[date], bool]) -> int:
    """How many duty days (working days on the rule's weekdays) lie in [a, b).

    Arithmetic for the weekdays; the holidays come from `is_working_day`, asked once per year for
    the same function (pass one function object per calendar to make this cheap).
    """
    if b <= a:
        return 0
    count = _weekday_count(rule.weekdays, a, b)
    for year in range(a.year, b.year + 1):
        try:
            off = _days_off(is_working_day, rule.weekdays, year)
        except TypeError:  # an unhashable callable: ask it directly
            off = _days_off.__wrapped__(is_working_day, rule.weekdays, year)
        count -= sum(1 for d in off if a <= d < b)
    return count


def _anchor(rule: DutyRule, day: date) -> date:
    """Where the computation for `day` starts: the start of the block before the day's block."""
    week0 = rule.start - timedelta(days=rule.start.weekday())
    block = (day - week0).days // BLOCK_DAYS
    return max(rule.start, week0 + timedelta(days=(block - 1) * BLOCK_DAYS))


# --- the rota ------------------------------------------------------------------------------------

def _line(n: int, m: int, t: list[int], k: int, free: list[int], last_away: list[int]) -> list[int]:
    """Advance the state through duty day number `k` (0-based from the start) and return the
    available participants (indexes) in the order of their next turn - the day's line."""
    end = (k + 1) * m  # the day's turns are [k*m, end)
    away = set(range(n)) - set(free)
    for p in away:
        last_away[p] = k
        # keep at most one missed turn: the latest own turn before the day ends
        own = end - 1 - ((end - 1 - p) % n)
        if t[p] < own:
            t[p] = own
    staying = [p for p in free if k - last_away[p] > RETURN_DUTY_DAYS]
    if staying and len(staying) < len(free):
        front = min(t[p] for p in staying)
        floor = front - n  # a returner is at most one turn behind the earliest of the others
        for p in free:
            if k - last_away[p] <= RETURN_DUTY_DAYS and t[p] < floor:
                t[p] = floor + ((p - floor) % n)
    return sorted(free, key=lambda p: t[p])


def rota(rule: DutyRule, participants: Sequence[str], days: Sequence[date], *,
         is_working_day: Callable[[date], bool],
         place: Callable[[str, date], Where],
         handovers: Iterable[Handover] = ()) -> list[DutyDay]:
    """One DutyDay per day in `days` that is a duty day (a working day on one of the rule's
    weekdays, not before its start), in date order. See the module docstring for the rule."""
    people = list(dict.fromkeys(participants))
    n = len(people)
    m = max(1, rule.min_holders)
    wanted = sorted({d for d in days if d >= rule.start and d.weekday() in rule.weekdays and is_working_day(d)})
    if not wanted:
        return []
    by_day: dict[date, list[Handover]] = {}
    for h in sorted(set(handovers), key=lambda h: (h.day, h.giver is None, h.giver or "", h.taker)):
        if h.day in wanted and h.giver != h.taker:
            by_day.setdefault(h.day, []).append(h)

    def available(person: str, day: date) -> bool:
        where = place(person, day)
        return where != Where.AWAY and (not rule.on_site or where == Where.OFFICE)

    lines: dict[date, list[str]] = {}
    groups: dict[date, list[date]] = {}
    for d in wanted:
        groups.setdefault(_anchor(rule, d), []).append(d)
    for anchor, group in sorted(groups.items()):
        if n == 0:
            for d in group:
                lines[d] = []
            continue
        k = _duty_days_between(rule, rule.start, anchor, is_working_day)
        t = [k * m + ((p - k * m) % n) for p in range(n)]  # each one's next own turn
        last_away = [-(10 ** 9)] * n
        keep = set(group)
        day = anchor
        while day <= group[-1]:
            if day.weekday() in rule.weekdays and is_working_day(day):
                free = [p for p in range(n) if available(people[p], day)]
                order = _line(n, m, t, k, free, last_away)
                for p in order[:m]:
                    t[p] += n
                if day in keep:
                    lines[day] = [people[p] for p in order]
                k += 1
            day += ONE_DAY

    out: list[DutyDay] = []
    for d in wanted:
        line = lines[d]
        takers: list[str] = []
        givers: set[str] = set()
        for h in by_day.get(d, []):
            if h.taker in line and h.taker not in takers and len(takers) < m:
                takers.append(h.taker)
                if h.giver is not None:
                    givers.add(h.giver)
        rest = [p for p in line if p not in givers and p not in takers]
        chosen = set(takers) | set(rest[: m - len(takers)])
        holders = tuple(p for p in line if p in chosen)
        after = [p for p in rest if p not in chosen]
        out.append(DutyDay(d, holders, after[0] if after else None, m - len(holders)))
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
