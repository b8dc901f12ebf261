"""Dates, ranges, times and durations as people type them, in German and English (SPEC §1).

Pure functions; `today` is always passed in (the clock is injected by callers).
Anything invalid or ambiguous raises `LocalizedError` naming the accepted forms
with an example, so the user learns the right form from the error itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.i18n import LocalizedError, Text
from bot.safetext import plain

INVALID_DATE = Text(
    de="„{value}“ ist kein gültiges Datum. Erlaubt sind z. B. heute, morgen, übermorgen, Mo, 24.11., 24.11.2026 oder 2026-11-24.",
    en="“{value}” is not a valid date. Accepted: today, tomorrow, Mon, 24.11., 24.11.2026 or 2026-11-24.",
)
INVALID_RANGE = Text(
    de="„{value}“ ist kein gültiger Zeitraum. Erlaubt sind z. B. 24.11. bis 27.11., 24.11.2026..27.11.2026, diese Woche, nächste Woche oder KW 48.",
    en="“{value}” is not a valid range. Accepted: 24.11. to 27.11., 2026-11-24..2026-11-27, this week, next week or week 48.",
)
REVERSED_RANGE = Text(
    de="Der Zeitraum endet vor seinem Beginn ({start} bis {end}). Bitte so angeben: 24.11. bis 27.11.",
    en="The range ends before it starts ({start} to {end}). Please write it like: 24.11. to 27.11.",
)
INVALID_TIME = Text(
    de="„{value}“ ist keine gültige Uhrzeit. Erlaubt sind z. B. 10:00, 9:30 oder 10 Uhr.",
    en="“{value}” is not a valid time. Accepted: 10:00, 9:30 or 10 Uhr.",
)
INVALID_DURATION = Text(
    de="„{value}“ ist keine gültige Dauer. Erlaubt sind z. B. 30m, 45 min, 1h, 1h30, 1,5h oder 90min (höchstens 24 Stunden).",
    en="“{value}” is not a valid duration. Accepted: 30m, 45 min, 1h, 1h30, 1.5h or 90min (at most 24 hours).",
)
UNBALANCED_QUOTE = Text(
    de="Ein Anführungszeichen wurde nicht geschlossen. Titel bitte so angeben: \"Teamrunde\".",
    en="A quotation mark was not closed. Please write titles like: \"Team meeting\".",
)

WEEKDAYS = {
    "montag": 0, "mo": 0, "monday": 0, "mon": 0,
    "dienstag": 1, "di": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "mittwoch": 2, "mi": 2, "wednesday": 2, "wed": 2,
    "donnerstag": 3, "do": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "freitag": 4, "fr": 4, "friday": 4, "fri": 4,
    "samstag": 5, "sa": 5, "sonnabend": 5, "saturday": 5, "sat": 5,
    "sonntag": 6, "so": 6, "sunday": 6, "sun": 6,
}
RELATIVE = {"heute": 0, "today": 0, "morgen": 1, "tomorrow": 1, "übermorgen": 2, "uebermorgen": 2}
RANGE_WORDS = {"bis", "to", "until", "-", "–"}
THIS = {"diese", "this"}
NEXT = {"nächste", "naechste", "next", "kommende"}
WEEK = {"woche", "week"}
KW = {"kw", "week", "cw"}
HOUR_WORDS = {"uhr"}

_DMY = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2}|\d{4})?")
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_TIME = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?P<uhr>\s*uhr)?", re.IGNORECASE)
_DURATION_PARTS = re.compile(
    r"(?:(?P<h>\d+(?:[.,]\d+)?)\s*(?:h|std|stunde|stunden|hour|hours|hr|hrs))?"
    r"\s*(?:(?P<m>\d+)\s*(?:m|min|mins|minute|minuten|minutes)?)?",
    re.IGNORECASE,
)
_DATEISH = re.compile(r"^\d{1,4}[.\-]\d{1,2}")
_QUOTES = {'"': '"', "„": "“", "“": "”", "”": "”", "«": "»", "‚": "‘"}


def _echo(value: str) -> str:
    return plain(value, max_length=40)


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of days."""

    start: date
    end: date

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def tokenize(text: str) -> list[str]:
    """Split on whitespace; "double", „German“ and “curly” quoted strings stay one token."""
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in _QUOTES:
            closers = {_QUOTES[ch], '"', "“", "”"}
            j = i + 1
            while j < n and text[j] not in closers:
                j += 1
            if j >= n:
                raise LocalizedError(UNBALANCED_QUOTE)
            tokens.append(text[i + 1 : j].strip())
            i = j + 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        tokens.append(text[i:j])
        i = j
    return tokens


