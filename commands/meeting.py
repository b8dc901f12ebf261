"""/meeting: video meetings with a join link, RSVP, reminders and calendar files (SPEC §2.4).

Order of business when scheduling: parse everything (nothing is half-applied), ask
the provider for a room, then store the meeting and queue its announcement in one
transaction. A provider that fails leaves nothing behind; if storing fails, the
room is handed back to the provider.

Times are wall-clock times in the bot's zone (see `domain.recurrence`). Reminders
are claimed per occurrence with a ledger row inserted in the same transaction as
the outbox row, so a restart or a second replica never sends one twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from icalendar import Alarm, Calendar, Event, vRecur
from sqlmodel import Session, col, select

from base.chat import MARKER_PROP, MattermostError, MattermostPort, User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import parsing, providers
from commands.base import (
    ActionRequest,
    ActionResult,
    Context,
    Feature,
    Reply,
    Services,
    SlashRequest,
    split_subcommand,
)
from commands.channels import channel_locale, channel_region, trigger
from commands.help import HELP_WORDS, render_help
from commands.leads import audit, is_lead
from config.settings import Settings
from domain import calendar as cal
from domain.recurrence import (
    EXCEPT_HOLIDAYS,
    REPEAT_WORDS,
    Occurrence,
    Repeat,
    Schedule,
    describe,
    first_day_for,
    local_instant,
    next_occurrence,
    occurrence_on,
    occurrences,
    overlapping,
    rrule_text,
    skipped_days,
)
from storage.db import insert_for
from storage.meeting_models import Meeting, MeetingCancellation, MeetingRsvp, ReminderLedger
from storage.models import OutboxItem
from storage.outbox import enqueue_dm, enqueue_patch, enqueue_post

log = logging.getLogger("amtsbote.meeting")

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
LIST_DAYS = 14
MAX_REMINDER = timedelta(hours=24)  # what parse_duration allows
FORGOTTEN = "forgotten"

T = Text

TITLE = T(de="Videokonferenzen", en="Video meetings")
HELP_ENTRIES = [
    ('neu "Titel" DATUM ZEIT [DAUER] [@name … | ~kanal] [wöchentlich|täglich|werktags|zweiwöchentlich|monatlich] '
     '[erinnerung 10m|aus] [über jitsi|bbb|zoom|https://…]',
     'new "Title" DATE TIME [DURATION] [@name … | ~channel] [weekly|daily|weekdays|biweekly|monthly] '
     '[remind 10m|off] [via jitsi|bbb|zoom|https://…]',
     T(de='Besprechung planen, z. B. `neu "Teamrunde" Mo 10:00 wöchentlich` (Standard: 30 Min., dieser Kanal, '
          'Erinnerung 10 Min. vorher)',
       en='schedule a meeting, e.g. `new "Team meeting" Mon 10:00 weekly` (default: 30 min, this channel, '
          'reminder 10 min before)')),
    ('jetzt ["Titel"]', 'now ["Title"]', T(de="Sofort-Besprechung, der Link kommt gleich in den Kanal",
                                           en="instant meeting, the link is posted now")),
    ("liste", "list", T(de="Besprechungen dieses Kanals in den nächsten 14 Tagen",
                        en="this channel's meetings in the next 14 days")),
    ("absagen ID [DATUM]", "cancel ID [DATE]", T(de="Serie oder einen Termin absagen (wer plant oder leitet)",
                                                   en="cancel the series or one date (organizer or lead)")),
    ("ics ID", "ics ID", T(de="Kalenderdatei (.ics) in den Kanal laden", en="upload a calendar file (.ics) here")),
]

UNKNOWN_SUB = T(de="Unbekannter Unterbefehl „{word}“.", en="Unknown subcommand “{word}”.")
USAGE = T(
    de='So geht’s: `/{trigger} neu "Teamrunde" Mo 10:00` — Titel in Anführungszeichen, Datum und Uhrzeit; '
       "optional Dauer (`45m`), `@name` oder `~kanal`, `wöchentlich`/`täglich`/`werktags`/`zweiwöchentlich`/"
       "`monatlich`, `erinnerung 15m` und `über jitsi`/`bbb`/`zoom`/Link.",
    en='Usage: `/{trigger} new "Team meeting" Mon 10:00` — title in quotes, date and time; optionally a '
       "duration (`45m`), `@name` or `~channel`, `weekly`/`daily`/`weekdays`/`biweekly`/`monthly`, "
       "`remind 15m` and `via jitsi`/`bbb`/`zoom`/link.")
NEED_TITLE = T(de='Bitte zuerst einen Titel angeben, z. B. `/{trigger} neu "Teamrunde" Mo 10:00`.',
               en='Please start with a title, e.g. `/{trigger} new "Team meeting" Mon 10:00`.')
TITLE_TOO_LONG = T(de="Der Titel ist zu lang (höchstens 200 Zeichen).", en="The title is too long (at most 200 characters).")
NEED_TIME = T(de="Bitte nach dem Datum eine Uhrzeit angeben, z. B. `Mo 10:00` oder `24.11. 9:30`.",
              en="Please give a time after the date, e.g. `Mon 10:00` or `24.11. 9:30`.")
UNKNOWN_OPTION = T(de="„{word}“ verstehe ich hier nicht.", en="I do not understand “{word}” here.")
BAD_REMINDER = T(de="Nach „erinnerung“ bitte eine Dauer wie `10m`, `1h` oder `aus` angeben.",
                 en="After “remind” please give a duration like `10m`, `1h`, or `off`.")
BAD_PROVIDER = T(de="Nach „über“ bitte `jitsi`, `bbb`, `zoom` oder einen https-Link angeben, z. B. `über jitsi`.",
                 en="After “via” please give `jitsi`, `bbb`, `zoom` or an https link, e.g. `via jitsi`.")
PEOPLE_OR_CHANNEL = T(de="Bitte entweder Personen (`@name`) oder einen Kanal (`~kanal`) angeben, nicht beides.",
                      en="Please name either people (`@name`) or a channel (`~channel`), not both.")
UNKNOWN_CHANNEL = T(de="Den Kanal „~{name}“ finde ich nicht. Es gehen öffentliche Kanäle, in denen du Mitglied bist.",
                    en="I cannot find the channel “~{name}”. Public channels you are a member of work.")
NOT_MEMBER = T(de="Du bist nicht Mitglied von „~{name}“; dort kannst du keine Besprechung ankündigen.",
               en="You are not a member of “~{name}”, so you cannot announce a meeting there.")
IN_PAST = T(de="{when} liegt in der Vergangenheit. Bitte einen späteren Zeitpunkt wählen.",
            en="{when} is in the past. Please choose a later time.")
SCHEDULED = T(de="✅ Besprechung „{title}“ geplant (ID {id}): {when}{repeat}. Die Ankündigung steht in {where}. "
                 "Kalenderdatei: `/{trigger} ics {id}`",
              en="✅ Meeting “{title}” scheduled (ID {id}): {when}{repeat}. The announcement is in {where}. "
                 "Calendar file: `/{trigger} ics {id}`")
HERE = T(de="diesem Kanal", en="this channel")
INSTANT_TITLE = T(de="Sofort-Besprechung", en="Instant meeting")
INSTANT_DONE = T(de="✅ „{title}“ (ID {id}) kann sofort beginnen; der Link steht gleich im Kanal.",
                 en="✅ “{title}” (ID {id}) can start right away; the link is being posted in the channel.")
LIST_TITLE = T(de="#### Besprechungen in den nächsten {days} Tagen", en="#### Meetings in the next {days} days")
LIST_EMPTY = T(de="In den nächsten {days} Tagen ist in diesem Kanal keine Besprechung geplant.",
               en="No meetings are scheduled in this channel for the next {days} days.")
NEED_ID = T(de="Bitte die ID der Besprechung angeben, z. B. `/{trigger} {sub} 7` (die ID steht in der Ankündigung "
               "und in `/{trigger} liste`).",
            en="Please give the meeting's ID, e.g. `/{trigger} {sub} 7` (the ID is in the announcement and in "
               "`/{trigger} list`).")
NOT_FOUND = T(de="Eine Besprechung mit der ID {id} gibt es hier nicht.", en="There is no meeting with ID {id} here.")
OVER = T(de="„{title}“ ist schon vorbei.", en="“{title}” is already over.")
ALREADY_CANCELLED = T(de="Die Besprechung „{title}“ ist schon abgesagt.", en="The meeting “{title}” is already cancelled.")
NOT_ALLOWED = T(de="Absagen dürfen nur die Person, die die Besprechung geplant hat, und Leitungen des Kanals. "
                   "Es wurde nichts geändert.",
                en="Only the person who scheduled the meeting and the channel's leads may cancel it. Nothing was changed.")
NO_OCCURRENCE = T(de="Am {day} findet „{title}“ nicht statt (oder ist schon vorbei oder abgesagt).",
                  en="“{title}” does not take place on {day} (or it is over or already cancelled).")
CANCELLED_REPLY = T(de="Abgesagt: „{title}“. Der Kanal ist informiert.", en="Cancelled: “{title}”. The channel has been told.")
CANCELLED_ONE_REPLY = T(de="Abgesagt: „{title}“ am {day}. Der Kanal ist informiert.",
                        en="Cancelled: “{title}” on {day}. The channel has been told.")
CANCELLED_POST = T(de="❌ **{title}** wurde abgesagt (von {who}).", en="❌ **{title}** has been cancelled (by {who}).")
CANCELLED_ONE_POST = T(de="❌ **{title}** fällt am {day} aus (abgesagt von {who}). Die weiteren Termine bleiben.",
                       en="❌ **{title}** is off on {day} (cancelled by {who}). The other dates stay.")
ICS_DONE = T(de="Die Kalenderdatei für „{title}“ steht jetzt im Kanal.", en="The calendar file for “{title}” is now in the channel.")
ICS_POST = T(de="📎 Kalenderdatei für **{title}** (angefordert von {who})", en="📎 Calendar file for **{title}** (requested by {who})")
GONE = T(de="Diese Besprechung gibt es nicht mehr.", en="This meeting no longer exists.")
RSVP_YES = T(de="Du hast zugesagt.", en="You accepted.")
RSVP_NO = T(de="Du hast abgesagt.", en="You declined.")
RSVP_CLOSED = T(de="Diese Besprechung ist abgesagt oder vorbei; Zusagen sind nicht mehr möglich.",
                en="This meeting is cancelled or over; answers are no longer possible.")
RSVP_NOT_INVITED = T(de="Zu- und Absagen zu „{title}“ sind nur für die eingeladenen Personen möglich. "
                       "Es wurde nichts gespeichert.",
                    en="Only the people invited to “{title}” can accept or decline. Nothing was saved.")
JOIN_UNAVAILABLE = T(de="BigBlueButton ist gerade nicht erreichbar. Bitte gleich noch einmal „Beitreten“ drücken.",
                     en="BigBlueButton cannot be reached right now. Please press “Join” again in a moment.")
JOIN_LINK = T(de="Dein persönlicher Link zu „{title}“: [Jetzt beitreten]({url})",
              en="Your personal link to “{title}”: [Join now]({url})")

# announcement
A_HEAD = T(de="#### 📅 {title}", en="#### 📅 {title}")
A_HEAD_NOW = T(de="#### 🎥 Jetzt: {title}", en="#### 🎥 Now: {title}")
A_HEAD_CANCELLED = T(de="#### ❌ Abgesagt: {title}", en="#### ❌ Cancelled: {title}")
A_WHEN = T(de="**Wann:** {when} ({duration})", en="**When:** {when} ({duration})")
A_NEXT = T(de="**Nächster Termin:** {when} ({duration})", en="**Next:** {when} ({duration})")
A_OVER = T(de="**Keine weiteren Termine.**", en="**No further dates.**")
A_REPEAT = T(de="**Wiederholung:** {rule}", en="**Repeats:** {rule}")
A_WHO = T(de="**Teilnehmende:** {names}", en="**Participants:** {names}")
A_WHO_CHANNEL = T(de="**Teilnehmende:** alle im Kanal", en="**Participants:** everyone in the channel")
A_JOIN = T(de="**Video:** [Beitreten]({url})", en="**Video:** [Join]({url})")
A_JOIN_PLAIN = T(de="**Video:** {url}", en="**Video:** {url}")
A_JOIN_BBB = T(de="**Video:** BigBlueButton — „Beitreten“ drücken, jede Person bekommt ihren eigenen Link",
               en="**Video:** BigBlueButton — press “Join”, everyone gets their own link")
A_REMIND = T(de="**Erinnerung:** {lead} vorher {where}", en="**Reminder:** {lead} before, {where}")
A_REMIND_CHANNEL = T(de="im Kanal", en="in the channel")
A_REMIND_DM = T(de="per Direktnachricht", en="by direct message")
A_RSVP = T(de="✅ Zusagen: {yes} · ❌ Absagen: {no}", en="✅ Accepted: {yes} · ❌ Declined: {no}")
A_FOOT = T(de="ID {id} · geplant von {who} · Kalenderdatei: `/{trigger} ics {id}`",
           en="ID {id} · scheduled by {who} · calendar file: `/{trigger} ics {id}`")
B_YES = T(de="Zusage", en="Accept")
B_NO = T(de="Absage", en="Decline")
B_JOIN = T(de="Beitreten", en="Join")
UHR = T(de="{day}, {start}–{end} Uhr", en="{day}, {start}–{end}")
MINUTES = T(de="{m} Min.", en="{m} min")
HOURS = T(de="{h} Std.", en="{h} h")
HOURS_MINUTES = T(de="{h} Std. {m} Min.", en="{h} h {m} min")
REMINDER_POST = T(de="⏰ **{title}** beginnt {soon} ({when}). {join}", en="⏰ **{title}** starts {soon} ({when}). {join}")
SOON_MINUTES = T(de="in {m} Minuten", en="in {m} minutes")
SOON_NOW = T(de="gleich", en="now")
R_JOIN = T(de="[Jetzt beitreten]({url})", en="[Join now]({url})")
R_JOIN_BBB = T(de="Beitreten über die Schaltfläche in der Ankündigung.", en="Join with the button in the announcement.")
MYDATA_SECTION = T(de="Besprechungen", en="Meetings")
MYDATA_ORGANIZED = T(de="geplant: „{title}“ ({when}) in {{channel}}", en="scheduled: “{title}” ({when}) in {{channel}}")
MYDATA_NAMED = T(de="eingeladen: „{title}“ ({when}) in {{channel}}", en="invited: “{title}” ({when}) in {{channel}}")
MYDATA_RSVP = {"yes": T(de="Zusage zu „{title}“ in {{channel}}", en="accepted “{title}” in {{channel}}"),
               "no": T(de="Absage zu „{title}“ in {{channel}}", en="declined “{title}” in {{channel}}")}


# -- settings, region, language ----------------------------------------------------------------------


def provider_config(settings: Settings) -> providers.ProviderConfig:
    """The providers' addresses. A seam for tests, which point Zoom at a local stand-in."""
    return providers.ProviderConfig.from_settings(settings)




