"""/rufumleitung (/forward): call-forwarding announcements (SPEC §2.3, §3).

Staff working from home say where their office line goes (work mobile, a colleague
standing in, voicemail, a private line) and until when; the bot announces it in the
team channel and announces the end. Design choices, and why:

* A private line is announced as "Privatanschluss" only. Its number is never asked
  for, stored, logged or repeated; a number typed after `privat` is refused. No
  error message here repeats what was typed if it might be a number.
* Every change and its announcements are written in one transaction (the durable
  outbox), so an announcement is owed exactly when the change is stored. Outbox
  keys are deterministic per forward, channel and event, so a replayed job, a
  restart or a second replica never posts twice.
* Where: the channel the command was typed in; typed in a DM with the bot, every
  channel whose rotation has the person. The channels are remembered in the
  forward, so its end is announced in the same places.
* The end of a forward is claimed with a conditional UPDATE (`ended_at IS NULL`),
  so on PostgreSQL two replicas cannot both announce it.

The roster and `/anwesenheit @user` read forwards through `active_forwards` and
`describe_forward`; neither ever sees a private number (there is none).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.chat import User
from base.i18n import LocalizedError, Text, pick_locale
from base.safetext import plain
from commands import parsing
from commands.base import (
    ActionRequest,
    ActionResult,
    Context,
    DialogRequest,
    Feature,
    Reply,
    Services,
    SlashRequest,
)
from commands.channels import channel_locale
from commands.help import HELP_WORDS, render_help
from commands.leads import NOT_A_LEAD, audit, is_lead
from config.settings import Settings
from domain import calendar as cal
from domain.phone import TARGET_LABEL, has_digits, normalize_number
from domain.rotation import Where
from storage import presence
from storage.models import CallForward, ChannelSettings, OutboxItem, PhoneNumbers, Rotation, RotationMember
from storage.outbox import enqueue_dm, enqueue_patch, enqueue_post

log = logging.getLogger("amtsbote.forward")

KINDS = ("mobile", "colleague", "private", "voicemail")
SUBCOMMANDS = {
    "nummer": "number", "number": "number", "büronummer": "number", "bueronummer": "number",
    "handy": "mobile", "mobile": "mobile", "diensthandy": "mobile", "mobil": "mobile",
    "kollegin": "colleague", "kollege": "colleague", "colleague": "colleague", "vertretung": "colleague",
    "privat": "private", "private": "private",
    "ab": "voicemail", "voicemail": "voicemail", "mailbox": "voicemail", "anrufbeantworter": "voicemail",
    "aus": "off", "off": "off", "ende": "off", "end": "off", "stop": "off", "stopp": "off",
    "liste": "list", "list": "list",
}
UNTIL_WORDS = {"bis", "until", "till"}
FOR_WORDS = {"für", "fuer", "for"}
MAX_AHEAD = timedelta(days=366)
# Only used when a caller does not pass the bot's zone (BOT_TIMEZONE); the default deployment's zone.
FALLBACK_TZ = ZoneInfo(Settings.bot_timezone)

# -- texts ------------------------------------------------------------------------------------------

TITLE = Text(de="Rufumleitung", en="Call forwarding")
ENTRIES = [
    ("nummer 0391 540-1234", "number 0391 540-1234",
     Text(de="meine Büronummer (oder Durchwahl) hinterlegen; ohne Nummer: anzeigen",
          en="register my office number (or extension); without a number: show it")),
    ("handy [NUMMER] [bis ZEIT|DATUM]", "mobile [NUMBER] [until TIME|DATE]",
     Text(de="Umleitung aufs Diensthandy (die Nummer einmal angeben, dann wird sie gemerkt)",
          en="forward to the work mobile (give the number once, it is remembered)")),
    ("@kollegin [bis …]", "@colleague [until …]",
     Text(de="Umleitung zu einer Kollegin / einem Kollegen, die vertritt", en="forward to a colleague standing in")),
    ("privat [bis …]", "private [until …]",
     Text(de="Umleitung auf einen Privatanschluss – die Nummer wird nie abgefragt oder gespeichert",
          en="forward to a private line – the number is never asked for or stored")),
    ("ab [bis …]", "voicemail [until …]", Text(de="Umleitung auf den Anrufbeantworter", en="forward to voicemail")),
    ("aus", "off", Text(de="Umleitung beenden (wird angekündigt)", en="end the forward (announced)")),
    ("liste", "list", Text(de="aktive Umleitungen der Leute in diesem Kanal", en="active forwards of this channel's members")),
    ("… für @name", "… for @name", Text(de="für eine andere Person (nur Leitung)", en="for someone else (leads only)")),
]
HELP_FOOTER = Text(
    de="Ohne `bis` endet die Umleitung heute um {end} Uhr. `bis 14:00` = heute, `bis Freitag` oder `bis 27.11.` = "
       "an dem Tag um {end} Uhr. Im Teamkanal getippt, wird sie dort angekündigt; im Direktchat mit mir in allen "
       "Kanälen deiner Home-Office-Rotation.",
    en="Without `until` the forward ends today at {end}. `until 14:00` = today, `until Friday` or `until 27.11.` = "
       "that day at {end}. Typed in a team channel, it is announced there; in a direct message with me, in every "
       "channel of your home-office rotation.",
)

UNTIL_TODAY = Text(de="bis {time} Uhr", en="until {time}")
UNTIL_DAY = Text(de="bis {day}, {time} Uhr", en="until {day}, {time}")
AT_TIME = Text(de="{time} Uhr", en="{time}")

START_POST = Text(de="☎️ Rufumleitung: {name}{office} {forward}{by}.",
                  en="☎️ Call forwarding: {name}{office} {forward}{by}.")
OFFICE_PART = Text(de=" (Büro {number})", en=" (office {number})")
SET_BY = Text(de=" (eingetragen von {name})", en=" (set by {name})")
END_POST = Text(de="☎️ Rufumleitung beendet: {name} ist wieder direkt erreichbar{office}{by}.",
                en="☎️ Call forwarding ended: {name} can be reached directly again{office}{by}.")
EXPIRED_POST = Text(de="☎️ Die Rufumleitung von {name} ist um {time} ausgelaufen – wieder direkt erreichbar{office}.",
                    en="☎️ The call forwarding of {name} ended at {time} – reachable directly again{office}.")
DIRECT_OFFICE = Text(de=" unter {number}", en=" at {number}")
ENDED_BY = Text(de=" (beendet von {name})", en=" (ended by {name})")

SET_REPLY = Text(de="Rufumleitung eingetragen: {forward}. {where}", en="Call forwarding set: {forward}. {where}")
SET_FOR_REPLY = Text(de="Rufumleitung für {name} eingetragen: {forward}. {where}",
                     en="Call forwarding for {name} set: {forward}. {where}")
ANNOUNCED_IN = Text(de="Angekündigt in: {channels}.", en="Announced in: {channels}.")
ANNOUNCED_NOWHERE = Text(
    de="Angekündigt wurde sie nirgends: du bist in keiner Home-Office-Rotation. Tippe den Befehl im Teamkanal, "
       "dann erscheint sie dort.",
    en="It was not announced anywhere: you are in no home-office rotation. Type the command in your team channel "
       "to announce it there.",
)
ENDED_REPLY = Text(de="Rufumleitung beendet. {where}", en="Call forwarding ended. {where}")
ENDED_FOR_REPLY = Text(de="Rufumleitung von {name} beendet. {where}", en="Call forwarding of {name} ended. {where}")
NOTHING_TO_END = Text(de="Du hast gerade keine aktive Rufumleitung.", en="You have no active call forwarding right now.")
NOTHING_TO_END_FOR = Text(de="{name} hat gerade keine aktive Rufumleitung.",
                          en="{name} has no active call forwarding right now.")
SET_FOR_DM = Text(de="{lead} hat für dich eine Rufumleitung eingetragen: {forward}. Beenden: `/{trigger} aus`.",
                  en="{lead} set call forwarding for you: {forward}. To end it: `/{trigger} off`.")
ENDED_FOR_DM = Text(de="{lead} hat deine Rufumleitung beendet.", en="{lead} ended your call forwarding.")

NUMBER_SAVED = Text(de="Gespeichert: Büronummer {number}.", en="Saved: office number {number}.")
NUMBER_SAVED_FOR = Text(de="Gespeichert: Büronummer von {name}: {number}.", en="Saved: office number of {name}: {number}.")
NUMBERS_SHOW = Text(de="Büronummer: {office}\nDiensthandy: {mobile}", en="Office number: {office}\nWork mobile: {mobile}")
NOT_SET = Text(de="– (noch nicht hinterlegt)", en="– (not registered yet)")
STATUS_ACTIVE = Text(de="Deine Rufumleitung: {forward}.", en="Your call forwarding: {forward}.")
STATUS_NONE = Text(de="Du hast gerade keine Rufumleitung.", en="You have no call forwarding right now.")

LIST_TITLE = Text(de="**Aktive Rufumleitungen in diesem Kanal ({count})**",
                  en="**Active call forwarding in this channel ({count})**")
LIST_EMPTY = Text(de="In diesem Kanal hat gerade niemand eine Rufumleitung.",
                  en="Nobody in this channel has call forwarding right now.")

UNKNOWN_SUB = Text(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")
UNKNOWN_INPUT = Text(de="Das verstehe ich nicht.", en="I do not understand that.")
NEED_MOBILE = Text(
    de="Für dich ist noch keine Diensthandynummer hinterlegt. Gib sie einmal mit an, z. B. "
       "`/{trigger} handy 0171 2345678`; danach reicht `/{trigger} handy`. Es wurde nichts geändert.",
    en="No work mobile number is registered for you yet. Give it once, e.g. `/{trigger} mobile 0171 2345678`; "
       "after that `/{trigger} mobile` is enough. Nothing was changed.",
)
NEED_MOBILE_FOR = Text(
    de="Für {name} ist noch keine Diensthandynummer hinterlegt. Gib sie mit an, z. B. "
       "`/{trigger} handy 0171 2345678 für @name`. Es wurde nichts geändert.",
    en="No work mobile number is registered for {name}. Give it, e.g. `/{trigger} mobile 0171 2345678 for @name`. "
       "Nothing was changed.",
)
PRIVATE_NO_NUMBER = Text(
    de="Eine private Nummer brauche ich nicht und speichere sie auch nicht – angekündigt wird nur "
       "„Privatanschluss“. Schreib einfach `/{trigger} privat` (optional mit `bis 16:00`). Es wurde nichts gespeichert.",
    en="I do not need a private number and never store one – the announcement only says “private line”. "
       "Just type `/{trigger} private` (optionally with `until 16:00`). Nothing was stored.",
)
TARGET_USAGE = Text(
    de="So geht’s: `/{trigger} {example}` – optional mit `bis 14:00`, `bis Freitag` oder `bis 27.11.`.",
    en="Usage: `/{trigger} {example}` – optionally with `until 14:00`, `until Friday` or `until 27.11.`.",
)
NUMBER_USAGE = Text(de="So geht’s: `/{trigger} nummer 0391 540-1234` (oder nur die Durchwahl, z. B. `1234`).",
                    en="Usage: `/{trigger} number 0391 540-1234` (or just the extension, e.g. `1234`).")
OFF_USAGE = Text(de="So geht’s: `/{trigger} aus` (oder als Leitung `/{trigger} aus für @name`).",
                 en="Usage: `/{trigger} off` (or as a lead `/{trigger} off for @name`).")
FOR_USAGE = Text(de="Nach „für“ fehlt die Person, z. B. `für @bernd.mueller`.",
                 en="The person is missing after “for”, e.g. `for @bernd.mueller`.")
UNTIL_USAGE = Text(
    de="Bis wann? Erlaubt sind eine Uhrzeit (`bis 14:00`, `bis 14 Uhr` = heute), ein Tag (`bis Freitag`, "
       "`bis morgen`, `bis 27.11.` = an dem Tag um {end} Uhr) oder beides (`bis 27.11. 12:00`).",
    en="Until when? Use a time (`until 14:00` = today), a day (`until Friday`, `until tomorrow`, `until 27.11.` = "
       "that day at {end}) or both (`until 27.11. 12:00`).",
)
UNTIL_PAST = Text(de="Das Ende ({until}) liegt in der Vergangenheit. Bitte einen späteren Zeitpunkt angeben, "
                     "z. B. `bis morgen`. Es wurde nichts geändert.",
                  en="The end ({until}) is in the past. Please give a later time, e.g. `until tomorrow`. "
                     "Nothing was changed.")
DEFAULT_END_PASSED = Text(
    de="Es ist schon nach {end} Uhr, dem üblichen Ende einer Rufumleitung. Bitte gib an, bis wann, z. B. "
       "`bis 20:00` oder `bis morgen`. Es wurde nichts geändert.",
    en="It is already past {end}, when call forwarding normally ends. Please say until when, e.g. "
       "`until 20:00` or `until tomorrow`. Nothing was changed.",
)
UNTIL_TOO_FAR = Text(de="So weit im Voraus geht es nicht: höchstens ein Jahr. Es wurde nichts geändert.",
                     en="That is too far ahead: at most one year. Nothing was changed.")
SELF_COLLEAGUE = Text(de="Zu dir selbst kannst du nicht umleiten. Nenne die Kollegin oder den Kollegen, die vertritt.",
                      en="You cannot forward to yourself. Name the colleague standing in.")
BOT_COLLEAGUE = Text(de="Zu einem Bot kann nicht umgeleitet werden.", en="Calls cannot be forwarded to a bot.")

PROMPT_DM = Text(
    de="Guten Morgen! Du arbeitest heute ({day}) im Home-Office. Soll dein Bürotelefon umgeleitet werden?",
    en="Good morning! You are working from home today ({day}). Shall your office phone be forwarded?",
)
REMIND_DM = Text(
    de="Du bist heute ({day}) im Büro, aber deine Rufumleitung ist noch aktiv: {forward}. Soll sie jetzt enden?",
    en="You are in the office today ({day}), but your call forwarding is still active: {forward}. End it now?",
)
BUTTON_MOBILE = Text(de="Diensthandy", en="Work mobile")
BUTTON_COLLEAGUE = Text(de="Kollegin/Kollege …", en="Colleague…")
BUTTON_SKIP = Text(de="Nicht nötig", en="Not needed")
BUTTON_END = Text(de="Beenden", en="End it")
PROMPT_DONE = Text(de="Erledigt – Rufumleitung {forward}. {where}", en="Done – call forwarding {forward}. {where}")
PROMPT_SKIPPED = Text(de="Alles klar, heute keine Rufumleitung.", en="All right, no call forwarding today.")
PROMPT_TYPE_COLLEAGUE = Text(
    de="Tippe dafür `/{trigger} @name` (optional mit `bis 14:00`), z. B. `/{trigger} @claudia.weber`.",
    en="For that, type `/{trigger} @name` (optionally with `until 14:00`), e.g. `/{trigger} @claudia.weber`.",
)
PROMPT_DIALOG_OPENED = Text(de="Wähle im Dialog, wer vertritt.", en="Choose in the dialog who stands in.")
REMIND_ENDED = Text(de="Rufumleitung beendet. {where}", en="Call forwarding ended. {where}")
ALREADY_ENDED = Text(de="Diese Rufumleitung ist schon beendet.", en="This call forwarding has already ended.")
DIALOG_TITLE = Text(de="Umleiten zu …", en="Forward to …")
DIALOG_WHO = Text(de="Wer vertritt?", en="Who stands in?")
DIALOG_UNTIL = Text(de="Bis (optional)", en="Until (optional)")
DIALOG_UNTIL_HELP = Text(de="z. B. 14:00, Freitag oder 27.11. – leer: heute {end} Uhr",
                         en="e.g. 14:00, Friday or 27.11. – empty: today {end}")
DIALOG_SUBMIT = Text(de="Umleiten", en="Forward")

MY_FORWARDS = Text(de="Rufumleitungen", en="Call forwards")
MY_FORWARD_LINE = Text(de="{forward} ({state})", en="{forward} ({state})")
MY_STANDIN_LINE = Text(de="als Vertretung in einer Rufumleitung {until} ({state})",
                       en="as the colleague standing in for a forward {until} ({state})")
STATE_ACTIVE = Text(de="aktiv", en="active")
STATE_ENDED = Text(de="beendet", en="ended")


def help_text(locale: str, trigger: str, end: time = Settings.forward_default_end) -> str:
    return render_help(TITLE, ENTRIES, locale, trigger) + "\n\n" + HELP_FOOTER(locale, end=end.strftime("%H:%M"))


def _trigger(request: SlashRequest) -> str:
    return request.command.lstrip("/") or "rufumleitung"


def _name(user: User | None, fallback: str = "?") -> str:
    return plain(user.display_name if user else fallback, max_length=60)


# -- what the roster and /anwesenheit read -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForwardView:
    """An active forward as others may see it. Holds no phone number at all: numbers come from
    `PhoneNumbers` (work numbers only); a private line has none anywhere."""

    user_id: str
    target: str  # mobile | colleague | private | voicemail
    colleague_id: str | None
    until: datetime  # aware, in the bot's time zone
    today: date  # the local day the view was made on: `until` shows its date only if it is another day
    forward_id: int = 0


def _view(row: CallForward, now: datetime, tz: tzinfo) -> ForwardView:
    return ForwardView(user_id=row.user_id, target=row.target, colleague_id=row.colleague_id,
                       until=row.until.astimezone(tz), today=now.astimezone(tz).date(), forward_id=row.id or 0)


def active_forwards(session: Session, user_ids: list[str], now: datetime, *,
                    tz: tzinfo | None = None) -> dict[str, ForwardView]:
    """user id -> the person's active forward (not ended, `until` still ahead). Pass the bot's
    zone (`services.tz`) as `tz`; without it BOT_TIMEZONE's default is assumed."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    zone = tz or FALLBACK_TZ
    found: dict[str, ForwardView] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(CallForward)
            .where(col(CallForward.user_id).in_(ids[start:start + 500]), col(CallForward.ended_at).is_(None),
                   CallForward.until > now)
            .order_by(col(CallForward.created_at), col(CallForward.id))
        ).all()
        for row in rows:  # newest last, so it wins
            found[row.user_id] = _view(row, now, zone)
    return found


