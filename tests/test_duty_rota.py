"""The duty rota rule (SPEC §2.5, domain/duty.py): examples with named people, then properties over
random teams, absences, office days, holidays and hand-overs across eight weeks."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.duty import Carry, DutyDay, DutyRule, Handover, carry_forward, changed_days, rota
from domain.rotation import Where

MON = date(2026, 11, 2)  # a Monday
WEEK = frozenset(range(5))


def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def weekdays_only(d: date) -> bool:
    return d.weekday() < 5


def plan(people: list[str], *, min_holders: int = 1, on_site: bool = False, weekdays: frozenset[int] = WEEK,
         start: date = MON, days: int = 28, away: dict[str, set[date]] | None = None,
         office: dict[str, set[date]] | None = None, holidays: frozenset[date] = frozenset(),
         handovers: tuple[Handover, ...] = ()) -> list[DutyDay]:
    away = away or {}

    def place(person: str, day: date) -> Where:
        if day in away.get(person, set()):
            return Where.AWAY
        if office is not None:
            return Where.OFFICE if day in office.get(person, set()) else Where.HOME
        return Where.OFFICE

    return rota(DutyRule(on_site, min_holders, weekdays, start), people, days_from(start, days),
                is_working_day=lambda d: d.weekday() < 5 and d not in holidays, place=place,
                handovers=handovers)


def who(r: list[DutyDay]) -> list[str]:
    return ["+".join(d.holders) or "-" for d in r]


# --- examples -----------------------------------------------------------------------------------

def test_the_cycle_runs_in_the_order_people_were_added_on_working_days_only() -> None:
    r = plan(["Anna", "Ben", "Cem"], days=14)
    assert [d.day.weekday() for d in r] == [0, 1, 2, 3, 4] * 2
    assert who(r) == ["Anna", "Ben", "Cem", "Anna", "Ben", "Cem", "Anna", "Ben", "Cem", "Anna"]
    assert [d.stand_in for d in r[:3]] == ["Ben", "Cem", "Anna"]
    assert all(d.covered and d.missing == 0 for d in r)


def test_a_holiday_has_no_duty_and_does_not_move_the_cycle_on() -> None:
    wednesday = MON + timedelta(days=2)
    r = plan(["Anna", "Ben", "Cem"], days=7, holidays=frozenset({wednesday}))
    assert [d.day for d in r] == [MON, MON + timedelta(1), MON + timedelta(3), MON + timedelta(4)]
    assert who(r) == ["Anna", "Ben", "Cem", "Anna"]


def test_a_duty_on_some_weekdays_counts_only_those() -> None:
    r = plan(["Anna", "Ben"], weekdays=frozenset({0, 3}), days=14)
    assert [(d.day.weekday(), d.holders) for d in r] == [(0, ("Anna",)), (3, ("Ben",)), (0, ("Anna",)),
                                                        (3, ("Ben",))]


def test_days_before_the_start_and_off_days_are_left_out() -> None:
    rule = DutyRule(False, 1, WEEK, MON + timedelta(days=2))
    r = rota(rule, ["Anna", "Ben"], days_from(MON, 7), is_working_day=weekdays_only,
             place=lambda p, d: Where.OFFICE)
    assert [d.day for d in r] == [MON + timedelta(2), MON + timedelta(3), MON + timedelta(4)]
    assert who(r) == ["Anna", "Ben", "Anna"]


def test_a_one_day_absence_swaps_two_days_and_nothing_else() -> None:
    people = ["Anna", "Ben", "Cem"]
    before = plan(people, days=28)
    after = plan(people, days=28, away={"Anna": {MON}})
    # Anna is away on her Monday: Ben stands in, and Anna takes Ben's Tuesday in return.
    assert who(after)[:4] == ["Ben", "Anna", "Cem", "Anna"]
    assert changed_days(before, after) == {"Anna": {MON, MON + timedelta(1)}, "Ben": {MON, MON + timedelta(1)}}


def test_someone_away_keeps_the_turn_and_takes_the_first_day_back() -> None:
    people = ["Anna", "Ben", "Cem", "Dora"]
    # Ben (Tuesday) is away Tuesday and Wednesday: Cem and Dora step in early, Ben takes Thursday.
    r = plan(people, days=14, away={"Ben": {MON + timedelta(1), MON + timedelta(2)}})
    assert who(r)[:5] == ["Anna", "Cem", "Dora", "Ben", "Anna"]
    assert who(r)[5:] == ["Ben", "Cem", "Dora", "Anna", "Ben"]


def test_during_a_long_absence_the_others_share_the_days_evenly() -> None:
    people = ["Anna", "Ben", "Cem"]
    away = {"Anna": set(days_from(MON, 12))}  # two weeks away
    r = plan(people, days=28, away=away)
    first_two_weeks = [d for d in r if d.day < MON + timedelta(days=12)]
    assert all("Anna" not in d.holders for d in first_two_weeks)
    names = who(first_two_weeks)
    assert all(a != b for a, b in zip(names, names[1:], strict=False))  # Ben and Cem alternate
    assert abs(names.count("Ben") - names.count("Cem")) <= 1
    back = [d for d in r if d.day >= MON + timedelta(days=14)]
    assert back[0].holders == ("Anna",)  # first in line once she is back
    tail = who(back)
    assert all(tail[i] != tail[i + 1] for i in range(len(tail) - 1))


def test_an_on_site_duty_goes_only_to_people_in_the_office() -> None:
    people = ["Anna", "Ben", "Cem"]
    days = days_from(MON, 14)
    office = {"Anna": {d for d in days if d.weekday() in (0, 1, 2)},
              "Ben": {d for d in days if d.weekday() in (2, 3, 4)},
              "Cem": {d for d in days if d.weekday() in (0, 4)}}
    r = plan(people, on_site=True, days=14, office=office)
    for d in r:
        assert d.covered
        assert all(d.day in office[p] for p in d.holders)
        assert d.stand_in is None or d.day in office[d.stand_in]
    counts = {p: sum(p in d.holders for d in r) for p in people}
    assert sum(counts.values()) == 10 and min(counts.values()) >= 2


def test_too_few_people_leave_the_day_uncovered_with_all_who_can() -> None:
    people = ["Anna", "Ben", "Cem"]
    r = plan(people, min_holders=2, days=3, away={"Anna": {MON}, "Ben": {MON}, "Cem": {MON + timedelta(1)}})
    assert (r[0].holders, r[0].missing, r[0].covered, r[0].stand_in) == (("Cem",), 1, False, None)
    assert set(r[1].holders) == {"Anna", "Ben"} and r[1].covered
    everyone_away = plan(people, days=1, away={p: {MON} for p in people})
    assert (everyone_away[0].holders, everyone_away[0].missing) == ((), 1)
    nobody = rota(DutyRule(False, 2, WEEK, MON), [], [MON], is_working_day=weekdays_only,
                  place=lambda p, d: Where.OFFICE)
    assert (nobody[0].holders, nobody[0].missing, nobody[0].stand_in) == ((), 2, None)


def test_two_holders_a_day_take_the_next_two_turns() -> None:
    r = plan(["Anna", "Ben", "Cem", "Dora", "Emil"], min_holders=2, days=7)
    assert who(r) == ["Anna+Ben", "Cem+Dora", "Emil+Anna", "Ben+Cem", "Dora+Emil"]
    assert r[0].stand_in == "Cem"


def test_a_hand_over_wins_and_moves_nothing_else() -> None:
    people = ["Anna", "Ben", "Cem"]
    before = plan(people, days=14)
    wednesday = MON + timedelta(days=2)
    after = plan(people, days=14, handovers=(Handover(wednesday, "Cem", "Anna"),))
    assert after[2].holders == ("Anna",) and after[2].stand_in == "Ben"
    assert changed_days(before, after) == {"Anna": {wednesday}, "Cem": {wednesday}}


def test_a_swap_is_two_hand_overs() -> None:
    people = ["Anna", "Ben", "Cem"]
    swap = (Handover(MON, "Anna", "Ben"), Handover(MON + timedelta(1), "Ben", "Anna"))
    assert who(plan(people, days=3, handovers=swap)) == ["Ben", "Anna", "Cem"]
    assert who(plan(people, days=3, handovers=swap[::-1])) == ["Ben", "Anna", "Cem"]


def test_taking_a_free_place_and_a_lapsed_hand_over() -> None:
    people = ["Anna", "Ben", "Cem"]
    # Monday is uncovered for a two-person duty (only Cem is there); Dora is not a participant.
    away = {"Anna": {MON}, "Ben": {MON}}
    r = plan(people, min_holders=2, days=1, away=away, handovers=(Handover(MON, None, "Dora"),))
    assert (r[0].holders, r[0].missing) == (("Cem",), 1)
    # A take-over of a free place stands even when the day later became covered by the rule.
    r = plan(people, min_holders=1, days=1, handovers=(Handover(MON, None, "Cem"),))
    assert r[0].holders == ("Cem",)
    # The taker is away that day: the hand-over does not count, the rule stands.
    r = plan(people, days=1, away={"Ben": {MON}}, handovers=(Handover(MON, "Anna", "Ben"),))
    assert r[0].holders == ("Anna",)


def test_changed_days_names_gains_and_losses() -> None:
    a = [DutyDay(MON, ("Anna",), "Ben", 0), DutyDay(MON + timedelta(1), ("Ben",), "Cem", 0)]
    b = [DutyDay(MON, ("Ben",), "Cem", 0), DutyDay(MON + timedelta(1), ("Ben",), "Anna", 0)]
    assert changed_days(a, b) == {"Anna": {MON}, "Ben": {MON}}
    assert changed_days(a, a) == {}


# --- properties ---------------------------------------------------------------------------------

SPAN = 56  # eight weeks of calendar days
NEARBY = timedelta(days=56)  # an absence moves duty days at most this far after it


@dataclass
class Case:
    people: list[str]
    rule: DutyRule
    first: date
    holidays: frozenset[date]
    away: dict[str, set[date]]
    home: dict[str, set[date]]  # days at home (else in the office)
    handovers: list[Handover] = field(default_factory=list)

    def working(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def place(self, person: str, d: date) -> Where:
        if d in self.away.get(person, set()):
            return Where.AWAY
        return Where.HOME if d in self.home.get(person, set()) else Where.OFFICE

    def available(self, person: str, d: date) -> bool:
        where = self.place(person, d)
        return where != Where.AWAY and (not self.rule.on_site or where == Where.OFFICE)

    def days(self) -> list[date]:
        return days_from(self.first, SPAN)

    def run(self, days: list[date] | None = None, *, place: Callable[[str, date], Where] | None = None,
            handovers: list[Handover] | None = None, carry: Carry | None = None,
            people: list[str] | None = None) -> list[DutyDay]:
        return rota(self.rule, self.people if people is None else people, self.days() if days is None else days,
                    is_working_day=self.working, place=place or self.place,
                    handovers=self.handovers if handovers is None else handovers, carry=carry)

    def carry(self, day: date, *, carry: Carry | None = None, place: Callable[[str, date], Where] | None = None,
              people: list[str] | None = None) -> Carry | None:
        return carry_forward(self.rule, self.people if people is None else people, day, is_working_day=self.working,
                             place=place or self.place, carry=carry)


@st.composite
def cases(draw: st.DrawFn, *, with_handovers: bool = True, absences: bool = True) -> Case:
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 8))
    people = [f"P{i}" for i in range(n)]
    m = draw(st.integers(1, 3))
    on_site = draw(st.booleans())
    weekdays = WEEK if draw(st.booleans()) else frozenset(draw(st.sets(st.integers(0, 4), min_size=1)))
    start = MON + timedelta(days=draw(st.integers(0, 120)))
    first = start + timedelta(days=draw(st.integers(0, 200)))
    every = days_from(start - timedelta(days=70), (first - start).days + SPAN + 84)
    holidays = frozenset(d for d in every if d.weekday() < 5 and rng.random() < 0.04)
    away: dict[str, set[date]] = {}
    home: dict[str, set[date]] = {}
    for p in people:
        kind = rng.random()
        if absences and kind < 0.5:  # absences: some single days, some longer spans
            for _ in range(rng.randint(1, 4)):
                a = rng.randrange(len(every))
                length = rng.choice([1, 1, 2, 3, 5, 8, 12, 20])
                away.setdefault(p, set()).update(every[a:a + length])
        if rng.random() < 0.5:  # an office pattern: fixed weekdays at home, or a weekly alternation
            if rng.random() < 0.5:
                off = {rng.randrange(5) for _ in range(rng.randint(1, 3))}
                home[p] = {d for d in every if d.weekday() in off}
            else:
                parity = rng.randrange(2)
                home[p] = {d for d in every if (d.toordinal() // 7) % 2 == parity}
    case = Case(people, DutyRule(on_site, m, weekdays, start), first, holidays, away, home)
    if with_handovers and rng.random() < 0.7:
        span = case.days()
        for _ in range(rng.randint(1, 6)):
            day = rng.choice(span)
            giver = rng.choice([None, *people])
            case.handovers.append(Handover(day, giver, rng.choice(people)))
    return case


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(cases())
def test_every_day_is_staffed_by_available_people_or_flagged(case: Case) -> None:
    r = case.run()
    duty_days = [d for d in case.days() if d >= case.rule.start and d.weekday() in case.rule.weekdays
                 and case.working(d)]
    assert [d.day for d in r] == duty_days  # one entry per duty day, none on weekends or holidays
    m = case.rule.min_holders
    for d in r:
        assert len(d.holders) == len(set(d.holders)) <= m
        assert d.missing == m - len(d.holders)
        for p in d.holders:
            assert case.place(p, d.day) != Where.AWAY
            if case.rule.on_site:
                assert case.place(p, d.day) == Where.OFFICE
        free = {p for p in case.people if case.available(p, d.day)}
        givers = {h.giver for h in case.handovers if h.day == d.day and h.taker in d.holders}
        if d.missing > 0:
            assert free - givers <= set(d.holders)  # uncovered: everyone who could is on it
            assert d.stand_in is None
        if d.stand_in is not None:
            assert d.stand_in not in d.holders and d.stand_in in free


@PROPS
@given(cases(with_handovers=False))
def test_without_hand_overs_an_uncovered_day_has_exactly_the_available_people(case: Case) -> None:
    for d in case.run():
        free = [p for p in case.people if case.available(p, d.day)]
        assert len(d.holders) == min(case.rule.min_holders, len(free))
        if d.missing > 0:
            assert set(d.holders) == set(free)


@PROPS
@given(cases())
def test_the_same_plan_gives_the_same_rota_whatever_the_order_of_hand_overs(case: Case) -> None:
    r = case.run()
    assert case.run() == r
    shuffled = list(case.handovers)
    random.Random(7).shuffle(shuffled)
    assert case.run(handovers=shuffled + shuffled[:1]) == r


@PROPS
@given(cases())
def test_hand_overs_win(case: Case) -> None:
    r = {d.day: d for d in case.run()}
    for h in case.handovers:
        d = r.get(h.day)
        if d is None or h.giver == h.taker or not case.available(h.taker, h.day):
            continue
        takers = {x.taker for x in case.handovers if x.day == h.day and x.giver != x.taker
                  and case.available(x.taker, h.day)}
        if len(takers) > case.rule.min_holders:
            continue  # more takers than places: only so many can hold
        assert h.taker in d.holders
        same_taker = [x for x in case.handovers if x.day == h.day and x.taker == h.taker and x.giver != x.taker]
        if h.giver is not None and h.giver not in takers and len({x.giver for x in same_taker}) == 1:
            assert h.giver not in d.holders  # (one taker takes one place: of two givers only one is relieved)


@PROPS
@given(cases(), st.integers(0, SPAN - 1), st.integers(1, SPAN))
def test_the_rota_of_some_days_is_the_same_as_from_the_start(case: Case, offset: int, length: int) -> None:
    some = days_from(case.first + timedelta(days=offset), length)
    everything = {d.day: d for d in case.run(days_from(case.rule.start, (some[-1] - case.rule.start).days + 1))}
    alone = case.run(some)
    assert alone == [everything[d.day] for d in alone] and {d.day for d in alone} == {
        d for d in some if d in everything}


@PROPS
@given(cases(), st.integers(0, SPAN - 1), st.integers(1, SPAN), st.integers(0, 150), st.integers(0, 60))
def test_from_a_carry_the_rota_goes_on_exactly_and_needs_no_older_data(
        case: Case, offset: int, length: int, back: int, later: int) -> None:
    some = days_from(case.first + timedelta(days=offset), length)
    alone = case.run(some)
    first = max(case.rule.start, some[0] - timedelta(days=back))  # written down some day before
    second = min(first + timedelta(days=later), some[0])  # and carried on from there later
    one = case.carry(first)
    two = case.carry(second, carry=one, place=lambda p, d: Where.AWAY if d < first else case.place(p, d))
    assert two == case.carry(second) or second == case.rule.start

    def forgotten(person: str, d: date) -> Where:
        return Where.AWAY if d < second else case.place(person, d)

    assert case.run(some, place=forgotten, carry=two) == alone


def test_a_carry_holds_the_line_and_no_counts() -> None:
    people = ["Anna", "Ben", "Cem"]
    rule = DutyRule(False, 1, WEEK, MON)
    away = {"Anna": {MON}}

    def place(p: str, d: date) -> Where:
        return Where.AWAY if d in away.get(p, set()) else Where.OFFICE

    carry = carry_forward(rule, people, MON + timedelta(days=1), is_working_day=weekdays_only, place=place)
    # Monday: Anna away, Ben stood in; so Anna is first in line on Tuesday and Ben has skipped his turn.
    assert carry == Carry(MON + timedelta(days=1), ("Anna", "Ben", "Cem"), (-1, 3, 1), (1, 11, 11))
    assert carry_forward(rule, people, MON, is_working_day=weekdays_only, place=place) is None


def test_after_a_carry_whoever_leaves_is_dropped_and_the_others_keep_their_order() -> None:
    people = ["Anna", "Ben", "Cem", "Dora"]
    rule = DutyRule(False, 1, WEEK, MON)
    office: Callable[[str, date], Where] = lambda p, d: Where.OFFICE  # noqa: E731
    wednesday = MON + timedelta(days=2)
    carry = carry_forward(rule, people, wednesday, is_working_day=weekdays_only, place=office)
    assert carry is not None
    # Anna and Ben had Monday and Tuesday; Cem is next. Ben leaves the team, Emil joins.
    r = rota(rule, ["Anna", "Cem", "Dora", "Emil"], days_from(wednesday, 3), is_working_day=weekdays_only,
             place=office, carry=carry)
    assert who(r) == ["Cem", "Dora", "Anna"]
    r = rota(rule, ["Anna", "Cem", "Dora", "Emil"], days_from(wednesday, 8), is_working_day=weekdays_only,
             place=office, carry=carry)
    assert who(r) == ["Cem", "Dora", "Anna", "Emil", "Cem", "Dora"]
    # A lead's change starts the cycle afresh: a carry from before it is not used.
    fresh = DutyRule(False, 1, WEEK, wednesday + timedelta(days=1))
    assert who(rota(fresh, people, days_from(wednesday, 3), is_working_day=weekdays_only, place=office,
                    carry=carry)) == ["Anna", "Ben"]


def test_two_colleagues_with_the_same_office_days_take_an_on_site_duty_in_turn() -> None:
    people = ["Anna", "Ben", "Cem", "Dora", "Emil", "Fritz", "Gül"]
    days = days_from(MON, 70)
    # Anna and Fritz are in the office every other week, the others every day.
    office = {p: set(days) for p in people}
    for p in ("Anna", "Fritz"):
        office[p] = {d for d in days if (d - MON).days // 7 % 2 == 0}
    r = plan(people, min_holders=2, on_site=True, days=70, office=office)
    turns = [p for d in r for p in d.holders if p in ("Anna", "Fritz")]
    assert all(a != b for a, b in zip(turns, turns[1:], strict=False)) or len(set(turns)) < 2, turns


def duty_counts(r: list[DutyDay], people: list[str], first: date, last: date) -> list[int]:
    return [sum(p in d.holders for d in r if first <= d.day < last) for p in people]


@PROPS
@given(cases(with_handovers=False))
def test_over_any_four_weeks_colleagues_equally_available_differ_by_at_most_one_duty_day(case: Case) -> None:
    end = case.first + timedelta(days=SPAN)
    r = case.run(days_from(case.rule.start, (end - case.rule.start).days), handovers=[])
    duty_days = [d.day for d in r]
    for begin in (d for d in duty_days if d >= case.first):
        stop = begin + timedelta(days=28)
        if stop > end:
            break
        alike: dict[tuple[bool, ...], list[str]] = {}  # available on the same duty days since the start
        for p in case.people:
            alike.setdefault(tuple(case.available(p, d) for d in duty_days if d < stop), []).append(p)
        for group in alike.values():
            counts = duty_counts(r, group, begin, stop)
            assert max(counts) - min(counts) <= 1, (group, counts, begin)


@PROPS
@given(cases(), st.data())
def test_one_more_absence_moves_only_nearby_days(case: Case, data: st.DataObject) -> None:
    before = case.run()
    if not before:
        return
    day = data.draw(st.sampled_from([d.day for d in before]))
    person = data.draw(st.sampled_from(case.people))

    def also_away(p: str, d: date) -> Where:
        return Where.AWAY if (p, d) == (person, day) else case.place(p, d)

    after = case.run(place=also_away)
    moved = set().union(*changed_days(before, after).values()) if changed_days(before, after) else set()
    assert all(day <= d < day + NEARBY for d in moved)
