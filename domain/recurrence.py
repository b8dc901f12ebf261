"""When a meeting takes place: occurrences in local wall-clock time, and the rule in words.

A series is an RFC 5545 rule (`python-dateutil`'s `rrule`) over *naive local*
datetimes: "every Monday at 10:00" is expanded in wall-clock time first and only
then pinned to an instant in the bot's time zone. That is what keeps a weekly
10:00 meeting at 10:00 after the clocks change; expanding in UTC would move it to
09:00 or 11:00 for half of the year.

Pinning a wall-clock time that does not exist (the spring-forward gap) moves it
forward by the gap; one that exists twice (the repeated autumn hour) takes the
first, as RFC 5545 reads such times. Either way every occurrence has exactly one
instant, so a reminder keyed by that instant can neither repeat nor go missing.
`/meeting` refuses such a time for the first date (`domain.wallclock.fault_at`);
`clock_faults` names the later dates of a series that fall on one, so the
confirmation can say so and the calendar file can list them explicitly.

A monthly series on the 29th, 30th or 31st falls on the last day of shorter
months (`BYMONTHDAY=28,…,31;BYSETPOS=-1`): "monthly on the 31st" means every
month, not only the long ones.

Recurring meetings skip the public holidays of their region and any day that was
cancelled; a one-off meeting happens on the day it was set for, holiday or not.
Pure functions: no clock, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from dateutil import rrule as du

from base.i18n import Text, pick_locale
from domain.calendar import is_holiday
from domain.wallclock import WallClockFault, changes_between, fault_at


class Repeat(StrEnum):
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


REPEAT_WORDS: dict[str, Repeat] = {
    "täglich": Repeat.DAILY, "taeglich": Repeat.DAILY, "daily": Repeat.DAILY,
    "werktags": Repeat.WEEKDAYS, "weekdays": Repeat.WEEKDAYS,
    "wöchentlich": Repeat.WEEKLY, "woechentlich": Repeat.WEEKLY, "weekly": Repeat.WEEKLY,
    "zweiwöchentlich": Repeat.BIWEEKLY, "zweiwoechentlich": Repeat.BIWEEKLY, "biweekly": Repeat.BIWEEKLY,
    "monatlich": Repeat.MONTHLY, "monthly": Repeat.MONTHLY,
}

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LAST_DAY_FROM = 29  # a monthly series from this day of the month on falls on the last day of shorter months


@dataclass(frozen=True)
class Schedule:
    """A meeting's timing: the first day, the local start time, and how it repeats."""

    first_day: date
    start: time
    duration: timedelta
    tz: ZoneInfo
    repeat: Repeat | None = None
    cancelled: frozenset[date] = frozenset()  # local days on which an occurrence was called off
    holiday_region: str | None = None  # recurring meetings skip this region's public holidays


@dataclass(frozen=True, order=True)
class Occurrence:
    start: datetime  # aware, in the schedule's zone
    end: datetime

    @property
    def day(self) -> date:
        return self.start.date()


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant a wall clock in `tz` shows `at` on `day`.

    `fold=0` picks the first of a repeated time; the round trip through UTC moves a
    time inside the spring-forward gap forward by the gap (02:30 -> 03:30)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def first_day_for(repeat: Repeat | None, day: date) -> date:
    """A series that runs on weekdays starts on the next weekday (RFC 5545 leaves a
    first day outside the rule undefined, so we never store one)."""
    if repeat is Repeat.WEEKDAYS:
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def rrule_text(schedule: Schedule) -> str | None:
    """The RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=MO"), or None for a one-off meeting."""
    day = schedule.first_day
    match schedule.repeat:
        case None:
            return None
        case Repeat.DAILY:
            return "FREQ=DAILY"
        case Repeat.WEEKDAYS:
            return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
        case Repeat.WEEKLY:
            return f"FREQ=WEEKLY;BYDAY={BYDAY[day.weekday()]}"
        case Repeat.BIWEEKLY:
            return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={BYDAY[day.weekday()]}"
        case Repeat.MONTHLY if day.day >= LAST_DAY_FROM:
            # the last of the days that month has: the 31st, or the 30th, 29th or 28th in shorter months
            days = ",".join(str(n) for n in range(28, day.day + 1))
            return f"FREQ=MONTHLY;BYMONTHDAY={days};BYSETPOS=-1"
        case Repeat.MONTHLY:
            return f"FREQ=MONTHLY;BYMONTHDAY={day.day}"