def _number(numbers: Mapping[str, Any], user_id: str | None, attribute: str) -> str | None:
    entry = numbers.get(user_id) if user_id else None
    return getattr(entry, attribute, None) or None


def until_text(until: datetime, today: date, locale: str) -> str:
    """"bis 18:00 Uhr" today, "bis Fr, 27.11.2026, 18:00 Uhr" on another day (en: "until …")."""
    clock = until.strftime("%H:%M")
    if until.date() == today:
        return UNTIL_TODAY(locale, time=clock)
    return UNTIL_DAY(locale, day=cal.format_day(until.date(), locale), time=clock)


def describe_forward(view: ForwardView, locale: str, names: Mapping[str, str], numbers: Mapping[str, Any]) -> str:
    """One line for the roster and for announcements, e.g. "→ Diensthandy 0171 2345678 bis 18:00 Uhr",
    "→ Claudia Weber (0391 540-2000) bis Fr, 27.11.2026, 18:00 Uhr", "→ Privatanschluss bis 18:00 Uhr".

    `numbers` maps user id -> a `PhoneNumbers` row (or anything with `office`/`mobile`). The mobile
    shown is the person's registered work mobile; a colleague is shown with their office number."""
    label = TARGET_LABEL.get(view.target, TARGET_LABEL["voicemail"])(locale)
    if view.target == "mobile":
        number = _number(numbers, view.user_id, "mobile")
        target = f"{label} {number}" if number else label
    elif view.target == "colleague":
        name = names.get(view.colleague_id or "")
        target = plain(name, max_length=60) if name else label
        office = _number(numbers, view.colleague_id, "office")
        if office:
            target += f" ({office})"
    else:  # private and voicemail: never a number
        target = label
    return f"→ {target} {until_text(view.until, view.today, locale)}"


