"""The shared parser (commands/parsing.py): every SPEC §1 form in German and English, the
rejections with their localized messages, and fuzzing that nothing but LocalizedError escapes."""

from __future__ import annotations

import ast
import inspect
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.i18n import LocalizedError, Text
from base.safetext import has_live_broadcast_mention
from commands import parsing
from commands.parsing import (
    INVALID_DATE,
    INVALID_DURATION,
    INVALID_RANGE,
    INVALID_TIME,
    INVALID_WEEK,
    MISSING_DATE,
    MISSING_DURATION,
    MISSING_RANGE,
    MISSING_TIME,
    REVERSED_RANGE,
    UNBALANCED_QUOTE,
    DateRange,
    looks_like_date,
    parse_date,
    parse_duration,
    parse_range,
    parse_time,
    take_date,
    take_duration,
    take_range,
    take_time,
    tokenize,
)

SUNDAY = date(2026, 11, 22)  # ISO week 47
WEDNESDAY = date(2026, 11, 25)
D = date


def rejected(call) -> LocalizedError:
    with pytest.raises(LocalizedError) as info:
        call()
    return info.value


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("heute", SUNDAY), ("today", SUNDAY), ("Heute", SUNDAY), ("TODAY", SUNDAY),
    ("morgen", D(2026, 11, 23)), ("tomorrow", D(2026, 11, 23)),
    ("übermorgen", D(2026, 11, 24)), ("Übermorgen", D(2026, 11, 24)), ("uebermorgen", D(2026, 11, 24)),
    ("u\u0308bermorgen", D(2026, 11, 24)),  # decomposed ü, as some keyboards send it
    ("Montag", D(2026, 11, 23)), ("Mo", D(2026, 11, 23)), ("Mo.", D(2026, 11, 23)), ("MO", D(2026, 11, 23)),
    ("Monday", D(2026, 11, 23)), ("mon", D(2026, 11, 23)), ("Mon.", D(2026, 11, 23)),
    ("Dienstag", D(2026, 11, 24)), ("Di", D(2026, 11, 24)), ("Tue", D(2026, 11, 24)), ("Tues", D(2026, 11, 24)),
    ("Mittwoch", D(2026, 11, 25)), ("Mi", D(2026, 11, 25)), ("Wednesday", D(2026, 11, 25)), ("Wed", D(2026, 11, 25)),
    ("Donnerstag", D(2026, 11, 26)), ("Do", D(2026, 11, 26)), ("Thu", D(2026, 11, 26)), ("Thurs", D(2026, 11, 26)),
    ("Freitag", D(2026, 11, 27)), ("Fr.", D(2026, 11, 27)), ("Friday", D(2026, 11, 27)), ("fri", D(2026, 11, 27)),
    ("Samstag", D(2026, 11, 28)), ("Sonnabend", D(2026, 11, 28)), ("Sa", D(2026, 11, 28)), ("Sat", D(2026, 11, 28)),
    ("Sonntag", SUNDAY), ("So", SUNDAY), ("Sunday", SUNDAY), ("Sun", SUNDAY),  # today included
    ("24.11.2026", D(2026, 11, 24)), ("24.11.26", D(2026, 11, 24)), ("1.2.27", D(2027, 2, 1)),
    ("24.11.", D(2026, 11, 24)), ("22.11.", SUNDAY), ("21.11.", D(2027, 11, 21)), ("01.01.", D(2027, 1, 1)),
    ("2026-11-24", D(2026, 11, 24)), ("2027-1-5", D(2027, 1, 5)),
    ("29.02.2028", D(2028, 2, 29)), ("2028-02-29", D(2028, 2, 29)), ("29.02.", D(2028, 2, 29)),
    (" 24.11. ", D(2026, 11, 24)), ("Mo,", D(2026, 11, 23)),
])
def test_dates(text, expected):
    assert parse_date(text, today=SUNDAY) == expected
    assert looks_like_date(text)
    assert take_date(["x", text, "y"], 1, today=SUNDAY) == (expected, 2)


