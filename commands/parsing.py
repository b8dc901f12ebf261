"""Dates, date ranges, times and durations as people type them, in German and English (SPEC §1).

Every slash command reads its dates and times through this module, so a form
that works in one command works in all of them. The functions are pure: the
current day is passed in as `today` (never `date.today()`), which keeps tests
deterministic and lets callers use the team's time zone.

Anything invalid or ambiguous raises `LocalizedError` whose message names the
accepted forms with an example, so the user learns the right form from the
error itself. Echoed input is shortened and made inert with `plain`.

The `take_*` functions read from a token list: they return `(value, next_index)`,
`None` when the tokens at `i` are not that kind of thing at all (so the caller
can try something else), and raise when the tokens clearly are that kind of
thing but invalid ("31.02.", "25:00", "0m").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from base.i18n import LocalizedError, Text
from base.safetext import plain

__all__ = [
    "DateRange", "tokenize", "parse_date", "parse_time", "parse_duration", "parse_range",
    "take_date", "take_range", "take_time", "take_duration", "looks_like_date",
    "INVALID_DATE", "MISSING_DATE", "INVALID_RANGE", "MISSING_RANGE", "REVERSED_RANGE", "INVALID_WEEK",
    "INVALID_TIME", "MISSING_TIME", "INVALID_DURATION", "MISSING_DURATION", "UNBALANCED_QUOTE",
]

# -- messages -----------------------------------------------------------------------------------
# Every rejection names the accepted forms with examples: the error message is the documentation.

_DATE_FORMS = Text(
    de="Erlaubt sind z. B. heute, morgen, übermorgen, Mo, 24.11., 24.11.2026 oder 2026-11-24.",
    en="Accepted: today, tomorrow, Mon, 24.11., 24.11.2026 or 2026-11-24.",
)
_RANGE_FORMS = Text(
    de="Erlaubt sind z. B. ein Datum wie 24.11., 24.11. bis 27.11., Mo bis Fr, 24.11.2026..27.11.2026, "
       "diese Woche, nächste Woche oder KW 48.",
    en="Accepted: a date such as 24.11., 24.11. to 27.11., Mon to Fri, 2026-11-24..2026-11-27, "
       "this week, next week or week 48.",
)
_TIME_FORMS = Text(
    de="Erlaubt sind z. B. 10:00, 9:30, 10 Uhr oder 10.30 Uhr.",
    en="Accepted: 10:00, 9:30, 10 Uhr or 10.30 Uhr (24-hour clock).",
)
_DURATION_FORMS = Text(
    de="Erlaubt sind z. B. 30m, 45 min, 1h, 1h30, 1,5h, 90min oder 2 Std (höchstens 24 Stunden).",
    en="Accepted: 30m, 45 min, 1h, 1h30, 1.5h, 90 minutes or 2 hours (at most 24 hours).",
)


def _with_forms(de: str, en: str, forms: Text) -> Text:
    return Text(de=f"{de} {forms.de}", en=f"{en} {forms.en}")


INVALID_DATE = _with_forms("„{value}“ ist kein gültiges Datum.", "“{value}” is not a valid date.", _DATE_FORMS)
MISSING_DATE = _with_forms("Hier fehlt ein Datum.", "A date is missing here.", _DATE_FORMS)
INVALID_RANGE = _with_forms("„{value}“ ist kein gültiger Zeitraum.", "“{value}” is not a valid date range.",
                            _RANGE_FORMS)
MISSING_RANGE = _with_forms("Hier fehlt ein Datum oder Zeitraum.", "A date or date range is missing here.",
                            _RANGE_FORMS)
INVALID_WEEK = Text(
    de="„{value}“ ist keine gültige Kalenderwoche. Erlaubt sind KW 1 bis KW 53, z. B. KW 48.",
    en="“{value}” is not a valid calendar week. Accepted: week 1 to week 53, like week 48.",
)
REVERSED_RANGE = Text(
    de="Der Zeitraum „{start} bis {end}“ endet vor seinem Beginn. Bitte den Anfang zuerst angeben, "
       "z. B. 24.11. bis 27.11.",
    en="The range “{start} to {end}” ends before it starts. Please give the start first, like 24.11. to 27.11.",
)
INVALID_TIME = _with_forms("„{value}“ ist keine gültige Uhrzeit.", "“{value}” is not a valid time.", _TIME_FORMS)
MISSING_TIME = _with_forms("Hier fehlt eine Uhrzeit.", "A time is missing here.", _TIME_FORMS)
INVALID_DURATION = _with_forms("„{value}“ ist keine gültige Dauer.", "“{value}” is not a valid duration.",
                               _DURATION_FORMS)
MISSING_DURATION = _with_forms("Hier fehlt eine Dauer.", "A duration is missing here.", _DURATION_FORMS)
UNBALANCED_QUOTE = Text(
    de="Ein Anführungszeichen wurde nicht geschlossen. Titel bitte so angeben: \"Teamrunde\" oder „Teamrunde“.",
    en="A quotation mark was not closed. Please write titles like \"Team meeting\" or “Team meeting”.",
)

# -- words --------------------------------------------------------------------------------------
# Compared after `_norm` (NFC, case-folded), so "MO", "Mo" and a decomposed "ü" all match.

WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("montag", "mo", "monday", "mon"), 0),
    **dict.fromkeys(("dienstag", "di", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("mittwoch", "mi", "wednesday", "wed"), 2),
    **dict.fromkeys(("donnerstag", "do", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("freitag", "fr", "friday", "fri"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "sa", "saturday", "sat"), 5),
    **dict.fromkeys(("sonntag", "so", "sunday", "sun"), 6),
}
RELATIVE_DAYS = {"heute": 0, "today": 0, "morgen": 1, "tomorrow": 1, "übermorgen": 2, "uebermorgen": 2}
RANGE_WORDS = frozenset({"bis", "to", "until", "till", "through", "-", "–", "—", ".."})
THIS_WORDS = frozenset({"diese", "this"})
NEXT_WORDS = frozenset({"nächste", "naechste", "kommende", "next"})
WEEK_WORDS = frozenset({"woche", "week"})
CALENDAR_WEEK_WORDS = frozenset({"kw", "week", "woche", "cw"})

# A yearless range may wrap into the next year ("28.12. bis 03.01."), but one that would
# then last more than half a year ("27.11. bis 24.11.") was written backwards.
MAX_WRAP_DAYS = 183
# Written years outside this window are typos, and keep date arithmetic far from date.max.
YEARS = range(1900, 2200)
MAX_DURATION = timedelta(hours=24)
ECHO_LENGTH = 40

# -- shapes -------------------------------------------------------------------------------------
# The patterns are deliberately looser than the valid values (e.g. 3-digit minutes): something
# that has the shape is "clearly meant as" that kind of thing and gets a precise error if its
# values are wrong. Bounded digit counts keep int() away from huge inputs. re.ASCII: only 0-9.

_DMY = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{1,4})?", re.ASCII)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", re.ASCII)
_TIME = re.compile(r"(?P<h>\d{1,3})(?:(?P<sep>[:.])(?P<m>\d{1,3}))?(?: ?(?P<uhr>uhr))?", re.ASCII)
_HOUR_UNITS = r"h|hr|hrs|std\.?|stunden?|hours?"
_MINUTE_UNITS = r"m|min\.?|mins|minuten?|minutes?"
_DURATION = re.compile(
    rf"(?P<hours>\d{{1,6}}(?:[.,]\d{{1,6}})?) ?(?:{_HOUR_UNITS})(?: ?(?P<extra>\d{{1,6}})(?: ?(?:{_MINUTE_UNITS}))?)?"
    rf"|(?P<minutes>\d{{1,6}}) ?(?:{_MINUTE_UNITS})",
    re.ASCII,
)
_WEEK_NUMBER = re.compile(r"\d{1,3}", re.ASCII)
_WEEK_TOKEN = re.compile(r"(?:kw|cw)(?P<n>\d{1,3})", re.ASCII)
_IN_TOKEN_SEPARATORS = ("..", "–", "—", "-")


def _norm(text: str) -> str:
    """NFC, single spaces, case-folded: how words are compared, whatever keyboard typed them."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _date_word(token: str) -> str:
    """A date token as compared: normalized, without a list comma ("Mo, Di")."""
    return _norm(token).removesuffix(",")


