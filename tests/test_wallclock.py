"""Clock changes of a zone (domain.wallclock): which wall-clock times do not exist or happen twice,
and the zone's yearly rule as a VTIMEZONE writes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import MO, SU, YEARLY, rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.wallclock import Fault, changes_between, fault_at, yearly_observances

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("day", "at", "kind"), [
    (date(2027, 3, 28), time(1, 59), None),
    (date(2027, 3, 28), time(2, 0), Fault.GAP),
    (date(2027, 3, 28), time(2, 30), Fault.GAP),
    (date(2027, 3, 28), time(2, 59), Fault.GAP),
    (date(2027, 3, 28), time(3, 0), None),
    (date(2027, 10, 31), time(1, 59), None),
    (date(2027, 10, 31), time(2, 0), Fault.OVERLAP),
    (date(2027, 10, 31), time(2, 59), Fault.OVERLAP),
    (date(2027, 10, 31), time(3, 0), None),
    (date(2027, 10, 30), time(2, 30), None),
    (date(2027, 3, 29), time(2, 30), None),
])
def test_times_in_the_spring_gap_and_the_autumn_overlap(day, at, kind):
    fault = fault_at(day, at, BERLIN)
    assert (fault.kind if fault else None) == kind


def test_the_change_says_when_and_what_the_clocks_show():
    spring, autumn = changes_between(BERLIN, date(2027, 1, 1), date(2027, 12, 31))
    assert spring.instant == datetime(2027, 3, 28, 1, 0, tzinfo=UTC) and spring.forward
    assert (spring.before.time(), spring.after.time(), spring.name_before, spring.name_after) == (
        time(2), time(3), "CET", "CEST")
    assert autumn.instant == datetime(2027, 10, 31, 1, 0, tzinfo=UTC) and not autumn.forward
    assert (autumn.before.time(), autumn.after.time(), autumn.name_after) == (time(3), time(2), "CET")


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2045, 12, 31)),
       minutes=st.integers(min_value=0, max_value=24 * 60 - 1))
def test_a_fault_is_exactly_a_time_that_does_not_round_trip_or_has_two_offsets(day, minutes):
    at = time(minutes // 60, minutes % 60)
    wall = datetime.combine(day, at, tzinfo=BERLIN)
    missing = wall.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) != wall.replace(tzinfo=None)
    twice = wall.replace(fold=1).utcoffset() != wall.utcoffset()
    fault = fault_at(day, at, BERLIN)
    assert (fault.kind if fault else None) == (Fault.GAP if missing else Fault.OVERLAP if twice else None)


@pytest.mark.parametrize(("zone", "standard", "daylight"), [
    ("Europe/Berlin", (10, SU(-1), time(3)), (3, SU(-1), time(2))),
    ("America/New_York", (11, SU(1), time(2)), (3, SU(2), time(2))),
    ("Australia/Sydney", (4, SU(1), time(3)), (10, SU(1), time(2))),
])
def test_a_zone_with_two_changes_a_year_becomes_two_yearly_rules_that_give_every_change(zone, standard, daylight):
    tz = ZoneInfo(zone)
    observances = yearly_observances(tz, since=2026, years=15)
    assert observances is not None
    back, forward = observances
    assert (back.daylight, forward.daylight) == (False, True)
    for observance, (month, weekday, clock) in ((back, standard), (forward, daylight)):
        week_day = [MO, None, None, None, None, None, SU][observance.weekday](observance.week)
        assert (observance.month, week_day, observance.start.time()) == (month, weekday, clock)
        # the rule gives exactly the zone's changes of that kind, for every year checked and beyond
        by_rule = list(rrule(YEARLY, bymonth=observance.month, byweekday=week_day, dtstart=observance.start,
                             until=datetime(2060, 12, 31)))
        actual = [c.before for c in changes_between(tz, observance.start.date(), date(2060, 12, 31))
                  if c.forward == observance.daylight]
        assert by_rule == actual
        assert all(c.offset_after == observance.offset_to for c in changes_between(tz, date(2040, 1, 1), date(2040, 12, 31))
                   if c.forward == observance.daylight)


def test_a_zone_without_changes_has_one_observance_and_an_irregular_zone_none():
    (only,) = yearly_observances(ZoneInfo("Asia/Tokyo"), since=2026, years=12)
    assert (only.offset_from, only.offset_to, only.name, only.month) == (timedelta(hours=9), timedelta(hours=9), "JST", 0)
    assert yearly_observances(ZoneInfo("Africa/Casablanca"), since=2026, years=12) is None  # Ramadan, not a rule
