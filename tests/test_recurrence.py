"""Occurrences in local wall-clock time: daylight saving, holidays, cancellations, rules in words."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.recurrence import (
    Repeat,
    Schedule,
    clock_faults,
    describe,
    first_day_for,
    local_instant,
    next_occurrence,
    occurrence_on,
    occurrences,
    overlapping,
    rrule_text,
    skipped_days,
)
from domain.wallclock import Fault

BERLIN = ZoneInfo("Europe/Berlin")
HALF_HOUR = timedelta(minutes=30)


def weekly(first: date, *, at: time = time(10), region: str | None = None, cancelled=(), repeat=Repeat.WEEKLY):
    return Schedule(first_day=first, start=at, duration=HALF_HOUR, tz=BERLIN, repeat=repeat,
                    cancelled=frozenset(cancelled), holiday_region=region)


def between(schedule: Schedule, start: str, end: str):
    return occurrences(schedule, start=datetime.fromisoformat(start).replace(tzinfo=BERLIN),
                       end=datetime.fromisoformat(end).replace(tzinfo=BERLIN))


@pytest.mark.parametrize(("first", "before", "after"), [
    (date(2026, 3, 23), 1, 2),   # clocks go forward on Sunday 29 March 2026
    (date(2026, 10, 19), 2, 1),  # and back on Sunday 25 October 2026
    (date(2027, 3, 22), 1, 2),   # forward on 28 March 2027
    (date(2027, 10, 25), 2, 1),  # back on 31 October 2027
])
def test_weekly_monday_meeting_stays_at_ten_oclock_across_the_clock_change(first, before, after):
    found = occurrences(weekly(first), start=datetime(first.year, 1, 1, tzinfo=UTC),
                        end=datetime.combine(first + timedelta(days=8), time(), tzinfo=UTC))
    assert [o.start.date() for o in found] == [first, first + timedelta(days=7)]
    assert [o.start.time() for o in found] == [time(10), time(10)]
    assert [o.start.utcoffset() for o in found] == [timedelta(hours=before), timedelta(hours=after)]
    assert [o.start.astimezone(UTC).hour for o in found] == [10 - before, 10 - after]
    assert [o.end.time() for o in found] == [time(10, 30), time(10, 30)]


def test_a_time_in_the_spring_gap_moves_forward_and_a_repeated_time_happens_once():
    daily = Schedule(first_day=date(2026, 10, 24), start=time(2, 30), duration=HALF_HOUR, tz=BERLIN,
                     repeat=Repeat.DAILY)
    autumn = occurrences(daily, start=datetime(2026, 10, 24, tzinfo=UTC), end=datetime(2026, 10, 27, tzinfo=UTC))
    assert [o.start.date().day for o in autumn] == [24, 25, 26]  # 25 October: once, not twice
    assert autumn[1].start.utcoffset() == timedelta(hours=2)  # the first 02:30 (summer time)
    spring = occurrences(Schedule(first_day=date(2027, 3, 27), start=time(2, 30), duration=HALF_HOUR, tz=BERLIN,
                                  repeat=Repeat.DAILY),
                         start=datetime(2027, 3, 27, tzinfo=UTC), end=datetime(2027, 3, 30, tzinfo=UTC))
    assert [o.start.strftime("%d %H:%M %z") for o in spring] == ["27 02:30 +0100", "28 03:30 +0200", "29 02:30 +0200"]


@pytest.mark.parametrize("whit_monday", [date(2026, 5, 25), date(2027, 5, 17)])
def test_recurring_meetings_skip_public_holidays(whit_monday):
    first = whit_monday - timedelta(days=7)
    with_holidays = weekly(first, region="DE-ST")
    days = [o.start.date() for o in between(with_holidays, f"{first}", f"{first + timedelta(days=15)}")]
    assert days == [first, first + timedelta(days=14)]
    assert whit_monday in skipped_days(with_holidays, until=first + timedelta(days=15))
    without = weekly(first)  # no region: nothing skipped, so the test above can fail
    assert len(between(without, f"{first}", f"{first + timedelta(days=15)}")) == 3


def test_a_one_off_meeting_on_a_holiday_still_takes_place():
    one_off = weekly(date(2026, 5, 25), region="DE", repeat=None)
    assert occurrence_on(one_off, date(2026, 5, 25)) is not None


def test_one_cancelled_occurrence_is_left_out_and_the_next_one_stays():
    series = weekly(date(2026, 11, 23), cancelled={date(2026, 11, 30)})
    assert [o.start.date().day for o in between(series, "2026-11-20", "2026-12-10")] == [23, 7]
    assert occurrence_on(series, date(2026, 11, 30)) is None
    assert next_occurrence(series, after=datetime(2026, 11, 24, tzinfo=UTC)).start.date() == date(2026, 12, 7)
    assert skipped_days(series, until=date(2026, 12, 31)) == [date(2026, 11, 30)]


def test_biweekly_is_every_other_week_and_monthly_keeps_the_day_of_month():
    biweekly = weekly(date(2026, 11, 23), repeat=Repeat.BIWEEKLY)
    assert [o.start.date() for o in between(biweekly, "2026-11-20", "2027-01-01")] == [
        date(2026, 11, 23), date(2026, 12, 7), date(2026, 12, 21)]
    monthly = weekly(date(2027, 1, 30), repeat=Repeat.MONTHLY)
    # February has no 30th: the series falls on its last day rather than leaving the month out (issue 14).
    assert [o.start.date() for o in between(monthly, "2027-01-01", "2027-05-01")] == [
        date(2027, 1, 30), date(2027, 2, 28), date(2027, 3, 30), date(2027, 4, 30)]


def test_weekdays_skip_weekends_and_a_weekend_start_moves_to_monday():
    assert first_day_for(Repeat.WEEKDAYS, date(2026, 11, 28)) == date(2026, 11, 30)
    series = weekly(date(2026, 11, 26), repeat=Repeat.WEEKDAYS)
    assert [o.start.date().day for o in between(series, "2026-11-26", "2026-12-02")] == [26, 27, 30, 1]


def test_daily_means_every_day():
    series = weekly(date(2026, 11, 27), repeat=Repeat.DAILY)
    assert len(between(series, "2026-11-27", "2026-12-04")) == 7


def test_a_running_meeting_still_counts_as_the_next_one():
    series = weekly(date(2026, 11, 23))
    during = datetime(2026, 11, 23, 10, 15, tzinfo=BERLIN)
    assert next_occurrence(series, after=during).start.date() == date(2026, 11, 23)
    assert len(overlapping(series, start=during, end=during + timedelta(days=1))) == 1
    assert occurrences(series, start=during, end=during + timedelta(days=1)) == []
    assert next_occurrence(weekly(date(2026, 11, 23), repeat=None), after=during + HALF_HOUR) is None


@pytest.mark.parametrize(("repeat", "rule", "de", "en"), [
    (Repeat.WEEKLY, "FREQ=WEEKLY;BYDAY=MO", "jeden Montag", "every Monday"),
    (Repeat.BIWEEKLY, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "jeden zweiten Montag", "every other Monday"),
    (Repeat.DAILY, "FREQ=DAILY", "täglich", "every day"),
    (Repeat.WEEKDAYS, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "werktags (Mo–Fr)", "on weekdays (Mon–Fri)"),
    (Repeat.MONTHLY, "FREQ=MONTHLY;BYMONTHDAY=23", "monatlich am 23.", "monthly on the 23rd"),
])
def test_rule_as_rfc5545_and_in_words(repeat, rule, de, en):
    series = weekly(date(2026, 11, 23), repeat=repeat)
    assert rrule_text(series) == rule
    assert describe(repeat, series.first_day, "de") == de
    assert describe(repeat, series.first_day, "en") == en
    assert rrule_text(weekly(date(2026, 11, 23), repeat=None)) is None


@settings(max_examples=300, deadline=None)
@given(first=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       repeat=st.sampled_from(list(Repeat)), offset=st.integers(min_value=-40, max_value=4000),
       span=st.integers(min_value=1, max_value=70), at=st.sampled_from([time(0, 0), time(2, 30), time(10), time(23, 45)]))
def test_expanding_near_a_window_gives_the_same_dates_as_from_the_first_day(first, repeat, offset, span, at):
    # The reference: dateutil walking the whole series from its first day.
    schedule = Schedule(first_day=first_day_for(repeat, first), start=at, duration=HALF_HOUR, tz=BERLIN, repeat=repeat)
    begin = datetime.combine(first + timedelta(days=offset), time(), tzinfo=BERLIN)
    end = begin + timedelta(days=span)
    reference = rrulestr(rrule_text(schedule), dtstart=datetime.combine(schedule.first_day, at))
    expected = [d.date() for d in reference.between(begin.replace(tzinfo=None) - timedelta(days=1),
                                                   end.replace(tzinfo=None) + timedelta(days=1), inc=True)]
    found = [o.start.date() for o in occurrences(schedule, start=begin - timedelta(days=1), end=end + timedelta(days=2))]
    assert [d for d in found if begin.date() <= d < end.date()] == [d for d in expected if begin.date() <= d < end.date()]
    following = next_occurrence(schedule, after=begin)
    later = [d for d in reference.xafter(begin.replace(tzinfo=None) - timedelta(days=2), count=10, inc=True)
             if local_instant(d.date(), at, BERLIN) + HALF_HOUR > begin]
    assert following is not None and following.start.date() == later[0].date()


# -- issue 14: monthly on the 29th-31st, and dates at the clock change ------------------------------------


@pytest.mark.parametrize(("first", "rule", "february"), [
    (date(2027, 1, 29), "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1", [date(2027, 2, 28), date(2028, 2, 29)]),
    (date(2027, 1, 30), "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1", [date(2027, 2, 28), date(2028, 2, 29)]),
    (date(2027, 1, 31), "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", [date(2027, 2, 28), date(2028, 2, 29)]),
])
def test_monthly_on_the_29th_to_31st_falls_on_the_last_day_of_shorter_months(first, rule, february):
    series = weekly(first, repeat=Repeat.MONTHLY)
    assert rrule_text(series) == rule
    days = [o.start.date() for o in between(series, "2027-01-01", "2029-01-01")]
    assert len(days) == 24  # every month, none left out
    assert [d for d in days if d.month == 2] == february
    assert all(d.day == min(first.day, calendar.monthrange(d.year, d.month)[1]) for d in days)


def test_monthly_on_the_28th_or_earlier_keeps_its_plain_rule_and_words():
    assert rrule_text(weekly(date(2027, 1, 28), repeat=Repeat.MONTHLY)) == "FREQ=MONTHLY;BYMONTHDAY=28"
    assert describe(Repeat.MONTHLY, date(2027, 1, 28), "de") == "monatlich am 28."


@pytest.mark.parametrize(("day", "de", "en"), [
    (31, "monatlich am 31., in kürzeren Monaten am Monatsletzten", "monthly on the 31st, on the last day in shorter months"),
    (29, "monatlich am 29., in kürzeren Monaten am Monatsletzten", "monthly on the 29th, on the last day in shorter months"),
])
def test_monthly_on_the_29th_to_31st_says_so_in_words(day, de, en):
    assert describe(Repeat.MONTHLY, date(2027, 3, day), "de") == de
    assert describe(Repeat.MONTHLY, date(2027, 3, day), "en") == en


def test_a_daily_series_at_half_past_two_meets_the_gap_and_the_overlap_and_says_how():
    series = Schedule(first_day=date(2027, 3, 20), start=time(2, 30), duration=HALF_HOUR, tz=BERLIN, repeat=Repeat.DAILY)
    found = clock_faults(series, until=date(2028, 12, 31))
    assert [(o.start.strftime("%d.%m.%Y %H:%M %z"), f.kind) for o, f in found] == [
        ("28.03.2027 03:30 +0200", Fault.GAP), ("31.10.2027 02:30 +0200", Fault.OVERLAP),
        ("26.03.2028 03:30 +0200", Fault.GAP), ("29.10.2028 02:30 +0200", Fault.OVERLAP)]
    # the instants are the ones the series itself gives those days
    assert [o for o, _ in found[:2]] == [occurrence_on(series, date(2027, 3, 28)), occurrence_on(series, date(2027, 10, 31))]


def test_series_that_never_meet_a_clock_change_at_a_changing_time_have_no_faults():
    monday = Schedule(first_day=date(2027, 3, 22), start=time(2, 30), duration=HALF_HOUR, tz=BERLIN, repeat=Repeat.WEEKLY)
    assert clock_faults(monday, until=date(2037, 1, 1)) == []  # the clocks change on Sundays
    sunday_ten = weekly(date(2027, 3, 21), at=time(10), repeat=Repeat.WEEKLY)
    assert clock_faults(sunday_ten, until=date(2037, 1, 1)) == []
    called_off = Schedule(first_day=date(2027, 3, 21), start=time(2, 30), duration=HALF_HOUR, tz=BERLIN,
                          repeat=Repeat.WEEKLY, cancelled=frozenset({date(2027, 3, 28)}))
    assert [o.day for o, _ in clock_faults(called_off, until=date(2027, 12, 31))] == [date(2027, 10, 31)]