def _locale_of(user: User | None, default: str) -> str:
    return user.locale if user is not None and user.locale in ("de", "en") else default


# -- schedules and formatting -----------------------------------------------------------------------------


def schedule_of(meeting: Meeting, *, cancelled: Iterable[date] = (), region: str | None = None) -> Schedule:
    return Schedule(first_day=meeting.first_day, start=meeting.start_time,
                    duration=timedelta(minutes=meeting.duration_minutes), tz=ZoneInfo(meeting.timezone),
                    repeat=Repeat(meeting.repeat) if meeting.repeat else None, cancelled=frozenset(cancelled),
                    holiday_region=region)


def load_schedule(session: Session, meeting: Meeting, default_region: str) -> Schedule:
    days = session.exec(select(MeetingCancellation.day).where(MeetingCancellation.meeting_id == meeting.id)).all()
    return schedule_of(meeting, cancelled=days, region=channel_region(session, meeting.channel_id, default_region))


def format_when(occ: Occurrence, locale: str) -> str:
    """"Mo, 30.11.2026, 10:00–10:30 Uhr" / "Mon, 30 Nov 2026, 10:00–10:30"."""
    return UHR(locale, day=cal.format_day(occ.start.date(), locale), start=occ.start.strftime("%H:%M"),
               end=occ.end.strftime("%H:%M"))


