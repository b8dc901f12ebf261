"""How a meeting's schedule reads in a post: its date and time, its length, how it repeats, and its
join link as a markdown link.

The schedule itself is read elsewhere: `storage.meetings.schedule_of` turns a stored meeting into
the pure rule (`domain.recurrence.Schedule`), and `commands.meeting_views.load_schedule` adds its
called-off days and its channel's holidays.
"""

from __future__ import annotations

from commands.meeting.texts import HOURS, HOURS_MINUTES, MINUTES, UHR
from domain import calendar as cal
from domain.recurrence import EXCEPT_HOLIDAYS, Occurrence, Repeat, describe
from storage.meeting_models import Meeting


def format_when(occ: Occurrence, locale: str) -> str:
    """"Mo, 30.11.2026, 10:00–10:30 Uhr" / "Mon, 30 Nov 2026, 10:00–10:30"."""
    return UHR(locale, day=cal.format_day(occ.start.date(), locale), start=occ.start.strftime("%H:%M"),
               end=occ.end.strftime("%H:%M"))


def format_minutes(minutes: int, locale: str) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return MINUTES(locale, m=rest)
    return HOURS(locale, h=hours) if not rest else HOURS_MINUTES(locale, h=hours, m=rest)


def link_target(url: str) -> str:
    """A URL as a markdown link destination: a ")" must not end the link early."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def repeat_words(meeting: Meeting, locale: str) -> str:
    if not meeting.repeat:
        return ""
    return f"{describe(Repeat(meeting.repeat), meeting.first_day, locale)}, {EXCEPT_HOLIDAYS(locale)}"