def test_weekdays_from_a_wednesday_are_the_next_occurrence_today_included():
    assert parse_date("Mi", today=WEDNESDAY) == WEDNESDAY
    assert parse_date("Wednesday", today=WEDNESDAY) == WEDNESDAY
    assert parse_date("Do", today=WEDNESDAY) == D(2026, 11, 26)
    assert parse_date("Di", today=WEDNESDAY) == D(2026, 12, 1)
    assert parse_date("Montag", today=WEDNESDAY) == D(2026, 11, 30)


def test_a_yearless_date_rolls_to_next_year_once_past():
    assert parse_date("25.11.", today=WEDNESDAY) == WEDNESDAY
    assert parse_date("24.11.", today=WEDNESDAY) == D(2027, 11, 24)
    assert parse_date("31.12.", today=D(2026, 12, 31)) == D(2026, 12, 31)
    assert parse_date("01.01.", today=D(2026, 12, 31)) == D(2027, 1, 1)
    assert parse_date("29.02.", today=D(2028, 3, 1)) == D(2032, 2, 29)  # the next leap year


@pytest.mark.parametrize("text", ["31.02.", "30.02.2026", "29.02.2027", "2027-02-29", "32.01.", "00.01.", "24.13.",
                                  "24.11.202", "24.11.2", "24.11.1800", "0000-01-01", "2026-13-01"])
def test_impossible_dates_are_rejected_in_both_languages(text):
    error = rejected(lambda: parse_date(text, today=SUNDAY))
    assert error.text == INVALID_DATE
    german, english = error.render("de"), error.render("en")
    assert german.startswith(f"„{text}“ ist kein gültiges Datum. Erlaubt sind z. B. heute, morgen")
    assert english.startswith(f"“{text}” is not a valid date. Accepted: today, tomorrow, Mon")
    for example in ("24.11.", "24.11.2026", "2026-11-24"):
        assert example in german and example in english
    assert looks_like_date(text)  # date-shaped, so the take_* functions raise instead of skipping it
    with pytest.raises(LocalizedError):
        take_date([text], 0, today=SUNDAY)


@pytest.mark.parametrize("text", ["gestern", "Urlaub", "24.11", "10:00", "24/11/2026", "Montags", "", "1.5h"])
def test_things_that_are_not_dates(text):
    assert not looks_like_date(text)
    assert take_date([text], 0, today=SUNDAY) is None
    error = rejected(lambda: parse_date(text, today=SUNDAY))
    assert error.text == (MISSING_DATE if not text else INVALID_DATE)