def _echo(value: str) -> str:
    """User input repeated in a message: short, one line, no mentions or markdown."""
    return plain(value, max_length=ECHO_LENGTH)


# -- ranges -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of days; a single date is the one-day range start == end."""

    start: date
    end: date

    def days(self) -> Iterator[date]:
        """Every day from start to end, both included."""
        # Counting offsets (rather than adding past the end) cannot overflow at date.max.
        for offset in range((self.end - self.start).days + 1):
            yield self.start + timedelta(days=offset)

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):  # a datetime is a date subclass but does not compare with one
            day = day.date()
        return isinstance(day, date) and self.start <= day <= self.end


# -- tokens -------------------------------------------------------------------------------------

# Opening quote -> the quotes that may close it. Phones mix "…", „…“ and “…”, so these close each other.
_QUOTES = {'"': '"“”', "„": '“”"', "“": '”“"', "”": '”"', "«": "»", "»": "«"}


def tokenize(text: str) -> list[str]:
    """Split on whitespace; a "double", „German“ or “curly” quoted string is one token, without quotes.

    A quote opens only at the start of a token, so an inch mark or apostrophe inside a
    word stays part of it. An opened quote that is never closed is an error rather than a
    guess: the user's title would otherwise silently swallow the rest of the command.
    """
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif closers := _QUOTES.get(text[i]):
            ends = [k for c in closers if (k := text.find(c, i + 1)) != -1]
            if not ends:
                raise LocalizedError(UNBALANCED_QUOTE)
            tokens.append(text[i + 1 : min(ends)].strip())
            i = min(ends) + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 1
            tokens.append(text[i:j])
            i = j
    return tokens


