"""The text of a /dienst subcommand turned into a typed request, before anything is stored.

Dates and ranges go through the one parser (`commands.parsing`); a duty's name is quoted
(`"Telefondienst"`) or one word; `für @name` names someone else (leads only, checked later).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from base.i18n import LocalizedError
from commands import parsing
from commands.dienst.texts import (
    BAD_DAYS,
    BAD_HOURS,
    BAD_MIN,
    BAD_OPTION,
    NAME_TOO_LONG,
    NEED_DATE,
    NEED_NAME,
    NEED_NUMBER,
    NEED_PEOPLE,
)
from domain.phone import normalize_number
from storage.duty_models import NAME_MAX

MAX_HOLDERS = 20
ON_SITE_WORDS = {"vor-ort", "vorort", "onsite", "on-site"}
ANYWHERE_WORDS = {"überall", "ueberall", "anywhere", "remote"}
MIN_WORDS = {"min", "mindestens", "minimum"}
DAYS_WORDS = {"tage", "days", "tag", "day"}
TIME_WORDS = {"zeit", "time", "uhrzeit", "hours"}
NUMBER_WORDS = {"nummer", "number", "tel", "telefon", "phone"}
ALL_DAY_WORDS = {"ganztags", "ganztägig", "all-day", "allday", "aus", "off"}
NONE_WORDS = {"keine", "none", "aus", "off", "-"}
FOR_WORDS = {"für", "fuer", "for"}
OPTION_WORDS = ON_SITE_WORDS | ANYWHERE_WORDS | MIN_WORDS | DAYS_WORDS | TIME_WORDS | NUMBER_WORDS
UNSET = object()


@dataclass(frozen=True, slots=True)
class DutyOptions:
    """What `anlegen`/`ändern` typed; None (or UNSET for number and hours): not given."""

    on_site: bool | None = None
    min_holders: int | None = None
    weekdays: frozenset[int] | None = None
    hours: object = UNSET  # str "08:00-12:00", None for all day, or UNSET
    number: object = UNSET  # str, None for no number, or UNSET

    @property
    def empty(self) -> bool:
        return (self.on_site is None and self.min_holders is None and self.weekdays is None
                and self.hours is UNSET and self.number is UNSET)


@dataclass(frozen=True, slots=True)
class DayRequest:
    """`abgeben`, `übernehmen`, `tausch`: a day, maybe a duty's name, maybe a person."""

    day: date
    name: str | None = None
    person: str | None = None  # an @name token (für @name, or the swap partner)
    mentions: list[str] = field(default_factory=list)


def check_name(name: str) -> str:
    name = " ".join(name.split())
    if len(name) > NAME_MAX:
        raise LocalizedError(NAME_TOO_LONG, limit=NAME_MAX)
    return name


def take_name(tokens: list[str], trigger: str, example: str) -> tuple[str, list[str]]:
    """The duty's name (the first token) and the rest."""
    if not tokens or tokens[0].startswith("@") or tokens[0].lower() in OPTION_WORDS:
        raise LocalizedError(NEED_NAME, trigger=trigger, example=example)
    return check_name(tokens[0]), tokens[1:]


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        a = parsing.WEEKDAYS.get(first.rstrip("."))
        b = parsing.WEEKDAYS.get(last.rstrip(".")) if sep else a
        if a is None or b is None or b < a or b > 4:
            raise LocalizedError(BAD_DAYS)
        days.update(range(a, b + 1))
    if not days:
        raise LocalizedError(BAD_DAYS)
    return frozenset(days)


def _hours(tokens: list[str]) -> tuple[str | None, int]:
    """`08:00-12:00`, `08:00 - 12:00`, `8-12 Uhr`, `ganztags`: (text or None, tokens used)."""
    if not tokens:
        raise LocalizedError(BAD_HOURS)
    if tokens[0].lower() in ALL_DAY_WORDS:
        return None, 1
    used = 1
    text = tokens[0]
    if len(tokens) >= 3 and tokens[1] in ("-", "–", "bis", "to"):
        text, used = f"{tokens[0]}-{tokens[2]}", 3
    elif len(tokens) >= 2 and (text.endswith("-") or tokens[1].startswith("-")):
        text, used = tokens[0] + tokens[1], 2
    if used < len(tokens) and tokens[used].lower() == "uhr":
        used += 1
    start_text, sep, end_text = text.replace("–", "-").partition("-")
    if not sep:
        raise LocalizedError(BAD_HOURS)
    try:
        start, end = _clock(start_text), _clock(end_text)
    except LocalizedError:
        raise LocalizedError(BAD_HOURS) from None
    if end <= start:
        raise LocalizedError(BAD_HOURS)
    return f"{start:%H:%M}-{end:%H:%M}", used


