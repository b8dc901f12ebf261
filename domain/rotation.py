"""Rotating home-office groups: who is in the office on which day.

Pure domain logic: no I/O, no database, no clock. Every function takes its dates.

Patterns
--------
weekly  One group per ISO week: group index = ISO weeks since the start date's week
        mod the number of groups (counted via Mondays, so week 53 is handled).
daily   One group per working day: group index = working days from the start date
        mod the number of groups. Weekends and public holidays do not advance it.
custom  A string of weeks separated by "/", each week exactly 5 slots for Mon–Fri,
        repeated week by week from the start date's ISO week. A slot is

          A         a one-character group name: that group is in the office
          -         nobody is in the office
          [AB]      several groups: each character a one-character group
          [Nord]    a group whose name is longer than one character
          [Nord+Süd] / [Nord,Süd]   several groups, separated by + or ,

        Inside brackets a part that is exactly a group name is that group; otherwise each of
        its characters must be a one-character group. Group letters match case-insensitively;
        whitespace is ignored. Example: "AAABB/BBBAA" = week 1 Mon–Wed A, Thu–Fri B;
        week 2 the other way round. "[AB]AB-A/BABA[AB]" = both groups on Monday, nobody on
        Thursday of week 1, etc.

Before its start date a rotation is not in effect: nobody is scheduled by it (one-off
changes and absences still count).

Where someone works on a working day: absence > one-off change > rotation.

One truth per person and day: a person may be in the rotations of several channels, but only one
of them, their home rotation (`home_channel`), sets their days. Every other channel shows the place
that rotation gives (`plan(..., elsewhere=..., foreign=...)`), so every view agrees.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from base.i18n import DAYS, LocalizedError, Text
from domain.calendar import (
    _holiday_names,
    _holiday_set,
    _language,
    count_working_days,
    is_working_day,
    next_working_days,
    validate_region,
    weeks_between,
)


class Where(StrEnum):
    OFFICE = "office"
    HOME = "home"
    FIELD = "field"
    AWAY = "away"


Pattern = Literal["weekly", "daily", "custom"]
PATTERNS: tuple[str, ...] = ("weekly", "daily", "custom")
PATTERN_ALIASES: dict[str, str] = {
    "weekly": "weekly",
    "week": "weekly",
    "woche": "weekly",
    "wöchentlich": "weekly",
    "woechentlich": "weekly",
    "daily": "daily",
    "day": "daily",
    "tag": "daily",
    "täglich": "daily",
    "taeglich": "daily",
    "custom": "custom",
    "muster": "custom",
    "pattern": "custom",
}

MIN_GROUPS = 2
MAX_GROUPS = 10  # the groups are stored as "A,B,..." in at most 120 characters
MAX_GROUP_NAME = 10
MAX_CUSTOM = 200  # storage limit of the pattern string
DAYS_PER_WEEK = 5

_GROUP_NAME = re.compile(r"[^\W_]{1,10}")  # letters and digits only
_EMPTY: frozenset[str] = frozenset()
_NO_ENTRIES: Mapping[str, Where] = MappingProxyType({})

_EXAMPLE = Text(
    de='Beispiel: muster "AAABB/BBBAA" (Woche 1: Mo–Mi A, Do–Fr B; Woche 2 umgekehrt). '
    '"-" = niemand im Büro, "[AB]" = A und B, "[Nord]" = Gruppe mit längerem Namen.',
    en='Example: custom "AAABB/BBBAA" (week 1: Mon–Wed A, Thu–Fri B; week 2 the other way round). '
    '"-" = nobody in the office, "[AB]" = A and B, "[North]" = a group with a longer name.',
)


def _with_example(de: str, en: str) -> Text:
    return Text(de=f"{de} {_EXAMPLE.de}", en=f"{en} {_EXAMPLE.en}")


ERR_GROUPS_COUNT = Text(
    de="Eine Rotation braucht {min} bis {max} Gruppen, z. B. A,B. Angegeben: {count}.",
    en="A rotation needs {min} to {max} groups, e.g. A,B. Given: {count}.",
)
ERR_GROUP_NAME = Text(
    de="Ungültiger Gruppenname „{name}“: nur Buchstaben und Ziffern, höchstens {max} Zeichen (z. B. A, B, Nord).",
    en="Invalid group name “{name}”: letters and digits only, at most {max} characters (e.g. A, B, North).",
)
ERR_GROUP_DUPLICATE = Text(
    de="Die Gruppe „{name}“ ist doppelt angegeben (Groß-/Kleinschreibung zählt nicht).",
    en="The group “{name}” is given twice (upper/lower case does not count).",
)
ERR_PATTERN = Text(
    de='Unbekanntes Rotationsmuster „{pattern}“. Erlaubt: woche, tag oder muster "AAABB/BBBAA".',
    en='Unknown rotation pattern “{pattern}”. Use weekly, daily or custom "AAABB/BBBAA".',
)
ERR_CUSTOM_MISSING = _with_example(
    de="Für „muster“ fehlt das Muster.",
    en="The custom pattern is missing.",
)
ERR_CUSTOM_UNEXPECTED = Text(
    de="Ein Muster-Text gehört nur zu „muster“, nicht zu „{pattern}“.",
    en="A pattern string only goes with “custom”, not with “{pattern}”.",
)
ERR_CUSTOM_TOO_LONG = _with_example(
    de="Das Muster ist zu lang ({length} Zeichen, höchstens {max}).",
    en="The pattern is too long ({length} characters, at most {max}).",
)
ERR_CUSTOM_EMPTY_WEEK = _with_example(
    de="Woche {week} des Musters ist leer; Wochen werden mit „/“ getrennt und haben je 5 Tage (Mo–Fr).",
    en="Week {week} of the pattern is empty; weeks are separated by “/” and have 5 days each (Mon–Fri).",
)
ERR_CUSTOM_DAYS = _with_example(
    de="Woche {week} des Musters („{text}“) hat {days}, nötig sind genau 5 (Mo–Fr).",
    en="Week {week} of the pattern (“{text}”) has {days}, it needs exactly 5 (Mon–Fri).",
)
ERR_CUSTOM_UNKNOWN_GROUP = _with_example(
    de="Unbekannte Gruppe „{name}“ in Woche {week} des Musters. Gruppen: {groups}.",
    en="Unknown group “{name}” in week {week} of the pattern. Groups: {groups}.",
)
ERR_CUSTOM_BRACKET = _with_example(
    de="Klammerfehler in Woche {week} des Musters („{text}“): „[“ und „]“ müssen paarweise, "
    "nicht verschachtelt und nicht leer sein.",
    en="Bracket error in week {week} of the pattern (“{text}”): “[” and “]” must come in pairs, "
    "not nested and not empty.",
)
ERR_MIN = Text(
    de="Die Mindestbesetzung muss eine ganze Zahl ab 0 sein, z. B. min 3. Angegeben: {value}.",
    en="The minimum office staffing must be a whole number of 0 or more, e.g. min 3. Given: {value}.",
)
ERR_START = Text(
    de="Das Startdatum fehlt oder ist ungültig.",
    en="The start date is missing or invalid.",
)


# --- the rotation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rotation:
    """A channel's rotation. Build it with `Rotation.create(...)`, which normalises its input.

    Direct construction validates too (raising `LocalizedError`) and normalises the region,
    but expects group names as a tuple and the pattern as "weekly"/"daily"/"custom".
    """

    groups: tuple[str, ...]
    pattern: Pattern
    start: date
    custom: str | None = None
    min_office: int | None = None
    region: str = "DE"
    # derived, filled in __post_init__
    weeks: tuple[tuple[frozenset[str], ...], ...] = field(default=(), init=False, repr=False, compare=False)
    _by_key: Mapping[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    _single: Mapping[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = _validate_groups(self.groups)
        if self.pattern not in PATTERNS:
            raise LocalizedError(ERR_PATTERN, pattern=str(self.pattern)[:20])
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            raise LocalizedError(ERR_START)
        if self.min_office is not None and (
            isinstance(self.min_office, bool) or not isinstance(self.min_office, int) or self.min_office < 0
        ):
            raise LocalizedError(ERR_MIN, value=str(self.min_office)[:20])
        object.__setattr__(self, "region", validate_region(self.region))
        weeks: tuple[tuple[frozenset[str], ...], ...] = ()
        if self.pattern == "custom":
            if not self.custom:
                raise LocalizedError(ERR_CUSTOM_MISSING)
            weeks = parse_custom(self.custom, self.groups)
        elif self.custom is not None:
            raise LocalizedError(ERR_CUSTOM_UNEXPECTED, pattern=self.pattern)
        object.__setattr__(self, "weeks", weeks)
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))
        object.__setattr__(self, "_single", MappingProxyType({g: frozenset((g,)) for g in self.groups}))

    @classmethod
    def create(
        cls,
        groups: str | Iterable[str],
        pattern: str,
        start: date,
        custom: str | None = None,
        min_office: int | None = None,
        region: str = "DE",
    ) -> Rotation:
        """Normalise and validate; raises `LocalizedError` with a message for the user.

        `groups` may be "A,B" or ["A", "B"] (surrounding spaces ignored); `pattern` may also be
        the German command words (woche, tag, muster); `region` like "de-bw"; a datetime start
        is cut to its date; whitespace in the custom pattern is dropped.
        """
        if isinstance(groups, str):
            names = tuple(g.strip() for g in groups.split(","))
        else:
            names = tuple(str(g).strip() for g in groups)
        key = pattern.strip().casefold() if isinstance(pattern, str) else ""
        if key not in PATTERN_ALIASES:
            raise LocalizedError(ERR_PATTERN, pattern=str(pattern)[:20])
        canonical_pattern = PATTERN_ALIASES[key]
        if isinstance(start, datetime):
            start = start.date()
        if custom is not None:
            custom = "".join(custom.split())
            if canonical_pattern == "custom" and len(custom) > MAX_CUSTOM:
                raise LocalizedError(ERR_CUSTOM_TOO_LONG, length=len(custom), max=MAX_CUSTOM)
            if not custom:
                custom = None
        return cls(
            groups=names,
            pattern=canonical_pattern,  # type: ignore[arg-type]
            start=start,
            custom=custom,
            min_office=min_office,
            region=validate_region(region),
        )

    def group_of(self, name: str | None) -> str | None:
        """The rotation's spelling of a group name (case-insensitive), or None if it has no such group."""
        if name is None:
            return None
        return self._by_key.get(name.casefold())


