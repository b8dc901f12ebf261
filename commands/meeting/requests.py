"""/meeting's text, parsed: each subcommand becomes a typed request before its handler runs.

Parsing reads nothing and changes nothing; a text it cannot take is a `LocalizedError` naming the
accepted form. What needs the database (is there such a meeting? may this person see it?) is the
handler's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from base.i18n import LocalizedError
from base.safetext import plain
from commands import parsing
from commands.meeting import providers
from commands.meeting.texts import (
    BAD_PROVIDER,
    BAD_REMINDER,
    NEED_ID,
    NEED_TIME,
    NEED_TITLE,
    PEOPLE_OR_CHANNEL,
    TITLE_TOO_LONG,
    UNKNOWN_OPTION,
    USAGE,
)
from domain.recurrence import REPEAT_WORDS, Repeat

SUBCOMMANDS = {
    "neu": "new", "new": "new",
    "jetzt": "now", "now": "now",
    "liste": "list", "list": "list",
    "absagen": "cancel", "cancel": "cancel",
    "ics": "ics", "kalender": "ics", "calendar": "ics",
}
REMIND_WORDS = {"erinnerung", "erinnern", "remind", "reminder"}
VIA_WORDS = {"über", "ueber", "via"}
OFF_WORDS = {"aus", "off", "keine", "none", "nein", "no"}
PROVIDER_WORDS = {"jitsi": "jitsi", "bbb": "bbb", "bigbluebutton": "bbb", "zoom": "zoom"}
QUOTES = set('"„“”«‚')
DEFAULT_DURATION = timedelta(minutes=30)
DEFAULT_REMINDER = timedelta(minutes=10)


@dataclass(frozen=True)
class NewMeeting:
    """`neu "Titel" DATUM ZEIT …`: a meeting to schedule."""

    title: str
    day: date
    start: time
    weekday_given: bool = False  # "Mo" means the next Monday that is still ahead
    duration: timedelta = DEFAULT_DURATION
    repeat: Repeat | None = None
    reminder: timedelta = DEFAULT_REMINDER
    provider: str | None = None
    url: str | None = None
    people: tuple[str, ...] = ()
    channel: str | None = None


@dataclass(frozen=True)
class Options:
    """What may follow the date and time of `neu` (and the provider of `jetzt`)."""

    duration: timedelta | None = None
    repeat: Repeat | None = None
    reminder: timedelta | None = None
    provider: str | None = None
    url: str | None = None
    people: tuple[str, ...] = ()
    channel: str | None = None


def parse_options(tokens: list[str], i: int, *, allow: frozenset[str]) -> Options:
    """Options in any order after the date and time; anything else is a clear error."""
    found: dict[str, Any] = {"people": []}
    while i < len(tokens):
        token, word = tokens[i], tokens[i].lower()
        if token.startswith("@") and len(token) > 1 and "people" in allow:
            found["people"].append(token)
            i += 1
        elif token.startswith("~") and len(token) > 1 and "channel" in allow:
            found["channel"] = token[1:].lower().rstrip(",.;:")
            i += 1
        elif word in REPEAT_WORDS and "repeat" in allow:
            found["repeat"] = REPEAT_WORDS[word]
            i += 1
        elif word in REMIND_WORDS and "reminder" in allow:
            if i + 1 < len(tokens) and tokens[i + 1].lower() in OFF_WORDS:
                found["reminder"], i = timedelta(0), i + 2
                continue
            taken = parsing.take_duration(tokens, i + 1)
            if taken is None:
                raise LocalizedError(BAD_REMINDER)
            found["reminder"], i = taken
        elif word in VIA_WORDS:
            if i + 1 >= len(tokens):
                raise LocalizedError(BAD_PROVIDER)
            target = tokens[i + 1]
            if target.lower() in PROVIDER_WORDS:
                found["provider"] = PROVIDER_WORDS[target.lower()]
            elif target.lower().startswith(("http:", "https:", "www.")):
                found["provider"], found["url"] = "url", providers.check_meeting_url(target)
            else:
                raise LocalizedError(BAD_PROVIDER)
            i += 2
        elif "duration" in allow and (taken := parsing.take_duration(tokens, i)) is not None:
            found["duration"], i = taken
        else:
            raise LocalizedError(UNKNOWN_OPTION, word=plain(token, max_length=40))
    people = tuple(found.pop("people"))
    if people and found.get("channel"):
        raise LocalizedError(PEOPLE_OR_CHANNEL)
    return Options(people=people, **found)


def parse_new(rest: str, *, today: date, trigger: str) -> NewMeeting:
    if not rest.strip():
        raise LocalizedError(USAGE, trigger=trigger)
    if rest.lstrip()[:1] in QUOTES:
        tokens = parsing.tokenize(rest)
        title, i = tokens[0], 1
    else:  # an unquoted title runs up to the date, as typed: quotes inside it („Kinderschutz“) stay
        words = rest.split()
        k = next((k for k, word in enumerate(words) if parsing.looks_like_date(word)), len(words))
        title = " ".join(words[:k])
        tokens, i = [title, *parsing.tokenize(" ".join(words[k:]))], 1
        if not title:
            tokens, i = tokens[1:], 0
    if not title.strip():
        raise LocalizedError(NEED_TITLE, trigger=trigger)
    if len(title) > 200:
        raise LocalizedError(TITLE_TOO_LONG)
    if i >= len(tokens):
        raise LocalizedError(USAGE, trigger=trigger)
    weekday_given = tokens[i].lower().rstrip(".,;") in parsing.WEEKDAYS
    taken_day = parsing.take_date(tokens, i, today=today)
    if taken_day is None:
        raise LocalizedError(parsing.INVALID_DATE, value=plain(tokens[i], max_length=40))
    day, i = taken_day
    taken_time = parsing.take_time(tokens, i)
    if taken_time is None:
        if i < len(tokens) and tokens[i][:1].isdigit():
            parsing.parse_time(tokens[i])  # raises the precise "not a valid time" error
        raise LocalizedError(NEED_TIME)
    start, i = taken_time
    options = parse_options(tokens, i, allow=frozenset({"people", "channel", "repeat", "reminder", "duration"}))
    return NewMeeting(title=title.strip(), day=day, start=start, weekday_given=weekday_given,
                      duration=options.duration or DEFAULT_DURATION, repeat=options.repeat,
                      reminder=DEFAULT_REMINDER if options.reminder is None else options.reminder,
                      provider=options.provider, url=options.url, people=options.people, channel=options.channel)


def parse_id(tokens: list[str], *, trigger: str, sub: str) -> int:
    raw = tokens[0].lstrip("#") if tokens else ""
    if not raw.isdigit() or len(raw) > 12:
        raise LocalizedError(NEED_ID, trigger=trigger, sub=sub)
    return int(raw)


@dataclass(frozen=True)
class InstantMeeting:
    """`jetzt ["Titel"] [über zoom]`: a meeting that starts now."""

    title: str = ""  # "" = the default title, in the channel's language
    provider: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ListMeetings:
    """`liste`: the channel's meetings in the next days (anything after the word is ignored)."""