def _clock(text: str) -> time:
    text = text.strip().lower().removesuffix("uhr").strip()
    if text.isdigit():
        text += ":00"
    return parsing.parse_time(text)


def parse_options(tokens: list[str]) -> DutyOptions:
    on_site: bool | None = None
    min_holders: int | None = None
    weekdays: frozenset[int] | None = None
    hours: object = UNSET
    number: object = UNSET
    i = 0
    while i < len(tokens):
        word = tokens[i].lower()
        if word in ON_SITE_WORDS:
            on_site, i = True, i + 1
        elif word in ANYWHERE_WORDS:
            on_site, i = False, i + 1
        elif word in MIN_WORDS:
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
            if not value.isdigit() or not 1 <= int(value) <= MAX_HOLDERS:
                raise LocalizedError(BAD_MIN, most=MAX_HOLDERS)
            min_holders, i = int(value), i + 2
        elif word in DAYS_WORDS:
            j = i + 1
            parts = []
            while j < len(tokens) and tokens[j].lower() not in OPTION_WORDS:
                parts.append(tokens[j])
                j += 1
            weekdays, i = _days(" ".join(parts)), j
        elif word in TIME_WORDS:
            j = i + 1
            while j < len(tokens) and tokens[j].lower() not in OPTION_WORDS:
                j += 1
            hours, used = _hours(tokens[i + 1:j])
            if i + 1 + used != j:
                raise LocalizedError(BAD_HOURS)
            i = j
        elif word in NUMBER_WORDS:
            j = i + 1
            while j < len(tokens) and tokens[j].lower() not in OPTION_WORDS:
                j += 1
            typed = " ".join(tokens[i + 1:j]).strip()
            if not typed:
                raise LocalizedError(NEED_NUMBER)
            number = None if typed.lower() in NONE_WORDS else normalize_number(typed)
            i = j
        else:
            raise LocalizedError(BAD_OPTION, word=parsing._echo(tokens[i]))  # noqa: SLF001
    return DutyOptions(on_site, min_holders, weekdays, hours, number)


def parse_people(tokens: list[str], trigger: str, example: str) -> list[str]:
    people = [t for t in tokens if t.startswith("@")]
    if not people or len(people) != len(tokens):
        raise LocalizedError(NEED_PEOPLE, trigger=trigger, example=example)
    return people


def parse_day_request(tokens: list[str], *, today: date, trigger: str, example: str,
                      partner_first: bool = False) -> DayRequest:
    """`[@partner] DATE ["Name"] [für @name]` in any order of name and `für`."""
    person: str | None = None
    rest = list(tokens)
    if partner_first:
        if not rest or not rest[0].startswith("@"):
            raise LocalizedError(NEED_PEOPLE, trigger=trigger, example=example)
        person, rest = rest[0], rest[1:]
    taken = parsing.take_date(rest, 0, today=today)
    if taken is None:
        raise LocalizedError(NEED_DATE, trigger=trigger, example=example)
    day, i = taken
    name: str | None = None
    while i < len(rest):
        word = rest[i].lower()
        if word in FOR_WORDS and not partner_first:
            if i + 1 >= len(rest) or not rest[i + 1].startswith("@"):
                raise LocalizedError(NEED_PEOPLE, trigger=trigger, example=example)
            person, i = rest[i + 1], i + 2
        elif name is None and not rest[i].startswith("@"):
            name, i = check_name(rest[i]), i + 1
        else:
            raise LocalizedError(BAD_OPTION, word=parsing._echo(rest[i]))  # noqa: SLF001
    return DayRequest(day, name, person)