# -- dates --------------------------------------------------------------------------------------


def looks_like_date(token: str) -> bool:
    """True if the token has the shape of a date (it may still be invalid, like "31.02.")."""
    word = _date_word(token)
    return (word in RELATIVE_DAYS or _weekday(word) is not None
            or bool(_DMY.fullmatch(word) or _ISO.fullmatch(word)))


def _weekday(word: str) -> int | None:
    return WEEKDAYS.get(word.removesuffix("."))


def _next_weekday(weekday: int, start: date) -> date:
    """The next such weekday, `start` included ("Mo" on a Monday is that Monday)."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _day_month(word: str, raw: str) -> tuple[int, int] | None:
    """(day, month) for a yearless "24.11.", None for other forms; raises if no year has that day."""
    m = _DMY.fullmatch(word)
    if m is None or m["y"] is not None:
        return None
    day, month = int(m["d"]), int(m["m"])
    try:
        date(2000, month, day)  # a leap year: 29.02. exists, 31.02. never does
    except ValueError:
        raise LocalizedError(INVALID_DATE, value=_echo(raw)) from None
    return day, month


def _on_or_after(day: int, month: int, anchor: date, raw: str) -> date:
    """The first day.month. on or after `anchor` (29.02. may be up to eight years away)."""
    for year in range(anchor.year, anchor.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= anchor:
            return candidate
    raise LocalizedError(INVALID_DATE, value=_echo(raw))


def _on_or_before(day: int, month: int, anchor: date, raw: str) -> date:
    """The last day.month. on or before `anchor`."""
    for year in range(anchor.year, anchor.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= anchor:
            return candidate
    raise LocalizedError(INVALID_DATE, value=_echo(raw))


def parse_date(token: str, *, today: date) -> date:
    """One date: heute/today, morgen, übermorgen, a weekday, 24.11., 24.11.26, 24.11.2026 or 2026-11-24.

    Words and yearless dates mean the next such day, today included, because the bot
    plans ahead: "24.11." after the 24th of November is next year's. Two-digit years are
    20xx.
    """
    word = _date_word(token)
    if not word:
        raise LocalizedError(MISSING_DATE)
    if word in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[word])
    if (weekday := _weekday(word)) is not None:
        return _next_weekday(weekday, today)
    if (day_month := _day_month(word, token)) is not None:
        return _on_or_after(*day_month, today, token)
    if m := _DMY.fullmatch(word) or _ISO.fullmatch(word):
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        if len(m["y"]) in (2, 4) and year in YEARS:
            try:
                return date(year, int(m["m"]), int(m["d"]))
            except ValueError:
                pass
    raise LocalizedError(INVALID_DATE, value=_echo(token))


def take_date(tokens: list[str], i: int, *, today: date) -> tuple[date, int] | None:
    """A date at tokens[i]: (date, i + 1), None if tokens[i] is not date-shaped."""
    if not 0 <= i < len(tokens) or not looks_like_date(tokens[i]):
        return None
    return parse_date(tokens[i], today=today), i + 1


# -- ranges -------------------------------------------------------------------------------------


def _week_from(monday: date) -> DateRange:
    return DateRange(monday, monday + timedelta(days=6))


def _calendar_week(number: int, today: date, raw: str) -> DateRange:
    """ISO week `number` of this ISO year, or of the next one if this year's is over (or missing)."""
    iso_year = today.isocalendar().year  # not today.year: 1 January may still be in week 53
    for year in (iso_year, iso_year + 1):
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            continue
        if monday + timedelta(days=6) >= today:
            return _week_from(monday)
    raise LocalizedError(INVALID_WEEK, value=_echo(raw))