# -- parsing -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parsed:
    """A forwarding command taken apart, before anything is looked up."""

    action: str  # number | mobile | colleague | private | voicemail | off
    rest: list[str]  # the tokens that are neither `bis …` nor `für @…`
    until: list[str]  # the tokens after `bis`
    subject: str | None  # the `@name` after `für`, if any


def parse(action: str, tokens: list[str], *, end_text: str) -> Parsed:
    tokens = list(tokens)
    subject = None
    for i, token in enumerate(tokens):
        if token.lower() in FOR_WORDS:
            if i + 1 >= len(tokens) or not tokens[i + 1].startswith("@"):
                raise LocalizedError(FOR_USAGE)
            subject = tokens[i + 1]
            del tokens[i:i + 2]
            break
    until: list[str] = []
    for i, token in enumerate(tokens):
        if token.lower() in UNTIL_WORDS:
            until = tokens[i + 1:]
            tokens = tokens[:i]
            if not until:
                raise LocalizedError(UNTIL_USAGE, end=end_text)
            break
    return Parsed(action, tokens, until, subject)


def _number_like(token: str) -> bool:
    """A token that may be (part of) a phone number rather than a date or time."""
    return sum(ch.isdigit() for ch in token) >= 3 and all(ch.isdigit() or ch in "+()/-" for ch in token)


