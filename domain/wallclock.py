"""Clock changes of a time zone: when they happen, which wall-clock times they skip or repeat, and
the zone's yearly rule the way calendar files write it.

In spring the clocks in Berlin jump from 02:00 to 03:00: 02:30 does not exist that day (the *gap*).
In autumn they go back from 03:00 to 02:00: 02:30 happens twice (the *overlap*). A meeting typed
for such a time has no single obvious instant, so `/meeting` refuses it for a one-off meeting and
the first date of a series (`fault_at`), and a series that later runs into one follows RFC 5545
(`domain.recurrence`): in the gap it starts later by the gap, in the overlap at the first of the
two times.

`yearly_observances` reads the zone's changes and writes them as yearly rules ("the last Sunday in
March at 02:00"), as Outlook and Thunderbird write Europe/Berlin in a VTIMEZONE. Such a block is
valid for any year the rule holds, and every common calendar client reads it the same way.

Pure functions: no clock, no database. The changes are found from the zone database
(`zoneinfo`) and cached per zone and year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ClockChange:
    """One change of a zone's UTC offset."""

    instant: datetime  # aware, UTC
    before: datetime  # naive: what the clock showed when it changed, e.g. 02:00 in spring, 03:00 in autumn
    after: datetime  # naive: what it showed right after, e.g. 03:00 in spring, 02:00 in autumn
    offset_before: timedelta
    offset_after: timedelta
    name_before: str  # "CEST"
    name_after: str  # "CET"

    @property
    def day(self) -> date:
        return self.before.date()

    @property
    def forward(self) -> bool:
        """The clocks go forward (spring): a stretch of wall-clock times does not exist."""
        return self.offset_after > self.offset_before


class Fault(StrEnum):
    GAP = "gap"  # the time does not exist that day
    OVERLAP = "overlap"  # the time happens twice that day


@dataclass(frozen=True)
class WallClockFault:
    kind: Fault
    change: ClockChange


def _offset(instant: datetime, tz: ZoneInfo) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


@lru_cache(maxsize=512)
def _changes_in_utc_year(tz: ZoneInfo, year: int) -> tuple[ClockChange, ...]:
    """The offset changes from 1 January to 31 December (UTC) of `year`, found day by day and then
    to the second (zones change at most once a day)."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = _offset(day, tz)
    while day < end:
        following = day + timedelta(days=1)
        offset = _offset(following, tz)
        if offset != previous:
            lo, hi = int(day.timestamp()), int(following.timestamp())  # offset(lo) is old, offset(hi) is new
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _offset(datetime.fromtimestamp(mid, UTC), tz) == previous:
                    lo = mid
                else:
                    hi = mid
            instant = datetime.fromtimestamp(hi, UTC)
            naive = instant.replace(tzinfo=None)
            found.append(ClockChange(
                instant=instant, before=naive + previous, after=naive + offset, offset_before=previous,
                offset_after=offset, name_before=(instant - timedelta(seconds=1)).astimezone(tz).tzname() or "",
                name_after=instant.astimezone(tz).tzname() or ""))
        previous = offset
        day = following
    return tuple(found)


def changes_between(tz: ZoneInfo, start: date, end: date) -> list[ClockChange]:
    """The clock changes whose local day lies in [start, end], in order."""
    return [change for year in range(start.year - 1, end.year + 2) for change in _changes_in_utc_year(tz, year)
            if start <= change.day <= end]


def fault_at(day: date, at: time, tz: ZoneInfo) -> WallClockFault | None:
    """Whether the wall-clock time `at` on `day` does not exist (gap) or happens twice (overlap)."""
    wall = datetime.combine(day, at)
    for change in changes_between(tz, day, day):
        if change.forward and change.before <= wall < change.after:
            return WallClockFault(Fault.GAP, change)
        if not change.forward and change.after <= wall < change.before:
            return WallClockFault(Fault.OVERLAP, change)
    return None


# -- the yearly rule, for VTIMEZONE ---------------------------------------------------------------


@dataclass(frozen=True)
class Observance:
    """One STANDARD or DAYLIGHT part of a VTIMEZONE: from `start` on, the offset is `offset_to`.

    With `month` set it recurs every year on the `week`-th `weekday` of that month (week -1 is the
    last one) at the wall-clock time of `start`; without, it is the zone's only offset."""

    daylight: bool
    start: datetime  # naive, in the offset before the change (`offset_from`)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    month: int = 0
    weekday: int = 0  # 0 = Monday
    week: int = 0  # 1..4, or -1 for the last of the month


def _weeks(day: date) -> set[int]:
    """How `day` can be named as the n-th of its weekday in its month: {2}, or {4, -1} for the last one."""
    weeks = {(day.day - 1) // 7 + 1}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        weeks.add(-1)
    return weeks & {1, 2, 3, 4, -1}


def _rule_of(changes: list[ClockChange], years: int) -> Observance | None:
    """One yearly rule for a kind of change (forward or back), if every year has one and they agree."""
    first = changes[0]
    if len(changes) != years or len({c.day.year for c in changes}) != years:
        return None
    keys = {(c.before.month, c.before.weekday(), c.before.time(), c.offset_before, c.offset_after, c.name_after)
            for c in changes}
    if len(keys) != 1:
        return None
    weeks = set.intersection(*(_weeks(c.day) for c in changes))
    if not weeks:
        return None
    return Observance(daylight=first.forward, start=first.before, offset_from=first.offset_before,
                      offset_to=first.offset_after, name=first.name_after, month=first.before.month,
                      weekday=first.before.weekday(), week=-1 if -1 in weeks else min(weeks))


def yearly_observances(tz: ZoneInfo, *, since: int, years: int) -> tuple[Observance, ...] | None:
    """The zone as yearly rules, checked against its every change from `since` for `years` years.

    One observance for a zone without changes; a STANDARD and a DAYLIGHT one with yearly rules for
    a zone that changes twice a year the same way (Europe/Berlin: last Sunday in March and October);
    None if the zone does not follow such a rule in those years (the caller then lists the changes)."""
    changes = [c for year in range(since, since + years) for c in _changes_in_utc_year(tz, year)]
    if not changes:
        instant = datetime(since, 1, 1, tzinfo=UTC)
        offset = _offset(instant, tz)
        return (Observance(daylight=False, start=datetime(since, 1, 1), offset_from=offset, offset_to=offset,
                           name=instant.astimezone(tz).tzname() or ""),)
    forward = _rule_of([c for c in changes if c.forward], years) if any(c.forward for c in changes) else None
    back = _rule_of([c for c in changes if not c.forward], years) if any(not c.forward for c in changes) else None
    if forward is None or back is None:
        return None
    return (back, forward)
