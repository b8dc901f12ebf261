"""Rotation domain logic: calendar facts, patterns, precedence, plans, formatting."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest

from base.i18n import LocalizedError
from domain.calendar import (
    count_working_days,
    format_day,
    format_day_short,
    format_week,
    holiday_name,
    holidays_for,
    is_holiday,
    is_working_day,
    iso_week,
    monday_of,
    next_working_days,
    validate_region,
    working_days,
)
from domain.rotation import (
    DayPlan,
    Rotation,
    Where,
    office_groups,
    parse_custom,
    plan,
    preview,
    where,
)

D = date


def groups_by_day(rotation: Rotation, start: date, end: date) -> dict[date, str]:
    """day -> office groups joined ("" for nobody), every calendar day in range."""
    out = {}
    day = start
    while day <= end:
        out[day] = "".join(sorted(office_groups(rotation, day)))
        day += timedelta(days=1)
    return out


# --- calendar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("de-bw", "DE-BW"),
        ("DE", "DE"),
        (" de ", "DE"),
        ("DE_ST", "DE-ST"),
        ("nw", "DE-NW"),
        ("DE-TH", "DE-TH"),
    ],
)
def test_validate_region_normalises(raw: str, canonical: str) -> None:
    assert validate_region(raw) == canonical


@pytest.mark.parametrize("raw", ["", "AT", "DE-XX", "DE-Augsburg", "DE-BW-1", "EU", "BWX"])
def test_validate_region_rejects_unknown(raw: str) -> None:
    with pytest.raises(LocalizedError) as info:
        validate_region(raw)
    assert "DE-NW" in info.value.render("de")
    assert info.value.render("de").startswith("Unbekannte Feiertagsregion")
    assert info.value.render("en").startswith("Unknown holiday region")


def test_epiphany_in_bw_and_st_but_not_nw() -> None:
    epiphany = D(2026, 1, 6)  # a Tuesday
    assert is_holiday(epiphany, "DE-BW")
    assert is_holiday(epiphany, "DE-ST")
    assert is_holiday(epiphany, "DE-BY")
    assert not is_holiday(epiphany, "DE-NW")
    assert not is_holiday(epiphany, "DE-NI")
    assert not is_holiday(epiphany, "DE")
    assert not is_working_day(epiphany, "DE-BW")
    assert not is_working_day(epiphany, "DE-ST")
    assert is_working_day(epiphany, "DE-NW")
    assert holiday_name(epiphany, "DE-BW", "de") == "Heilige Drei Könige"
    assert holiday_name(epiphany, "DE-ST", "en") == "Epiphany"
    assert holiday_name(epiphany, "DE-NW", "de") is None


def test_bw_and_st_differ_on_reformation_and_all_saints() -> None:
    reformation = D(2025, 10, 31)  # Friday
    all_saints = D(2027, 11, 1)  # Monday
    assert is_holiday(reformation, "DE-ST") and not is_holiday(reformation, "DE-BW")
    assert is_holiday(all_saints, "DE-BW") and not is_holiday(all_saints, "DE-ST")
    assert holiday_name(reformation, "DE-ST", "de") == "Reformationstag"
    assert holiday_name(all_saints, "DE-BW", "de") == "Allerheiligen"
    assert holiday_name(all_saints, "DE-BW", "en") == "All Saints' Day"
    assert is_working_day(reformation, "DE-BW")
    assert is_working_day(all_saints, "DE-ST")


def test_holidays_for_names_both_languages_and_region_spelling() -> None:
    de = holidays_for("de-bw", 2026, language="de")
    en = holidays_for("DE-BW", 2026, language="en")
    assert de[D(2026, 10, 3)] == "Tag der Deutschen Einheit"
    assert en[D(2026, 10, 3)] == "German Unity Day"
    assert set(de) == set(en)
    assert len(de) == 12
    national = holidays_for("DE", 2026)
    assert D(2026, 1, 6) not in national and len(national) == 9
    de[D(2026, 7, 1)] = "mine"  # a fresh dict: the cache is untouched
    assert D(2026, 7, 1) not in holidays_for("DE-BW", 2026)
    assert is_holiday(D(2026, 6, 4), "de-bw")  # Corpus Christi, region as typed


def test_is_holiday_rejects_unknown_region() -> None:
    with pytest.raises(LocalizedError):
        is_holiday(D(2026, 1, 1), "DE-XX")


def test_working_days_skip_weekend_and_holiday() -> None:
    # 3 October 2025 is a Friday
    assert working_days(D(2025, 9, 30), D(2025, 10, 7), "DE") == [
        D(2025, 9, 30),
        D(2025, 10, 1),
        D(2025, 10, 2),
        D(2025, 10, 6),
        D(2025, 10, 7),
    ]
    assert working_days(D(2025, 10, 7), D(2025, 10, 6), "DE") == []
    assert next_working_days(D(2025, 10, 3), 3, "DE") == [D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8)]
    assert next_working_days(D(2025, 10, 2), 2, "DE") == [D(2025, 10, 2), D(2025, 10, 6)]
    assert count_working_days(D(2025, 9, 29), D(2025, 10, 7), "DE") == 5
    assert count_working_days(D(2025, 10, 7), D(2025, 9, 29), "DE") == 0


def test_count_working_days_matches_enumeration_across_years() -> None:
    for region in ("DE", "DE-BW", "DE-ST"):
        start, end = D(2024, 12, 20), D(2027, 1, 10)
        assert count_working_days(start, end, region) == len(
            working_days(start, end - timedelta(days=1), region)
        )


def test_iso_week_and_monday_across_week_53() -> None:
    assert iso_week(D(2026, 12, 28)) == (2026, 53)
    assert iso_week(D(2027, 1, 3)) == (2026, 53)
    assert iso_week(D(2027, 1, 4)) == (2027, 1)
    assert iso_week(D(2024, 12, 30)) == (2025, 1)
    assert monday_of(D(2027, 1, 3)) == D(2026, 12, 28)
    assert monday_of(D(2026, 12, 28)) == D(2026, 12, 28)


def test_formatting_german_and_english() -> None:
    day = D(2026, 11, 24)  # Tuesday, ISO week 48
    assert format_day(day, "de") == "Di, 24.11.2026"
    assert format_day(day, "en") == "Tue, 24 Nov 2026"
    assert format_day_short(day, "de") == "Di 24.11."
    assert format_day_short(day, "en") == "Tue 24/11"
    assert format_week(day, "de") == "KW 48"
    assert format_week(day, "en") == "CW 48"
    assert format_day(D(2027, 1, 3), "de") == "So, 03.01.2027"
    assert format_day(D(2027, 1, 3), "en") == "Sun, 3 Jan 2027"
    assert format_day_short(D(2027, 1, 3), "de") == "So 03.01."
    assert format_day_short(D(2025, 3, 5), "en_GB") == "Wed 05/03"
    assert format_week(D(2027, 1, 1), "de") == "KW 53"
    assert format_day(D(2026, 12, 24), "de-DE") == "Do, 24.12.2026"


# --- patterns ----------------------------------------------------------------------------------


def test_weekly_across_iso_week_53() -> None:
    rot = Rotation.create("A,B", "weekly", D(2026, 12, 21), region="DE")
    got = groups_by_day(rot, D(2026, 12, 21), D(2027, 1, 8))
    # W52: A (25/26 Dec holidays), W53 (28.12.–03.01.): B (1 Jan holiday), 2027-W01: A
    assert got[D(2026, 12, 21)] == "A"
    assert got[D(2026, 12, 24)] == "A"
    assert got[D(2026, 12, 25)] == ""  # Christmas
    assert got[D(2026, 12, 26)] == ""  # Saturday
    assert [got[D(2026, 12, 28) + timedelta(days=i)] for i in range(7)] == ["B", "B", "B", "B", "", "", ""]
    assert [got[D(2027, 1, 4) + timedelta(days=i)] for i in range(5)] == ["A"] * 5
    assert office_groups(rot, D(2027, 1, 11)) == {"B"}


def test_weekly_start_mid_week_counts_from_its_week() -> None:
    rot = Rotation.create(["A", "B", "C"], "woche", D(2025, 1, 8), region="DE-NW")
    assert office_groups(rot, D(2025, 1, 7)) == frozenset()  # before the start
    assert office_groups(rot, D(2025, 1, 8)) == {"A"}
    assert office_groups(rot, D(2025, 1, 13)) == {"B"}
    assert office_groups(rot, D(2025, 1, 20)) == {"C"}
    assert office_groups(rot, D(2025, 1, 27)) == {"A"}


def test_daily_skips_weekend_and_holiday_2025() -> None:
    # 3 October 2025 is a Friday: Mon A, Tue B, Wed C, Thu A, Fri holiday, Mon B, Tue C
    rot = Rotation.create("A,B,C", "daily", D(2025, 9, 29), region="DE")
    got = groups_by_day(rot, D(2025, 9, 29), D(2025, 10, 8))
    assert list(got.values()) == ["A", "B", "C", "A", "", "", "", "B", "C", "A"]


def test_daily_skips_holiday_on_a_thursday_2024() -> None:
    # 3 October 2024 is a Thursday: Tue A, Wed B, Thu holiday, Fri C, Mon A
    rot = Rotation.create("A,B,C", "tag", D(2024, 10, 1), region="DE-BY")
    got = groups_by_day(rot, D(2024, 10, 1), D(2024, 10, 8))
    assert list(got.values()) == ["A", "B", "", "C", "", "", "A", "B"]
    # a far-away day agrees with stepping day by day
    stepped = preview(rot, D(2024, 10, 1), 300)
    for day, groups in stepped:
        assert office_groups(rot, day) == groups


def test_daily_starting_on_a_weekend_begins_on_monday() -> None:
    rot = Rotation.create("A,B", "daily", D(2025, 10, 4), region="DE")  # Saturday
    assert office_groups(rot, D(2025, 10, 6)) == {"A"}
    assert office_groups(rot, D(2025, 10, 7)) == {"B"}


def test_custom_two_week_pattern() -> None:
    rot = Rotation.create("A,B", "custom", D(2025, 1, 6), custom="AAABB/BBBAA", region="DE-NW")
    got = groups_by_day(rot, D(2025, 1, 6), D(2025, 1, 24))
    week1 = [got[D(2025, 1, 6) + timedelta(days=i)] for i in range(5)]
    week2 = [got[D(2025, 1, 13) + timedelta(days=i)] for i in range(5)]
    week3 = [got[D(2025, 1, 20) + timedelta(days=i)] for i in range(5)]
    assert week1 == ["A", "A", "A", "B", "B"]
    assert week2 == ["B", "B", "B", "A", "A"]
    assert week3 == week1
    assert got[D(2025, 1, 11)] == ""


def test_custom_pattern_is_holiday_aware() -> None:
    # same pattern in DE-BW: 6 Jan 2025 (Monday) is Epiphany, nobody scheduled
    rot = Rotation.create("A,B", "muster", D(2025, 1, 6), custom="AAABB/BBBAA", region="de-bw")
    assert rot.region == "DE-BW"
    assert office_groups(rot, D(2025, 1, 6)) == frozenset()
    assert office_groups(rot, D(2025, 1, 7)) == {"A"}


def test_custom_dash_and_multi_group_slots() -> None:
    rot = Rotation.create("A,B,C", "custom", D(2025, 2, 3), custom="[AB]A-B[a+c] / c-[ABC]BA", region="DE")
    assert rot.custom == "[AB]A-B[a+c]/c-[ABC]BA"
    got = groups_by_day(rot, D(2025, 2, 3), D(2025, 2, 14))
    assert [got[D(2025, 2, 3) + timedelta(days=i)] for i in range(5)] == ["AB", "A", "", "B", "AC"]
    assert [got[D(2025, 2, 10) + timedelta(days=i)] for i in range(5)] == ["C", "", "ABC", "B", "A"]


def test_custom_long_group_names_in_brackets() -> None:
    weeks = parse_custom("[Nord][nord][Nord,Sued][Sued]-", ("Nord", "Sued"))
    assert weeks == (
        (
            frozenset({"Nord"}),
            frozenset({"Nord"}),
            frozenset({"Nord", "Sued"}),
            frozenset({"Sued"}),
            frozenset(),
        ),
    )
    # a group called "AB" wins over "A and B" inside brackets
    assert parse_custom("[AB][A+B]ABA", ("A", "B", "AB"))[0][:2] == (frozenset({"AB"}), frozenset({"A", "B"}))


def test_custom_unknown_group_is_a_localized_error_with_example() -> None:
    with pytest.raises(LocalizedError) as info:
        Rotation.create("A,B", "custom", D(2025, 1, 6), custom="AAABB/BBCAA")
    de, en = info.value.render("de"), info.value.render("en")
    assert de.startswith("Unbekannte Gruppe „C“ in Woche 2")
    assert "Gruppen: A, B" in de and 'muster "AAABB/BBBAA"' in de
    assert en.startswith("Unknown group “C” in week 2")
    assert 'custom "AAABB/BBBAA"' in en


def test_custom_bare_long_name_hints_brackets() -> None:
    with pytest.raises(LocalizedError) as info:
        Rotation.create("Nord,Sued", "custom", D(2025, 1, 6), custom="NNNSS")
    assert "„N“" in info.value.render("de") and "[Nord]" in info.value.render("de")


@pytest.mark.parametrize(
    ("custom", "expected_de"),
    [
        ("AAAB/BBBAA", "Woche 1 des Musters („AAAB“) hat 4 Tage, nötig sind genau 5"),
        ("AAABB/BBBAAA", "Woche 2 des Musters („BBBAAA“) hat 6 Tage"),
        ("AAABB//BBBAA", "Woche 2 des Musters ist leer"),
        ("AAABB/", "Woche 2 des Musters ist leer"),
        ("AA[AB", "Klammerfehler in Woche 1"),
        ("AA[]AB", "Klammerfehler in Woche 1"),
        ("AA]AB", "Klammerfehler in Woche 1"),
        ("A[A[B]]BB", "Klammerfehler in Woche 1"),
        ("A[A+]ABB", "Klammerfehler in Woche 1"),
        ("AA[AX]B", "Unbekannte Gruppe „X“ in Woche 1"),
    ],
)
def test_custom_pattern_errors(custom: str, expected_de: str) -> None:
    with pytest.raises(LocalizedError) as info:
        Rotation.create("A,B", "custom", D(2025, 1, 6), custom=custom)
    assert expected_de in info.value.render("de")
    assert "AAABB/BBBAA" in info.value.render("en")


def test_custom_pattern_required_only_for_custom() -> None:
    with pytest.raises(LocalizedError) as info:
        Rotation.create("A,B", "custom", D(2025, 1, 6))
    assert "fehlt" in info.value.render("de")
    with pytest.raises(LocalizedError):
        Rotation.create("A,B", "weekly", D(2025, 1, 6), custom="AAABB")
    with pytest.raises(LocalizedError) as info:
        Rotation.create("A,B", "custom", D(2025, 1, 6), custom="AAABB/" * 40)
    assert "zu lang" in info.value.render("de")


@pytest.mark.parametrize(
    ("groups", "pattern", "min_office", "region", "fragment_en"),
    [
        ("A", "weekly", None, "DE", "needs 2 to 10 groups"),
        ("A,a", "weekly", None, "DE", "given twice"),
        ("A,B_1", "weekly", None, "DE", "Invalid group name"),
        ("A,Gruppenname11", "weekly", None, "DE", "Invalid group name"),
        ("A,", "weekly", None, "DE", "Invalid group name"),
        ("A,B", "monthly", None, "DE", "Unknown rotation pattern"),
        ("A,B", "weekly", -1, "DE", "minimum office staffing"),
        ("A,B", "weekly", True, "DE", "minimum office staffing"),
        ("A,B", "weekly", None, "DE-XY", "Unknown holiday region"),
    ],
)
def test_rotation_create_validation(groups, pattern, min_office, region, fragment_en) -> None:
    with pytest.raises(LocalizedError) as info:
        Rotation.create(groups, pattern, D(2025, 1, 6), min_office=min_office, region=region)
    assert fragment_en in info.value.render("en")


def test_rotation_create_normalises() -> None:
    rot = Rotation.create(" A , b,Nord ", "Wöchentlich", D(2025, 1, 6), min_office=0, region="de-sn")
    assert rot.groups == ("A", "b", "Nord")
    assert rot.pattern == "weekly"
    assert rot.region == "DE-SN"
    assert rot.min_office == 0
    assert rot.group_of("B") == "b" and rot.group_of("NORD") == "Nord" and rot.group_of("C") is None
    assert rot == Rotation.create("A,b,Nord", "weekly", D(2025, 1, 6), min_office=0, region="DE-SN")
    with pytest.raises(AttributeError):
        rot.pattern = "daily"  # type: ignore[misc]


# --- where: precedence -------------------------------------------------------------------------


def test_where_precedence_absence_over_change_over_rotation() -> None:
    rot = Rotation.create("A,B", "weekly", D(2025, 1, 6), region="DE-NW")
    monday = D(2025, 1, 6)  # A in office
    assert where(rot, monday, "A", None, False) is Where.OFFICE
    assert where(rot, monday, "b", None, False) is Where.HOME
    assert where(rot, monday, "A", Where.HOME, False) is Where.HOME
    assert where(rot, monday, "B", Where.OFFICE, False) is Where.OFFICE
    assert where(rot, monday, "B", "field", False) is Where.FIELD
    assert where(rot, monday, "A", Where.FIELD, True) is Where.AWAY
    assert where(rot, monday, "A", None, True) is Where.AWAY
    # not in the rotation: only a change or absence schedules them
    assert where(rot, monday, None, None, False) is None
    assert where(rot, monday, "Z", None, False) is None
    assert where(rot, monday, None, Where.OFFICE, False) is Where.OFFICE
    # weekend and holiday: nobody is scheduled, whatever the change
    assert where(rot, D(2025, 1, 11), "A", Where.OFFICE, True) is None
    assert where(rot, D(2025, 4, 18), "A", Where.OFFICE, False) is None  # Good Friday
    # before the start: not in effect
    assert where(rot, D(2025, 1, 3), "A", None, False) is None
    assert where(rot, D(2025, 1, 3), "A", Where.FIELD, False) is Where.FIELD


# --- plan ----------------------------------------------------------------------------------------


def test_plan_entries_precedence_holiday_and_below_min() -> None:
    rot = Rotation.create("A,B", "weekly", D(2025, 9, 29), min_office=3, region="DE")
    members = {"anna": "A", "ben": "A", "cem": "A", "dora": "B", "emil": "b", "fritz": "X"}
    changes = {
        ("anna", D(2025, 9, 30)): Where.HOME,  # A week: 2 in office -> below min
        ("dora", D(2025, 10, 1)): Where.OFFICE,  # 4 in office
        ("ben", D(2025, 10, 2)): Where.FIELD,
        ("ben", D(2025, 10, 3)): Where.OFFICE,  # holiday: ignored
        ("dora", D(2025, 10, 6)): "office",  # B week: dora + emil -> 2, below
        ("emil", D(2025, 10, 7)): Where.FIELD,
        ("gaby", D(2025, 10, 7)): Where.OFFICE,  # not in the rotation, but comes in
        ("anna", D(2025, 12, 1)): Where.OFFICE,  # outside the range
    }
    absences = {("cem", D(2025, 10, 2)), ("ben", D(2025, 10, 2)), ("anna", D(2025, 10, 6))}
    days = plan(rot, D(2025, 9, 27), D(2025, 10, 7), members, changes, absences, locale="en")
    assert [d.day for d in days] == [
        D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 1), D(2025, 10, 2), D(2025, 10, 3),
        D(2025, 10, 6), D(2025, 10, 7),
    ]  # fmt: skip
    by_day = {d.day: d for d in days}

    mon = by_day[D(2025, 9, 29)]
    assert mon.holiday is None and mon.office_groups == {"A"}
    assert dict(mon.entries) == {
        "anna": "office",
        "ben": "office",
        "cem": "office",
        "dora": "home",
        "emil": "home",
    }
    assert (mon.office_count, mon.below_min) == (3, False)

    tue = by_day[D(2025, 9, 30)]
    assert tue.entries["anna"] is Where.HOME
    assert (tue.office_count, tue.below_min) == (2, True)

    wed = by_day[D(2025, 10, 1)]
    assert wed.entries["dora"] is Where.OFFICE and (wed.office_count, wed.below_min) == (4, False)

    thu = by_day[D(2025, 10, 2)]  # absence beats ben's field change
    assert thu.entries["ben"] is Where.AWAY and thu.entries["cem"] is Where.AWAY
    assert thu.entries["anna"] is Where.OFFICE
    assert (thu.office_count, thu.below_min) == (1, True)

    fri = by_day[D(2025, 10, 3)]
    assert fri == DayPlan(D(2025, 10, 3), "German Unity Day", {}, 0, False)

    mon2 = by_day[D(2025, 10, 6)]
    assert mon2.office_groups == {"B"}
    assert dict(mon2.entries) == {
        "anna": "away",
        "ben": "home",
        "cem": "home",
        "dora": "office",
        "emil": "office",
    }
    assert (mon2.office_count, mon2.below_min) == (2, True)

    tue2 = by_day[D(2025, 10, 7)]
    assert tue2.entries["emil"] is Where.FIELD and tue2.entries["gaby"] is Where.OFFICE
    assert "fritz" not in tue2.entries
    assert (tue2.office_count, tue2.below_min) == (2, True)


def test_plan_holiday_names_follow_locale_and_region() -> None:
    members = {"anna": "A", "ben": "B"}
    for region, name in (("DE-BW", "Heilige Drei Könige"), ("DE-ST", "Heilige Drei Könige"), ("DE-NW", None)):
        rot = Rotation.create("A,B", "daily", D(2026, 1, 5), region=region)
        days = plan(rot, D(2026, 1, 5), D(2026, 1, 7), members, locale="de")
        assert days[1].holiday == name
        # daily does not advance over the holiday
        expected = ["A", "B"] if name else ["A", "B", "A"]
        assert ["".join(sorted(d.office_groups)) for d in days if d.holiday is None] == expected


def test_plan_before_start_only_changes_count_and_no_min_flag() -> None:
    rot = Rotation.create("A,B", "weekly", D(2025, 1, 8), min_office=1, region="DE")
    days = plan(rot, D(2025, 1, 6), D(2025, 1, 8), {"anna": "A"}, {("ben", D(2025, 1, 6)): Where.OFFICE})
    assert dict(days[0].entries) == {"ben": "office"} and days[0].office_count == 1
    assert dict(days[1].entries) == {} and days[1].below_min is False
    assert dict(days[2].entries) == {"anna": "office"} and days[2].below_min is False
    assert plan(rot, D(2025, 1, 9), D(2025, 1, 8), {"anna": "A"}) == []


def test_plan_entries_are_read_only() -> None:
    rot = Rotation.create("A,B", "weekly", D(2025, 1, 6), region="DE")
    days = plan(rot, D(2025, 1, 6), D(2025, 1, 7), {"anna": "A"})
    with pytest.raises(TypeError):
        days[0].entries["anna"] = Where.HOME  # type: ignore[index]


def test_plan_agrees_with_where_for_every_person_day() -> None:
    rng = random.Random(7)
    rot = Rotation.create(
        "A,B,C", "custom", D(2025, 12, 15), custom="AB-C[AB]/[BC]CA-A", min_office=4, region="DE-BY"
    )
    people = [f"p{i}" for i in range(40)]
    members = {p: rng.choice("ABCabcX") for p in people[:35]}
    start, end = D(2025, 12, 1), D(2026, 2, 28)
    all_days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    changes = {(rng.choice(people), rng.choice(all_days)): rng.choice(list(Where)[:3]) for _ in range(300)}
    absences = {(rng.choice(people), rng.choice(all_days)) for _ in range(300)}
    days = plan(rot, start, end, members, changes, absences)
    assert [d.day for d in days] == [d for d in all_days if d.weekday() < 5]
    for dp in days:
        expected = {}
        for p in people:
            w = where(rot, dp.day, members.get(p), changes.get((p, dp.day)), (p, dp.day) in absences)
            if w is not None:
                expected[p] = w
        assert dict(dp.entries) == expected, dp.day
        count = sum(1 for w in expected.values() if w is Where.OFFICE)
        assert dp.office_count == count
        assert dp.below_min == (dp.holiday is None and dp.day >= rot.start and count < 4)
        assert dp.office_groups == office_groups(rot, dp.day)


def test_plan_a_year_for_20000_people_is_fast() -> None:
    rot = Rotation.create("A,B,C", "daily", D(2024, 3, 1), min_office=6000, region="DE-BY")
    members = {f"user{i:05d}": "ABC"[i % 3] for i in range(20_000)}
    year = [D(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    changes = {(f"user{i:05d}", year[i % 365]): Where.FIELD for i in range(0, 20_000, 4)}
    absences = {(f"user{i:05d}", year[(i * 7) % 365]) for i in range(0, 20_000, 2)}
    began = time.perf_counter()
    days = plan(rot, D(2026, 1, 1), D(2026, 12, 31), members, changes, absences)
    elapsed = time.perf_counter() - began
    assert len(days) == 261
    # 9 of BY's 2026 holidays fall on weekdays (3 Oct, 1 Nov and 26 Dec are weekend days)
    assert sum(1 for d in days if d.holiday) == 9
    assert sum(len(d.entries) for d in days) == 20_000 * (261 - 9)
    assert elapsed < 5.0


# --- preview ------------------------------------------------------------------------------------


def test_preview_two_weeks_daily() -> None:
    rot = Rotation.create("A,B", "daily", D(2025, 9, 29), region="DE")
    got = preview(rot, D(2025, 9, 29))
    assert len(got) == 10
    assert got[:5] == [
        (D(2025, 9, 29), frozenset({"A"})),
        (D(2025, 9, 30), frozenset({"B"})),
        (D(2025, 10, 1), frozenset({"A"})),
        (D(2025, 10, 2), frozenset({"B"})),
        (D(2025, 10, 6), frozenset({"A"})),
    ]
    assert got[-1] == (D(2025, 10, 13), frozenset({"B"}))
    # from a later day, the count continues
    assert preview(rot, D(2025, 10, 6), 2) == [(D(2025, 10, 6), {"A"}), (D(2025, 10, 7), {"B"})]
    # before the start: working days without groups
    assert preview(rot, D(2025, 9, 25), 3) == [
        (D(2025, 9, 25), frozenset()),
        (D(2025, 9, 26), frozenset()),
        (D(2025, 9, 29), frozenset({"A"})),
    ]