def format_minutes(minutes: int, locale: str) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return MINUTES(locale, m=rest)
    return HOURS(locale, h=hours) if not rest else HOURS_MINUTES(locale, h=hours, m=rest)


def _link_target(url: str) -> str:
    """A URL as a markdown link destination: a ")" must not end the link early."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _repeat_words(meeting: Meeting, locale: str) -> str:
    if not meeting.repeat:
        return ""
    return f"{describe(Repeat(meeting.repeat), meeting.first_day, locale)}, {EXCEPT_HOLIDAYS(locale)}"


def _announce_key(meeting_id: int | None) -> str:
    return f"meeting:{meeting_id}:announce"


def _participant_ids(meeting: Meeting) -> list[str]:
    return [uid for uid in meeting.participants.split(",") if uid]


async def _names(mm: MattermostPort, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    found = await mm.users(user_ids)
    return {uid: found[uid].display_name for uid in user_ids if uid in found}


@dataclass(frozen=True)
class AnnouncementFacts:
    """What the announcement shows besides the meeting row (read in one session)."""

    locale: str
    next_occ: Occurrence | None
    yes: int
    no: int


def _facts(session: Session, meeting: Meeting, settings: Settings, now: datetime) -> AnnouncementFacts:
    schedule = load_schedule(session, meeting, settings.bot_holiday_region)
    counts = dict(session.exec(select(MeetingRsvp.answer, sa.func.count()).where(
        MeetingRsvp.meeting_id == meeting.id).group_by(MeetingRsvp.answer)).all())
    return AnnouncementFacts(locale=channel_locale(session, meeting.channel_id, settings.bot_locale),
                             next_occ=next_occurrence(schedule, after=now), yes=counts.get("yes", 0),
                             no=counts.get("no", 0))


def render_announcement(ctx: Context, meeting: Meeting, facts: AnnouncementFacts, names: dict[str, str],
                        *, organizer: str, instant: bool = False) -> tuple[str, dict[str, Any]]:
    """The channel post: what, when, how often, who, where to join, the RSVP counts and buttons."""
    loc = facts.locale
    title = plain(meeting.title)
    cancelled = meeting.cancelled_at is not None
    head = A_HEAD_CANCELLED if cancelled else (A_HEAD_NOW if instant else A_HEAD)
    lines = [head(loc, title=title)]
    duration = format_minutes(meeting.duration_minutes, loc)
    if facts.next_occ is None:
        lines.append(A_OVER(loc))
    else:
        label = A_NEXT if meeting.repeat else A_WHEN
        lines.append(label(loc, when=format_when(facts.next_occ, loc), duration=duration))
    if meeting.repeat:
        lines.append(A_REPEAT(loc, rule=_repeat_words(meeting, loc)))
    if meeting.audience == "people":
        people = [plain(names.get(uid, "?"), max_length=60) for uid in _participant_ids(meeting)]
        lines.append(A_WHO(loc, names=", ".join(people) or "–"))
    else:
        lines.append(A_WHO_CHANNEL(loc))
    if meeting.provider == "bbb":
        lines.append(A_JOIN_BBB(loc))
    elif meeting.provider == "url":
        lines.append(A_JOIN_PLAIN(loc, url=meeting.join_url))  # a user's link: shown as it is, no label of ours
    else:
        lines.append(A_JOIN(loc, url=_link_target(meeting.join_url)))
    if meeting.reminder_minutes and not instant:
        where = A_REMIND_DM if meeting.audience == "people" else A_REMIND_CHANNEL
        lines.append(A_REMIND(loc, lead=format_minutes(meeting.reminder_minutes, loc), where=where(loc)))
    if not instant:
        lines.append(A_RSVP(loc, yes=facts.yes, no=facts.no))
    lines.append(A_FOOT(loc, id=meeting.id, who=plain(organizer, max_length=60), trigger=trigger(ctx.settings, "meeting")))
    text = "\n".join(lines)
    attachment: dict[str, Any] = {"fallback": f"{title}", "color": "#8a8a8a" if cancelled else "#2389d7", "text": text}
    if not cancelled and facts.next_occ is not None:
        expires = ctx.now + timedelta(days=400)  # every click renders the buttons anew, with a new expiry
        data = {"m": meeting.id}
        actions = []
        if not instant:
            actions += [ctx.button(B_YES, "meeting.rsvp", {**data, "r": "yes"}, user_id=None, expires=expires,
                                   style="good", action_id="rsvpyes", locale=loc),
                        ctx.button(B_NO, "meeting.rsvp", {**data, "r": "no"}, user_id=None, expires=expires,
                                   style="danger", action_id="rsvpno", locale=loc)]
        if meeting.provider == "bbb":
            actions.append(ctx.button(B_JOIN, "meeting.join", data, user_id=None, expires=expires,
                                      style="primary", action_id="join", locale=loc))
        if actions:
            attachment["actions"] = actions
    return "", {"attachments": [attachment], MARKER_PROP: _announce_key(meeting.id)}


# -- parsing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMeeting:
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
    tokens = parsing.tokenize(rest)
    if not tokens:
        raise LocalizedError(USAGE, trigger=trigger)
    if rest.lstrip()[:1] in QUOTES:
        title, i = tokens[0], 1
    else:  # an unquoted title runs up to the date
        i = next((k for k, tok in enumerate(tokens) if parsing.looks_like_date(tok)), len(tokens))
        title = " ".join(tokens[:i])
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


def _parse_id(tokens: list[str], *, trigger: str, sub: str) -> int:
    raw = tokens[0].lstrip("#") if tokens else ""
    if not raw.isdigit() or len(raw) > 12:
        raise LocalizedError(NEED_ID, trigger=trigger, sub=sub)
    return int(raw)


# -- the command -------------------------------------------------------------------------------------------


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, HELP_ENTRIES, locale, trigger)


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = request.command.lstrip("/") or "meeting"
    text = request.text.strip()
    if not text or text.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger))
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None:
        word = plain(text.split()[0], max_length=30)
        return Reply(UNKNOWN_SUB(ctx.locale, word=word) + "\n\n" + help_text(ctx.locale, trigger))
    if rest.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger))
    return await HANDLERS[name](request, ctx, rest, trigger)


async def _target_channel(request: SlashRequest, ctx: Context, name: str | None) -> str:
    """The channel a meeting belongs to: this one, or `~name` if the caller is a member there."""
    if name is None:
        return ctx.channel_id
    channel_id = request.channel_mentions.get(name)
    if not channel_id:
        raise LocalizedError(UNKNOWN_CHANNEL, name=plain(name, max_length=40))
    if channel_id != ctx.channel_id:
        members = await ctx.mm.channel_members(channel_id)
        if all(member.id != ctx.user.id for member in members):
            raise LocalizedError(NOT_MEMBER, name=plain(name, max_length=40))
    return channel_id


async def _make_room(ctx: Context, name: str, url: str | None, request: providers.RoomRequest,
                     ) -> tuple[providers.Provider, providers.Room]:
    provider = provider_config(ctx.settings).provider(name, url=url)
    return provider, await provider.create_room(request)


async def _give_back(provider: providers.Provider, room: providers.Room) -> None:
    """Take a room back from its provider (best effort): after storing failed, or a cancelled series."""
    try:
        await provider.delete_room(room)
    except Exception as e:
        log.warning("could not delete a %s room (%s)", room.provider, type(e).__name__)


async def new_meeting(request: SlashRequest, ctx: Context, rest: str, trigger: str) -> Reply:
    parsed = parse_new(rest, today=ctx.today, trigger=trigger)
    day = parsed.day
    if parsed.repeat is Repeat.WEEKDAYS:
        day = first_day_for(parsed.repeat, day)
    start = local_instant(day, parsed.start, ctx.tz)
    if start <= ctx.now and parsed.weekday_given and day == ctx.today:
        day += timedelta(days=7)  # "Mo 10:00" typed on Monday at 11:00 means next Monday
        start = local_instant(day, parsed.start, ctx.tz)
    if start <= ctx.now:
        when = UHR(ctx.locale, day=cal.format_day(day, ctx.locale), start=parsed.start.strftime("%H:%M"),
                   end=(start + parsed.duration).astimezone(ctx.tz).strftime("%H:%M"))
        raise LocalizedError(IN_PAST, when=when)
    channel_id = await _target_channel(request, ctx, parsed.channel)
    people = await ctx.users_by_mention(list(parsed.people), request.user_mentions) if parsed.people else []
    names = {u.id: u.display_name for u in people}
    room_request = providers.RoomRequest(title=parsed.title, start=start, duration=parsed.duration,
                                         recurring=parsed.repeat is not None, timezone=ctx.settings.bot_timezone)
    provider, room = await _make_room(ctx, parsed.provider or ctx.settings.meeting_provider, parsed.url, room_request)
    try:
        with ctx.db.write() as session:
            meeting = Meeting(
                channel_id=channel_id, team_id=ctx.team_id, organizer_id=ctx.user.id, title=parsed.title,
                first_day=day, start_time=parsed.start, timezone=ctx.settings.bot_timezone,
                duration_minutes=int(parsed.duration.total_seconds() // 60), repeat=parsed.repeat,
                reminder_minutes=int(parsed.reminder.total_seconds() // 60),
                audience="people" if people else "channel", participants=",".join(dict.fromkeys(names)),
                provider=room.provider, join_url=room.join_url, external_id=room.external_id,
                starts_at=start.astimezone(UTC),
                ends_at=None if parsed.repeat else (start + parsed.duration).astimezone(UTC), created_at=ctx.now)
            session.add(meeting)
            session.flush()
            facts = _facts(session, meeting, ctx.settings, ctx.now)
            message, props = render_announcement(ctx, meeting, facts, names, organizer=ctx.user.display_name)
            enqueue_post(session, key=_announce_key(meeting.id), channel_id=channel_id, message=message,
                         props=props, now=ctx.now)
    except BaseException:
        await _give_back(provider, room)
        raise
    ctx.services.notify_outbox()
    first = facts.next_occ
    assert first is not None
    repeat = f", {describe(parsed.repeat, day, ctx.locale)}" if parsed.repeat else ""
    where = HERE(ctx.locale) if channel_id == ctx.channel_id else f"~{plain(parsed.channel or '', max_length=40)}"
    return Reply(SCHEDULED(ctx.locale, title=plain(parsed.title), id=meeting.id, when=format_when(first, ctx.locale),
                           repeat=repeat, where=where, trigger=trigger))


async def instant_meeting(request: SlashRequest, ctx: Context, rest: str, trigger: str) -> Reply:
    tokens = parsing.tokenize(rest)
    # "über zoom" at the end chooses the provider; anywhere else "über" is part of the title.
    chooses = len(tokens) >= 2 and tokens[-2].lower() in VIA_WORDS and (
        tokens[-1].lower() in PROVIDER_WORDS or tokens[-1].lower().startswith(("http:", "https:")))
    via = len(tokens) - 2 if chooses else len(tokens)
    options = parse_options(tokens, via, allow=frozenset())
    with ctx.db.read() as session:
        post_locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
    title = " ".join(tokens[:via]).strip() or INSTANT_TITLE(post_locale)
    if len(title) > 200:
        raise LocalizedError(TITLE_TOO_LONG)
    local = ctx.local_now.replace(second=0, microsecond=0)
    start = local.astimezone(UTC)
    room_request = providers.RoomRequest(title=title, start=start, duration=DEFAULT_DURATION, instant=True,
                                         timezone=ctx.settings.bot_timezone)
    provider, room = await _make_room(ctx, options.provider or ctx.settings.meeting_provider, options.url,
                                      room_request)
    try:
        with ctx.db.write() as session:
            meeting = Meeting(
                channel_id=ctx.channel_id, team_id=ctx.team_id, organizer_id=ctx.user.id, title=title,
                first_day=local.date(), start_time=local.time(), timezone=ctx.settings.bot_timezone,
                duration_minutes=int(DEFAULT_DURATION.total_seconds() // 60), reminder_minutes=0,
                provider=room.provider, join_url=room.join_url, external_id=room.external_id, starts_at=start,
                ends_at=start + DEFAULT_DURATION, created_at=ctx.now)
            session.add(meeting)
            session.flush()
            facts = _facts(session, meeting, ctx.settings, ctx.now)
            message, props = render_announcement(ctx, meeting, facts, {}, organizer=ctx.user.display_name,
                                                 instant=True)
            enqueue_post(session, key=_announce_key(meeting.id), channel_id=ctx.channel_id, message=message,
                         props=props, now=ctx.now)
    except BaseException:
        await _give_back(provider, room)
        raise
    ctx.services.notify_outbox()
    return Reply(INSTANT_DONE(ctx.locale, title=plain(title), id=meeting.id))


async def list_meetings(request: SlashRequest, ctx: Context, rest: str, trigger: str) -> Reply:
    end = ctx.now + timedelta(days=LIST_DAYS)
    found: list[tuple[Occurrence, Meeting]] = []
    with ctx.db.read() as session:
        for meeting in _active(session, ctx.channel_id, ctx.now, end):
            schedule = load_schedule(session, meeting, ctx.settings.bot_holiday_region)
            found += [(occ, meeting) for occ in overlapping(schedule, start=ctx.now, end=end)]
    if not found:
        return Reply(LIST_EMPTY(ctx.locale, days=LIST_DAYS))
    lines = [LIST_TITLE(ctx.locale, days=LIST_DAYS)]
    for occ, meeting in sorted(found, key=lambda pair: (pair[0].start, pair[1].id or 0)):
        join = (meeting.join_url if meeting.provider == "url" else
                "BigBlueButton" if meeting.provider == "bbb" else
                f"[{B_JOIN(ctx.locale)}]({_link_target(meeting.join_url)})")
        lines.append(f"- {format_when(occ, ctx.locale)} · **{plain(meeting.title)}** (ID {meeting.id}) · {join}")
    return Reply("\n".join(lines))


def _active(session: Session, channel_id: str, start: datetime, end: datetime) -> list[Meeting]:
    """The channel's meetings that are not cancelled and may have an occurrence in [start, end)."""
    return list(session.exec(select(Meeting).where(
        Meeting.channel_id == channel_id, col(Meeting.cancelled_at).is_(None), Meeting.starts_at < end,
        sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > start)).order_by(col(Meeting.id))).all())


