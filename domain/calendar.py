"""Calendar facts for the rotation: public holidays, working days, ISO weeks, date formatting.

Pure functions: every function takes its dates explicitly, nothing asks the clock.

Holiday regions are "DE" (national holidays only) or "DE-XX" with XX one of the
sixteen German states. Holidays come from the `holidays` library (its default
"public" category, so e.g. Assumption Day in parts of Bavaria is not included).
They are computed once per (region, year) and cached; `is_holiday` is a dict
lookup plus a set membership test, so it can sit on hot paths.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import lru_cache

import holidays as _holidays
from babel.dates import get_day_names, get_month_names

from base.i18n import LocalizedError, Text, pick_locale

STATES: tuple[str, ...] = (
    "BW",
    "BY",
    "BE",
    "BB",
    "HB",
    "HH",
    "HE",
    "MV",
    "NI",
    "NW",
    "RP",
    "SL",
    "SN",
    "ST",
    "SH",
    "TH",
)
REGIONS: tuple[str, ...] = ("DE", *(f"DE-{s}" for s in STATES))

ERR_REGION = Text(
    de="Unbekannte Feiertagsregion „{code}“. Erlaubt sind DE (nur bundesweite Feiertage) "
    "oder DE-XX mit einem Bundesland: {states}. Beispiel: region DE-NW",
    en="Unknown holiday region “{code}”. Use DE (national holidays only) "
    "or DE-XX with a German state: {states}. Example: region DE-NW",
)

_HOLIDAY_LANGUAGE = {"de": "de", "en": "en_US"}


def holiday_region(channel_setting: str | None, rotation_region: str | None, default: str) -> str:
    """The one rule for a channel's public holidays: the channel's own setting (`/anwesenheit
    region`), else its rotation's region (`/homeoffice einrichten … region`), else the bot's
    `BOT_HOLIDAY_REGION`. Roster, plan, meetings and forwards all ask this."""
    return channel_setting or rotation_region or default


def validate_region(code: str) -> str:
    """The canonical region code ("de-bw", "DE_BW", "bw" -> "DE-BW"; "de" -> "DE").

    Raises `LocalizedError` for anything that is not DE or a German state.
    """
    raw = code if isinstance(code, str) else ""
    value = raw.strip().upper().replace("_", "-")
    if value in STATES:
        value = f"DE-{value}"
    if value not in REGIONS:
        raise LocalizedError(ERR_REGION, code=raw.strip()[:20], states=", ".join(STATES))
    return value


def _language(language: str) -> str:
    """A holidays-library language from "de"/"en" (or de_DE, en-US, ...)."""
    return _HOLIDAY_LANGUAGE[pick_locale(language)]


@lru_cache(maxsize=1024)
def _holiday_names(region: str, year: int, language: str) -> dict[date, str]:
    """Holiday names for a canonical region, a year and a holidays-library language (cached)."""
    subdiv = region[3:] if region != "DE" else None
    return dict(_holidays.Germany(subdiv=subdiv, years=year, language=language))


# (region as the caller spelled it, year) -> the set of holiday dates. A plain dict so a hit costs
# one lookup; a miss validates the region, so unknown regions never get in.
_HOLIDAY_SETS: dict[tuple[str, int], frozenset[date]] = {}
_HOLIDAY_SETS_MAX = 4096
_lock = threading.Lock()


def _holiday_set(region: str, year: int) -> frozenset[date]:
    key = (region, year)
    found = _HOLIDAY_SETS.get(key)
    if found is not None:
        return found
    canonical = validate_region(region)
    found = frozenset(_holiday_names(canonical, year, "de"))
    with _lock:
        if len(_HOLIDAY_SETS) >= _HOLIDAY_SETS_MAX:
            _HOLIDAY_SETS.clear()
        _HOLIDAY_SETS[key] = found
    return found


def holidays_for(region: str, year: int, language: str = "de") -> dict[date, str]:
    """The public holidays of a region in a year, date -> name in German ("de") or English ("en").

    Two holidays on the same day are joined with "; ". Returns a fresh dict.
    """
    return dict(_holiday_names(validate_region(region), year, _language(language)))


def is_holiday(day: date, region: str) -> bool:
    """Whether `day` is a public holiday in `region` (weekends are not holidays by themselves)."""
    found = _HOLIDAY_SETS.get((region, day.year))
    if found is None:
        found = _holiday_set(region, day.year)
    return day in found


def holiday_name(day: date, region: str, locale: str = "de") -> str | None:
    """The holiday's name in the locale ("de"/"en"), or None if `day` is no holiday in `region`."""
    if not is_holiday(day, region):
        return None
    return _holiday_names(validate_region(region), day.year, _language(locale)).get(day)