# -- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "today", "start", "end"), [
    ("24.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 24)),
    ("Mo", SUNDAY, D(2026, 11, 23), D(2026, 11, 23)),
    ("24.11. bis 27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11. to 27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11. until 27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11. - 27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11.2026 bis 27.11.2026", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11.2026..27.11.2026", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("2026-11-24..2026-11-27", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("2026-11-24 .. 2026-11-27", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("2026-11-24-2026-11-27", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11...27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),  # "24.11." ".." "27.11."
    ("24.11..27.11", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),  # the ".." makes the final dots clear
    ("24.11.-27.11.", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("24.11.–27.11.2026", SUNDAY, D(2026, 11, 24), D(2026, 11, 27)),
    ("Mo bis Fr", SUNDAY, D(2026, 11, 23), D(2026, 11, 27)),
    ("Mon to Fri", SUNDAY, D(2026, 11, 23), D(2026, 11, 27)),
    ("Mo-Fr", SUNDAY, D(2026, 11, 23), D(2026, 11, 27)),
    ("Mo bis Fr", WEDNESDAY, D(2026, 11, 30), D(2026, 12, 4)),  # the next Monday, then the Friday after it
    ("Fr bis Mo", SUNDAY, D(2026, 11, 27), D(2026, 11, 30)),
    ("heute bis Freitag", SUNDAY, SUNDAY, D(2026, 11, 27)),
    ("today to tomorrow", SUNDAY, SUNDAY, D(2026, 11, 23)),
    ("Mo bis 24.11.", SUNDAY, D(2026, 11, 23), D(2026, 11, 24)),
    ("28.12. bis 03.01.", SUNDAY, D(2026, 12, 28), D(2027, 1, 3)),  # across New Year
    ("01.10. bis 31.03.", SUNDAY, D(2026, 10, 1), D(2027, 3, 31)),
    ("20.11. bis 27.11.", SUNDAY, D(2026, 11, 20), D(2026, 11, 27)),  # this week, partly past
    ("24.11. bis 27.11.", D(2026, 11, 28), D(2027, 11, 24), D(2027, 11, 27)),  # past: next year
    ("24.11. bis 27.11.2027", SUNDAY, D(2027, 11, 24), D(2027, 11, 27)),
    ("diese Woche", SUNDAY, D(2026, 11, 16), SUNDAY),
    ("Diese Woche", WEDNESDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("this week", SUNDAY, D(2026, 11, 16), SUNDAY),
    ("nächste Woche", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("naechste Woche", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("kommende Woche", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("next week", WEDNESDAY, D(2026, 11, 30), D(2026, 12, 6)),
    ("NEXT WEEK", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("KW 48", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("kw48", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("week 48", SUNDAY, D(2026, 11, 23), D(2026, 11, 29)),
    ("KW 47", SUNDAY, D(2026, 11, 16), SUNDAY),  # the current week is not past yet
    ("KW 46", SUNDAY, D(2027, 11, 15), D(2027, 11, 21)),  # past: next year's
    ("KW 53", SUNDAY, D(2026, 12, 28), D(2027, 1, 3)),
    ("KW 53", D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3)),  # 1 January in ISO week 53 of 2026
    ("KW 1", SUNDAY, D(2027, 1, 4), D(2027, 1, 10)),
])
def test_ranges(text, today, start, end):
    span = parse_range(text, today=today)
    assert span == DateRange(start, end)
    assert take_range([*text.split(), "Rest"], 0, today=today) == (span, len(text.split()))


def test_date_range_is_inclusive():
    span = DateRange(D(2026, 11, 24), D(2026, 11, 27))
    assert list(span.days()) == [D(2026, 11, 24), D(2026, 11, 25), D(2026, 11, 26), D(2026, 11, 27)]
    assert D(2026, 11, 24) in span and D(2026, 11, 27) in span
    assert D(2026, 11, 23) not in span and D(2026, 11, 28) not in span
    assert datetime(2026, 11, 27, 23, 59) in span and "2026-11-25" not in span
    assert list(DateRange(SUNDAY, SUNDAY).days()) == [SUNDAY]
    assert list(DateRange(date.max, date.max).days()) == [date.max]


@pytest.mark.parametrize(("text", "today"), [
    ("27.11. bis 24.11.", SUNDAY), ("27.11. to 24.11.", WEDNESDAY), ("27.11...24.11.", SUNDAY),
    ("27.11.2026 bis 24.11.2026", SUNDAY), ("2026-11-27..2026-11-24", SUNDAY), ("morgen bis heute", SUNDAY),
    ("heute bis 20.11.", SUNDAY), ("Fr bis 24.11.", SUNDAY), ("30.11. bis Mo", SUNDAY), ("15.12. bis 10.11.", SUNDAY),
])
def test_reversed_ranges_are_refused_not_moved_a_year_on(text, today):
    error = rejected(lambda: parse_range(text, today=today))
    assert error.text == REVERSED_RANGE
    german, english = error.render("de"), error.render("en")
    assert "endet vor seinem Beginn" in german and "z. B. 24.11. bis 27.11." in german
    assert "ends before it starts" in english and "like 24.11. to 27.11." in english


@pytest.mark.parametrize(("text", "kind"), [
    ("", MISSING_RANGE), ("   ", MISSING_RANGE), ("Urlaub", INVALID_RANGE), ("24.11. bis", INVALID_RANGE),
    ("24.11. bis Ende", INVALID_RANGE), ("diese", INVALID_RANGE), ("24.11. 25.11.", INVALID_RANGE),
    ("KW 0", INVALID_WEEK), ("KW 60", INVALID_WEEK), ("kw99", INVALID_WEEK),
    ("31.02. bis 03.03.", INVALID_DATE), ("24.11. bis 31.11.", INVALID_DATE), ("31.02..03.03.", INVALID_DATE),
])
def test_invalid_ranges(text, kind):
    error = rejected(lambda: parse_range(text, today=SUNDAY))
    assert error.text == kind
    assert "z. B." in error.render("de") and ("Accepted" in error.render("en") or "like" in error.render("en"))
    if kind == INVALID_RANGE:
        for german, english in (("24.11. bis 27.11.", "24.11. to 27.11."), ("nächste Woche", "next week")):
            assert german in error.render("de") and english in error.render("en")


def test_take_range_stops_where_the_range_ends():
    tokens = ["24.11.", "bis", "27.11.", "Urlaub", "Ostsee"]
    assert take_range(tokens, 0, today=SUNDAY) == (DateRange(D(2026, 11, 24), D(2026, 11, 27)), 3)
    assert take_range(["24.11.", "bis", "auf", "Weiteres"], 0, today=SUNDAY) == (
        DateRange(D(2026, 11, 24), D(2026, 11, 24)), 1)
    assert take_range(["@anna", "diese", "Woche"], 1, today=SUNDAY) == (DateRange(D(2026, 11, 16), SUNDAY), 3)
    for tokens, i in ((["Urlaub"], 0), ([], 0), (["Mo"], 1), (["Mo"], -1), (["diese", "Akte"], 0), (["week"], 0)):
        assert take_range(tokens, i, today=SUNDAY) is None
    with pytest.raises(LocalizedError):
        take_range(["31.02.", "Urlaub"], 0, today=SUNDAY)


# -- times --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("10:00", time(10)), ("9:30", time(9, 30)), ("09:30", time(9, 30)), ("0:00", time(0)), ("23:59", time(23, 59)),
    ("10 Uhr", time(10)), ("10Uhr", time(10)), ("10 uhr", time(10)), ("10.30 Uhr", time(10, 30)),
    ("10:30 Uhr", time(10, 30)), ("  7  Uhr ", time(7)),
])
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "10:60", "10:5", "100:00", "10", "10.30", "Uhr", "10:00:00",
                                  "halb zehn", "10am", "25 Uhr"])
def test_invalid_times_name_the_accepted_forms(text):
    error = rejected(lambda: parse_time(text))
    assert error.text == INVALID_TIME
    german, english = error.render("de"), error.render("en")
    assert german.startswith(f"„{text.strip()}“ ist keine gültige Uhrzeit. Erlaubt sind z. B. 10:00, 9:30, 10 Uhr")
    assert english.startswith(f"“{text.strip()}” is not a valid time. Accepted: 10:00, 9:30, 10 Uhr")


def test_take_time_reads_one_or_two_tokens():
    assert take_time(["Mo", "10", "Uhr", "45", "min"], 1) == (time(10), 3)
    assert take_time(["10.30", "Uhr"], 0) == (time(10, 30), 2)
    assert take_time(["10:00", "Teamrunde"], 0) == (time(10), 1)
    assert take_time(["9:30"], 0) == (time(9, 30), 1)
    for tokens in (["10"], ["10.30"], ["Uhr"], ["45", "min"], [], ["24.11."]):
        assert take_time(tokens, 0) is None
    for tokens in (["25:00"], ["10:60"], ["25", "Uhr"]):
        with pytest.raises(LocalizedError):
            take_time(tokens, 0)


# -- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "minutes"), [
    ("30m", 30), ("45 min", 45), ("45min", 45), ("45 Min.", 45), ("90min", 90), ("90 minutes", 90),
    ("90 Minuten", 90), ("1 minute", 1), ("1h", 60), ("1 h", 60), ("1h30", 90), ("1h30m", 90), ("1h 30min", 90),
    ("1,5h", 90), ("1.5h", 90), ("1,25 h", 75), ("0,1h", 6), ("2 Std", 120), ("2 Std.", 120), ("2 Stunden", 120),
    ("1 Stunde", 60), ("1 Stunde 30 Minuten", 90), ("1 hour", 60), ("2 hours", 120), ("1.5 hours", 90),
    ("2hrs", 120), ("24h", 1440), ("1440 min", 1440),
])
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)
    assert take_duration([*text.split(), "Rest"], 0) == (timedelta(minutes=minutes), len(text.split()))