def resolve_until(tokens: list[str], *, now: datetime, tz: tzinfo, default_end: time) -> datetime:
    """The end of a forward from the words after `bis` (none: today at `default_end`), as an aware
    local datetime that lies ahead. A time alone means today; a day alone means that day at
    `default_end`; both may be given in either order."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    end_text = default_end.strftime("%H:%M")
    if not tokens:
        until = datetime.combine(today, default_end, tzinfo=tz)
        if until <= now:
            raise LocalizedError(DEFAULT_END_PASSED, end=end_text)
        return until
    day: date | None = None
    at: time | None = None
    i = 0
    try:
        while i < len(tokens):
            if at is None and (taken_time := parsing.take_time(tokens, i)) is not None:
                at, i = taken_time
            elif day is None and (taken_day := parsing.take_date(tokens, i, today=today)) is not None:
                day, i = taken_day
            else:
                raise LocalizedError(UNTIL_USAGE, end=end_text)
    except LocalizedError as error:
        if any(_number_like(t) for t in tokens):  # never repeat what may be a phone number
            raise LocalizedError(UNTIL_USAGE, end=end_text) from None
        raise error from None
    until = datetime.combine(day or today, at or default_end, tzinfo=tz)
    if until <= now:
        raise LocalizedError(UNTIL_PAST, until=_past_label(until, today))
    if until - now > MAX_AHEAD:
        raise LocalizedError(UNTIL_TOO_FAR)
    return until


def _past_label(until: datetime, today: date) -> str:
    """The refused end, written language-neutrally ("24.11.2026 14:00")."""
    return until.strftime("%H:%M") if until.date() == today else until.strftime("%d.%m.%Y %H:%M")


# -- storing and announcing ----------------------------------------------------------------------------


def _numbers(session: Session, user_ids: Iterable[str | None]) -> dict[str, PhoneNumbers]:
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return {}
    return {n.user_id: n for n in session.exec(select(PhoneNumbers).where(col(PhoneNumbers.user_id).in_(ids))).all()}


def rotation_channels(session: Session, user_id: str) -> list[str]:
    """The channels whose rotation has the person: where a forward typed in a DM is announced."""
    return sorted(session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)).all())


def _split_channels(value: str) -> list[str]:
    return [c for c in value.split(",") if c]


@dataclass(frozen=True, slots=True)
class NewForward:
    subject: User
    target: str
    colleague: User | None
    until: datetime
    channels: list[str]
    actor: User


def _office_part(numbers: Mapping[str, PhoneNumbers], user_id: str, text: Text, locale: str) -> str:
    office = _number(numbers, user_id, "office")
    return text(locale, number=office) if office else ""


def store_forward(session: Session, services: Services, new: NewForward, *, now: datetime, trigger: str) -> CallForward:
    """Replace the person's active forward with `new` and owe its announcements, in the caller's
    transaction. Channels the old forward was announced in and the new one is not get its end."""
    subject = new.subject
    previous = session.exec(select(CallForward).where(CallForward.user_id == subject.id,
                                                      col(CallForward.ended_at).is_(None))).all()
    # claimed like the expiry job does, so a concurrent expiry and this replacement announce one end
    ended = [old for old in previous if old.id is not None and _claim_end(session, old.id, min(now, old.until))]
    forward = CallForward(user_id=subject.id, target=new.target, colleague_id=new.colleague.id if new.colleague else None,
                          until=new.until, channels=",".join(new.channels), created_at=now, set_by=new.actor.id)
    session.add(forward)
    session.flush()
    names = {subject.id: subject.display_name}
    if new.colleague:
        names[new.colleague.id] = new.colleague.display_name
    numbers = _numbers(session, [subject.id, forward.colleague_id])
    view = _view(forward, now, services.tz)
    by_lead = new.actor.id != subject.id
    default_locale = services.settings.bot_locale
    for channel_id in new.channels:
        locale = channel_locale(session, channel_id, default_locale)
        by = SET_BY(locale, name=_name(new.actor)) if by_lead else ""
        enqueue_post(session, key=f"fwd:{forward.id}:start:{channel_id}", channel_id=channel_id, now=now,
                     message=START_POST(locale, name=_name(subject), forward=describe_forward(view, locale, names, numbers),
                                        office=_office_part(numbers, subject.id, OFFICE_PART, locale), by=by))
    for old in ended:
        stale = [c for c in _split_channels(old.channels) if c not in new.channels]
        _announce_end(session, services, old, stale, subject=subject, numbers=numbers, now=now, actor=None,
                      expired=old.until <= now)
    if by_lead:
        locale = pick_locale(subject.locale, default_locale)
        audit(session, actor_id=new.actor.id, subject_id=subject.id, channel_id=new.channels[0] if new.channels else None,
              action="forward:set", detail={"target": new.target, "until": new.until.isoformat(timespec="minutes")},
              now=now)
        enqueue_dm(session, key=f"fwd:{forward.id}:setby", user_id=subject.id, now=now,
                   message=SET_FOR_DM(locale, lead=_name(new.actor), trigger=trigger,
                                      forward=describe_forward(view, locale, names, numbers)))
    return forward


def _announce_end(session: Session, services: Services, forward: CallForward, channels: list[str], *, subject: User | None,
                  numbers: Mapping[str, PhoneNumbers], now: datetime, actor: User | None, expired: bool = False) -> None:
    default_locale = services.settings.bot_locale
    for channel_id in channels:
        locale = channel_locale(session, channel_id, default_locale)
        office = _office_part(numbers, forward.user_id, DIRECT_OFFICE, locale)
        if expired:
            local_end = forward.until.astimezone(services.tz)
            at = AT_TIME(locale, time=local_end.strftime("%H:%M"))
            if local_end.date() != now.astimezone(services.tz).date():
                at = f"{cal.format_day(local_end.date(), locale)}, {at}"
            message = EXPIRED_POST(locale, name=_name(subject), time=at, office=office)
        else:
            by = ENDED_BY(locale, name=_name(actor)) if actor is not None and actor.id != forward.user_id else ""
            message = END_POST(locale, name=_name(subject), office=office, by=by)
        enqueue_post(session, key=f"fwd:{forward.id}:end:{channel_id}", channel_id=channel_id, message=message, now=now)


def _claim_end(session: Session, forward_id: int, ended_at: datetime) -> bool:
    """Mark a forward ended unless someone else (another replica, a button) already did."""
    result = session.execute(sa.update(CallForward).where(CallForward.id == forward_id,
                                                          col(CallForward.ended_at).is_(None))
                             .values(ended_at=ended_at))
    return (result.rowcount or 0) == 1


def end_forward(session: Session, services: Services, forward: CallForward, *, subject: User, actor: User,
                now: datetime) -> bool:
    """End `forward` now and owe its end announcements; False if it had already ended."""
    if forward.id is None or not _claim_end(session, forward.id, now):
        return False
    numbers = _numbers(session, [forward.user_id])
    _announce_end(session, services, forward, _split_channels(forward.channels), subject=subject, numbers=numbers,
                  now=now, actor=actor)
    if actor.id != subject.id:
        audit(session, actor_id=actor.id, subject_id=subject.id, channel_id=_split_channels(forward.channels)[0]
              if forward.channels else None, action="forward:end", detail={"target": forward.target}, now=now)
        enqueue_dm(session, key=f"fwd:{forward.id}:endby", user_id=subject.id, now=now,
                   message=ENDED_FOR_DM(pick_locale(subject.locale, services.settings.bot_locale), lead=_name(actor)))
    return True


async def _where_text(ctx: Context, channels: list[str], *, dm: bool) -> str:
    if not channels:
        return ANNOUNCED_NOWHERE(ctx.locale) if dm else ""
    names = []
    for channel_id in channels:
        try:
            names.append(plain((await ctx.mm.channel(channel_id)).display_name, max_length=60))
        except Exception:  # a channel we can no longer see: the post is owed all the same
            names.append("?")
    return ANNOUNCED_IN(ctx.locale, channels=", ".join(names))


async def _announce_channels(ctx: Context, subject_id: str) -> tuple[list[str], bool]:
    """(channels, typed in a DM): the current channel, or in a DM the person's rotation channels."""
    is_direct = not ctx.channel_id or (await ctx.channel()).is_direct
    if not is_direct:
        return [ctx.channel_id], False
    with ctx.db.read() as session:
        return rotation_channels(session, subject_id), True