@dataclass(frozen=True)
class CancelMeeting:
    """`absagen ID [DATUM]`: the series, or one date of it."""

    meeting_id: int
    day: date | None = None
    # Why what followed the ID is no date. The handler raises it only after it has found and checked
    # the meeting, so a wrong ID or a cancelled meeting gets the same answer whatever follows.
    day_error: LocalizedError | None = None


@dataclass(frozen=True)
class CalendarFile:
    """`ics ID`: the meeting's calendar file."""

    meeting_id: int


MeetingRequest = NewMeeting | InstantMeeting | ListMeetings | CancelMeeting | CalendarFile


def parse_instant(rest: str) -> InstantMeeting:
    tokens = parsing.tokenize(rest)
    # "über zoom" at the end chooses the provider; anywhere else "über" is part of the title.
    chooses = len(tokens) >= 2 and tokens[-2].lower() in VIA_WORDS and (
        tokens[-1].lower() in PROVIDER_WORDS or tokens[-1].lower().startswith(("http:", "https:")))
    via = len(tokens) - 2 if chooses else len(tokens)
    options = parse_options(tokens, via, allow=frozenset())
    title = " ".join(tokens[:via]).strip()
    if len(title) > 200:
        raise LocalizedError(TITLE_TOO_LONG)
    return InstantMeeting(title=title, provider=options.provider, url=options.url)


def parse_cancel(rest: str, *, today: date, trigger: str, locale: str) -> CancelMeeting:
    tokens = parsing.tokenize(rest)
    meeting_id = parse_id(tokens, trigger=trigger, sub="cancel" if locale == "en" else "absagen")
    if len(tokens) == 1:
        return CancelMeeting(meeting_id)
    try:
        taken = parsing.take_date(tokens, 1, today=today)
    except LocalizedError as e:
        return CancelMeeting(meeting_id, day_error=e)
    if taken is None or taken[1] != len(tokens):
        error = LocalizedError(parsing.INVALID_DATE, value=plain(" ".join(tokens[1:]), max_length=40))
        return CancelMeeting(meeting_id, day_error=error)
    return CancelMeeting(meeting_id, day=taken[0])


def parse_request(name: str, rest: str, *, today: date, trigger: str, locale: str) -> MeetingRequest:
    """The typed request of subcommand `name` (a value of `SUBCOMMANDS`)."""
    if name == "new":
        return parse_new(rest, today=today, trigger=trigger)
    if name == "now":
        return parse_instant(rest)
    if name == "list":
        return ListMeetings()
    if name == "cancel":
        return parse_cancel(rest, today=today, trigger=trigger, locale=locale)
    assert name == "ics", name
    return CalendarFile(parse_id(parsing.tokenize(rest), trigger=trigger, sub="ics"))