@pytest.mark.parametrize("text", ["0m", "0h", "0,0h", "25h", "1441min", "1,5h30", "1h75", "1,33h", "45", "1h 30",
                                  "1,5 min", "-30m", "30 sec", "eine Stunde", "h", "99999999h"])
def test_invalid_durations_name_the_accepted_forms(text):
    error = rejected(lambda: parse_duration(text))
    assert error.text == INVALID_DURATION
    german, english = error.render("de"), error.render("en")
    assert german.startswith(f"„{text}“ ist keine gültige Dauer. Erlaubt sind z. B. 30m, 45 min, 1h, 1h30, 1,5h")
    assert english.startswith(f"“{text}” is not a valid duration. Accepted: 30m, 45 min, 1h, 1h30, 1.5h")
    assert "höchstens 24 Stunden" in german and "at most 24 hours" in english


def test_take_duration_needs_a_unit_and_refuses_impossible_values():
    assert take_duration(["45", "min", "Teamrunde"], 0) == (timedelta(minutes=45), 2)
    assert take_duration(["1h", "30", "Teilnehmende"], 0) == (timedelta(hours=1), 1)  # a bare 30 is not minutes
    for tokens in (["45"], ["Teamrunde"], [], ["10:00"], ["min"]):
        assert take_duration(tokens, 0) is None
    for tokens in (["0m"], ["25", "Stunden"], ["1h75"]):
        with pytest.raises(LocalizedError):
            take_duration(tokens, 0)