def _between(first: str, last: str, today: date) -> DateRange:
    """The range from `first` to `last`, choosing years and weeks so it reads as people mean it.

    A yearless start is placed relative to the end ("20.11. bis 27.11." on the 22nd is this
    week, partly past; callers clip to today); otherwise the start is read like a single
    date and a weekday or yearless end is the first such day on or after the start
    ("Fr bis Mo", "28.12. bis 03.01."). Backwards ranges are refused, not moved a year on.
    """
    start_dm, end_dm = _day_month(_date_word(first), first), _day_month(_date_word(last), last)
    if start_dm:
        end = parse_date(last, today=today)
        start = _on_or_before(*start_dm, end, first)
    else:
        start = parse_date(first, today=today)
        if (weekday := _weekday(_date_word(last))) is not None:
            end = _next_weekday(weekday, start)
        elif end_dm:
            end = _on_or_after(*end_dm, start, last)
        else:
            end = parse_date(last, today=today)
    wrapped = bool(start_dm or end_dm) and (end.month, end.day) < (start.month, start.day)
    if end < start or (wrapped and (end - start).days > MAX_WRAP_DAYS):
        raise LocalizedError(REVERSED_RANGE, start=_echo(first), end=_echo(last))
    return DateRange(start, end)


def _complete(side: str) -> str:
    """Inside "24.11..27.11" the separator makes clear these are dates: add the missing final dot."""
    return side + "." if re.fullmatch(r"\d{1,2}\.\d{1,2}", side, re.ASCII) else side


def _split_range_token(token: str) -> tuple[str, str] | None:
    """Cut "a..b", "a-b" or "a–b" where both halves look like dates, else None.

    Trying every cut resolves "24.11...27.11." (= "24.11." ".." "27.11.") and keeps the
    hyphens inside "2026-11-24-2026-11-27" and "Mo-Fr" apart, without special cases.
    """
    word = _date_word(token)
    for separator in _IN_TOKEN_SEPARATORS:
        cut = word.find(separator)
        while cut != -1:
            left, right = _complete(word[:cut]), _complete(word[cut + len(separator):])
            if looks_like_date(left) and looks_like_date(right):
                return left, right
            cut = word.find(separator, cut + 1)
    return None


def take_range(tokens: list[str], i: int, *, today: date) -> tuple[DateRange, int] | None:
    """A date or date range at tokens[i:]: (range, next index), None if none starts there.

    Reads "24.11.", "24.11. bis 27.11.", "Mo to Fr", "24.11.2026..27.11.2026", "Mo-Fr",
    "diese Woche", "next week", "KW 48", "KW48" and "week 48". A range word not followed by
    a date ("24.11. bis auf Weiteres") ends the range after the first date.
    """
    if not 0 <= i < len(tokens):
        return None
    word = _norm(tokens[i])
    following = _norm(tokens[i + 1]) if i + 1 < len(tokens) else ""
    if following in WEEK_WORDS and (word in THIS_WORDS or word in NEXT_WORDS):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7 if word in NEXT_WORDS else 0)
        return _week_from(monday), i + 2
    if word in CALENDAR_WEEK_WORDS and _WEEK_NUMBER.fullmatch(following):
        return _calendar_week(int(following), today, f"{tokens[i]} {tokens[i + 1]}"), i + 2
    if m := _WEEK_TOKEN.fullmatch(word):
        return _calendar_week(int(m["n"]), today, tokens[i]), i + 1
    if looks_like_date(tokens[i]):
        if i + 2 < len(tokens) and _norm(tokens[i + 1]) in RANGE_WORDS and looks_like_date(tokens[i + 2]):
            return _between(tokens[i], tokens[i + 2], today), i + 3
        day = parse_date(tokens[i], today=today)
        return DateRange(day, day), i + 1
    if pair := _split_range_token(tokens[i]):
        return _between(*pair, today), i + 1
    return None


