"""Every date, range, time and duration form of SPEC §1, in German and English, and the rejections."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.i18n import LocalizedError
from commands import parsing

SUNDAY = date(2026, 11, 22)
WEDNESDAY = date(2026, 11, 25)


@pytest.mark.parametrize(("text", "expected"), [
    ("heute", SUNDAY), ("today", SUNDAY), ("morgen", date(2026, 11, 23)), ("tomorrow", date(2026, 11, 23)),
    ("übermorgen", date(2026, 11, 24)), ("uebermorgen", date(2026, 11, 24)),
    ("Montag", date(2026, 11, 23)), ("Mo", date(2026, 11, 23)), ("Mo.", date(2026, 11, 23)), ("monday", date(2026, 11, 23)),
    ("Mon", date(2026, 11, 23)), ("Di", date(2026, 11, 24)), ("Tue", date(2026, 11, 24)), ("Freitag", date(2026, 11, 27)),
    ("So", SUNDAY), ("Sunday", SUNDAY),  # today included
    ("24.11.2026", date(2026, 11, 24)), ("24.11.26", date(2026, 11, 24)), ("24.11.", date(2026, 11, 24)),
    ("22.11.", SUNDAY), ("21.11.", date(2027, 11, 21)), ("01.01.", date(2027, 1, 1)),
    ("2026-11-24", date(2026, 11, 24)), ("29.02.2028", date(2028, 2, 29)),
])
def test_dates(text, expected):
    assert parsing.parse_date(text, today=SUNDAY) == expected


def test_weekday_from_a_wednesday_is_the_next_one_today_included():
    assert parsing.parse_date("Mi", today=WEDNESDAY) == WEDNESDAY
    assert parsing.parse_date("Di", today=WEDNESDAY) == date(2026, 12, 1)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("24.11. bis 27.11.", date(2026, 11, 24), date(2026, 11, 27)),
    ("24.11. to 27.11.", date(2026, 11, 24), date(2026, 11, 27)),
    ("24.11.2026..27.11.2026", date(2026, 11, 24), date(2026, 11, 27)),
    ("2026-11-24..2026-11-27", date(2026, 11, 24), date(2026, 11, 27)),
    ("24.11...27.11.", date(2026, 11, 24), date(2026, 11, 27)),
    ("diese Woche", date(2026, 11, 16), date(2026, 11, 22)),
    ("this week", date(2026, 11, 16), date(2026, 11, 22)),
    ("nächste Woche", date(2026, 11, 23), date(2026, 11, 29)),
    ("next week", date(2026, 11, 23), date(2026, 11, 29)),
    ("Mo bis Fr", date(2026, 11, 23), date(2026, 11, 27)),
    ("28.12. bis 03.01.", date(2026, 12, 28), date(2027, 1, 3)),
    ("KW 48", date(2026, 11, 23), date(2026, 11, 29)),
    ("24.11.", date(2026, 11, 24), date(2026, 11, 24)),
])
def test_ranges(text, start, end):
    span = parsing.parse_range(text, today=SUNDAY)
    assert (span.start, span.end) == (start, end)
    assert start in span and end in span and list(span.days())[0] == start


@pytest.mark.parametrize(("text", "expected"), [
    ("10:00", time(10)), ("9:30", time(9, 30)), ("10 Uhr", time(10)), ("10Uhr", time(10)), ("23:59", time(23, 59)),
])
def test_times(text, expected):
    assert parsing.parse_time(text) == expected


@pytest.mark.parametrize(("text", "minutes"), [
    ("30m", 30), ("45 min", 45), ("1h", 60), ("1h30", 90), ("1,5h", 90), ("1.5h", 90), ("90min", 90), ("2 Std", 120),
])
def test_durations(text, minutes):
    assert parsing.parse_duration(text) == timedelta(minutes=minutes)


def test_take_helpers_consume_multi_token_forms():
    tokens = parsing.tokenize('neu "Team runde" Mo 10 Uhr 45 min')
    assert tokens == ["neu", "Team runde", "Mo", "10", "Uhr", "45", "min"]
    assert parsing.take_date(tokens, 2, today=SUNDAY) == (date(2026, 11, 23), 3)
    assert parsing.take_time(tokens, 3) == (time(10), 5)
    assert parsing.take_duration(tokens, 5) == (timedelta(minutes=45), 7)
    assert parsing.take_range(["24.11.", "bis", "27.11.", "Urlaub"], 0, today=SUNDAY)[1] == 3
    assert parsing.take_date(["Urlaub"], 0, today=SUNDAY) is None


@pytest.mark.parametrize(("call", "de", "en"), [
    (lambda: parsing.parse_date("31.02.", today=SUNDAY), "kein gültiges Datum", "not a valid date"),
    (lambda: parsing.parse_date("29.02.2027", today=SUNDAY), "kein gültiges Datum", "not a valid date"),
    (lambda: parsing.parse_time("25:00"), "keine gültige Uhrzeit", "not a valid time"),
    (lambda: parsing.parse_time("10:60"), "keine gültige Uhrzeit", "not a valid time"),
    (lambda: parsing.parse_range("27.11. bis 24.11.", today=SUNDAY), "endet vor seinem Beginn", "ends before it starts"),
    (lambda: parsing.parse_duration("0m"), "keine gültige Dauer", "not a valid duration"),
    (lambda: parsing.parse_duration("25h"), "keine gültige Dauer", "not a valid duration"),
    (lambda: parsing.tokenize('neu "Titel'), "nicht geschlossen", "not closed"),
])
def test_rejections_are_localized_and_name_the_accepted_forms(call, de, en):
    with pytest.raises(LocalizedError) as info:
        call()
    german, english = info.value.render("de"), info.value.render("en")
    assert de in german and en in english
    assert "z. B." in german or "so angeben" in german.lower() or "Titel" in german
    assert "Accepted" in english or "like" in english


@given(st.text(max_size=60))
def test_any_text_either_parses_or_gives_a_localized_error(text):
    for call in (lambda: parsing.parse_range(text, today=SUNDAY), lambda: parsing.parse_time(text),
                 lambda: parsing.parse_duration(text), lambda: parsing.tokenize(text),
                 lambda: parsing.take_range(text.split(), 0, today=SUNDAY)):
        try:
            call()
        except LocalizedError as e:
            assert e.render("de") and e.render("en")
