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
  the days in turn, so the extra work is shared evenly. People who are away on the same days
  keep their order among themselves, so two colleagues with the same office days take turns
  strictly one after the other.
* **The stand-in** of a day is the next available participant after the day's holders, in the
  same order.
* **Hand-overs win.** A swap, a dropped day taken by a colleague or a day taken over stands: on
  that day the taker has the duty and the giver does not; the rest of the rota is not shifted
  by it. A hand-over whose taker is not available that day does not count.
* **Too few people.** If fewer participants are available than the duty needs, all available
  ones have it and the day is *uncovered* (`missing` > 0).
* **Where the line stands (the carry).** The rota goes on from the day the duty started, with
  its full memory: among participants who were available on the same days, the counts of duty
  days over any four weeks differ by at most one. So that old presence data can be deleted
  without changing the rota, the place in line each participant has at the start of a day can be
  written down (`carry_forward`, a `Carry`): the rota then goes on from there and never looks at
  older data. A carry holds each one's next turn and, for whoever was unavailable within the
  last ten duty days, how many duty days ago that was: no counts, no dates. If the
  participants changed since, the line keeps the order of those who stay and the newcomers
  join at its end.
* **Days before the carry** are past and have no rota any more: they are left out.

The rota is recomputed from the plan every time (no history is kept): the same plan always gives
the same rota.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.rotation import Where

ONE_DAY = timedelta(days=1)
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


# --- the rota ------------------------------------------------------------------------------------

def _reassign(t: list[int], people: Sequence[int], targets: dict[int, int]) -> None:
    """Give `people` the turns `targets` in the order they stood: nobody overtakes anybody."""
    for p, value in zip(sorted(people, key=lambda p: t[p]), sorted(targets.values()), strict=True):
        t[p] = value


def _line(n: int, m: int, t: list[int], k: int, free: list[int], last_away: list[int]) -> list[int]:
    """Advance the state through duty day number `k` (counted from the state's origin) and return
    the available participants (indexes) in the order of their next turn - the day's line.

    `t[p]` is p's next turn; the turns of the n participants differ modulo n (each has a place in
    the cycle). The day's turns are [k*m, (k+1)*m)."""
    if len(free) < n:
        end = (k + 1) * m
        is_free = set(free)
        unavailable = [p for p in range(n) if p not in is_free]
        lifted = False
        targets = {}
        for p in unavailable:
            last_away[p] = k
            # keep at most one missed turn: the latest turn of one's place in the cycle before the day ends
            own = end - 1 - ((end - 1 - t[p]) % n)
            targets[p] = own if t[p] < own else t[p]
            lifted = lifted or t[p] < own
        if lifted:
            _reassign(t, unavailable, targets)
    returners = [p for p in free if k - last_away[p] <= RETURN_DUTY_DAYS]
    if returners and len(returners) < len(free):
        front = min(t[p] for p in free if k - last_away[p] > RETURN_DUTY_DAYS)
        floor = front - n  # a returner is at most one turn behind the earliest of the others
        back = [p for p in returners if t[p] < front]
        if any(t[p] < floor for p in back):
            _reassign(t, back, {p: floor + ((t[p] - floor) % n) if t[p] < floor else t[p] for p in back})
    return sorted(free, key=t.__getitem__)


@dataclass(frozen=True)
class Carry:
    """Where a duty's line stood at the start of `day`: enough to go on from there without older
    data. `turns[i]` is the next turn of `people[i]`, counted from the day's first turn;
    `since_away[i]` how many duty days ago they were last unavailable (at most
    RETURN_DUTY_DAYS + 1, which means: not recently)."""

    day: date
    people: tuple[str, ...]
    turns: tuple[int, ...]
    since_away: tuple[int, ...]


@dataclass
class _State:
    t: list[int]  # each participant's next turn
    last_away: list[int]  # the duty day number each was last unavailable
    k: int  # the number of the next duty day


def _plain(n: int) -> _State:
    """The plain cycle at the duty's start: the i-th participant has the i-th turn."""
    return _State(list(range(n)), [-(10 ** 9)] * n, 0)