def parse_range(text: str, *, today: date) -> DateRange:
    """The whole text as one date or date range (see `take_range`); anything left over is an error."""
    tokens = text.split()  # not tokenize(): a stray quote here is a bad range, not an open title
    if not tokens:
        raise LocalizedError(MISSING_RANGE)
    taken = take_range(tokens, 0, today=today)
    if taken is None or taken[1] != len(tokens):
        raise LocalizedError(INVALID_RANGE, value=_echo(text))
    return taken[0]


# -- times and durations ------------------------------------------------------------------------


def _time_match(text: str) -> re.Match[str] | None:
    """A time shape: "10:00", "9:30" or anything with "Uhr" ("10 Uhr", "10.30 Uhr").

    A bare "10" or "10.30" is not a time: it could be a count, a duration or a date typo.
    """
    m = _TIME.fullmatch(_norm(text))
    return m if m and (m["sep"] == ":" or m["uhr"]) else None


def parse_time(token: str) -> time:
    """A time of day on the 24-hour clock: 10:00, 9:30, 10 Uhr, 10Uhr, 10.30 Uhr."""
    if not _norm(token):
        raise LocalizedError(MISSING_TIME)
    m = _time_match(token)
    if m is None or len(m["h"]) > 2 or (m["m"] is not None and len(m["m"]) != 2):
        raise LocalizedError(INVALID_TIME, value=_echo(token))
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if hour > 23 or minute > 59:  # 24:00 too: it is tomorrow's 0:00, ambiguous for a meeting
        raise LocalizedError(INVALID_TIME, value=_echo(token))
    return time(hour, minute)


def _duration_match(text: str) -> re.Match[str] | None:
    """A duration shape. "1h 30" is not one: after a space, minutes need their unit."""
    word = _norm(text)
    m = _DURATION.fullmatch(word)
    return m if m and not re.search(r" \d+$", word) else None


def parse_duration(token: str) -> timedelta:
    """A duration of whole minutes, more than 0 and at most 24 hours: 30m, 45 min, 1h30, 1,5h, 2 Std."""
    if not _norm(token):
        raise LocalizedError(MISSING_DURATION)
    m = _duration_match(token)
    if m is None:
        raise LocalizedError(INVALID_DURATION, value=_echo(token))
    hours = Decimal(m["hours"].replace(",", ".")) if m["hours"] else Decimal(0)
    extra = int(m["extra"] or 0)
    # "1,5h30" mixes two ways of writing minutes, "1h75" should have been "2h15".
    mixed = m["extra"] is not None and (hours != hours.to_integral_value() or extra > 59)
    minutes = hours * 60 + extra + int(m["minutes"] or 0)
    if mixed or minutes != minutes.to_integral_value() or not 0 < minutes <= MAX_DURATION // timedelta(minutes=1):
        raise LocalizedError(INVALID_DURATION, value=_echo(token))
    return timedelta(minutes=int(minutes))


def _take_joined(tokens: list[str], i: int, longest: int,
                 shaped: Callable[[str], re.Match[str] | None]) -> tuple[str, int] | None:
    """The longest run of up to `longest` tokens from i whose joined text has the shape."""
    if not 0 <= i < len(tokens):
        return None
    for count in range(min(longest, len(tokens) - i), 0, -1):
        text = " ".join(tokens[i : i + count])
        if shaped(text):
            return text, i + count
    return None


def take_time(tokens: list[str], i: int) -> tuple[time, int] | None:
    """A time at tokens[i:], including "10" "Uhr" as two tokens; None if none starts there."""
    taken = _take_joined(tokens, i, 2, _time_match)
    return (parse_time(taken[0]), taken[1]) if taken else None


def take_duration(tokens: list[str], i: int) -> tuple[timedelta, int] | None:
    """A duration at tokens[i:], including "45" "min" and "1" "Stunde" "30" "Minuten"; else None."""
    taken = _take_joined(tokens, i, 4, _duration_match)
    return (parse_duration(taken[0]), taken[1]) if taken else None