# -- the command -----------------------------------------------------------------------------------


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = _trigger(request)
    text = request.text.strip()
    if text.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger, ctx.settings.forward_default_end))
    if not text:
        return await status(ctx, trigger)
    tokens = parsing.tokenize(text)
    head = tokens[0].lower()
    if head.startswith("@"):
        action, args = "colleague", tokens
    else:
        action, args = SUBCOMMANDS.get(head, ""), tokens[1:]
    if not action:
        # a first word with digits may be a number typed without `handy`: not repeated
        unknown = (UNKNOWN_INPUT(ctx.locale) if has_digits(tokens[0])
                   else UNKNOWN_SUB(ctx.locale, word=plain(tokens[0], max_length=30)))
        return Reply(unknown + "\n\n" + help_text(ctx.locale, trigger, ctx.settings.forward_default_end))
    if args and args[0].lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger, ctx.settings.forward_default_end))
    if action == "list":
        return await list_forwards(ctx)
    parsed = parse(action, args, end_text=ctx.settings.forward_default_end.strftime("%H:%M"))
    if action == "private" and any(has_digits(t) for t in parsed.rest):
        raise LocalizedError(PRIVATE_NO_NUMBER, trigger=trigger)
    subject = await _subject(request, ctx, parsed)
    if action == "number":
        return await register_number(ctx, parsed, subject, trigger)
    if action == "off":
        return await end_command(ctx, parsed, subject, trigger)
    return await set_command(request, ctx, parsed, subject, trigger)


async def _subject(request: SlashRequest, ctx: Context, parsed: Parsed) -> User:
    """Whose forward this is: the caller, or with `für @name` someone else (leads only)."""
    if parsed.subject is None:
        return ctx.user
    (subject,) = await ctx.users_by_mention([parsed.subject], request.user_mentions)
    if subject.id != ctx.user.id and not await is_lead(ctx):
        raise LocalizedError(NOT_A_LEAD)
    return subject


async def register_number(ctx: Context, parsed: Parsed, subject: User, trigger: str) -> Reply:
    if parsed.until:
        raise LocalizedError(NUMBER_USAGE, trigger=trigger)
    if not parsed.rest:
        with ctx.db.read() as session:
            row = session.get(PhoneNumbers, subject.id)
        missing = NOT_SET(ctx.locale)
        return Reply(NUMBERS_SHOW(ctx.locale, office=(row.office if row else None) or missing,
                                  mobile=(row.mobile if row else None) or missing))
    number = normalize_number(" ".join(parsed.rest))
    with ctx.db.write() as session:
        row = session.get(PhoneNumbers, subject.id) or PhoneNumbers(user_id=subject.id)
        row.office = number
        session.add(row)
        audit(session, actor_id=ctx.user.id, subject_id=subject.id, channel_id=ctx.channel_id, action="number:office",
              now=ctx.now)
    if subject.id != ctx.user.id:
        return Reply(NUMBER_SAVED_FOR(ctx.locale, name=_name(subject), number=number))
    return Reply(NUMBER_SAVED(ctx.locale, number=number))


