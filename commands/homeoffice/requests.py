"""What each /homeoffice subcommand says, read from its text into a typed, frozen request.

The parsers are pure. Where the old order of errors puts a check that needs the database or
Mattermost (leads, the rotation, who `@name` is) before a word of the text is read, the handler
runs that check first and then parses; dates that depend on who a change is for are kept as
words and read by the handler once the person is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from base.i18n import DAYS, LocalizedError
from base.safetext import plain
from commands import parsing
from commands.base import Context
from commands.homeoffice.texts import (
    ASSIGN_USAGE,
    BAD_MIN,
    LEAD_USAGE,
    NEED_PEOPLE,
    PROMPTS_USAGE,
    RANGE_TOO_LONG,
    SETUP_USAGE,
    SWAP_USAGE,
)
from commands.plan_views import default_plan_range, no_history, working_week
from domain import calendar as cal
from domain.rotation import Rotation as RotationPlan

PATTERN_WORDS = {"woche": "weekly", "wöchentlich": "weekly", "weekly": "weekly", "week": "weekly",
                 "tag": "daily", "täglich": "daily", "daily": "daily", "day": "daily",
                 "muster": "custom", "custom": "custom"}
FOR_WORDS = {"für", "fuer", "for"}
ON_WORDS = {"an", "on", "ein"}
OFF_WORDS = {"aus", "off"}
LEAD_ADD_WORDS = ("add", "hinzufügen")
LEAD_REMOVE_WORDS = ("remove", "entfernen")
MAX_MIN_OFFICE = 500
MAX_RANGE_DAYS = 366  # one-off changes and absences: at most this many days at once
PLAN_MAX_DAYS = 62  # `plan`: at most this many days in one table


# -- setup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupRequest:
    """`einrichten`, typed or from the dialog: a rotation that `RotationPlan.create` accepts."""

    groups: tuple[str, ...]
    pattern: str
    custom: str | None
    start: date
    min_office: int | None
    region: str


def parse_setup(rest: str, *, today: date, default_region: str, trigger: str) -> SetupRequest:
    """`A,B woche|tag|muster "AAABB/BBBAA" [ab DATUM] [min N] [region DE-XX]`."""
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2:
        raise LocalizedError(SETUP_USAGE, trigger=trigger)
    groups = _groups(tokens[0])
    pattern = PATTERN_WORDS.get(tokens[1].lower())
    if pattern is None:
        raise LocalizedError(SETUP_USAGE, trigger=trigger)
    i, custom = 2, None
    if pattern == "custom":
        if len(tokens) < 3:
            raise LocalizedError(SETUP_USAGE, trigger=trigger)
        custom, i = tokens[2], 3
    start, min_office, region = cal.monday_of(today), None, default_region
    while i < len(tokens):
        word = tokens[i].lower()
        if word in ("ab", "from", "start") and i + 1 < len(tokens):
            start, i = _take_start(tokens, i + 1, today)
        elif word in ("min", "minimum", "mindestens") and i + 1 < len(tokens):
            min_office, i = _min_office(tokens[i + 1]), i + 2
        elif word == "region" and i + 1 < len(tokens):
            region, i = cal.validate_region(tokens[i + 1]), i + 2
        else:
            raise LocalizedError(SETUP_USAGE, trigger=trigger)
    return _validated(groups, pattern, custom, start, min_office, region)


def setup_from_dialog(submission: Mapping[str, Any], *, today: date, default_region: str,
                      trigger: str) -> SetupRequest:
    """The setup dialog's fields (groups, pattern, custom, start, min, region), checked as the
    typed command checks them, in the same order and with the same texts."""
    groups_text = str(submission.get("groups") or "").replace(" ", "")
    if not groups_text:
        raise LocalizedError(SETUP_USAGE, trigger=trigger)
    pattern = PATTERN_WORDS.get(str(submission.get("pattern") or "weekly").lower())
    if pattern is None:
        raise LocalizedError(SETUP_USAGE, trigger=trigger)
    custom = str(submission.get("custom") or "").strip() if pattern == "custom" else None
    start = cal.monday_of(today)
    if submission.get("start"):
        words = str(submission["start"]).split() or [""]
        start, used = _take_start(words, 0, today)
        if used < len(words):
            raise LocalizedError(SETUP_USAGE, trigger=trigger)
    min_office = None
    if submission.get("min") not in (None, ""):
        min_office = _min_office(str(submission["min"]).strip())
    region = cal.validate_region(str(submission["region"])) if submission.get("region") else default_region
    return _validated(_groups(groups_text), pattern, custom, start, min_office, region)


def _groups(text: str) -> tuple[str, ...]:
    return tuple(g.strip() for g in text.replace(";", ",").split(",") if g.strip())


def _take_start(tokens: list[str], i: int, today: date) -> tuple[date, int]:
    taken = parsing.take_date(tokens, i, today=today)
    if taken is None:
        raise LocalizedError(parsing.INVALID_DATE, value=plain(tokens[i], max_length=40))
    return taken


def _min_office(token: str) -> int:
    if not token.isdigit() or int(token) > MAX_MIN_OFFICE:
        raise LocalizedError(BAD_MIN)
    return int(token)


def _validated(groups: tuple[str, ...], pattern: str, custom: str | None, start: date, min_office: int | None,
               region: str) -> SetupRequest:
    RotationPlan.create(groups=groups, pattern=pattern, start=start, custom=custom, min_office=min_office,
                        region=region)  # validates groups, pattern and region
    return SetupRequest(groups, pattern, custom, start, min_office, region)


# -- membership ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignRequest:
    """`gruppe A @name …`: the group as typed and the people's `@name` words."""

    group: str
    people: tuple[str, ...]