def _validate_groups(groups: tuple[str, ...]) -> dict[str, str]:
    """casefolded name -> name; raises LocalizedError."""
    if not isinstance(groups, tuple) or not MIN_GROUPS <= len(groups) <= MAX_GROUPS:
        count = len(groups) if isinstance(groups, tuple | list) else 0
        raise LocalizedError(ERR_GROUPS_COUNT, min=MIN_GROUPS, max=MAX_GROUPS, count=count)
    by_key: dict[str, str] = {}
    for name in groups:
        if not isinstance(name, str) or not _GROUP_NAME.fullmatch(name):
            raise LocalizedError(ERR_GROUP_NAME, name=str(name)[:20], max=MAX_GROUP_NAME)
        key = name.casefold()
        if key in by_key:
            raise LocalizedError(ERR_GROUP_DUPLICATE, name=name)
        by_key[key] = name
    return by_key


def parse_custom(text: str, groups: Iterable[str]) -> tuple[tuple[frozenset[str], ...], ...]:
    """Parse a custom pattern into weeks of 5 slots, each the frozenset of groups in the office.

    Grammar in the module docstring. Raises `LocalizedError` naming the week and the problem.
    """
    names = tuple(groups)
    by_key = {g.casefold(): g for g in names}
    shown = ", ".join(names)
    compact = "".join(text.split())
    if not compact:
        raise LocalizedError(ERR_CUSTOM_MISSING)
    if len(compact) > MAX_CUSTOM:
        raise LocalizedError(ERR_CUSTOM_TOO_LONG, length=len(compact), max=MAX_CUSTOM)

    def lookup(name: str, week: int) -> str:
        found = by_key.get(name.casefold())
        if found is None:
            raise LocalizedError(ERR_CUSTOM_UNKNOWN_GROUP, name=name[:20], week=week, groups=shown)
        return found

    def bracket(content: str, week: int, week_text: str) -> frozenset[str]:
        members: set[str] = set()
        for part in re.split(r"[+,]", content):
            if not part:  # "[A+]", "[,]"
                raise LocalizedError(ERR_CUSTOM_BRACKET, week=week, text=week_text[:40])
            exact = by_key.get(part.casefold())
            if exact is not None:
                members.add(exact)
            else:
                for ch in part:  # "AB": each character one group
                    if ch.casefold() not in by_key:
                        # name the whole part if it looks like a long name, else the bad character
                        raise LocalizedError(
                            ERR_CUSTOM_UNKNOWN_GROUP,
                            name=(part if not any(c.casefold() in by_key for c in part) else ch)[:20],
                            week=week,
                            groups=shown,
                        )
                    members.add(by_key[ch.casefold()])
        return frozenset(members)

    weeks: list[tuple[frozenset[str], ...]] = []
    for number, week_text in enumerate(compact.split("/"), start=1):
        if not week_text:
            raise LocalizedError(ERR_CUSTOM_EMPTY_WEEK, week=number)
        slots: list[frozenset[str]] = []
        i = 0
        while i < len(week_text):
            ch = week_text[i]
            if ch == "[":
                end = week_text.find("]", i + 1)
                content = week_text[i + 1 : end] if end != -1 else ""
                if end == -1 or not content or "[" in content:
                    raise LocalizedError(ERR_CUSTOM_BRACKET, week=number, text=week_text[:40])
                slots.append(bracket(content, number, week_text))
                i = end + 1
            elif ch == "]":
                raise LocalizedError(ERR_CUSTOM_BRACKET, week=number, text=week_text[:40])
            elif ch == "-":
                slots.append(_EMPTY)
                i += 1
            else:
                slots.append(frozenset((lookup(ch, number),)))
                i += 1
        if len(slots) != DAYS_PER_WEEK:
            raise LocalizedError(ERR_CUSTOM_DAYS, week=number, text=week_text[:40], days=DAYS.of(len(slots)))
        weeks.append(tuple(slots))
    return tuple(weeks)