async def set_command(request: SlashRequest, ctx: Context, parsed: Parsed, subject: User, trigger: str) -> Reply:
    colleague = None
    mobile = None
    if parsed.action == "colleague":
        if len(parsed.rest) != 1 or not parsed.rest[0].startswith("@"):
            raise LocalizedError(TARGET_USAGE, trigger=trigger, example="@claudia.weber")
        (colleague,) = await ctx.users_by_mention(parsed.rest, request.user_mentions)
        if colleague.id == subject.id:
            raise LocalizedError(SELF_COLLEAGUE)
        if colleague.is_bot:
            raise LocalizedError(BOT_COLLEAGUE)
    elif parsed.action == "mobile":
        if parsed.rest:
            mobile = normalize_number(" ".join(parsed.rest))
    elif parsed.rest:  # private has been refused above if it held digits; voicemail takes nothing
        example = {"private": "privat", "voicemail": "ab"}[parsed.action] if ctx.locale != "en" else parsed.action
        raise LocalizedError(TARGET_USAGE, trigger=trigger, example=example)
    try:
        until = resolve_until(parsed.until, now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    except LocalizedError:
        if parsed.action == "private" and any(_number_like(t) for t in parsed.until):
            raise LocalizedError(PRIVATE_NO_NUMBER, trigger=trigger) from None
        raise
    channels, dm = await _announce_channels(ctx, subject.id)
    new = NewForward(subject=subject, target=parsed.action, colleague=colleague, until=until, channels=channels,
                     actor=ctx.user)
    with ctx.db.write() as session:
        numbers = session.get(PhoneNumbers, subject.id)
        if parsed.action == "mobile":
            if mobile is not None:
                numbers = numbers or PhoneNumbers(user_id=subject.id)
                numbers.mobile = mobile
                session.add(numbers)
            elif numbers is None or not numbers.mobile:
                if subject.id != ctx.user.id:
                    raise LocalizedError(NEED_MOBILE_FOR, name=_name(subject), trigger=trigger)
                raise LocalizedError(NEED_MOBILE, trigger=trigger)
        forward = store_forward(session, ctx.services, new, now=ctx.now, trigger=trigger)
        view = _view(forward, ctx.now, ctx.tz)
        names = {u.id: u.display_name for u in (subject, colleague) if u is not None}
        described = describe_forward(view, ctx.locale, names, _numbers(session, [subject.id, forward.colleague_id]))
    ctx.services.notify_outbox()
    where = await _where_text(ctx, channels, dm=dm)
    if subject.id != ctx.user.id:
        return Reply(SET_FOR_REPLY(ctx.locale, name=_name(subject), forward=described, where=where).strip())
    return Reply(SET_REPLY(ctx.locale, forward=described, where=where).strip())


async def end_command(ctx: Context, parsed: Parsed, subject: User, trigger: str) -> Reply:
    if parsed.rest or parsed.until:
        raise LocalizedError(OFF_USAGE, trigger=trigger)
    ended: list[str] = []
    with ctx.db.write() as session:
        # one that has run out but is not yet claimed is left to `expire_forwards`, which announces it
        rows = session.exec(select(CallForward).where(CallForward.user_id == subject.id, CallForward.until > ctx.now,
                                                      col(CallForward.ended_at).is_(None))).all()
        for row in rows:
            if end_forward(session, ctx.services, row, subject=subject, actor=ctx.user, now=ctx.now):
                ended += [c for c in _split_channels(row.channels) if c not in ended]
    ctx.services.notify_outbox()
    if not rows:
        if subject.id != ctx.user.id:
            return Reply(NOTHING_TO_END_FOR(ctx.locale, name=_name(subject)))
        return Reply(NOTHING_TO_END(ctx.locale))
    where = await _where_text(ctx, ended, dm=False)
    if subject.id != ctx.user.id:
        return Reply(ENDED_FOR_REPLY(ctx.locale, name=_name(subject), where=where).strip())
    return Reply(ENDED_REPLY(ctx.locale, where=where).strip())


async def _names_for(ctx: Context, views: Mapping[str, ForwardView], known: dict[str, str]) -> dict[str, str]:
    missing = [v.colleague_id for v in views.values() if v.colleague_id and v.colleague_id not in known]
    if missing:
        known.update({u.id: u.display_name for u in (await ctx.mm.users(missing)).values()})
    return known


async def list_forwards(ctx: Context) -> Reply:
    members = [u for u in await ctx.mm.channel_members(ctx.channel_id) if not u.is_bot]
    names = {u.id: u.display_name for u in members}
    with ctx.db.read() as session:
        views = active_forwards(session, list(names), ctx.now, tz=ctx.tz)
        numbers = _numbers(session, list(views) + [v.colleague_id for v in views.values()])
    if not views:
        return Reply(LIST_EMPTY(ctx.locale))
    names = await _names_for(ctx, views, names)
    lines = [LIST_TITLE(ctx.locale, count=len(views))]
    for user_id in sorted(views, key=lambda u: names.get(u, "").casefold()):
        lines.append(f"- {plain(names.get(user_id, '?'), max_length=60)} {describe_forward(views[user_id], ctx.locale, names, numbers)}")
    return Reply("\n".join(lines))


async def status(ctx: Context, trigger: str) -> Reply:
    """No arguments: my current forward and my numbers, then the help."""
    with ctx.db.read() as session:
        view = active_forwards(session, [ctx.user.id], ctx.now, tz=ctx.tz).get(ctx.user.id)
        numbers = _numbers(session, [ctx.user.id, view.colleague_id if view else None])
    row = numbers.get(ctx.user.id)
    missing = NOT_SET(ctx.locale)
    lines = []
    if view is not None:
        names = await _names_for(ctx, {ctx.user.id: view}, {ctx.user.id: ctx.user.display_name})
        lines.append(STATUS_ACTIVE(ctx.locale, forward=describe_forward(view, ctx.locale, names, numbers)))
    else:
        lines.append(STATUS_NONE(ctx.locale))
    lines.append(NUMBERS_SHOW(ctx.locale, office=(row.office if row else None) or missing,
                              mobile=(row.mobile if row else None) or missing))
    return Reply("\n".join(lines) + "\n\n" + help_text(ctx.locale, trigger, ctx.settings.forward_default_end))


# -- expiry ------------------------------------------------------------------------------------------


async def expire_forwards(services: Services) -> int:
    """End every forward whose `until` has passed and announce it, once. A forward whose end fell
    into a downtime is ended on the first tick after it; the claim (`ended_at IS NULL`) and the
    outbox keys make a repeated or concurrent run a no-op. Returns how many were ended."""
    now = services.clock.now()
    with services.db.read() as session:
        due = session.exec(select(CallForward).where(col(CallForward.ended_at).is_(None), CallForward.until <= now)
                           .order_by(col(CallForward.until)).limit(500)).all()
    if not due:
        return 0
    users = await services.mm.users(sorted({f.user_id for f in due}))
    ended = 0
    with services.db.write() as session:
        numbers = _numbers(session, [f.user_id for f in due])
        for forward in due:
            if forward.id is None or not _claim_end(session, forward.id, forward.until):
                continue  # ended meanwhile (a replica, a button, `aus`)
            _announce_end(session, services, forward, _split_channels(forward.channels), subject=users.get(forward.user_id),
                          numbers=numbers, now=now, actor=None, expired=True)
            ended += 1
    if ended:
        services.notify_outbox()
        log.info("call forwarding: %s forward(s) expired", ended)
    return ended


# -- morning prompts ---------------------------------------------------------------------------------


def _roster_time(row: ChannelSettings | None, default: time) -> time:
    if row is not None and row.roster_time:
        hour, minute = row.roster_time.split(":")
        return time(int(hour), int(minute))
    return default


def _prompt_key(user_id: str, day: date) -> str:
    return f"fwd:prompt:{user_id}:{day.isoformat()}"


def _remind_key(user_id: str, day: date) -> str:
    return f"fwd:remind:{user_id}:{day.isoformat()}"


def _end_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


async def morning_prompts(services: Services) -> int:
    """On a working morning, after the channel's roster time and before ROSTER_LATEST, in rotations
    that enabled it: DM each member working from home without an active forward a prompt, and each
    member back in the office whose forward is still active a reminder. Once per person and day
    (the outbox keys); people already asked today are filtered out before Mattermost is asked."""
    now = services.clock.now()
    tz = services.tz
    local = now.astimezone(tz)
    today = local.date()
    if local.weekday() >= 5 or local.time() >= services.settings.roster_latest:
        return 0
    with services.db.read() as session:
        rotations = session.exec(select(Rotation).where(Rotation.forward_prompts == sa.true())).all()
        if not rotations:
            return 0
        settings_rows = {r.channel_id: r for r in session.exec(select(ChannelSettings).where(
            col(ChannelSettings.channel_id).in_([r.channel_id for r in rotations]))).all()}
        home: set[str] = set()
        office: set[str] = set()
        for rotation in rotations:
            if local.time() < _roster_time(settings_rows.get(rotation.channel_id), services.settings.roster_time):
                continue
            result = presence.channel_plan(session, rotation.channel_id, today, today)
            if not result or not result[2]:
                continue
            entries = result[2][0].entries
            home.update(u for u, where in entries.items() if where is Where.HOME)
            office.update(u for u, where in entries.items() if where is Where.OFFICE)
        office -= home
        active = active_forwards(session, sorted(home | office), now, tz=tz)
        wanted = {_prompt_key(u, today): u for u in home if u not in active}
        wanted.update({_remind_key(u, today): u for u in office if u in active})
        if not wanted:
            return 0
        done = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(list(wanted)))).all())
        wanted = {k: u for k, u in wanted.items() if k not in done}
        numbers = _numbers(session, [active[u].colleague_id for u in wanted.values() if u in active])
    if not wanted:
        return 0
    users = await services.mm.users(sorted(set(wanted.values())))
    colleague_ids = [active[u].colleague_id for u in wanted.values() if u in active and active[u].colleague_id]
    names = {u.id: u.display_name for u in (await services.mm.users(colleague_ids)).values()} if colleague_ids else {}
    expires = _end_of_day(today, tz)
    sent = 0
    with services.db.write() as session:
        numbers.update(_numbers(session, wanted.values()))
        for key, user_id in sorted(wanted.items()):
            user = users.get(user_id)
            if user is None or user.is_bot or user.deleted:
                continue
            locale = pick_locale(user.locale, services.settings.bot_locale)
            ctx = Context(services=services, user=user, channel_id="", team_id="", locale=locale, now=now)
            day = cal.format_day(today, locale)
            if key.startswith("fwd:prompt:"):
                data = {"day": today.isoformat()}
                buttons = [ctx.button(BUTTON_MOBILE, "forward.mobile", data, user_id=user_id, expires=expires,
                                      style="primary", action_id="fwdmobile"),
                           ctx.button(BUTTON_COLLEAGUE, "forward.colleague", data, user_id=user_id, expires=expires,
                                      action_id="fwdcolleague"),
                           ctx.button(BUTTON_SKIP, "forward.skip", data, user_id=user_id, expires=expires,
                                      action_id="fwdskip")]
                message = PROMPT_DM(locale, day=day)
            else:
                view = active[user_id]
                buttons = [ctx.button(BUTTON_END, "forward.end", {"f": view.forward_id}, user_id=user_id,
                                      expires=min(expires, view.until), style="danger", action_id="fwdend")]
                message = REMIND_DM(locale, day=day, forward=describe_forward(view, locale, names, numbers))
            enqueue_dm(session, key=key, user_id=user_id, message=message, now=now,
                       props={"attachments": [{"text": "", "actions": buttons}]})
            sent += 1
    if sent:
        services.notify_outbox()
    return sent