def _from_carry(carry: Carry, people: Sequence[str]) -> _State:
    """The state the carry wrote down, for today's participants (duty day numbers count from 0 at
    the carry's day). Whoever left is dropped; the others keep their order, newcomers join at the
    end of the line."""
    n = len(people)
    if tuple(people) == carry.people:
        turns, since = list(carry.turns), list(carry.since_away)
    else:
        known = dict(zip(carry.people, zip(carry.turns, carry.since_away, strict=True), strict=True))
        line = sorted((p for p in people if p in known), key=lambda p: known[p][0])
        line += [p for p in people if p not in known]
        place = {p: i for i, p in enumerate(line)}
        turns = [place[p] for p in people]
        since = [known[p][1] if p in known else RETURN_DUTY_DAYS + 1 for p in people]
    return _State(turns, [-s for s in since], 0) if n else _State([], [], 0)


def _advance(rule: DutyRule, people: Sequence[str], state: _State, first: date, last: date,
             is_working_day: Callable[[date], bool], available: Callable[[str, date], bool],
             keep: set[date] | None = None) -> dict[date, list[str]]:
    """Run `state` through the duty days from `first` to `last` (inclusive); return the lines of
    the days in `keep` (all days if None)."""
    n, m = len(people), max(1, rule.min_holders)
    lines: dict[date, list[str]] = {}
    day = first
    while day <= last:
        if day.weekday() in rule.weekdays and is_working_day(day):
            free = [p for p, person in enumerate(people) if available(person, day)]
            order = _line(n, m, state.t, state.k, free, state.last_away)
            for p in order[:m]:
                state.t[p] += n
            if keep is None or day in keep:
                lines[day] = [people[p] for p in order]
            state.k += 1
        day += ONE_DAY
    return lines


def _usable(carry: Carry | None, rule: DutyRule) -> Carry | None:
    return carry if carry is not None and carry.day >= rule.start else None


def _available_for(rule: DutyRule, place: Callable[[str, date], Where]) -> Callable[[str, date], bool]:
    if rule.on_site:
        return lambda person, day: place(person, day) == Where.OFFICE
    return lambda person, day: place(person, day) != Where.AWAY


def carry_forward(rule: DutyRule, participants: Sequence[str], day: date, *,
                  is_working_day: Callable[[date], bool], place: Callable[[str, date], Where],
                  carry: Carry | None = None) -> Carry | None:
    """Where the line stands at the start of `day`, worked out from `carry` (or from the duty's
    start) with the plan up to the day before. The carry itself if it is of that day; None if `day`
    is not after the duty's start or comes before the carry: there is nothing to write down then."""
    people = list(dict.fromkeys(participants))
    n, m = len(people), max(1, rule.min_holders)
    carry = _usable(carry, rule)
    origin = carry.day if carry is not None else rule.start
    if carry is not None and day == origin and carry.people == tuple(people):
        return carry
    if day <= origin or n == 0:
        return None
    state = _from_carry(carry, people) if carry is not None else _plain(n)
    _advance(rule, people, state, origin, day - ONE_DAY, is_working_day, _available_for(rule, place), keep=set())
    base = state.k * m
    cap = RETURN_DUTY_DAYS + 1
    return Carry(day, tuple(people), tuple(t - base for t in state.t),
                 tuple(min(cap, state.k - a) for a in state.last_away))


def rota(rule: DutyRule, participants: Sequence[str], days: Sequence[date], *,
         is_working_day: Callable[[date], bool],
         place: Callable[[str, date], Where],
         handovers: Iterable[Handover] = (),
         carry: Carry | None = None) -> list[DutyDay]:
    """One DutyDay per day in `days` that is a duty day (a working day on one of the rule's
    weekdays, not before its start nor before the carry's day), in date order. See the module
    docstring for the rule."""
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
    available = _available_for(rule, place)

    carry = _usable(carry, rule)
    if carry is not None:  # days before the carry are past: no rota any more
        wanted = [d for d in wanted if d >= carry.day]
        if not wanted:
            return []
    if n == 0:
        lines: dict[date, list[str]] = {d: [] for d in wanted}
    else:  # full memory from the carry (or the start)
        state = _from_carry(carry, people) if carry is not None else _plain(n)
        lines = _advance(rule, people, state, carry.day if carry is not None else rule.start, wanted[-1],
                         is_working_day, available, set(wanted))

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