def _meeting_for(ctx: Context, meeting_id: int) -> Meeting:
    """A meeting the caller may refer to: one of this channel, or one they organized or were invited to."""
    with ctx.db.read() as session:
        meeting = session.get(Meeting, meeting_id)
    if meeting is None or not (meeting.channel_id == ctx.channel_id or meeting.organizer_id == ctx.user.id
                               or ctx.user.id in _participant_ids(meeting)):
        raise LocalizedError(NOT_FOUND, id=meeting_id)
    return meeting


async def cancel(request: SlashRequest, ctx: Context, rest: str, trigger: str) -> Reply:
    tokens = parsing.tokenize(rest)
    meeting = _meeting_for(ctx, _parse_id(tokens, trigger=trigger, sub="cancel" if ctx.locale == "en" else "absagen"))
    title = plain(meeting.title)
    if meeting.cancelled_at is not None:
        raise LocalizedError(ALREADY_CANCELLED, title=title)
    if meeting.ends_at is not None and meeting.ends_at <= ctx.now:
        raise LocalizedError(OVER, title=title)
    day = None
    if len(tokens) > 1:
        taken = parsing.take_date(tokens, 1, today=ctx.today)
        if taken is None or taken[1] != len(tokens):
            raise LocalizedError(parsing.INVALID_DATE, value=plain(" ".join(tokens[1:]), max_length=40))
        day = taken[0]
    by_lead = meeting.organizer_id != ctx.user.id
    if by_lead and not await is_lead(ctx, channel_id=meeting.channel_id):
        raise LocalizedError(NOT_ALLOWED)
    names = await _names(ctx.mm, _participant_ids(meeting))
    organizer = await _display_name(ctx.mm, meeting.organizer_id)
    whole = day is None or meeting.repeat is None
    with ctx.db.write() as session:
        row = session.get(Meeting, meeting.id)
        if row is None or row.cancelled_at is not None:
            raise LocalizedError(ALREADY_CANCELLED, title=title)
        schedule = load_schedule(session, row, ctx.settings.bot_holiday_region)
        if day is not None:
            occ = occurrence_on(schedule, day)
            if occ is None or occ.end <= ctx.now:
                raise LocalizedError(NO_OCCURRENCE, day=cal.format_day(day, ctx.locale), title=title)
        locale = channel_locale(session, row.channel_id, ctx.settings.bot_locale)
        who = plain(ctx.user.display_name, max_length=60)
        if whole:
            row.cancelled_at = ctx.now
            session.add(row)
            notice = CANCELLED_POST(locale, title=title, who=who)
        else:
            assert day is not None
            session.add(MeetingCancellation(meeting_id=row.id, day=day, created_at=ctx.now))
            session.flush()
            notice = CANCELLED_ONE_POST(locale, title=title, who=who, day=cal.format_day(day, locale))
        facts = _facts(session, row, ctx.settings, ctx.now)
        message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
        enqueue_patch(session, key=f"meeting:{row.id}:patch:{uuid.uuid4().hex}", target_key=_announce_key(row.id),
                      message=message, props=props, now=ctx.now)
        # A day is called off once and a series once, so this key is unique without a clock.
        enqueue_post(session, key=f"meeting:{row.id}:cancel:{day.isoformat() if day and not whole else 'all'}",
                     channel_id=row.channel_id, message=notice, now=ctx.now)
        if by_lead:
            audit(session, actor_id=ctx.user.id, subject_id=row.organizer_id, channel_id=row.channel_id,
                  action="meeting:cancel", detail={"meeting": row.title[:60], **({"day": day.isoformat()} if day else {})},
                  now=ctx.now)
    ctx.services.notify_outbox()
    if whole and meeting.provider == "zoom":  # a Zoom meeting would otherwise stay in the account
        try:
            zoom = provider_config(ctx.settings).provider("zoom")
        except providers.ProviderError:
            log.warning("Zoom is no longer set up; meeting %s stays in the Zoom account", meeting.id)
        else:
            await _give_back(zoom, providers.Room(join_url=meeting.join_url, provider="zoom",
                                                  external_id=meeting.external_id))
    if whole:
        return Reply(CANCELLED_REPLY(ctx.locale, title=title))
    assert day is not None
    return Reply(CANCELLED_ONE_REPLY(ctx.locale, title=title, day=cal.format_day(day, ctx.locale)))