def _make_date(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise LocalizedError(INVALID_DATE, value=_echo(raw)) from None


def parse_date(token: str, *, today: date) -> date:
    raw = token
    word = token.strip().lower().rstrip(",;")
    if word.endswith(".") and word[:-1] in WEEKDAYS:
        word = word[:-1]
    if word in RELATIVE:
        return today + timedelta(days=RELATIVE[word])
    if word in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[word] - today.weekday()) % 7)
    if m := _ISO.fullmatch(word):
        return _make_date(int(m["y"]), int(m["m"]), int(m["d"]), raw)
    if m := _DMY.fullmatch(word if word.count(".") >= 2 or not word.endswith(".") else word):
        d, mo = int(m["d"]), int(m["m"])
        if m["y"]:
            year = int(m["y"])
            year += 2000 if len(m["y"]) == 2 else 0
            return _make_date(year, mo, d, raw)
        if not 1 <= mo <= 12 or not 1 <= d <= 31:
            raise LocalizedError(INVALID_DATE, value=_echo(raw))
        # No year: the next such date, today included; 29.02. looks for the next leap year.
        for year in range(today.year, today.year + 9):
            try:
                candidate = date(year, mo, d)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        raise LocalizedError(INVALID_DATE, value=_echo(raw))
    raise LocalizedError(INVALID_DATE, value=_echo(raw))


def looks_like_date(token: str) -> bool:
    word = token.strip().lower().rstrip(",;")
    if word.endswith(".") and word[:-1] in WEEKDAYS:
        word = word[:-1]
    return word in RELATIVE or word in WEEKDAYS or bool(_DATEISH.match(word))


def _week_of(monday: date) -> DateRange:
    return DateRange(monday, monday + timedelta(days=6))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _iso_week(week: int, today: date, raw: str) -> DateRange:
    for year in (today.year, today.year + 1):
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            continue
        if monday + timedelta(days=6) >= today:
            return _week_of(monday)
    raise LocalizedError(INVALID_RANGE, value=_echo(raw))


def _split_dotdot(token: str) -> tuple[str, str] | None:
    """`24.11.2026..27.11.2026`, `24.11...27.11.`, `2026-11-24..2026-11-27` -> (left, right)."""
    if ".." not in token:
        return None
    if "..." in token:  # "24.11...27.11." = "24.11." + ".." + "27.11."
        left, _, right = token.partition("...")
        return left + ".", right
    left, _, right = token.partition("..")
    return left, right


def _ordered(start: date, end: date) -> DateRange:
    if end < start:
        raise LocalizedError(REVERSED_RANGE, start=start.strftime("%d.%m.%Y"), end=end.strftime("%d.%m.%Y"))
    return DateRange(start, end)


def take_range(tokens: list[str], i: int, *, today: date) -> tuple[DateRange, int] | None:
    """A date or range at tokens[i:]; (range, next index), or None if none starts there."""
    if i >= len(tokens):
        return None
    word = tokens[i].lower()
    following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    if word in THIS and following in WEEK:
        return _week_of(_monday(today)), i + 2
    if word in NEXT and following in WEEK:
        return _week_of(_monday(today) + timedelta(days=7)), i + 2
    if word in KW and following.isdigit():
        return _iso_week(int(following), today, f"{tokens[i]} {tokens[i + 1]}"), i + 2
    if re.fullmatch(r"kw\d{1,2}", word):
        return _iso_week(int(word[2:]), today, tokens[i]), i + 1
    if (pair := _split_dotdot(tokens[i])) is not None:
        start = parse_date(pair[0], today=today)
        relative = pair[1].lower().rstrip(".,;") in WEEKDAYS
        end = parse_date(pair[1], today=start if relative else today)
        return _ordered(start, end), i + 1
    if not looks_like_date(tokens[i]):
        return None
    start = parse_date(tokens[i], today=today)
    if i + 2 < len(tokens) and tokens[i + 1].lower() in RANGE_WORDS and looks_like_date(tokens[i + 2]):
        # Weekday words count from the start ("Fr bis Mo"); written dates from today, so a
        # range written backwards ("27.11. bis 24.11.") is refused rather than moved a year on.
        relative = tokens[i + 2].lower().rstrip(".,;") in WEEKDAYS
        end = parse_date(tokens[i + 2], today=start if relative else today)
        return _ordered(start, end), i + 3
    return DateRange(start, start), i + 1