_PERIOD_DAYS = {Repeat.DAILY: 1, Repeat.WEEKDAYS: 7, Repeat.WEEKLY: 7, Repeat.BIWEEKLY: 14}


def _rule(schedule: Schedule, near: date | None = None) -> du.rrule:
    """The series as a dateutil rule over naive local datetimes.

    dateutil counts every instance from DTSTART on, so a series running for years
    would be walked through on every tick. With `near`, DTSTART moves forward by
    whole periods (days, weeks, fortnights, months) to just before `near`: the rule
    names its weekday or day of month itself, so the instances stay the same."""
    first = schedule.first_day
    start = first
    if near is not None and near > first and schedule.repeat is not None:
        if schedule.repeat in _PERIOD_DAYS:
            period = _PERIOD_DAYS[schedule.repeat]
            start = first + timedelta(days=(near - first).days // period * period)
        else:  # monthly: the 1st of the month before `near`; BYMONTHDAY picks the day
            months = (near.year - first.year) * 12 + near.month - first.month - 1
            if months > 0:
                index = first.month - 1 + months
                start = date(first.year + index // 12, index % 12 + 1, 1)
    text = rrule_text(schedule)
    assert text is not None
    return du.rrulestr(text, dtstart=datetime.combine(start, schedule.start))  # type: ignore[return-value]


def _naive_window(start: datetime, end: datetime, tz: ZoneInfo, duration: timedelta) -> tuple[datetime, datetime]:
    """The local wall-clock window that surely covers [start, end) — a day wider on each side."""
    lo = start.astimezone(tz).replace(tzinfo=None) - timedelta(days=1) - duration
    hi = end.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
    return lo, hi


def _skipped(schedule: Schedule, day: date) -> bool:
    if day in schedule.cancelled:
        return True
    return bool(schedule.repeat and schedule.holiday_region and is_holiday(day, schedule.holiday_region))


def occurrences(schedule: Schedule, *, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences that *start* in [start, end) (aware instants), in order."""
    return [occ for occ in _candidates(schedule, start, end) if start <= occ.start < end]


def overlapping(schedule: Schedule, *, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences running at some time in [start, end): started before but not yet over counts too."""
    return [occ for occ in _candidates(schedule, start - schedule.duration, end)
            if occ.end > start and occ.start < end]


def _candidates(schedule: Schedule, start: datetime, end: datetime) -> Iterable[Occurrence]:
    if schedule.repeat is None:
        days: Iterable[date] = [schedule.first_day]
    else:
        lo, hi = _naive_window(start, end, schedule.tz, schedule.duration)
        days = (d.date() for d in _rule(schedule, lo.date()).between(lo, hi, inc=True))
    return _pinned(schedule, days)


def _pinned(schedule: Schedule, days: Iterable[date]) -> Iterator[Occurrence]:
    for day in days:
        if _skipped(schedule, day):
            continue
        begin = local_instant(day, schedule.start, schedule.tz)
        # The end is an instant too: a 02:00 meeting of 60 minutes on the autumn change ends 02:00 CET.
        yield Occurrence(begin, (begin.astimezone(UTC) + schedule.duration).astimezone(schedule.tz))


def next_occurrence(schedule: Schedule, *, after: datetime) -> Occurrence | None:
    """The first occurrence that has not ended by `after` (None if the meeting is over)."""
    if schedule.repeat is None:
        days: Iterable[date] = [schedule.first_day]
    else:
        lo, _ = _naive_window(after, after, schedule.tz, schedule.duration)
        days = (d.date() for d in _rule(schedule, lo.date()).xafter(lo, inc=True))
    return next((occ for occ in _pinned(schedule, days) if occ.end > after), None)


def occurrence_on(schedule: Schedule, day: date) -> Occurrence | None:
    """The occurrence on the local day `day`, if the meeting takes place that day."""
    start = datetime.combine(day, time(), tzinfo=schedule.tz)
    found = occurrences(schedule, start=start, end=start + timedelta(days=1, hours=2))
    return next((occ for occ in found if occ.day == day), None)


def rule_days(schedule: Schedule, *, until: date) -> list[date]:
    """Every day the bare rule hits from the first day to `until`, skipped ones included (for EXDATE)."""
    if schedule.repeat is None:
        return [schedule.first_day]
    end = datetime.combine(until, time(23, 59))
    return [d.date() for d in _rule(schedule).between(datetime.combine(schedule.first_day, time()), end, inc=True)]


def skipped_days(schedule: Schedule, *, until: date) -> list[date]:
    """The days the rule hits but the meeting does not take place: cancelled, or a public holiday."""
    return [day for day in rule_days(schedule, until=until) if _skipped(schedule, day)]


def _hits(schedule: Schedule, day: date) -> bool:
    """Whether the bare rule has an instance on `day` (cancellations and holidays aside)."""
    if schedule.repeat is None:
        return day == schedule.first_day
    if day < schedule.first_day:
        return False
    return datetime.combine(day, schedule.start) in _rule(schedule, day)


def clock_faults(schedule: Schedule, *, until: date) -> list[tuple[Occurrence, WallClockFault]]:
    """The occurrences up to `until` whose wall-clock time does not exist (moved on by the gap) or
    happens twice (the first is taken) because the clocks change that day, with what happens."""
    found = []
    for change in changes_between(schedule.tz, schedule.first_day, until):
        fault = fault_at(change.day, schedule.start, schedule.tz)
        if fault is None or _skipped(schedule, change.day) or not _hits(schedule, change.day):
            continue
        found += [(occ, fault) for occ in _pinned(schedule, [change.day])]
    return found


# -- in words ----------------------------------------------------------------------------------

DAILY = Text(de="täglich", en="every day")
WEEKDAYS = Text(de="werktags (Mo–Fr)", en="on weekdays (Mon–Fri)")
WEEKLY = Text(de="jeden {day}", en="every {day}")
BIWEEKLY = Text(de="jeden zweiten {day}", en="every other {day}")
MONTHLY = Text(de="monatlich am {n}.", en="monthly on the {n}{suffix}")
MONTHLY_LAST = Text(de="monatlich am {n}., in kürzeren Monaten am Monatsletzten",
                    en="monthly on the {n}{suffix}, on the last day in shorter months")
EXCEPT_HOLIDAYS = Text(de="außer an Feiertagen", en="except public holidays")


@lru_cache(maxsize=4)
def _weekday_names(locale: str) -> tuple[str, ...]:
    names = get_day_names("wide", locale=locale)
    return tuple(names[i] for i in range(7))


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def describe(repeat: Repeat | None, first_day: date, locale: str) -> str:
    """The rule in words: "jeden Montag" / "every Monday"; "" for a one-off meeting."""
    loc = pick_locale(locale)
    day_name = _weekday_names(loc)[first_day.weekday()]
    match repeat:
        case None:
            return ""
        case Repeat.DAILY:
            return DAILY(loc)
        case Repeat.WEEKDAYS:
            return WEEKDAYS(loc)
        case Repeat.WEEKLY:
            return WEEKLY(loc, day=day_name)
        case Repeat.BIWEEKLY:
            return BIWEEKLY(loc, day=day_name)
        case Repeat.MONTHLY:
            words = MONTHLY_LAST if first_day.day >= LAST_DAY_FROM else MONTHLY
            return words(loc, n=first_day.day, suffix=_ordinal_suffix(first_day.day))