async def _display_name(mm: MattermostPort, user_id: str) -> str:
    if user_id == FORGOTTEN:
        return "–"
    try:
        return (await mm.user(user_id)).display_name
    except MattermostError:
        return "–"


# -- calendar file -----------------------------------------------------------------------------------------

ICS_DESCRIPTION = T(de="Beitreten: {url}\nGeplant mit Amtsbote in Mattermost.",
                    en="Join: {url}\nScheduled with Amtsbote in Mattermost.")
ICS_BBB = T(de="BigBlueButton – „Beitreten“ in der Ankündigung in Mattermost", en="BigBlueButton – “Join” in the Mattermost announcement")
ICS_HORIZON_DAYS = 3 * 365  # holidays listed as EXDATE this far ahead


def build_ics(meeting: Meeting, schedule: Schedule, *, now: datetime, host: str, locale: str) -> bytes:
    """The meeting as an iCalendar file: one VEVENT with TZID-local times, RRULE, EXDATEs, VTIMEZONE.

    The UID is derived from stored facts only, so downloading it twice updates the
    same calendar entry; SEQUENCE grows with every cancellation."""
    tz = schedule.tz
    start = local_instant(schedule.first_day, schedule.start, tz)
    calendar = Calendar()
    calendar.add("prodid", "-//Amtsbote//Besprechungen//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"amtsbote-meeting-{meeting.id}-{int(meeting.created_at.timestamp())}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("summary", " ".join(meeting.title.split()))
    event.add("dtstart", start)
    event.add("dtend", (start.astimezone(UTC) + schedule.duration).astimezone(tz))
    horizon = max(schedule.first_day, now.astimezone(tz).date()) + timedelta(days=ICS_HORIZON_DAYS)
    if (rule := rrule_text(schedule)) is not None:
        event.add("rrule", vRecur.from_ical(rule))
        skipped = skipped_days(schedule, until=horizon)
        if skipped:
            event.add("exdate", [local_instant(day, schedule.start, tz) for day in skipped])
    if meeting.join_url:
        event.add("url", meeting.join_url)
        event.add("location", meeting.join_url)
        event.add("description", ICS_DESCRIPTION(locale, url=meeting.join_url))
    elif meeting.provider == "bbb":
        event.add("location", ICS_BBB(locale))
    event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
    event.add("sequence", len(schedule.cancelled) + (1 if meeting.cancelled_at else 0))
    if meeting.reminder_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", " ".join(meeting.title.split()))
        alarm.add("trigger", -timedelta(minutes=meeting.reminder_minutes))
        event.add_component(alarm)
    calendar.add_component(event)
    last = horizon if meeting.repeat else schedule.first_day + timedelta(days=366)
    calendar.add_missing_timezones(first_date=date(schedule.first_day.year, 1, 1), last_date=last)
    return calendar.to_ical()


async def ics(request: SlashRequest, ctx: Context, rest: str, trigger: str) -> Reply:
    meeting = _meeting_for(ctx, _parse_id(parsing.tokenize(rest), trigger=trigger, sub="ics"))
    with ctx.db.read() as session:
        schedule = load_schedule(session, meeting, ctx.settings.bot_holiday_region)
        locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
    host = urlsplit(ctx.settings.bot_public_url or "").hostname or "amtsbote"
    data = build_ics(meeting, schedule, now=ctx.now, host=host, locale=locale)
    # A file post is made here, not through the outbox: the outbox cannot carry file ids, and an
    # on-demand file that fails is simply asked for again.
    file_id = await ctx.mm.upload_file(ctx.channel_id, f"meeting-{meeting.id}.ics", data)
    message = ICS_POST(locale, title=plain(meeting.title), who=plain(ctx.user.display_name, max_length=60))
    await ctx.mm.create_post(channel_id=ctx.channel_id, message=message,
                             props={MARKER_PROP: f"meeting:{meeting.id}:ics:{uuid.uuid4().hex}"},
                             pending_post_id=f"{ctx.mm.bot_user_id}:{uuid.uuid4().hex}", file_ids=[file_id])
    return Reply(ICS_DONE(ctx.locale, title=plain(meeting.title)))


# -- buttons ------------------------------------------------------------------------------------------------


async def rsvp_action(request: ActionRequest, ctx: Context) -> ActionResult:
    meeting_id = int(request.data.get("m") or 0)
    answer = "yes" if request.data.get("r") == "yes" else "no"
    with ctx.db.read() as session:
        meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise LocalizedError(GONE)
    if meeting.audience == "people" and ctx.user.id not in (meeting.organizer_id, *_participant_ids(meeting)):
        # A meeting with named participants: the others in the channel see it but do not answer it.
        return ActionResult(ephemeral_text=RSVP_NOT_INVITED(ctx.locale, title=plain(meeting.title)))
    names = await _names(ctx.mm, _participant_ids(meeting))
    organizer = await _display_name(ctx.mm, meeting.organizer_id)
    with ctx.db.write() as session:
        row = session.get(Meeting, meeting_id)
        if row is None:
            raise LocalizedError(GONE)
        open_ = row.cancelled_at is None and (row.ends_at is None or row.ends_at > ctx.now)
        if open_:
            session.merge(MeetingRsvp(meeting_id=meeting_id, user_id=ctx.user.id, answer=answer, at=ctx.now))
            session.flush()
        facts = _facts(session, row, ctx.settings, ctx.now)
        message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
    reply = (RSVP_YES if answer == "yes" else RSVP_NO) if open_ else RSVP_CLOSED
    return ActionResult(update={"message": message, "props": props}, ephemeral_text=reply(ctx.locale))


async def join_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """BigBlueButton: a personal join link, after making sure the room exists."""
    with ctx.db.read() as session:
        meeting = session.get(Meeting, int(request.data.get("m") or 0))
    if meeting is None or meeting.provider != "bbb":
        raise LocalizedError(GONE)
    if meeting.cancelled_at is not None:
        raise LocalizedError(RSVP_CLOSED)
    try:
        bbb = provider_config(ctx.settings).bbb()
        await bbb.open_room(meeting.external_id, meeting.title)
    except providers.ProviderError:
        raise LocalizedError(JOIN_UNAVAILABLE) from None
    # Everyone joins as moderator, as in Jitsi: these are colleagues of one team, and the
    # meeting must work when the organizer is late or away.
    url = bbb.join_url(meeting.external_id, full_name=ctx.user.display_name, moderator=True)
    return ActionResult(ephemeral_text=JOIN_LINK(ctx.locale, title=plain(meeting.title), url=_link_target(url)))


# -- reminders ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    meeting: Meeting
    occurrence: Occurrence
    locale: str


def _due_reminders(services: Services, now: datetime) -> list[DueReminder]:
    """Occurrences that start within their reminder lead and have no ledger row yet.

    A reminder whose time passed while the bot was down is still due as long as the
    meeting has not started; after that it is skipped."""
    due = []
    with services.db.read() as session:
        meetings = session.exec(select(Meeting).where(
            col(Meeting.cancelled_at).is_(None), Meeting.reminder_minutes > 0,
            Meeting.starts_at <= now + MAX_REMINDER,
            sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > now))).all()
        for meeting in meetings:
            lead = timedelta(minutes=meeting.reminder_minutes)
            tiny = timedelta(microseconds=1)  # the window is (now, now + lead]
            # The bare rule first (no queries); cancellations and holidays only when something is near.
            if not occurrences(schedule_of(meeting), start=now + tiny, end=now + lead + tiny):
                continue
            schedule = load_schedule(session, meeting, services.settings.bot_holiday_region)
            for occ in occurrences(schedule, start=now + tiny, end=now + lead + tiny):
                if session.get(ReminderLedger, (meeting.id, occ.start.astimezone(UTC))) is None:
                    locale = channel_locale(session, meeting.channel_id, services.settings.bot_locale)
                    due.append(DueReminder(meeting, occ, locale))
    return due