def parse_assign(rest: str, *, trigger: str) -> AssignRequest:
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2:
        raise LocalizedError(ASSIGN_USAGE, trigger=trigger)
    return AssignRequest(tokens[0], tuple(tokens[1:]))


@dataclass(frozen=True)
class RemoveRequest:
    """`entfernen @name …`."""

    people: tuple[str, ...]


def parse_remove(rest: str) -> RemoveRequest:
    tokens = parsing.tokenize(rest)
    if not tokens:
        raise LocalizedError(NEED_PEOPLE)
    return RemoveRequest(tuple(tokens))


# -- plan, personal changes, swap -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    """`plan [Zeitraum]`: the days to show, today at the earliest."""

    span: parsing.DateRange
    asked: parsing.DateRange | None = None  # as typed, when past days were cut off


def parse_plan(rest: str, ctx: Context) -> PlanRequest:
    asked = working_week(default_plan_range(ctx.today) if not rest else parsing.parse_range(rest, today=ctx.today))
    span = no_history(asked, ctx)
    if (span.end - span.start).days >= PLAN_MAX_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, days=DAYS.of(PLAN_MAX_DAYS))
    return PlanRequest(span, asked)


@dataclass(frozen=True)
class PersonalRequest:
    """`büro|zuhause|unterwegs|abwesend|zurücksetzen …`: the `@name` after `für`, if any, and the
    other words: a date or range, for `abwesend` followed by a note. The days are read once the
    person is known (their rotation's holidays decide which are working days)."""

    for_name: str | None
    words: tuple[str, ...]


def parse_personal(rest: str) -> PersonalRequest:
    tokens = parsing.tokenize(rest)
    for i, token in enumerate(tokens):
        if token.lower() in FOR_WORDS and i + 1 < len(tokens) and tokens[i + 1].startswith("@"):
            return PersonalRequest(tokens[i + 1], tuple(tokens[:i] + tokens[i + 2 :]))
    return PersonalRequest(None, tuple(tokens))


@dataclass(frozen=True)
class SwapRequest:
    """`tausch @name DATUM [DATUM2]`: the partner's `@name` and the words of the day(s), read once
    the partner is known to be in the rotation."""

    partner: str
    days: tuple[str, ...]


def parse_swap(rest: str, *, trigger: str) -> SwapRequest:
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2 or not tokens[0].startswith("@"):
        raise LocalizedError(SWAP_USAGE, trigger=trigger)
    return SwapRequest(tokens[0], tuple(tokens[1:]))


# -- leads, prompts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadRequest:
    """`leitung add|remove @name …`."""

    adding: bool
    people: tuple[str, ...]


def parse_leads(rest: str, *, trigger: str) -> LeadRequest:
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2 or tokens[0].lower() not in LEAD_ADD_WORDS + LEAD_REMOVE_WORDS:
        raise LocalizedError(LEAD_USAGE, trigger=trigger)
    return LeadRequest(tokens[0].lower() in LEAD_ADD_WORDS, tuple(tokens[1:]))


@dataclass(frozen=True)
class PromptsRequest:
    """`erinnerung an|aus`."""

    enabled: bool


def parse_prompts(rest: str, *, trigger: str) -> PromptsRequest:
    word = rest.strip().lower()
    if word not in ON_WORDS | OFF_WORDS:
        raise LocalizedError(PROMPTS_USAGE, trigger=trigger)
    return PromptsRequest(word in ON_WORDS)