def parse_range(text: str, *, today: date) -> DateRange:
    tokens = tokenize(text)
    if not tokens:
        raise LocalizedError(INVALID_RANGE, value="")
    taken = take_range(tokens, 0, today=today)
    if taken is None or taken[1] != len(tokens):
        raise LocalizedError(INVALID_RANGE, value=_echo(text))
    return taken[0]


def take_date(tokens: list[str], i: int, *, today: date) -> tuple[date, int] | None:
    if i >= len(tokens) or not looks_like_date(tokens[i]):
        return None
    return parse_date(tokens[i], today=today), i + 1


def parse_time(token: str) -> time:
    raw = token
    m = _TIME.fullmatch(token.strip())
    if not m or (m["m"] is None and not m["uhr"]):
        raise LocalizedError(INVALID_TIME, value=_echo(raw))
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if hour > 23 or minute > 59:
        raise LocalizedError(INVALID_TIME, value=_echo(raw))
    return time(hour, minute)


def take_time(tokens: list[str], i: int) -> tuple[time, int] | None:
    if i >= len(tokens):
        return None
    token = tokens[i]
    if i + 1 < len(tokens) and tokens[i + 1].lower() in HOUR_WORDS and token.isdigit():
        return parse_time(f"{token} Uhr"), i + 2
    if re.fullmatch(r"\d{1,2}[:]\d{1,2}|\d{1,2}(?:[.:]\d{2})?\s*uhr", token, re.IGNORECASE):
        return parse_time(token), i + 1
    return None


def parse_duration(token: str) -> timedelta:
    raw = token
    text = token.strip().lower().replace(" ", "")
    if not text or not re.search(r"\d", text):
        raise LocalizedError(INVALID_DURATION, value=_echo(raw))
    m = _DURATION_PARTS.fullmatch(text)
    if not m or (m["h"] is None and m["m"] is None):
        raise LocalizedError(INVALID_DURATION, value=_echo(raw))
    if m["h"] is None and re.fullmatch(r"\d+", text):
        raise LocalizedError(INVALID_DURATION, value=_echo(raw))  # a bare number has no unit
    hours = float(m["h"].replace(",", ".")) if m["h"] else 0.0
    minutes = int(m["m"]) if m["m"] else 0
    total = timedelta(hours=hours, minutes=minutes)
    if total <= timedelta(0) or total > timedelta(hours=24) or total.total_seconds() % 60:
        raise LocalizedError(INVALID_DURATION, value=_echo(raw))
    return total


_DURATION_START = re.compile(r"^\d+(?:[.,]\d+)?\s*(?:h|std|stunde|stunden|hour|hours|hr|hrs|m|min|mins|minute|minuten|minutes)(?:\d+)?(?:m|min)?$", re.IGNORECASE)
_UNITS = {"h", "std", "stunde", "stunden", "hour", "hours", "hr", "hrs", "m", "min", "mins", "minute", "minuten", "minutes"}


def take_duration(tokens: list[str], i: int) -> tuple[timedelta, int] | None:
    if i >= len(tokens):
        return None
    token = tokens[i]
    if i + 1 < len(tokens) and re.fullmatch(r"\d+(?:[.,]\d+)?", token) and tokens[i + 1].lower() in _UNITS:
        return parse_duration(token + tokens[i + 1]), i + 2
    if _DURATION_START.match(token):
        return parse_duration(token), i + 1
    return None