def is_working_day(day: date, region: str) -> bool:
    """Monday to Friday and not a public holiday of the region."""
    return day.weekday() < 5 and not is_holiday(day, region)


def working_days(start: date, end: date, region: str) -> list[date]:
    """The working days from `start` to `end`, both inclusive (empty if end < start)."""
    out: list[date] = []
    one = timedelta(days=1)
    day = start
    while day <= end:
        if day.weekday() < 5 and not is_holiday(day, region):
            out.append(day)
        day += one
    return out


def next_working_days(start: date, n: int, region: str) -> list[date]:
    """The first `n` working days on or after `start` (`start` itself counts if it is one)."""
    out: list[date] = []
    one = timedelta(days=1)
    day = start
    while len(out) < n:
        if day.weekday() < 5 and not is_holiday(day, region):
            out.append(day)
        day += one
    return out


def _weekdays_before(day: date) -> int:
    """How many Mon–Fri days lie in [0001-01-01, day). 0001-01-01 is a Monday."""
    days = day.toordinal() - 1
    return days // 7 * 5 + min(days % 7, 5)


def count_working_days(start: date, end: date, region: str) -> int:
    """How many working days lie in the half-open range [start, end) (0 if end <= start).

    Arithmetic for the weekdays, then the weekday holidays in range are subtracted,
    so it is cheap even across many years.
    """
    if end <= start:
        return 0
    count = _weekdays_before(end) - _weekdays_before(start)
    for year in range(start.year, end.year + 1):
        for h in _holiday_set(region, year):
            if start <= h < end and h.weekday() < 5:
                count -= 1
    return count


def monday_of(day: date) -> date:
    """The Monday of the ISO week containing `day`."""
    return day - timedelta(days=day.weekday())


def iso_week(day: date) -> tuple[int, int]:
    """(ISO year, ISO week number); 2027-01-01 -> (2026, 53)."""
    iso = day.isocalendar()
    return iso[0], iso[1]


def weeks_between(start: date, day: date) -> int:
    """ISO weeks from the week of `start` to the week of `day` (negative if `day` is earlier).

    Counted via the Mondays, so it is right across year ends with and without week 53.
    """
    return (monday_of(day) - monday_of(start)).days // 7


# --- formatting -------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _names(locale: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(weekday abbreviations Mon..Sun, month abbreviations Jan..Dec) from babel, without trailing dots."""
    days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("abbreviated", locale=locale)
    return (
        tuple(days[i].rstrip(".") for i in range(7)),
        tuple(months[i].rstrip(".") for i in range(1, 13)),
    )


def format_day(day: date, locale: str = "de") -> str:
    """The day with weekday: "Di, 24.11.2026" (de) / "Tue, 24 Nov 2026" (en)."""
    loc = pick_locale(locale)
    days, months = _names(loc)
    if loc == "en":
        return f"{days[day.weekday()]}, {day.day} {months[day.month - 1]} {day.year}"
    return f"{days[day.weekday()]}, {day.day:02d}.{day.month:02d}.{day.year}"


def format_day_short(day: date, locale: str = "de") -> str:
    """The day, short: "Di 24.11." (de) / "Tue 24/11" (en)."""
    loc = pick_locale(locale)
    days, _ = _names(loc)
    if loc == "en":
        return f"{days[day.weekday()]} {day.day:02d}/{day.month:02d}"
    return f"{days[day.weekday()]} {day.day:02d}.{day.month:02d}."


def format_week(day: date, locale: str = "de") -> str:
    """The ISO week of `day`: "KW 48" (de) / "CW 48" (en)."""
    prefix = "CW" if pick_locale(locale) == "en" else "KW"
    return f"{prefix} {iso_week(day)[1]}"


