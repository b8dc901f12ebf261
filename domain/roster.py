"""The morning presence roster: composition and rendering (pure, no I/O).

Names are display names made inert (`plain`), never @-mentions; an absence shows
only "away", never its reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from base.i18n import Text
from base.safetext import LIST_BUDGET, capped, plain
from domain import calendar as cal
from domain.rotation import DayPlan, Where


@dataclass(frozen=True, slots=True)
class RosterMeeting:
    start: time
    end: time
    title: str  # already made safe by its owner


@dataclass(frozen=True, slots=True)
class RosterLine:
    name: str
    forward: str | None = None
    elsewhere: bool = False  # another channel's rotation sets this person's days (their home rotation)


@dataclass(frozen=True)
class Roster:
    day: date
    channel_name: str
    sections: dict[Where, list[RosterLine]]
    office_count: int
    min_office: int | None
    below_min: bool
    holiday: str | None
    meetings: list[RosterMeeting] = field(default_factory=list)
    starts: date | None = None  # the rotation's first day, when it is still to come
    duties: tuple[str, ...] = ()  # the "Dienste" section's lines, already made safe (commands/duty_views.py)


SECTION_ORDER = (Where.OFFICE, Where.HOME, Where.FIELD, Where.AWAY)
SECTION_TITLE = {
    Where.OFFICE: Text(de="🏢 Im Büro", en="🏢 In the office"),
    Where.HOME: Text(de="🏠 Im Home-Office", en="🏠 Working from home"),
    Where.FIELD: Text(de="🚗 Unterwegs / Außendienst", en="🚗 In the field"),
    Where.AWAY: Text(de="🌴 Abwesend", en="🌴 Away"),
}
TITLE = Text(de="Anwesenheit {channel} — {day} ({week})", en="Presence {channel} — {day} ({week})")
NOBODY = Text(de="niemand", en="nobody")
BELOW_MIN = Text(de="⚠️ Mindestbesetzung unterschritten: {count} von mindestens {min} im Büro.",
                 en="⚠️ Below minimum staffing: {count} of at least {min} in the office.")
MEETINGS = Text(de="📅 Termine heute", en="📅 Meetings today")
DUTIES = Text(de="🛎️ Dienste", en="🛎️ Duties")
HOLIDAY = Text(de="Heute ist Feiertag ({name}). Schönen freien Tag!", en="Today is a public holiday ({name}). Enjoy the day off!")
UPDATED = Text(de="aktualisiert {time} Uhr", en="updated {time}")
EMPTY = Text(de="Für diesen Tag ist niemand eingeplant.", en="Nobody is scheduled for this day.")
STARTS = Text(de="Die Rotation beginnt am {day}; bis dahin plant sie niemanden ein.",
              en="The rotation starts on {day}; until then it schedules nobody.")
ELSEWHERE_MARK = "°"
ELSEWHERE_NOTE = Text(de="° Die Tage dieser Personen legt die Rotation ihres Stammteams in einem anderen Kanal fest.",
                      en="° These people's days are set by the rotation of their home team in another channel.")
UHR = Text(de="{start}–{end} Uhr", en="{start}–{end}")
MORE = Text(de="… und {n} weitere", en="… and {n} more")
MEETINGS_MOST = 15  # meetings listed at most; the rest are counted
SECTION_BUDGET = LIST_BUDGET // 4  # characters of one list, so that the whole roster fits into one post


def compose(day_plan: DayPlan, *, channel_name: str, names: Mapping[str, str], forwards: Mapping[str, str],
            meetings: list[RosterMeeting], min_office: int | None, foreign: frozenset[str] = frozenset(),
            starts: date | None = None, duties: tuple[str, ...] = ()) -> Roster:
    """Group the day's people into sections, sorted by name. An active forward is shown next to the
    person wherever they work that day (office, home, field: SPEC §2.2, "forwards appear in the
    roster"); the away section lists names only, so that nothing in it hints at a reason."""
    sections: dict[Where, list[RosterLine]] = {w: [] for w in SECTION_ORDER}
    for user_id, where in day_plan.entries.items():
        name = plain(names.get(user_id, "?"), max_length=60)
        forward = forwards.get(user_id) if where is not Where.AWAY else None
        sections[where].append(RosterLine(name, forward, user_id in foreign))
    for lines in sections.values():
        lines.sort(key=lambda line: line.name.casefold())
    return Roster(day=day_plan.day, channel_name=plain(channel_name, max_length=80), sections=sections,
                  office_count=day_plan.office_count, min_office=min_office, below_min=day_plan.below_min,
                  holiday=day_plan.holiday, meetings=sorted(meetings, key=lambda m: m.start),
                  starts=starts if starts is not None and starts > day_plan.day else None, duties=duties)


def render_text(roster: Roster, locale: str) -> str:
    """The roster as Mattermost markdown (used in the attachment and in ephemeral replies).

    Every block (a section, the notes, the meetings) is a paragraph of its own: a line right after a
    list would otherwise continue the list's last item in Mattermost, and sections with and
    without a list would be spaced differently."""
    blocks = [f"#### 📋 {TITLE(locale, channel=roster.channel_name, day=cal.format_day(roster.day, locale), week=cal.format_week(roster.day, locale))}"]
    if roster.holiday:
        blocks.append(HOLIDAY(locale, name=roster.holiday))
        return "\n\n".join(blocks)
    if not any(roster.sections.values()):
        blocks.append(STARTS(locale, day=cal.format_day(roster.starts, locale)) if roster.starts else EMPTY(locale))
    for where in SECTION_ORDER:
        people = roster.sections[where]
        if not people and where is Where.FIELD:
            continue
        header = f"**{SECTION_TITLE[where](locale)} ({len(people)})**"
        if not people:
            blocks.append(f"{header}: {NOBODY(locale)}")
        elif any(p.forward for p in people):
            blocks.append("\n".join([header, *capped([f"- {_name(p)}" + (f" — ☎️ {p.forward}" if p.forward else "")
                                                      for p in people], lambda n: MORE(locale, n=n),
                                                     budget=SECTION_BUDGET)]))
        else:
            blocks.append(f"{header}: " + ", ".join(_name(p) for p in people))
    if any(p.elsewhere for people in roster.sections.values() for p in people):
        blocks.append(ELSEWHERE_NOTE(locale))
    if roster.below_min and roster.min_office is not None:
        blocks.append(BELOW_MIN(locale, count=roster.office_count, min=roster.min_office))
    if roster.duties:
        blocks.append("\n".join([f"**{DUTIES(locale)}**",
                                 *capped(list(roster.duties), lambda n: MORE(locale, n=n), budget=SECTION_BUDGET)]))
    if roster.meetings:
        listed = [f"- {UHR(locale, start=m.start.strftime('%H:%M'), end=m.end.strftime('%H:%M'))}: {m.title}"
                  for m in roster.meetings]
        blocks.append("\n".join([f"**{MEETINGS(locale)}**",
                                 *capped(listed, lambda n: MORE(locale, n=n), most=MEETINGS_MOST, budget=SECTION_BUDGET)]))
    return "\n\n".join(blocks)


def _name(line: RosterLine) -> str:
    return line.name + (ELSEWHERE_MARK if line.elsewhere else "")


def render_post(roster: Roster, locale: str, *, updated: time | None = None) -> tuple[str, dict[str, object], str]:
    """(message, props, content hash) of the channel post. The hash ignores the "updated" line,
    so an edit happens only when the content changed."""
    body = render_text(roster, locale)
    digest = hashlib.sha256(body.encode()).hexdigest()
    footer = UPDATED(locale, time=updated.strftime("%H:%M")) if updated else ""
    color = "#d24b4e" if roster.below_min else "#2389d7"
    attachment: dict[str, object] = {"fallback": body.splitlines()[0].lstrip("# "), "color": color, "text": body}
    if footer:
        attachment["footer"] = footer
    return "", {"attachments": [attachment]}, digest