def _claim(session: Session, meeting_id: int, occurrence_start: datetime, now: datetime) -> bool:
    """Insert the ledger row unless it exists; True if this call inserted it (and so owns the reminder)."""
    table = ReminderLedger.__table__
    stmt = (insert_for(session, table).values(meeting_id=meeting_id, occurrence_start=occurrence_start, claimed_at=now)
            .on_conflict_do_nothing(index_elements=["meeting_id", "occurrence_start"])
            .returning(table.c.meeting_id))
    return session.execute(stmt).first() is not None  # a row comes back only from a real insert


def reminder_text(meeting: Meeting, occ: Occurrence, now: datetime, locale: str) -> str:
    minutes = int((occ.start - now).total_seconds() // 60)
    soon = SOON_MINUTES(locale, m=minutes) if minutes >= 2 else SOON_NOW(locale)
    if meeting.provider == "bbb":
        join = R_JOIN_BBB(locale)
    elif meeting.provider == "url":
        join = meeting.join_url
    else:
        join = R_JOIN(locale, url=_link_target(meeting.join_url))
    return REMINDER_POST(locale, title=plain(meeting.title), soon=soon, when=format_when(occ, locale), join=join)


async def send_reminders(services: Services) -> None:
    """Queue the reminders that are due; each occurrence is claimed once, ever."""
    now = services.clock.now()
    due = _due_reminders(services, now)
    if not due:
        return
    wanted = sorted({uid for d in due if d.meeting.audience == "people"
                     for uid in [d.meeting.organizer_id, *_participant_ids(d.meeting)] if uid != FORGOTTEN})
    users: dict[str, User] = {}
    if wanted:
        try:
            users = await services.mm.users(wanted)
        except MattermostError as e:  # a late reminder in the default language beats none
            log.warning("reminders: could not look up recipients' languages (%s)", e)
    with services.db.write() as session:
        for item in due:
            meeting, occ = item.meeting, item.occurrence
            start_utc = occ.start.astimezone(UTC)
            row = session.get(Meeting, meeting.id)
            if (row is None or row.cancelled_at is not None
                    or session.get(MeetingCancellation, (meeting.id, occ.day)) is not None):
                continue  # cancelled since we looked
            if not _claim(session, row.id or 0, start_utc, now):
                continue  # another replica or an earlier tick has it
            key = f"meeting:{row.id}:remind:{int(start_utc.timestamp())}"
            if row.audience == "people":
                for uid in dict.fromkeys([row.organizer_id, *_participant_ids(row)]):
                    if uid == FORGOTTEN:
                        continue
                    locale = _locale_of(users.get(uid), services.settings.bot_locale)
                    enqueue_dm(session, key=f"{key}:{uid}", user_id=uid, now=now,
                               message=reminder_text(row, occ, now, locale))
            else:
                enqueue_post(session, key=key, channel_id=row.channel_id, now=now,
                             message=reminder_text(row, occ, now, item.locale))
    services.notify_outbox()


# -- the announcement follows the series --------------------------------------------------------------------

REFRESH_LOOKBACK = timedelta(days=3)  # an occurrence that ended while the bot was down this long still counts


def _refresh_key(meeting_id: int | None, occurrence_start: datetime) -> str:
    return f"meeting:{meeting_id}:next:{int(occurrence_start.astimezone(UTC).timestamp())}"


async def refresh_announcements(services: Services) -> None:
    """When an occurrence of a series is over, edit the announcement to show the next one.

    Each ended occurrence gives one edit, keyed by it in the outbox, so restarts and
    replicas queue it once; the edit itself is idempotent anyway. The bare rule
    decides cheaply which series to look at; cancellations and holidays come in
    with the rendering (an edit after a skipped date shows the same next date)."""
    now = services.clock.now()
    with services.db.read() as session:
        series = session.exec(select(Meeting).where(
            col(Meeting.repeat).is_not(None), col(Meeting.cancelled_at).is_(None), Meeting.starts_at <= now)).all()
        wanted: dict[str, Meeting] = {}
        for meeting in series:
            bare = schedule_of(meeting)
            ended = [occ for occ in occurrences(bare, start=now - REFRESH_LOOKBACK - bare.duration, end=now)
                     if occ.end <= now]
            if ended:
                wanted[_refresh_key(meeting.id, ended[-1].start)] = meeting
        if not wanted:
            return
        done = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(list(wanted)))).all())
        announced = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(
            [_announce_key(m.id) for m in wanted.values()]))).all())
    todo = {key: m for key, m in wanted.items() if key not in done and _announce_key(m.id) in announced}
    if not todo:
        return
    people = sorted({uid for m in todo.values() for uid in [m.organizer_id, *_participant_ids(m)] if uid != FORGOTTEN})
    try:
        users = await services.mm.users(people)
    except MattermostError as e:  # the names are part of the post; try again at the next tick
        log.warning("announcements: could not look up names (%s)", e)
        return
    names = {uid: user.display_name for uid, user in users.items()}
    bot = User(id=getattr(services.mm, "bot_user_id", "") or "amtsbote", username="amtsbote",
               display_name="Amtsbote", locale=services.settings.bot_locale, is_bot=True)
    with services.db.write() as session:
        for key, meeting in todo.items():
            row = session.get(Meeting, meeting.id)
            if row is None or row.cancelled_at is not None:
                continue  # cancelled since we looked: the cancel edited the announcement
            facts = _facts(session, row, services.settings, now)
            ctx = Context(services=services, user=bot, channel_id=row.channel_id, team_id=row.team_id,
                          locale=facts.locale, now=now)
            organizer = "–" if row.organizer_id == FORGOTTEN else names.get(row.organizer_id, "–")
            message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
            enqueue_patch(session, key=key, target_key=_announce_key(row.id), message=message, props=props, now=now)
    services.notify_outbox()