@pytest.mark.parametrize(("call", "text"), [
    (lambda: parse_date("", today=SUNDAY), MISSING_DATE), (lambda: parse_date("  ", today=SUNDAY), MISSING_DATE),
    (lambda: parse_time(""), MISSING_TIME), (lambda: parse_duration(" "), MISSING_DURATION),
])
def test_empty_input_says_what_is_missing(call, text):
    error = rejected(call)
    assert error.text == text
    assert error.render("de").startswith("Hier fehlt") and " is missing here. Accepted: " in error.render("en")


# -- tokens -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tokens"), [
    ("", []), ("   ", []), ("a  b\tc\nd", ["a", "b", "c", "d"]), ("a\u00a0b", ["a", "b"]),
    ('neu "Team runde" Mo 10 Uhr', ["neu", "Team runde", "Mo", "10", "Uhr"]),
    ("neu „Ämter Runde“ Mo", ["neu", "Ämter Runde", "Mo"]),
    ("neu “Team meeting” Mon", ["neu", "Team meeting", "Mon"]),
    ('neu „gemischt" x', ["neu", "gemischt", "x"]),
    ("neu »Runde« x", ["neu", "Runde", "x"]),
    ('"  padded  "', ["padded"]), ('""', [""]), ('"a""b"', ["a", "b"]),
    ('5" Monitor', ['5"', "Monitor"]), ("geht's gut", ["geht's", "gut"]),
])
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize("text", ['neu "Titel', "neu „Titel", "neu “Titel", 'x "', "»Runde"])
def test_an_unclosed_quote_is_an_error(text):
    error = rejected(lambda: tokenize(text))
    assert error.text == UNBALANCED_QUOTE
    assert "nicht geschlossen" in error.render("de") and "„Teamrunde“" in error.render("de")
    assert "not closed" in error.render("en") and "like" in error.render("en")


def test_the_take_helpers_read_a_whole_command():
    tokens = tokenize('neu "Team runde" Mo 10 Uhr 45 min')
    assert take_date(tokens, 2, today=SUNDAY) == (D(2026, 11, 23), 3)
    assert take_time(tokens, 3) == (time(10), 5)
    assert take_duration(tokens, 5) == (timedelta(minutes=45), 7)
    assert take_date(tokens, 7, today=SUNDAY) is None and take_time(tokens, 7) is None


# -- messages -----------------------------------------------------------------------------------


def test_echoed_input_is_short_and_inert():
    error = rejected(lambda: parse_date("@channel **" + "x" * 100, today=SUNDAY))
    value = error.values["value"]
    assert len(value) <= 45 and value.endswith("…")
    for locale in ("de", "en"):
        assert not has_live_broadcast_mention(error.render(locale)) and "\\*\\*" in error.render(locale)
    assert "@" not in rejected(lambda: parse_range("@here bis morgen", today=SUNDAY)).values["value"].replace(
        "@\u200b", "")