# --- who is in the office ----------------------------------------------------------------------


def _groups_at(rotation: Rotation, day: date, daily_index: int | None = None) -> frozenset[str]:
    """Office groups on a day that is known to be a working day on or after the start."""
    if rotation.pattern == "weekly":
        n = weeks_between(rotation.start, day) % len(rotation.groups)
        return rotation._single[rotation.groups[n]]
    if rotation.pattern == "daily":
        if daily_index is None:
            daily_index = count_working_days(rotation.start, day, rotation.region)
        return rotation._single[rotation.groups[daily_index % len(rotation.groups)]]
    weeks = rotation.weeks
    return weeks[weeks_between(rotation.start, day) % len(weeks)][day.weekday()]


def office_groups(rotation: Rotation, day: date) -> frozenset[str]:
    """The groups in the office on `day`; empty on weekends, holidays and before the start."""
    if day < rotation.start or not is_working_day(day, rotation.region):
        return _EMPTY
    return _groups_at(rotation, day)


def where(
    rotation: Rotation,
    day: date,
    group: str | None,
    change: Where | str | None = None,
    absent: bool = False,
) -> Where | None:
    """Where a person works on `day`: absence > one-off change > rotation.

    None means not scheduled: a weekend or holiday, or the person is in no group of this
    rotation (or the rotation has not started) and has no change or absence that day.
    """
    if not is_working_day(day, rotation.region):
        return None
    if absent:
        return Where.AWAY
    if change is not None:
        return Where(change)
    canonical = rotation.group_of(group)
    if canonical is None or day < rotation.start:
        return None
    return Where.OFFICE if canonical in _groups_at(rotation, day) else Where.HOME