# -- buttons and the dialog ----------------------------------------------------------------------------


def _prompt_day(request: ActionRequest | DialogRequest, ctx: Context) -> date:
    try:
        return date.fromisoformat(str(request.data.get("day")))
    except ValueError:
        return ctx.today


async def _set_from_prompt(ctx: Context, target: str, colleague: User | None, until: datetime, day: date, *,
                           edit_prompt: bool) -> str:
    """Set a forward from the morning prompt (announced in the rotation channels); the done text.
    With `edit_prompt` (the dialog, which cannot answer with an update) the prompt DM is edited
    through the outbox so its buttons go away."""
    with ctx.db.read() as session:
        channels = rotation_channels(session, ctx.user.id)
    new = NewForward(subject=ctx.user, target=target, colleague=colleague, until=until, channels=channels,
                     actor=ctx.user)
    with ctx.db.write() as session:
        if target == "mobile":
            row = session.get(PhoneNumbers, ctx.user.id)
            if row is None or not row.mobile:
                raise LocalizedError(NEED_MOBILE, trigger=ctx.settings.command_triggers.get("forward", "rufumleitung"))
        forward = store_forward(session, ctx.services, new, now=ctx.now, trigger="")
        names = {u.id: u.display_name for u in (ctx.user, colleague) if u is not None}
        described = describe_forward(_view(forward, ctx.now, ctx.tz), ctx.locale, names,
                                     _numbers(session, [ctx.user.id, forward.colleague_id]))
        if edit_prompt:
            enqueue_patch(session, key=f"{_prompt_key(ctx.user.id, day)}:done", target_key=_prompt_key(ctx.user.id, day),
                          message=PROMPT_DONE(ctx.locale, forward=described, where="").strip(), props={}, now=ctx.now)
    ctx.services.notify_outbox()
    where = await _where_text(ctx, channels, dm=True)
    return PROMPT_DONE(ctx.locale, forward=described, where=where).strip()