def test_every_message_renders_in_both_languages():
    texts = [value for name, value in vars(parsing).items() if isinstance(value, Text) and not name.startswith("_")]
    assert len(texts) >= 11
    for text in texts:
        values = {"value": "x", "start": "a", "end": "b"}
        german, english = text("de", **values), text("en", **values)
        assert german != english and "{" not in german + english
        assert ("z. B." in german or "so angeben" in german) and ("Accepted" in english or "like" in english)


def test_the_clock_is_never_read():
    """`today` is injected; the module must not look at the system clock itself."""
    tree = ast.parse(inspect.getsource(parsing))
    clock = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and node.attr in ("today", "now", "utcnow", "time")]
    assert clock == []


# -- properties ---------------------------------------------------------------------------------

TODAYS = st.dates(min_value=D(2000, 1, 1), max_value=D(2150, 12, 31))


@given(TODAYS, st.sampled_from(sorted(parsing.WEEKDAYS)))
def test_a_weekday_is_the_next_such_day_today_included(today, word):
    day = parse_date(word, today=today)
    assert today <= day <= today + timedelta(days=6)
    assert day.weekday() == parsing.WEEKDAYS[word]


@given(TODAYS, st.dates(min_value=D(2000, 1, 1), max_value=D(2150, 12, 31)))
def test_a_yearless_date_is_the_next_such_day(today, day):
    found = parse_date(f"{day.day}.{day.month}.", today=today)
    assert (found.day, found.month) == (day.day, day.month)
    assert today <= found < today + timedelta(days=366 if (day.month, day.day) != (2, 29) else 8 * 366)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2199, 12, 31)))
def test_written_dates_round_trip(day):
    for text in (day.strftime("%d.%m.%Y"), f"{day.day}.{day.month}.{day.year}", day.isoformat()):
        assert parse_date(text, today=SUNDAY) == day
    if day.year >= 2000 and day.year < 2100:
        assert parse_date(day.strftime("%d.%m.%y"), today=SUNDAY) == day
    assert parse_range(f"{day.isoformat()}..{day.isoformat()}", today=SUNDAY) == DateRange(day, day)


@given(st.integers(min_value=1, max_value=1440))
def test_durations_round_trip(minutes):
    hours, rest = divmod(minutes, 60)
    assert parse_duration(f"{minutes}min") == timedelta(minutes=minutes)
    if hours:
        assert parse_duration(f"{hours}h{rest}" if rest else f"{hours}h") == timedelta(minutes=minutes)


@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_times_round_trip(hour, minute):
    assert parse_time(f"{hour}:{minute:02d}") == time(hour, minute)
    assert parse_time(f"{hour}.{minute:02d} Uhr") == time(hour, minute)


def _only_localized_errors(*calls) -> None:
    for call in calls:
        try:
            call()
        except LocalizedError as error:
            assert error.render("de") and error.render("en")


def _everything(text: str, today: date) -> None:
    tokens = text.split()
    _only_localized_errors(
        lambda: tokenize(text), lambda: parse_range(text, today=today), lambda: parse_date(text, today=today),
        lambda: parse_time(text), lambda: parse_duration(text), lambda: looks_like_date(text),
        *(lambda i=i: take_range(tokens, i, today=today) for i in range(len(tokens) + 1)),
        *(lambda i=i: take_date(tokens, i, today=today) for i in range(len(tokens) + 1)),
        *(lambda i=i: take_time(tokens, i) for i in range(len(tokens) + 1)),
        *(lambda i=i: take_duration(tokens, i) for i in range(len(tokens) + 1)),
    )


@given(st.text(max_size=60), TODAYS)
def test_any_text_either_parses_or_gives_a_localized_error(text, today):
    _everything(text, today)


# Fragments that reach the deeper branches far more often than random text does.
_PIECES = st.sampled_from([
    "24", "11", "2026", "29", "02", "31", "0", "99", "1", ".", "..", "...", "-", "–", ":", ",", " ", "Uhr", "h",
    "min", "Std", "bis", "to", "KW", "week", "diese", "next", "Woche", "Mo", "Fr.", "heute", "morgen", '"', "„",
    "“", "1,5", "9999", "0000",
])


@given(st.lists(_PIECES, max_size=12).map("".join), TODAYS)
def test_date_like_fragments_either_parse_or_give_a_localized_error(text, today):
    _everything(text, today)