def format_day_in_year(day: date, locale: str = "de") -> str:
    """The day with weekday but without the year, for lists that name the year once: "Do, 10.12." /
    "Thu, 10 Dec"."""
    loc = pick_locale(locale)
    days, months = _names(loc)
    if loc == "en":
        return f"{days[day.weekday()]}, {day.day} {months[day.month - 1]}"
    return f"{days[day.weekday()]}, {day.day:02d}.{day.month:02d}."


def _shared_year(days: list[date], locale: str) -> list[str]:
    """Each day formatted; the year only where the next day is in another year, and on the last."""
    return [format_day(d, locale) if i == len(days) - 1 or d.year != days[-1].year else format_day_in_year(d, locale)
            for i, d in enumerate(days)]


def format_days(days: list[date], locale: str = "de") -> str:
    """Days as a list in a sentence, the year named once: "Do, 10.12. und Fr, 11.12.2026" /
    "Thu, 10 Dec and Fri, 11 Dec 2026"."""
    shown = _shared_year(sorted(days), locale)
    if len(shown) <= 1:
        return "".join(shown)
    word = " and " if pick_locale(locale) == "en" else " und "
    return ", ".join(shown[:-1]) + word + shown[-1]


def span_ends(start: date, end: date, locale: str = "de") -> tuple[str, str]:
    """The first and last day of a range, the year named once: ("Do, 10.12.", "Fr, 11.12.2026")."""
    first, last = _shared_year([start, end], locale)
    return first, last


def format_span(start: date, end: date, locale: str = "de") -> str:
    """A range of days in a sentence: "vom Do, 10.12. bis Fr, 11.12.2026" / "from Thu, 10 Dec to Fri,
    11 Dec 2026"; a single day is "am Do, 10.12.2026" / "on Thu, 10 Dec 2026"."""
    english = pick_locale(locale) == "en"
    if start == end:
        return ("on " if english else "am ") + format_day(start, locale)
    first, last = _shared_year([start, end], locale)
    return f"from {first} to {last}" if english else f"vom {first} bis {last}"


_STATE_NAMES: dict[str, tuple[str, str]] = {
    "DE": ("Deutschland", "Germany"),
    "DE-BW": ("Baden-Württemberg", "Baden-Württemberg"),
    "DE-BY": ("Bayern", "Bavaria"),
    "DE-BE": ("Berlin", "Berlin"),
    "DE-BB": ("Brandenburg", "Brandenburg"),
    "DE-HB": ("Bremen", "Bremen"),
    "DE-HH": ("Hamburg", "Hamburg"),
    "DE-HE": ("Hessen", "Hesse"),
    "DE-MV": ("Mecklenburg-Vorpommern", "Mecklenburg-Western Pomerania"),
    "DE-NI": ("Niedersachsen", "Lower Saxony"),
    "DE-NW": ("Nordrhein-Westfalen", "North Rhine-Westphalia"),
    "DE-RP": ("Rheinland-Pfalz", "Rhineland-Palatinate"),
    "DE-SL": ("Saarland", "Saarland"),
    "DE-SN": ("Sachsen", "Saxony"),
    "DE-ST": ("Sachsen-Anhalt", "Saxony-Anhalt"),
    "DE-SH": ("Schleswig-Holstein", "Schleswig-Holstein"),
    "DE-TH": ("Thüringen", "Thuringia"),
}


def region_name(code: str, locale: str = "de") -> str:
    """A holiday region as people name it: "DE-ST" -> "Sachsen-Anhalt" / "Saxony-Anhalt"; an unknown
    code is shown as it is."""
    names = _STATE_NAMES.get(code.strip().upper())
    if names is None:
        return code
    return names[1] if pick_locale(locale) == "en" else names[0]


_WORKING_DAYS = Text(de="{n} Arbeitstage", en="{n} working days")


def days_phrase(days: list[date], locale: str = "de") -> str:
    """Working days as a sentence needs them, preposition included: "am Do, 10.12. und Fr,
    11.12.2026"; more than three: "vom Mo, 14.12. bis Fr, 18.12.2026 (5 Arbeitstage)"."""
    days = sorted(days)
    english = pick_locale(locale) == "en"
    if len(days) <= 3:
        return ("on " if english else "am ") + format_days(days, locale)
    return f"{format_span(days[0], days[-1], locale)} ({_WORKING_DAYS(locale, n=len(days))})"
