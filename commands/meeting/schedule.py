"""How a meeting's schedule reads in a post: its date and time, its length, how it repeats, and its
join link as a markdown link.

The schedule itself is read elsewhere: `storage.meetings.schedule_of` turns a stored meeting into
the pure rule (`domain.recurrence.Schedule`), and `commands.meeting_views.load_schedule` adds its
called-off days and its channel's holidays.
"""

from __future__ import annotations

from datetime import datetime

from base.i18n import pick_locale
from commands.meeting.texts import HOURS, HOURS_MINUTES, MINUTES, UHR, UHR_ZONES, ZONE_NAMES_DE
from domain import calendar as cal
from domain.recurrence import EXCEPT_HOLIDAYS, Occurrence, Repeat, describe
from storage.meeting_models import Meeting


def zone_name(moment: datetime, locale: str) -> str:
    """The zone's name at that moment: "MESZ"/"MEZ" in German, "CEST"/"CET" in English."""
    name = moment.tzname() or ""
    return ZONE_NAMES_DE.get(name, name) if pick_locale(locale) == "de" else name


def _ambiguous(moment: datetime) -> bool:
    """The wall-clock time happens twice that day (the autumn overlap)."""
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


def format_when(occ: Occurrence, locale: str) -> str:
    """"Mo, 30.11.2026, 10:00–10:30 Uhr" / "Mon, 30 Nov 2026, 10:00–10:30".

    When the clocks change during the meeting, or a time shown happens twice that day, both times
    carry the zone: "So, 31.10.2027, 02:30 Uhr MESZ – 02:00 Uhr MEZ"."""
    day = cal.format_day(occ.start.date(), locale)
    start, end = occ.start.strftime("%H:%M"), occ.end.strftime("%H:%M")
    if occ.start.utcoffset() != occ.end.utcoffset() or _ambiguous(occ.start) or _ambiguous(occ.end):
        return UHR_ZONES(locale, day=day, start=start, end=end, start_zone=zone_name(occ.start, locale),
                         end_zone=zone_name(occ.end, locale))
    return UHR(locale, day=day, start=start, end=end)


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
