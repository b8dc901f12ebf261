"""The week plan as a table, and the rule that views start today: what `/homeoffice plan` and
`/anwesenheit woche` share."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from base.chat import User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import parsing
from commands.base import Context
from domain import calendar as cal
from domain.roster import ELSEWHERE_MARK, ELSEWHERE_NOTE, STARTS
from domain.rotation import Where
from storage.models import Rotation

NO_HISTORY = Text(
    de="Vergangene Tage zeigt Amtsbote nicht an: Anwesenheit ist kein Protokoll. Erlaubt sind heute und später, z. B. `diese Woche` oder `nächste Woche`.",
    en="Amtsbote does not show past days: presence is not a record. Today and later are allowed, e.g. `this week` or `next week`.")
PLAN_HEADER = Text(de="| Tag | 🏢 Büro | 🏠 Zuhause | 🚗 Unterwegs | 🌴 Abwesend |", en="| Day | 🏢 Office | 🏠 Home | 🚗 Field | 🌴 Away |")
PLAN_TITLE = Text(de="#### Plan {channel}: {range} ({weeks})", en="#### Plan {channel}: {range} ({weeks})")
PAST_LEFT_OUT = {
    "one": Text(de="Der Plan beginnt heute: Ein vergangener Arbeitstag fehlt hier, denn Anwesenheit ist kein Protokoll.",
                en="The plan starts today: one past working day is left out, as presence is not a record."),
    "other": Text(de="Der Plan beginnt heute: {n} vergangene Arbeitstage fehlen hier, denn Anwesenheit ist kein "
                     "Protokoll.",
                  en="The plan starts today: {n} past working days are left out, as presence is not a record."),
}
HOLIDAY = Text(de="Feiertag: {name}", en="Public holiday: {name}")
BELOW_FLAG = Text(de="⚠️ unter Mindestbesetzung ({count}/{min})", en="⚠️ below minimum ({count}/{min})")


def no_history(span: parsing.DateRange, ctx: Context) -> parsing.DateRange:
    """Views start today at the earliest: no per-person presence history (SPEC §3)."""
    if span.end < ctx.today:
        raise LocalizedError(NO_HISTORY)
    return parsing.DateRange(max(span.start, ctx.today), span.end)


def working_week(span: parsing.DateRange) -> parsing.DateRange:
    """A whole calendar week as typed ("diese Woche", "nächste Woche", "KW 51") shows Monday to
    Friday, as the default view does; any other range stays as asked."""
    if span.start.weekday() == 0 and (span.end - span.start).days == 6:
        return parsing.DateRange(span.start, span.start + timedelta(days=4))
    return span


def default_plan_range(today: date) -> parsing.DateRange:
    """This week's Monday to Friday; from Saturday on, next week's."""
    monday = cal.monday_of(today)
    if today.weekday() >= 5:
        monday += timedelta(days=7)
    return parsing.DateRange(monday, monday + timedelta(days=4))


def range_label(span: parsing.DateRange, locale: str) -> str:
    if span.start == span.end:
        return cal.format_day(span.start, locale)
    first, last = cal.span_ends(span.start, span.end, locale)
    return f"{first} – {last}"


def weeks_label(span: parsing.DateRange, locale: str) -> str:
    """"KW 50", or "KW 50–51" for a range over several weeks."""
    first, last = cal.format_week(span.start, locale), cal.format_week(span.end, locale)
    return first if first == last else f"{first}–{last.split()[-1]}"


def past_note(asked: parsing.DateRange, shown: parsing.DateRange, locale: str) -> str | None:
    """The sentence saying which asked-for days lie in the past and are not shown, or None."""
    if asked.start >= shown.start:
        return None
    past = [d for d in parsing.DateRange(asked.start, shown.start - timedelta(days=1)).days() if d.weekday() < 5]
    if not past:
        return None
    return PAST_LEFT_OUT["one" if len(past) == 1 else "other"](locale, n=len(past))


def render_plan(days: list[Any], users: dict[str, User], row: Rotation, locale: str, channel_name: str,
                span: parsing.DateRange, foreign: frozenset[str] = frozenset(),
                asked: parsing.DateRange | None = None) -> str:
    """The table; members whose days another channel's rotation sets are marked (°, with a note),
    and a rotation that starts later says so."""
    def name(uid: str) -> str:
        user = users.get(uid)
        return (plain(user.display_name, max_length=40) if user else "?") + (ELSEWHERE_MARK if uid in foreign else "")

    lines = [PLAN_TITLE(locale, channel=plain(channel_name, max_length=60), range=range_label(span, locale),
                        weeks=weeks_label(span, locale)), "",
             PLAN_HEADER(locale), "|:--|:--|:--|:--|:--|"]
    for day in days:
        label = cal.format_day(day.day, locale)
        if day.holiday:
            lines.append(f"| {label} | {HOLIDAY(locale, name=day.holiday)} | | | |")
            continue
        cells = []
        for where in (Where.OFFICE, Where.HOME, Where.FIELD, Where.AWAY):
            people = sorted(name(uid) for uid, w in day.entries.items() if w == where)
            cells.append(", ".join(people))
        if day.below_min and row.min_office is not None:
            cells[0] = (cells[0] + " " if cells[0] else "") + BELOW_FLAG(locale, count=day.office_count, min=row.min_office)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    notes = []
    if asked is not None and (note := past_note(asked, span, locale)):
        notes.append(note)
    if row.start > span.start:
        notes.append(STARTS(locale, day=cal.format_day(row.start, locale)))
    if any(uid in foreign for day in days for uid in day.entries):
        notes.append(ELSEWHERE_NOTE(locale))
    return "\n".join(lines + ([""] + notes if notes else []))