# -- for the roster, data protection and retention -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MeetingView:
    """A meeting on a given day, for the morning roster. `title` is already safe to post."""

    start: time
    end: time
    title: str
    join_url: str
    meeting_id: int


def meetings_on(session: Session, channel_id: str, day: date, tz: ZoneInfo, *,
                default_region: str = "DE") -> list[MeetingView]:
    """Today's meetings of the channel: occurrences starting on `day` (local), in order."""
    start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    views = []
    for meeting in _active(session, channel_id, start, end):
        schedule = load_schedule(session, meeting, default_region)
        for occ in occurrences(schedule, start=start, end=end):
            views.append(MeetingView(start=occ.start.astimezone(tz).time(), end=occ.end.astimezone(tz).time(),
                                     title=plain(meeting.title, max_length=80), join_url=meeting.join_url,
                                     meeting_id=meeting.id or 0))
    return sorted(views, key=lambda v: (v.start, v.meeting_id))


def my_data(session: Session, user_id: str, locale: str) -> list[tuple[str, str, str | None]]:
    """For `meine-daten`: meetings the person scheduled or was named in, and their answers."""
    out: list[tuple[str, str, str | None]] = []
    section = MYDATA_SECTION(locale)
    for meeting in session.exec(select(Meeting).order_by(col(Meeting.id))).all():
        when = f"{cal.format_day(meeting.first_day, locale)} {meeting.start_time.strftime('%H:%M')}"
        if meeting.organizer_id == user_id:
            out.append((section, MYDATA_ORGANIZED(locale, title=plain(meeting.title), when=when), meeting.channel_id))
        elif user_id in _participant_ids(meeting):
            out.append((section, MYDATA_NAMED(locale, title=plain(meeting.title), when=when), meeting.channel_id))
    rows = session.exec(select(MeetingRsvp, Meeting).join(Meeting, col(Meeting.id) == MeetingRsvp.meeting_id)
                        .where(MeetingRsvp.user_id == user_id)).all()
    for rsvp, meeting in rows:
        text = MYDATA_RSVP["yes" if rsvp.answer == "yes" else "no"](locale, title=plain(meeting.title))
        out.append((section, text, meeting.channel_id))
    return out