@dataclass(frozen=True, slots=True)
class Membership:
    """One rotation a person is in, as far as choosing their home rotation needs it."""

    channel_id: str
    joined_at: datetime | None = None  # None: joined before this was recorded (counts as earliest)
    home: bool = False  # chosen with `/homeoffice stammteam`


def home_channel(memberships: Iterable[Membership]) -> str | None:
    """The channel whose rotation sets a person's days: the one they chose, else the one they joined
    first (equal times: the smaller channel id). None if they are in no rotation."""
    ms = list(memberships)
    if not ms:
        return None
    chosen = [m for m in ms if m.home] or ms
    return min(chosen, key=lambda m: (m.joined_at is not None, m.joined_at or datetime.min, m.channel_id)).channel_id


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One day of a plan.

    `entries` is a read-only mapping person -> Where (days without changes share one mapping;
    copy it with dict(...) to modify). Holidays have `holiday` set, no entries, office_count 0.
    """

    day: date
    holiday: str | None
    entries: Mapping[str, Where]
    office_count: int
    below_min: bool
    office_groups: frozenset[str] = _EMPTY


def plan(
    rotation: Rotation,
    start: date,
    end: date,
    members: Mapping[str, str],
    changes: Mapping[tuple[str, date], Where | str] | None = None,
    absences: Collection[tuple[str, date]] | None = None,
    locale: str = "de",
    *,
    elsewhere: Mapping[tuple[str, date], Where | None] | None = None,
    foreign: Collection[str] = (),
) -> list[DayPlan]:
    """A DayPlan for every Mon–Fri from `start` to `end` inclusive (weekends omitted).

    `members` maps person -> group (case-insensitive; unknown groups count as not in the
    rotation). `changes` maps (person, day) -> office/home/field; `absences` holds (person, day)
    pairs (a set, or a mapping whose keys are those pairs). Each entry equals what `where`
    returns, so people with a change or absence but no group appear on those days too.
    Holidays are included with their name in `locale`, no entries and below_min False.

    `foreign` are members whose days another channel's rotation sets (their home rotation): this
    rotation does not place them; `elsewhere` maps (person, day) -> the place their home rotation
    gives (None: not scheduled there), and their own changes and absences still win over it.
    """
    if end < start:
        return []
    region = rotation.region
    min_office = rotation.min_office

    # the overrides, grouped by day (only days in range)
    changes_by_day: dict[date, dict[str, Where]] = {}
    if changes:
        for (person, day), value in changes.items():
            if start <= day <= end:
                changes_by_day.setdefault(day, {})[person] = value if type(value) is Where else Where(value)
    absent_by_day: dict[date, list[str]] = {}
    if absences:
        for person, day in absences:
            if start <= day <= end:
                absent_by_day.setdefault(day, []).append(person)

    elsewhere_by_day: dict[date, dict[str, Where]] = {}
    if elsewhere:
        for (person, day), place in elsewhere.items():
            if place is not None and start <= day <= end:
                elsewhere_by_day.setdefault(day, {})[person] = place
    foreign = frozenset(foreign)

    # person -> canonical group, once
    member_groups: dict[str, str] = {}
    for person, group in members.items():
        if person in foreign:
            continue
        canonical = rotation.group_of(group)
        if canonical is not None:
            member_groups[person] = canonical

    # office-group set -> (read-only entries, office count); few distinct sets, so built rarely
    bases: dict[frozenset[str] | None, tuple[Mapping[str, Where], int]] = {None: (_NO_ENTRIES, 0)}

    def base_for(groups: frozenset[str]) -> tuple[Mapping[str, Where], int]:
        found = bases.get(groups)
        if found is None:
            office, home = Where.OFFICE, Where.HOME
            entries = {p: (office if g in groups else home) for p, g in member_groups.items()}
            count = sum(1 for g in member_groups.values() if g in groups)
            found = bases[groups] = (MappingProxyType(entries), count)
        return found

    daily_index = 0
    if rotation.pattern == "daily":
        daily_index = count_working_days(rotation.start, max(start, rotation.start), region)
    language = _language(locale)

    out: list[DayPlan] = []
    one = timedelta(days=1)
    day = start
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    year = -1
    holiday_dates: frozenset[date] = frozenset()
    while day <= end:
        if day.year != year:
            year = day.year
            holiday_dates = _holiday_set(region, year)
        if day in holiday_dates:
            name = _holiday_names(region, year, language).get(day)
            out.append(DayPlan(day, name, _NO_ENTRIES, 0, False))
        else:
            active = day >= rotation.start
            if active:
                groups = _groups_at(rotation, day, daily_index)
                daily_index += 1
                entries, count = base_for(groups)
            else:
                groups = _EMPTY
                entries, count = bases[None]
            day_changes = changes_by_day.get(day)
            day_elsewhere = elsewhere_by_day.get(day)
            if day_elsewhere:  # the home rotation's place; the person's own changes still win
                day_changes = {**day_elsewhere, **(day_changes or {})}
            day_absent = absent_by_day.get(day)
            if day_changes or day_absent:
                mutable = dict(entries)
                office = Where.OFFICE
                if day_changes:
                    for person, value in day_changes.items():
                        if mutable.get(person) is office:
                            count -= 1
                        mutable[person] = value
                        if value is office:
                            count += 1
                if day_absent:
                    for person in day_absent:
                        if mutable.get(person) is office:
                            count -= 1
                        mutable[person] = Where.AWAY
                entries = MappingProxyType(mutable)
            below = active and min_office is not None and count < min_office
            out.append(DayPlan(day, None, entries, count, below, groups))
        # next Mon–Fri
        day += one if day.weekday() < 4 else timedelta(days=7 - day.weekday())
    return out


def preview(rotation: Rotation, start: date, days: int = 10) -> list[tuple[date, frozenset[str]]]:
    """The office groups on each of the next `days` working days from `start` (inclusive).

    For the setup reply's two-week preview. Days before the rotation's start have no groups.
    """
    out: list[tuple[date, frozenset[str]]] = []
    working = next_working_days(start, days, rotation.region)
    if not working:
        return out
    daily_index = 0
    if rotation.pattern == "daily":
        daily_index = count_working_days(rotation.start, max(working[0], rotation.start), rotation.region)
    for day in working:
        if day < rotation.start:
            out.append((day, _EMPTY))
        else:
            out.append((day, _groups_at(rotation, day, daily_index)))
            daily_index += 1
    return out