async def prompt_mobile(request: ActionRequest, ctx: Context) -> ActionResult:
    until = resolve_until([], now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    text = await _set_from_prompt(ctx, "mobile", None, until, _prompt_day(request, ctx), edit_prompt=False)
    return ActionResult(update={"message": text, "props": {}})


async def prompt_colleague(request: ActionRequest, ctx: Context) -> ActionResult:
    """Open a dialog with a people picker if Mattermost sent a trigger id; else explain the command."""
    trigger = ctx.settings.command_triggers.get("forward", "rufumleitung")
    trigger_id = str(getattr(request, "trigger_id", "") or "")
    if not trigger_id:
        return ActionResult(ephemeral_text=PROMPT_TYPE_COLLEAGUE(ctx.locale, trigger=trigger))
    end = ctx.settings.forward_default_end.strftime("%H:%M")
    dialog = {
        "callback_id": "forward.colleague",
        "title": DIALOG_TITLE(ctx.locale),
        "submit_label": DIALOG_SUBMIT(ctx.locale),
        "state": ctx.services.signer.sign_state("forward.colleague", {"day": _prompt_day(request, ctx).isoformat()},
                                                user_id=ctx.user.id, expires=ctx.now + timedelta(hours=2)),
        "elements": [
            {"display_name": DIALOG_WHO(ctx.locale), "name": "colleague", "type": "select", "data_source": "users"},
            {"display_name": DIALOG_UNTIL(ctx.locale), "name": "until", "type": "text", "optional": True,
             "placeholder": end, "help_text": DIALOG_UNTIL_HELP(ctx.locale, end=end), "max_length": 30,
             "min_length": 0},
        ],
    }
    await ctx.mm.open_dialog(trigger_id, ctx.services.dialog_url, dialog)
    return ActionResult(ephemeral_text=PROMPT_DIALOG_OPENED(ctx.locale))


async def colleague_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    if request.cancelled:
        return {}
    colleague_id = str(request.submission.get("colleague") or "")
    try:
        colleague = await ctx.mm.user(colleague_id) if colleague_id else None
    except Exception:
        colleague = None
    if colleague is None or colleague.deleted:
        return {"errors": {"colleague": DIALOG_WHO(ctx.locale)}}
    if colleague.id == ctx.user.id or colleague.is_bot:
        return {"errors": {"colleague": (SELF_COLLEAGUE if colleague.id == ctx.user.id else BOT_COLLEAGUE)(ctx.locale)}}
    try:
        words = parsing.tokenize(str(request.submission.get("until") or ""))
        if words and words[0].lower() in UNTIL_WORDS:
            words = words[1:]
        until = resolve_until(words, now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    except LocalizedError as e:
        return {"errors": {"until": e.render(ctx.locale)}}
    await _set_from_prompt(ctx, "colleague", colleague, until, _prompt_day(request, ctx), edit_prompt=True)
    return {}


async def prompt_skip(request: ActionRequest, ctx: Context) -> ActionResult:
    return ActionResult(update={"message": PROMPT_SKIPPED(ctx.locale), "props": {}})


async def end_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """"Beenden" on the office-day reminder: end that very forward, if it is still running."""
    forward_id = int(request.data.get("f") or 0)
    with ctx.db.write() as session:
        forward = session.get(CallForward, forward_id)
        ok = (forward is not None and forward.user_id == ctx.user.id and forward.until > ctx.now
              and end_forward(session, ctx.services, forward, subject=ctx.user, actor=ctx.user, now=ctx.now))
    if not ok:
        return ActionResult(update={"message": ALREADY_ENDED(ctx.locale), "props": {}})
    ctx.services.notify_outbox()
    where = await _where_text(ctx, _split_channels(forward.channels), dm=False)
    return ActionResult(update={"message": REMIND_ENDED(ctx.locale, where=where).strip(), "props": {}})


# -- data protection ---------------------------------------------------------------------------------


def my_data(session: Session, user_id: str, locale: str) -> list[tuple[str, str, str | None]]:
    """For `meine-daten`: the person's forwards and the forwards naming them as stand-in (their
    numbers are listed by the privacy module itself). Dates are always shown in full."""
    out = []
    title = MY_FORWARDS(locale)
    own = session.exec(select(CallForward).where(CallForward.user_id == user_id).order_by(col(CallForward.created_at))).all()
    numbers = _numbers(session, [user_id])
    for row in own:
        view = replace(_view(row, row.created_at, FALLBACK_TZ), today=date.min)
        state = (STATE_ACTIVE if row.ended_at is None else STATE_ENDED)(locale)
        out.append((title, MY_FORWARD_LINE(locale, forward=describe_forward(view, locale, {}, numbers), state=state), None))
    for row in session.exec(select(CallForward).where(CallForward.colleague_id == user_id)).all():
        until = until_text(row.until.astimezone(FALLBACK_TZ), date.min, locale)
        state = (STATE_ACTIVE if row.ended_at is None else STATE_ENDED)(locale)
        out.append((title, MY_STANDIN_LINE(locale, until=until, state=state), None))
    return out


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: forwards that ended before the cutoff."""
    return {"call_forward": session.execute(sa.delete(CallForward).where(CallForward.until < cutoff)).rowcount or 0}


FEATURE = Feature(
    kind="forward", run=run, help=help_text,
    actions={"mobile": prompt_mobile, "colleague": prompt_colleague, "skip": prompt_skip, "end": end_action},
    dialogs={"colleague": colleague_dialog},
    jobs=(expire_forwards, morning_prompts), my_data=my_data, purge=purge,
)