def forget(session: Session, user_id: str) -> None:
    """For `vergessen`: answers are deleted; meetings stay for the others but no longer name the person."""
    session.execute(sa.delete(MeetingRsvp).where(MeetingRsvp.user_id == user_id))
    session.execute(sa.update(Meeting).where(Meeting.organizer_id == user_id).values(organizer_id=FORGOTTEN))
    for meeting in session.exec(select(Meeting).where(col(Meeting.participants).contains(user_id))).all():
        meeting.participants = ",".join(uid for uid in _participant_ids(meeting) if uid != user_id)
        session.add(meeting)


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: meetings over or cancelled before the cutoff go, with their answers and ledger.

    Cancelled dates of running series stay: they are no personal data, and the calendar
    file's SEQUENCE counts them."""
    old = select(Meeting.id).where(sa.or_(col(Meeting.ends_at) < cutoff, col(Meeting.cancelled_at) < cutoff))
    ids = list(session.exec(old).all())
    counts = {"meeting_rsvp": 0, "meeting_cancellation": 0, "meeting_reminder": 0, "meeting": 0,
              "meeting_announcement": 0}
    if ids:
        for name, model in (("meeting_rsvp", MeetingRsvp), ("meeting_cancellation", MeetingCancellation),
                            ("meeting_reminder", ReminderLedger)):
            counts[name] += session.execute(sa.delete(model).where(col(model.meeting_id).in_(ids))).rowcount or 0
        counts["meeting"] = session.execute(sa.delete(Meeting).where(col(Meeting.id).in_(ids))).rowcount or 0
        # the announcement's outbox row was kept for editing it (bot.maintenance); with the meeting it goes
        counts["meeting_announcement"] = session.execute(sa.delete(OutboxItem).where(
            col(OutboxItem.key).in_([_announce_key(i) for i in ids]))).rowcount or 0
    # Ledger rows of running series are bookkeeping; past the cutoff they can never be due again.
    counts["meeting_reminder"] += session.execute(
        sa.delete(ReminderLedger).where(col(ReminderLedger.occurrence_start) < cutoff)).rowcount or 0
    return counts


HANDLERS = {"new": new_meeting, "now": instant_meeting, "list": list_meetings, "cancel": cancel, "ics": ics}

FEATURE = Feature(kind="meeting", run=run, help=help_text,
                  actions={"rsvp": rsvp_action, "join": join_action},
                  jobs=(send_reminders, refresh_announcements), my_data=my_data, forget=forget, purge=purge)
