"""/homeoffice: rotating home-office groups (SPEC §2.1) and the data-protection commands (§3).

The rotation belongs to the channel. Leads set it up and assign people; everyone
records their own one-off changes and absences. Where someone works on a day:
absence > one-off change > rotation (computed by the pure `domain.rotation`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.chat import User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import parsing, privacy
from commands.base import (
    ActionRequest,
    ActionResult,
    Context,
    DialogRequest,
    Feature,
    Reply,
    SlashRequest,
    split_subcommand,
)
from commands.channels import channel_locale
from commands.help import HELP_WORDS, render_help
from commands.leads import ONLY_OWN_DATA, audit, channel_leads, days_detail, is_lead, require_lead
from domain import calendar as cal
from domain.rotation import Rotation as RotationPlan
from domain.rotation import Where, office_groups, plan, preview
from storage import presence
from storage.models import (
    Absence,
    ChannelLead,
    PresenceChange,
    Rotation,
    RotationMember,
    SwapProposal,
)
from storage.outbox import enqueue_dm, enqueue_post

log = logging.getLogger("amtsbote.homeoffice")

SUBCOMMANDS = {
    "einrichten": "setup", "setup": "setup",
    "gruppe": "assign", "assign": "assign",
    "entfernen": "remove", "remove": "remove",
    "aufteilen": "split", "split": "split",
    "plan": "plan",
    "ich": "me", "me": "me",
    "büro": "office", "buero": "office", "office": "office",
    "zuhause": "home", "home": "home",
    "unterwegs": "field", "field": "field",
    "abwesend": "away", "away": "away",
    "tausch": "swap", "swap": "swap",
    "zurücksetzen": "clear", "zuruecksetzen": "clear", "clear": "clear",
    "leitung": "lead", "lead": "lead",
    "löschen": "delete", "loeschen": "delete", "delete": "delete",
    "meine-daten": "mydata", "my-data": "mydata",
    "vergessen": "forget", "forget-me": "forget",
    "erinnerung": "prompts", "reminder": "prompts",
}
PATTERN_WORDS = {"woche": "weekly", "wöchentlich": "weekly", "weekly": "weekly", "week": "weekly",
                 "tag": "daily", "täglich": "daily", "daily": "daily", "day": "daily",
                 "muster": "custom", "custom": "custom"}
FOR_WORDS = {"für", "fuer", "for"}
ON_WORDS = {"an", "on", "ein"}
OFF_WORDS = {"aus", "off"}
MAX_RANGE_DAYS = 366  # one-off changes and absences: at most this many days at once
PLAN_MAX_DAYS = 62  # `plan`: at most this many days in one table

WHERE_TEXT = {
    Where.OFFICE: Text(de="Büro", en="Office"),
    Where.HOME: Text(de="Zuhause", en="Home"),
    Where.FIELD: Text(de="Unterwegs", en="In the field"),
    Where.AWAY: Text(de="Abwesend", en="Away"),
}
# Where someone works, as it reads inside a sentence ("am Di bist du im Büro statt zu Hause").
WHERE_PHRASE = {
    Where.OFFICE: Text(de="im Büro", en="in the office"),
    Where.HOME: Text(de="zu Hause", en="at home"),
    Where.FIELD: Text(de="unterwegs", en="in the field"),
    Where.AWAY: Text(de="abwesend", en="away"),
}
# In the reply to a one-off change: "Anna Schmidt: zu Hause am Di, 24.11.2026." / "Anna Schmidt: Home on …".
CHANGED_WHERE = {
    Where.OFFICE: Text(de="im Büro", en="Office"),
    Where.HOME: Text(de="zu Hause", en="Home"),
    Where.FIELD: Text(de="unterwegs", en="In the field"),
}
WHERE_ICON = {Where.OFFICE: "🏢", Where.HOME: "🏠", Where.FIELD: "🚗", Where.AWAY: "🌴"}

TITLE = Text(de="Home-Office-Gruppen", en="Rotating home-office groups")
HELP_ENTRIES = [
    ('einrichten A,B woche|tag|muster "AAABB/BBBAA" [ab DATUM] [min N] [region DE-XX]',
     'setup A,B weekly|daily|custom "AAABB/BBBAA" [from DATE] [min N] [region DE-XX]',
     Text(de="Rotation des Kanals anlegen oder ersetzen; ohne Angaben öffnet sich ein Dialog (Leitung)",
          en="create or replace the channel's rotation; without arguments a dialog opens (lead)")),
    ("gruppe A @name …", "assign A @name …", Text(de="Personen einer Gruppe zuordnen (Leitung)", en="put people into a group (lead)")),
    ("entfernen @name …", "remove @name …", Text(de="Personen aus der Rotation nehmen (Leitung)", en="take people out of the rotation (lead)")),
    ("aufteilen", "split", Text(de="Kanalmitglieder gleichmäßig auf die Gruppen verteilen (Leitung)",
                                en="spread the channel's members evenly over the groups (lead)")),
    ("plan [diese Woche|nächste Woche|DATUM|DATUM bis DATUM]", "plan [this week|next week|DATE|DATE to DATE]",
     Text(de="Wer arbeitet wann wo", en="who works where, when")),
    ("ich", "me", Text(de="meine nächsten 10 Arbeitstage", en="my next 10 working days")),
    ("büro|zuhause|unterwegs DATUM [für @name]", "office|home|field DATE [for @name]",
     Text(de="einmalige Änderung", en="one-off change")),
    ("abwesend DATUM [Notiz] [für @name]", "away DATE [note] [for @name]",
     Text(de="Abwesenheit; die Notiz sieht nur, wer sie schreibt", en="absence; only its author sees the note")),
    ("tausch @name DATUM [DATUM2]", "swap @name DATE [DATE2]",
     Text(de="Tag tauschen (die andere Person bestätigt)", en="swap a day (the other person confirms)")),
    ("zurücksetzen DATUM", "clear DATE", Text(de="meine einmaligen Änderungen entfernen", en="remove my one-off changes")),
    ("leitung add|remove @name", "lead add|remove @name", Text(de="weitere Leitungen für diesen Kanal", en="extra leads for this channel")),
    ("erinnerung an|aus", "reminder on|off", Text(de="morgendliche Rufumleitungs-Erinnerung (Leitung)",
                                                 en="morning call-forwarding prompts (lead)")),
    ("löschen", "delete", Text(de="Rotation löschen, mit Bestätigung (Leitung)", en="delete the rotation, after confirming (lead)")),
    ("meine-daten", "my-data", Text(de="alles, was über mich gespeichert ist", en="everything stored about me")),
    ("vergessen", "forget-me", Text(de="alle meine Daten löschen, mit Bestätigung", en="delete all my data, after confirming")),
]

T = Text  # short alias for the many texts below

NO_ROTATION = T(de="In diesem Kanal gibt es noch keine Rotation. Eine Leitung kann sie mit `/{trigger} einrichten` anlegen.",
                en="This channel has no rotation yet. A lead can create one with `/{trigger} setup`.")
UNKNOWN_SUB = T(de="Unbekannter Unterbefehl „{word}“.", en="Unknown subcommand “{word}”.")
SETUP_USAGE = T(
    de='So geht’s: `/{trigger} einrichten A,B woche` — Gruppen mit Komma, dann `woche`, `tag` oder `muster "AAABB/BBBAA"`, '
       "optional `ab 30.11.`, `min 2`, `region DE-ST`.",
    en='Usage: `/{trigger} setup A,B weekly` — groups separated by commas, then `weekly`, `daily` or `custom "AAABB/BBBAA"`, '
       "optionally `from 30.11.`, `min 2`, `region DE-ST`.")
BAD_MIN = T(de="„min“ braucht eine Zahl von 0 bis 500, z. B. `min 2`.", en="“min” needs a number from 0 to 500, e.g. `min 2`.")
SETUP_DONE = T(de="Rotation eingerichtet: {summary}", en="Rotation set up: {summary}")
SETUP_POST = T(
    de="**Home-Office-Rotation eingerichtet** von {who}: {summary}\n\nVorschau der nächsten zwei Wochen (im Büro):\n{preview}",
    en="**Home-office rotation set up** by {who}: {summary}\n\nPreview of the next two weeks (in the office):\n{preview}")
PATTERN_TEXT = {"weekly": T(de="wöchentlich", en="weekly"), "daily": T(de="täglich", en="daily"),
                "custom": T(de="Muster", en="custom pattern")}
SUMMARY = T(de="Gruppen {groups}, {pattern}, ab {start}, Mindestbesetzung {min}, Feiertage {region}",
            en="groups {groups}, {pattern}, from {start}, minimum staffing {min}, holidays {region}")
ASSIGN_USAGE = T(de="So geht’s: `/{trigger} gruppe A @name @name2`.", en="Usage: `/{trigger} assign A @name @name2`.")
UNKNOWN_GROUP = T(de="Die Gruppe „{group}“ gibt es nicht. Vorhanden: {groups}.", en="There is no group “{group}”. Groups: {groups}.")
ASSIGNED = T(de="Gruppe {group}: {names}.", en="Group {group}: {names}.")
NEED_PEOPLE = T(de="Bitte Personen mit @name angeben.", en="Please name people as @name.")
REMOVED = T(de="Aus der Rotation genommen: {names}.", en="Taken out of the rotation: {names}.")
NOT_IN_ROTATION = T(de="Nicht in der Rotation: {names}.", en="Not in the rotation: {names}.")
SPLIT_DONE = T(de="Aufgeteilt: {summary}", en="Split: {summary}")
NO_MEMBERS = T(de="In diesem Kanal sind keine Personen, die verteilt werden könnten.", en="There is nobody in this channel to split.")
NEED_DATE = T(de="Bitte ein Datum oder einen Zeitraum angeben, z. B. `morgen`, `Fr`, `24.11.` oder `24.11. bis 27.11.`.",
              en="Please give a date or range, e.g. `tomorrow`, `Fri`, `24.11.` or `24.11. to 27.11.`.")
RANGE_TOO_LONG = T(de="Der Zeitraum ist zu lang (höchstens {limit} Tage).", en="That range is too long (at most {limit} days).")
NO_WORKING_DAY = T(de="Im Zeitraum {range} liegt kein Arbeitstag.", en="There is no working day in {range}.")
IN_PAST = T(de="Das liegt in der Vergangenheit ({range}). Änderungen gehen ab heute.", en="That is in the past ({range}). Changes start today.")
CHANGED = T(de="{who}: {where} am {days}.", en="{who}: {where} on {days}.")
AWAY_SET = T(de="{who}: abwesend am {days}.{note}", en="{who}: away on {days}.{note}")
NOTE_PRIVATE = T(de=" Notiz (nur für dich sichtbar): {note}", en=" Note (visible only to you): {note}")
BELOW_MIN = T(de="⚠️ Damit ist {channel} am {days} unter der Mindestbesetzung ({min} im Büro). Die Änderung gilt trotzdem; die Leitung wurde informiert.",
              en="⚠️ This takes {channel} below the minimum office staffing ({min}) on {days}. The change still applies; the leads were told.")
BELOW_MIN_DM = T(de="⚠️ {channel}: am {days} sind nur noch {count} statt mindestens {min} Personen im Büro (Änderung von {who}).",
                 en="⚠️ {channel}: on {days} only {count} instead of at least {min} people are in the office (change by {who}).")
CLEARED = T(de="Einmalige Änderungen am {days} entfernt ({count}).", en="Removed one-off changes on {days} ({count}).")
NOTHING_TO_CLEAR = T(de="Für {days} gab es keine Änderungen.", en="There were no changes for {days}.")
SWAP_USAGE = T(de="So geht’s: `/{trigger} tausch @name DATUM [DATUM2]`.", en="Usage: `/{trigger} swap @name DATE [DATE2]`.")
SWAP_SELF = T(de="Mit dir selbst kannst du nicht tauschen.", en="You cannot swap with yourself.")
SWAP_NOT_MEMBER = T(de="{name} ist nicht in der Rotation dieses Kanals.", en="{name} is not in this channel's rotation.")
SWAP_MISMATCH = T(de="Am {day} seid ihr nicht eine Person im Büro und eine zu Hause ({a}: {wa}, {b}: {wb}) — da gibt es nichts zu tauschen.",
                  en="On {day} you are not one in the office and one at home ({a}: {wa}, {b}: {wb}) — nothing to swap.")
SWAP_BACK_MISMATCH = T(
    de="Am {day} könnt ihr nicht zurücktauschen: Dafür müsstest du an dem Tag {your} sein und {name} {their} "
       "(du: {wa}, {name}: {wb}). Wähle als zweiten Tag einen, an dem es umgekehrt ist.",
    en="You cannot swap back on {day}: for that you would have to be {your} that day and {name} {their} "
       "(you: {wa}, {name}: {wb}). Choose a second day on which it is the other way round.")
SWAP_PROPOSED = T(de="Tausch vorgeschlagen; {name} bekommt eine Nachricht zum Annehmen oder Ablehnen.",
                  en="Swap proposed; {name} gets a message to accept or decline.")
SWAP_DM = T(de="{who} möchte mit dir tauschen: am {day} bist du {your} statt {their}.{back}",
            en="{who} would like to swap with you: on {day} you would be {your} instead of {their}.{back}")
SWAP_BACK = T(de=" Am {day} tauscht ihr zurück.", en=" On {day} you swap back.")
ACCEPT = T(de="Annehmen", en="Accept")
DECLINE = T(de="Ablehnen", en="Decline")
SWAP_ACCEPTED = T(de="✅ Tausch angenommen: {summary}", en="✅ Swap accepted: {summary}")
SWAP_DECLINED = T(de="❌ Tausch abgelehnt ({day}).", en="❌ Swap declined ({day}).")
SWAP_TOLD = T(de="{name} hat deinen Tausch für den {day} {verb}.", en="{name} has {verb} your swap for {day}.")
VERB_ACCEPTED = T(de="angenommen", en="accepted")
VERB_DECLINED = T(de="abgelehnt", en="declined")
SWAP_GONE = T(de="Dieser Tauschvorschlag ist nicht mehr offen.", en="This swap proposal is no longer open.")
LEAD_USAGE = T(de="So geht’s: `/{trigger} leitung add @name` oder `remove @name`.", en="Usage: `/{trigger} lead add @name` or `remove @name`.")
LEAD_ADDED = T(de="Leitung für diesen Kanal: {names}.", en="Leads for this channel: {names}.")
LEAD_REMOVED = T(de="Keine Leitung mehr: {names}.", en="No longer leads: {names}.")
PROMPTS_USAGE = T(de="So geht’s: `/{trigger} erinnerung an` oder `aus`.", en="Usage: `/{trigger} reminder on` or `off`.")
PROMPTS_SET = T(de="Morgendliche Rufumleitungs-Erinnerung: {state}.", en="Morning call-forwarding prompts: {state}.")
ON = T(de="an", en="on")
OFF = T(de="aus", en="off")
DELETE_CONFIRM = T(de="Soll die Rotation dieses Kanals mit allen Gruppenzuordnungen wirklich gelöscht werden?",
                   en="Really delete this channel's rotation with all group assignments?")
DELETE_YES = T(de="Ja, löschen", en="Yes, delete")
CANCEL = T(de="Abbrechen", en="Cancel")
DELETED = T(de="Die Rotation wurde gelöscht.", en="The rotation was deleted.")
DELETED_POST = T(de="Die Home-Office-Rotation dieses Kanals wurde von {who} gelöscht.", en="This channel's home-office rotation was deleted by {who}.")
CANCELLED = T(de="Abgebrochen, nichts geändert.", en="Cancelled, nothing changed.")
FORGET_CONFIRM = T(de="Sollen wirklich alle über dich gespeicherten Daten gelöscht werden (Gruppen, Änderungen, Abwesenheiten, Nummern, Rufumleitungen, Zusagen)? Das lässt sich nicht rückgängig machen.",
                   en="Really delete all data stored about you (groups, changes, absences, numbers, call forwards, RSVPs)? This cannot be undone.")
FORGET_YES = T(de="Ja, alles löschen", en="Yes, delete everything")
FORGOTTEN = T(de="Erledigt: Es ist nichts mehr über dich gespeichert.", en="Done: nothing about you is stored any more.")
MYDATA_TITLE = T(de="#### Über dich gespeichert", en="#### Stored about you")
MYDATA_NOTHING = T(de="Über dich ist nichts gespeichert.", en="Nothing is stored about you.")
PLAN_HEADER = T(de="| Tag | 🏢 Büro | 🏠 Zuhause | 🚗 Unterwegs | 🌴 Abwesend |", en="| Day | 🏢 Office | 🏠 Home | 🚗 Field | 🌴 Away |")
PLAN_TITLE = T(de="#### Plan {channel}: {range}", en="#### Plan {channel}: {range}")
HOLIDAY = T(de="Feiertag: {name}", en="Holiday: {name}")
BELOW_FLAG = T(de="⚠️ unter Mindestbesetzung ({count}/{min})", en="⚠️ below minimum ({count}/{min})")
ME_TITLE = T(de="#### Deine nächsten 10 Arbeitstage", en="#### Your next 10 working days")
ME_GROUP = T(de="Gruppe {group} in {channel}", en="group {group} in {channel}")
NOT_SCHEDULED = T(de="keine Rotation", en="no rotation")
DIALOG_TITLE = T(de="Rotation einrichten", en="Set up rotation")
DIALOG_OPENED = T(de="Der Dialog zum Einrichten ist geöffnet.", en="The setup dialog is open.")
NEED_TRIGGER = T(de="Ohne Angaben öffnet sich ein Dialog — das geht hier nicht. " , en="Without arguments a dialog opens — not possible here. ")
RESULT_BAD_DAYS = T(de="an {n} Tagen", en="on {n} days")


@dataclass(frozen=True)
class Target:
    """Who a personal change is for, and the text that remains after `für @name`."""

    user: User
    tokens: list[str]
    for_other: bool


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, HELP_ENTRIES, locale, trigger)


def _trigger(request: SlashRequest) -> str:
    return request.command.strip().lstrip("/") or "homeoffice"


def _names(users: list[User]) -> str:
    return ", ".join(plain(u.display_name, max_length=60) for u in users)


def _days_text(days: list[date], locale: str) -> str:
    if len(days) <= 3:
        return ", ".join(cal.format_day(d, locale) for d in days)
    return f"{cal.format_day(days[0], locale)} – {cal.format_day(days[-1], locale)} ({RESULT_BAD_DAYS(locale, n=len(days))})"


# -- the command ------------------------------------------------------------------------------


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = _trigger(request)
    text = request.text.strip()
    if not text or text.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger))
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None:
        word = plain(text.split()[0], max_length=30)
        return Reply(UNKNOWN_SUB(ctx.locale, word=word) + "\n\n" + help_text(ctx.locale, trigger))
    if rest.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger))
    handler = HANDLERS[name]
    return await handler(request, ctx, rest)


def _require_rotation(ctx: Context, request: SlashRequest) -> tuple[Rotation, dict[str, str]]:
    with ctx.db.read() as session:
        loaded = presence.load_rotation(session, ctx.channel_id)
    if loaded is None:
        raise LocalizedError(NO_ROTATION, trigger=_trigger(request))
    return loaded


# -- setup ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupRequest:
    groups: tuple[str, ...]
    pattern: str
    custom: str | None
    start: date
    min_office: int | None
    region: str


def parse_setup(rest: str, *, today: date, default_region: str, trigger: str) -> SetupRequest:
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2:
        raise LocalizedError(SETUP_USAGE, trigger=trigger)
    groups = tuple(g.strip() for g in tokens[0].replace(";", ",").split(",") if g.strip())
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
            taken = parsing.take_date(tokens, i + 1, today=today)
            if taken is None:
                raise LocalizedError(parsing.INVALID_DATE, value=plain(tokens[i + 1], max_length=40))
            start, i = taken
        elif word in ("min", "minimum", "mindestens") and i + 1 < len(tokens):
            if not tokens[i + 1].isdigit() or int(tokens[i + 1]) > 500:
                raise LocalizedError(BAD_MIN)
            min_office, i = int(tokens[i + 1]), i + 2
        elif word == "region" and i + 1 < len(tokens):
            region, i = cal.validate_region(tokens[i + 1]), i + 2
        else:
            raise LocalizedError(SETUP_USAGE, trigger=trigger)
    RotationPlan.create(groups=groups, pattern=pattern, start=start, custom=custom, min_office=min_office,
                        region=region)  # validates groups, pattern and region
    return SetupRequest(groups, pattern, custom, start, min_office, region)


def _summary(setup: SetupRequest | Rotation, locale: str) -> str:
    groups = setup.groups if isinstance(setup.groups, tuple) else tuple(setup.groups.split(","))
    pattern = PATTERN_TEXT[setup.pattern](locale)
    if setup.pattern == "custom" and setup.custom:
        pattern += f" `{plain(setup.custom, max_length=100)}`"
    return SUMMARY(locale, groups="/".join(groups), pattern=pattern, start=cal.format_day(setup.start, locale),
                   min=setup.min_office if setup.min_office is not None else "–", region=setup.region)


def _preview_text(rotation: RotationPlan, start: date, locale: str) -> str:
    lines = []
    for day, groups in preview(rotation, start, days=10):
        holiday = cal.holiday_name(day, rotation.region, locale)
        label = HOLIDAY(locale, name=holiday) if holiday else (", ".join(sorted(groups)) or "–")
        lines.append(f"- {cal.format_day(day, locale)}: {label}")
    return "\n".join(lines)


async def setup(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    trigger = _trigger(request)
    if not rest:
        return await _open_setup_dialog(request, ctx)
    parsed = parse_setup(rest, today=ctx.today, default_region=ctx.settings.bot_holiday_region, trigger=trigger)
    return Reply(_store_setup(ctx, parsed))


def _store_setup(ctx: Context, parsed: SetupRequest) -> str:
    rotation = RotationPlan.create(groups=parsed.groups, pattern=parsed.pattern, start=parsed.start,
                                   custom=parsed.custom, min_office=parsed.min_office, region=parsed.region)
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        if row is None:
            row = Rotation(channel_id=ctx.channel_id, created_by=ctx.user.id, created_at=ctx.now,
                           groups="", pattern="", start=parsed.start, region=parsed.region)
        row.team_id = ctx.team_id
        row.groups = ",".join(rotation.groups)
        row.pattern, row.custom, row.start = parsed.pattern, parsed.custom, parsed.start
        row.min_office, row.region = parsed.min_office, parsed.region
        session.add(row)
        # People in a group that no longer exists leave the rotation: a lead's change to their data.
        dropped = session.exec(select(RotationMember).where(RotationMember.channel_id == ctx.channel_id,
                                                            col(RotationMember.group).not_in(rotation.groups))).all()
        for member in dropped:
            audit(session, actor_id=ctx.user.id, subject_id=member.user_id, channel_id=ctx.channel_id,
                  action="remove:setup", detail={"gone_group": member.group}, now=ctx.now)
        session.execute(sa.delete(RotationMember).where(RotationMember.channel_id == ctx.channel_id,
                                                        col(RotationMember.group).not_in(rotation.groups)))
        locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
        preview_from = max(ctx.today, parsed.start)
        enqueue_post(session, key=f"ho:setup:{ctx.channel_id}:{int(ctx.now.timestamp() * 1000)}",
                     channel_id=ctx.channel_id, now=ctx.now,
                     message=SETUP_POST(locale, who=plain(ctx.user.display_name, max_length=60),
                                        summary=_summary(parsed, locale),
                                        preview=_preview_text(rotation, preview_from, locale)))
    ctx.services.notify_outbox()
    return SETUP_DONE(ctx.locale, summary=_summary(parsed, ctx.locale))


REGIONS = ["DE", "DE-BW", "DE-BY", "DE-BE", "DE-BB", "DE-HB", "DE-HH", "DE-HE", "DE-MV", "DE-NI", "DE-NW",
           "DE-RP", "DE-SL", "DE-SN", "DE-ST", "DE-SH", "DE-TH"]


async def _open_setup_dialog(request: SlashRequest, ctx: Context) -> Reply:
    if not request.trigger_id:
        raise LocalizedError(SETUP_USAGE, trigger=_trigger(request))
    de = ctx.locale != "en"
    dialog = {
        "callback_id": "homeoffice.setup",
        "title": DIALOG_TITLE(ctx.locale),
        "submit_label": "Speichern" if de else "Save",
        "state": ctx.services.signer.sign_state("homeoffice.setup", {"c": ctx.channel_id}, user_id=ctx.user.id,
                                                expires=ctx.now + timedelta(hours=1)),
        "elements": [
            {"display_name": "Gruppen" if de else "Groups", "name": "groups", "type": "text", "default": "A,B",
             "help_text": "z. B. A,B oder A,B,C" if de else "e.g. A,B or A,B,C", "max_length": 120, "min_length": 1},
            {"display_name": "Muster" if de else "Pattern", "name": "pattern", "type": "select", "default": "weekly",
             "options": [{"text": PATTERN_TEXT[p](ctx.locale), "value": p} for p in ("weekly", "daily", "custom")]},
            {"display_name": "Eigenes Muster" if de else "Custom pattern", "name": "custom", "type": "text",
             "optional": True, "placeholder": "AAABB/BBBAA", "max_length": 200, "min_length": 0},
            {"display_name": "Beginn" if de else "Start", "name": "start", "type": "text", "optional": True,
             "placeholder": "30.11.2026", "max_length": 20, "min_length": 0},
            {"display_name": "Mindestbesetzung" if de else "Minimum staffing", "name": "min", "type": "text",
             "subtype": "number", "optional": True, "max_length": 3, "min_length": 0},
            {"display_name": "Feiertage" if de else "Holidays", "name": "region", "type": "select",
             "default": ctx.settings.bot_holiday_region, "options": [{"text": r, "value": r} for r in REGIONS]},
        ],
    }
    await ctx.mm.open_dialog(request.trigger_id, ctx.services.dialog_url, dialog)
    return Reply(DIALOG_OPENED(ctx.locale))


async def setup_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    if request.cancelled:
        return {}
    ctx.channel_id = str(request.data.get("c") or ctx.channel_id)
    await require_lead(ctx)
    s = request.submission
    parts = [str(s.get("groups") or "").replace(" ", ""), str(s.get("pattern") or "weekly")]
    if s.get("pattern") == "custom":
        parts.append(f'"{s.get("custom") or ""}"')
    if s.get("start"):
        parts += ["ab", str(s["start"]).strip()]
    if s.get("min") not in (None, ""):
        parts += ["min", str(s["min"]).strip()]
    if s.get("region"):
        parts += ["region", str(s["region"])]
    try:
        parsed = parse_setup(" ".join(parts), today=ctx.today, default_region=ctx.settings.bot_holiday_region,
                             trigger="homeoffice")
    except LocalizedError as e:
        return {"error": e.render(ctx.locale)}
    _store_setup(ctx, parsed)
    return {}


# -- membership -------------------------------------------------------------------------------


async def assign(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    row, _ = _require_rotation(ctx, request)
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2:
        raise LocalizedError(ASSIGN_USAGE, trigger=_trigger(request))
    groups = {g.lower(): g for g in row.groups.split(",")}
    group = groups.get(tokens[0].lower())
    if group is None:
        raise LocalizedError(UNKNOWN_GROUP, group=plain(tokens[0], max_length=20), groups=", ".join(groups.values()))
    users = await ctx.users_by_mention(tokens[1:], request.user_mentions)
    with ctx.db.write() as session:
        for user in users:
            member = session.get(RotationMember, (ctx.channel_id, user.id)) or RotationMember(
                channel_id=ctx.channel_id, user_id=user.id, group=group)
            member.group = group
            session.add(member)
            audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                  action="assign", detail={"group": group}, now=ctx.now)
    return Reply(ASSIGNED(ctx.locale, group=group, names=_names(users)))


async def remove(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    _, members = _require_rotation(ctx, request)
    tokens = parsing.tokenize(rest)
    if not tokens:
        raise LocalizedError(NEED_PEOPLE)
    users = await ctx.users_by_mention(tokens, request.user_mentions)
    outside = [u for u in users if u.id not in members]
    if outside:
        raise LocalizedError(NOT_IN_ROTATION, names=_names(outside))
    with ctx.db.write() as session:
        for user in users:
            session.execute(sa.delete(RotationMember).where(RotationMember.channel_id == ctx.channel_id,
                                                            RotationMember.user_id == user.id))
            audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                  action="remove", now=ctx.now)
    return Reply(REMOVED(ctx.locale, names=_names(users)))


def split_evenly(groups: list[str], existing: dict[str, str], people: list[str]) -> dict[str, str]:
    """Spread `people` over `groups` so that group sizes differ by at most one, moving as few
    of the already assigned as possible.

    Each group's share is len(people) // len(groups), and the groups that already hold the
    most people get the one extra place each of the remainder. A group keeps up to its share
    of its current people (in the order of `people`); the others, and everyone unassigned or
    in a group that no longer exists, fill the remaining places, smallest group first."""
    people = list(dict.fromkeys(people))
    if not groups:
        return {}
    current: dict[str, list[str]] = {g: [] for g in groups}
    for person in people:
        group = existing.get(person)
        if group in current:
            current[group].append(person)
    base, extra = divmod(len(people), len(groups))
    by_size = sorted(groups, key=lambda g: (-len(current[g]), groups.index(g)))
    share = {g: base + (1 if i < extra else 0) for i, g in enumerate(by_size)}
    result: dict[str, str] = {}
    for group in groups:
        for person in current[group][: share[group]]:
            result[person] = group
    sizes = {g: min(len(current[g]), share[g]) for g in groups}
    for person in people:
        if person in result:
            continue
        group = min((g for g in groups if sizes[g] < share[g]), key=lambda g: (sizes[g], groups.index(g)))
        result[person] = group
        sizes[group] += 1
    return result


async def split(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    row, members = _require_rotation(ctx, request)
    people = [u for u in await ctx.mm.channel_members(ctx.channel_id) if not u.is_bot and not u.deleted]
    if not people:
        raise LocalizedError(NO_MEMBERS)
    groups = row.groups.split(",")
    assignment = split_evenly(groups, members, [u.id for u in people])
    with ctx.db.write() as session:
        for user_id, group in assignment.items():
            if members.get(user_id) != group:
                session.merge(RotationMember(channel_id=ctx.channel_id, user_id=user_id, group=group))
                audit(session, actor_id=ctx.user.id, subject_id=user_id, channel_id=ctx.channel_id,
                      action="assign", detail={"group": group, "split": True}, now=ctx.now)
    by_id = {u.id: u for u in people}
    summary = "; ".join(f"{g}: {_names([by_id[p] for p, pg in assignment.items() if pg == g])}" for g in groups)
    return Reply(SPLIT_DONE(ctx.locale, summary=summary))


# -- personal changes ---------------------------------------------------------------------------


async def _target(request: SlashRequest, ctx: Context, tokens: list[str]) -> Target:
    """Split off a trailing `für @name`; only leads may act for others."""
    for i, token in enumerate(tokens):
        if token.lower() in FOR_WORDS and i + 1 < len(tokens) and tokens[i + 1].startswith("@"):
            (user,) = await ctx.users_by_mention([tokens[i + 1]], request.user_mentions)
            rest = tokens[:i] + tokens[i + 2 :]
            if user.id == ctx.user.id:
                return Target(ctx.user, rest, False)
            if not await is_lead(ctx):
                raise LocalizedError(ONLY_OWN_DATA)
            return Target(user, rest, True)
    return Target(ctx.user, tokens, False)


def _take_days(tokens: list[str], ctx: Context, region: str) -> tuple[list[date], list[str], parsing.DateRange]:
    taken = parsing.take_range(tokens, 0, today=ctx.today)
    if taken is None:
        raise LocalizedError(NEED_DATE)
    span, used = taken
    if (span.end - span.start).days >= MAX_RANGE_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, limit=MAX_RANGE_DAYS)
    label = _range_label(span, ctx.locale)
    if span.end < ctx.today:
        raise LocalizedError(IN_PAST, range=label)
    days = [d for d in cal.working_days(max(span.start, ctx.today), span.end, region)]
    if not days:
        raise LocalizedError(NO_WORKING_DAY, range=label)
    return days, tokens[used:], span


def _range_label(span: parsing.DateRange, locale: str) -> str:
    if span.start == span.end:
        return cal.format_day(span.start, locale)
    return f"{cal.format_day(span.start, locale)} – {cal.format_day(span.end, locale)}"


class _Staffing:
    """The office counts, per (channel, day), of the rotations with a minimum that a person is in.

    Loaded in the change's own transaction: the rotations and their members in one query, their
    changes and absences over the days in another. The change is then applied to those overrides
    in memory as it is to the tables, so the counts before and after cost no further read.
    """

    def __init__(self, session: Session, rotations: list[tuple[Any, dict[str, str]]], days: list[date]) -> None:
        self.rotations = [(row, members) for row, members in rotations if row.min_office is not None]
        self.days = days
        people = {p for _, members in self.rotations for p in members}
        if self.rotations and days:
            self.changes, self.absences = presence.overrides_for(session, people, days[0], days[-1])
        else:
            self.changes, self.absences = {}, set()
        self.before = self.counts()

    def counts(self) -> dict[tuple[str, date], int]:
        counts: dict[tuple[str, date], int] = {}
        if not self.days:
            return counts
        wanted = set(self.days)
        for row, members in self.rotations:
            for day_plan in presence.roster_days(row, None, self.days[0], self.days[-1], members,
                                                 self.changes, self.absences):
                if day_plan.day in wanted:
                    counts[(row.channel_id, day_plan.day)] = day_plan.office_count
        return counts

    def set(self, user_id: str, where: Where | None) -> None:
        """The person's days are now `where` (None: away)."""
        for day in self.days:
            if where is None:
                self.changes.pop((user_id, day), None)
                self.absences.add((user_id, day))
            else:
                self.changes[(user_id, day)] = where
                self.absences.discard((user_id, day))

    def clear(self, user_id: str) -> None:
        for day in self.days:
            self.changes.pop((user_id, day), None)
            self.absences.discard((user_id, day))

    def dropped(self) -> list[tuple[Any, list[date], int]]:
        """(rotation, days now below its minimum that were not before, office count of the first)."""
        after = self.counts()
        found = []
        for row, _ in self.rotations:
            days = [d for d in self.days if (n := after.get((row.channel_id, d))) is not None
                    and n < row.min_office and self.before.get((row.channel_id, d), n + 1) > n]
            if days:
                found.append((row, days, after[(row.channel_id, days[0])]))
        return found


# How long a person's rotations and their members are reused without a read. A write of this
# process to those tables ends it at once; the time bounds how late another replica's shows.
ROTATIONS_CACHE_SECONDS = 2.0


def _rotations_of(ctx: Context, session: Session, user_id: str) -> list[tuple[Any, dict[str, str]]]:
    """The person's rotations with their members (see `presence.rotations_with_members`)."""
    return ctx.db.cached_view(("rotations-of", user_id), ctx.db.table_version("rotation", "rotation_member"),
                              ctx.services.clock.now(), ROTATIONS_CACHE_SECONDS,
                              lambda: presence.rotations_with_members(session, user_id))


def _region_of(rotations: list[tuple[Any, dict[str, str]]], default: str) -> str:
    return rotations[0][0].region if rotations else default


async def change(request: SlashRequest, ctx: Context, rest: str, where: Where) -> Reply:
    target = await _target(request, ctx, parsing.tokenize(rest))
    # one transaction: the minimum is checked against what is written
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        days, leftover, _ = _take_days(target.tokens, ctx, _region_of(rotations, ctx.settings.bot_holiday_region))
        if leftover:
            raise LocalizedError(NEED_DATE)
        staffing = _Staffing(session, rotations, days)
        presence.set_days(session, target.user.id, days, where, set_by=ctx.user.id)
        staffing.set(target.user.id, where)
        if target.for_other:
            audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                  action=f"change:{where.value}", detail=days_detail(days), now=ctx.now)
    reply = CHANGED(ctx.locale, who=plain(target.user.display_name, max_length=60),
                    where=CHANGED_WHERE[where](ctx.locale), days=_days_text(days, ctx.locale))
    return Reply(reply + await _warn_below_minimum(ctx, target.user, staffing.dropped()))


async def away(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    target = await _target(request, ctx, parsing.tokenize(rest))
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        days, leftover, _ = _take_days(target.tokens, ctx, _region_of(rotations, ctx.settings.bot_holiday_region))
        note = " ".join(leftover).strip()[:200]
        staffing = _Staffing(session, rotations, days)
        presence.set_days(session, target.user.id, days, None, set_by=ctx.user.id, note=note)
        staffing.set(target.user.id, None)
        if target.for_other:
            # The note stays out of the audit log: it is private to its author.
            audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                  action="change:away", detail=days_detail(days), now=ctx.now)
    note_text = NOTE_PRIVATE(ctx.locale, note=plain(note)) if note else ""
    reply = AWAY_SET(ctx.locale, who=plain(target.user.display_name, max_length=60),
                     days=_days_text(days, ctx.locale), note=note_text)
    return Reply(reply + await _warn_below_minimum(ctx, target.user, staffing.dropped()))


async def clear(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    target = await _target(request, ctx, parsing.tokenize(rest))
    taken = parsing.take_range(target.tokens, 0, today=ctx.today)
    if taken is None or taken[1] != len(target.tokens):
        raise LocalizedError(NEED_DATE)
    span = taken[0]
    if (span.end - span.start).days >= MAX_RANGE_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, limit=MAX_RANGE_DAYS)
    async with ctx.db.grouped_write() as session:
        rotations = _rotations_of(ctx, session, target.user.id)
        # Removing a change can take a day below the minimum too (a one-off office day, say).
        days = cal.working_days(max(span.start, ctx.today), span.end,
                                _region_of(rotations, ctx.settings.bot_holiday_region))
        staffing = _Staffing(session, rotations, days)
        count = presence.clear_days(session, target.user.id, span.start, span.end)
        staffing.clear(target.user.id)
        if target.for_other and count:
            audit(session, actor_id=ctx.user.id, subject_id=target.user.id, channel_id=ctx.channel_id,
                  action="clear", detail={"from": span.start.isoformat(), "to": span.end.isoformat()}, now=ctx.now)
    label = _range_label(span, ctx.locale)
    if not count:
        return Reply(NOTHING_TO_CLEAR(ctx.locale, days=label))
    return Reply(CLEARED(ctx.locale, days=label, count=count) + await _warn_below_minimum(ctx, target.user,
                                                                                        staffing.dropped()))


async def _warn_below_minimum(ctx: Context, user: User, dropped: list[tuple[Any, list[date], int]]) -> str:
    """After a change: tell its author and DM the leads if a day dropped below the minimum."""
    if not dropped:
        return ""
    lines = []
    for row, days, count in dropped:
        try:
            channel_name = plain((await ctx.mm.channel(row.channel_id)).display_name, max_length=60)
        except Exception:
            channel_name = row.channel_id
        # Every lead of that channel (SPEC §2.1), except whoever made the change: they see the warning.
        recipients = [u for u in await channel_leads(ctx, row.channel_id, row.team_id) if u.id != ctx.user.id]
        with ctx.db.write() as session:
            for lead in recipients:
                locale = lead.locale if lead.locale in ("de", "en") else ctx.settings.bot_locale
                enqueue_dm(session, key=f"ho:min:{row.channel_id}:{lead.id}:{user.id}:{int(ctx.now.timestamp())}:{days[0]}",
                           user_id=lead.id, now=ctx.now,
                           message=BELOW_MIN_DM(locale, channel=channel_name, days=_days_text(days, locale),
                                                count=count, min=row.min_office,
                                                who=plain(ctx.user.display_name, max_length=60)))
        lines.append(BELOW_MIN(ctx.locale, channel=channel_name, days=_days_text(days, ctx.locale), min=row.min_office))
    ctx.services.notify_outbox()
    return "\n" + "\n".join(lines)


# -- swap ---------------------------------------------------------------------------------------


def _where_on(session: Session, channel_id: str, user_id: str, day: date) -> Where | None:
    result = presence.channel_plan(session, channel_id, day, day)
    if result is None or not result[2]:
        return None
    return result[2][0].entries.get(user_id)


async def swap(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2 or not tokens[0].startswith("@"):
        raise LocalizedError(SWAP_USAGE, trigger=_trigger(request))
    row, members = _require_rotation(ctx, request)
    (partner,) = await ctx.users_by_mention([tokens[0]], request.user_mentions)
    if partner.id == ctx.user.id:
        raise LocalizedError(SWAP_SELF)
    for person in (ctx.user, partner):
        if person.id not in members:
            raise LocalizedError(SWAP_NOT_MEMBER, name=plain(person.display_name, max_length=60))
    first = parsing.take_date(tokens, 1, today=ctx.today)
    if first is None:
        raise LocalizedError(NEED_DATE)
    day, i = first
    day2 = None
    if i < len(tokens):
        second = parsing.take_date(tokens, i, today=ctx.today)
        if second is None or second[1] != len(tokens):
            raise LocalizedError(SWAP_USAGE, trigger=_trigger(request))
        day2 = second[0]
    for d in filter(None, (day, day2)):
        if d < ctx.today:
            raise LocalizedError(IN_PAST, range=cal.format_day(d, ctx.locale))
        if not cal.is_working_day(d, row.region):
            raise LocalizedError(NO_WORKING_DAY, range=cal.format_day(d, ctx.locale))
    def phrase(where: Where | None) -> str:
        return WHERE_PHRASE[where](ctx.locale) if where else "–"

    with ctx.db.read() as session:
        mine, theirs = _where_on(session, ctx.channel_id, ctx.user.id, day), _where_on(session, ctx.channel_id, partner.id, day)
        if {mine, theirs} != {Where.OFFICE, Where.HOME}:
            raise LocalizedError(SWAP_MISMATCH, day=cal.format_day(day, ctx.locale),
                                 a=plain(ctx.user.display_name, max_length=60), b=plain(partner.display_name, max_length=60),
                                 wa=phrase(mine), wb=phrase(theirs))
        their_where, your_where = theirs, mine  # the partner's where and the proposer's on the first day
        if day2 is not None:
            # Swapping back means the other way round: the proposer where the partner was on the first day.
            mine2, theirs2 = (_where_on(session, ctx.channel_id, ctx.user.id, day2),
                              _where_on(session, ctx.channel_id, partner.id, day2))
            if (mine2, theirs2) != (theirs, mine):
                raise LocalizedError(SWAP_BACK_MISMATCH, day=cal.format_day(day2, ctx.locale),
                                     name=plain(partner.display_name, max_length=60), your=phrase(theirs),
                                     their=phrase(mine), wa=phrase(mine2), wb=phrase(theirs2))
    partner_locale = partner.locale if partner.locale in ("de", "en") else ctx.settings.bot_locale
    expires = datetime.combine(day, ctx.settings.roster_latest, tzinfo=ctx.tz)
    with ctx.db.write() as session:
        proposal = SwapProposal(channel_id=ctx.channel_id, proposer_id=ctx.user.id, partner_id=partner.id,
                                day=day, day2=day2, created_at=ctx.now)
        session.add(proposal)
        session.flush()
        data = {"p": proposal.id}
        buttons = [ctx.button(ACCEPT, "homeoffice.swap", {**data, "ok": True}, user_id=partner.id, expires=expires,
                              style="primary", action_id="swapaccept", locale=partner_locale),
                   ctx.button(DECLINE, "homeoffice.swap", {**data, "ok": False}, user_id=partner.id, expires=expires,
                              style="danger", action_id="swapdecline", locale=partner_locale)]
        back = SWAP_BACK(partner_locale, day=cal.format_day(day2, partner_locale)) if day2 else ""
        message = SWAP_DM(partner_locale, who=plain(ctx.user.display_name, max_length=60),
                          day=cal.format_day(day, partner_locale), your=WHERE_PHRASE[your_where](partner_locale),
                          their=WHERE_PHRASE[their_where](partner_locale), back=back)
        enqueue_dm(session, key=f"ho:swap:{proposal.id}", user_id=partner.id, now=ctx.now, message=message,
                   props={"attachments": [{"text": "", "actions": buttons}]})
    ctx.services.notify_outbox()
    return Reply(SWAP_PROPOSED(ctx.locale, name=plain(partner.display_name, max_length=60)))


async def swap_action(request: ActionRequest, ctx: Context) -> ActionResult:
    accept = bool(request.data.get("ok"))
    with ctx.db.read() as session:
        proposal = session.get(SwapProposal, int(request.data.get("p") or 0))
    if proposal is None or proposal.state != "proposed" or proposal.partner_id != ctx.user.id:
        raise LocalizedError(SWAP_GONE)
    proposer = await ctx.mm.user(proposal.proposer_id)
    proposer_locale = proposer.locale if proposer.locale in ("de", "en") else ctx.settings.bot_locale
    summary_parts = []
    with ctx.db.write() as session:
        proposal = session.get(SwapProposal, proposal.id)
        if proposal is None or proposal.state != "proposed":
            raise LocalizedError(SWAP_GONE)
        proposal.state = "accepted" if accept else "declined"
        session.add(proposal)
        if accept:
            wheres = [(d, _where_on(session, proposal.channel_id, proposal.partner_id, d),
                       _where_on(session, proposal.channel_id, proposal.proposer_id, d))
                      for d in filter(None, (proposal.day, proposal.day2))]
            for d, mine, theirs in wheres:
                if {mine, theirs} != {Where.OFFICE, Where.HOME} or d < ctx.today:
                    raise LocalizedError(SWAP_GONE)  # rolls back: things changed since the proposal
            if len(wheres) == 2 and wheres[1][1:] != (wheres[0][2], wheres[0][1]):
                raise LocalizedError(SWAP_GONE)  # the day to swap back on is no longer the other way round
            for d, mine, theirs in wheres:
                session.merge(PresenceChange(user_id=proposal.partner_id, day=d, where=theirs.value, set_by=ctx.user.id))
                session.merge(PresenceChange(user_id=proposal.proposer_id, day=d, where=mine.value, set_by=ctx.user.id))
                summary_parts.append(f"{cal.format_day(d, ctx.locale)} {WHERE_PHRASE[theirs](ctx.locale)}")
        enqueue_dm(session, key=f"ho:swap:{proposal.id}:answer", user_id=proposal.proposer_id, now=ctx.now,
                   message=SWAP_TOLD(proposer_locale, name=plain(ctx.user.display_name, max_length=60),
                                     day=cal.format_day(proposal.day, proposer_locale),
                                     verb=(VERB_ACCEPTED if accept else VERB_DECLINED)(proposer_locale)))
    ctx.services.notify_outbox()
    text = (SWAP_ACCEPTED(ctx.locale, summary="; ".join(summary_parts)) if accept
            else SWAP_DECLINED(ctx.locale, day=cal.format_day(proposal.day, ctx.locale)))
    return ActionResult(update={"message": text, "props": {}})


# -- views --------------------------------------------------------------------------------------


NO_HISTORY = T(de="Vergangene Tage zeigt Amtsbote nicht an: Anwesenheit ist kein Protokoll. Erlaubt sind heute und später, z. B. `diese Woche` oder `nächste Woche`.",
               en="Amtsbote does not show past days: presence is not a record. Today and later are allowed, e.g. `this week` or `next week`.")


def no_history(span: parsing.DateRange, ctx: Context) -> parsing.DateRange:
    """Views start today at the earliest: no per-person presence history (SPEC §3)."""
    if span.end < ctx.today:
        raise LocalizedError(NO_HISTORY)
    return parsing.DateRange(max(span.start, ctx.today), span.end)


def _default_plan_range(today: date) -> parsing.DateRange:
    monday = cal.monday_of(today)
    if today.weekday() >= 5:
        monday += timedelta(days=7)
    return parsing.DateRange(monday, monday + timedelta(days=4))


# A plan asked for again is answered from memory: until this process writes anything, and for
# at most PLAN_CACHE_SECONDS of the bot's clock (another replica's writes).
PLAN_CACHE_SECONDS = 2.0


async def plan_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    span = _default_plan_range(ctx.today) if not rest else parsing.parse_range(rest, today=ctx.today)
    span = no_history(span, ctx)
    if (span.end - span.start).days >= PLAN_MAX_DAYS:
        raise LocalizedError(RANGE_TOO_LONG, limit=PLAN_MAX_DAYS)
    key, version, now = ("plan", ctx.channel_id, span.start, span.end, ctx.locale), ctx.db.version, ctx.services.clock.now()
    text = ctx.db.view(key, version, now)
    if text is None:
        with ctx.db.read() as session:
            result = presence.channel_plan(session, ctx.channel_id, span.start, span.end, locale=ctx.locale)
        if result is None:
            raise LocalizedError(NO_ROTATION, trigger=_trigger(request))
        row, members, days = result
        users = await ctx.mm.users(list(members))
        channel = await ctx.channel()
        text = render_plan(days, users, row, ctx.locale, channel.display_name, span)
        ctx.db.keep_view(key, version, now + timedelta(seconds=PLAN_CACHE_SECONDS), text)
    return Reply(text)


def render_plan(days: list[Any], users: dict[str, User], row: Rotation, locale: str, channel_name: str,
                span: parsing.DateRange) -> str:
    def name(uid: str) -> str:
        user = users.get(uid)
        return plain(user.display_name, max_length=40) if user else "?"

    lines = [PLAN_TITLE(locale, channel=plain(channel_name, max_length=60), range=_range_label(span, locale)), "",
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
    return "\n".join(lines)


async def me_view(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    with ctx.db.read() as session:
        rotations = presence.rotations_of(session, ctx.user.id)
        region = rotations[0].region if rotations else ctx.settings.bot_holiday_region
        days = cal.next_working_days(ctx.today, 10, region)
        notes = {a.day: a.note for a in session.exec(select(Absence).where(
            Absence.user_id == ctx.user.id, Absence.day >= days[0], Absence.day <= days[-1])).all()}
        per_day: dict[date, Where] = {}
        groups = []
        for row in rotations:
            result = presence.channel_plan(session, row.channel_id, days[0], days[-1])
            if result is None:
                continue
            groups.append((row, result[1].get(ctx.user.id)))
            for day_plan in result[2]:
                if ctx.user.id in day_plan.entries:
                    per_day.setdefault(day_plan.day, day_plan.entries[ctx.user.id])
        changes = presence.changes_for(session, [ctx.user.id], days[0], days[-1])
    return Reply(await render_me(ctx, days, per_day, changes, notes, groups))


async def render_me(ctx: Context, days: list[date], per_day: dict[date, Where], changes: dict[tuple[str, date], Where],
                    notes: dict[date, str], groups: list[tuple[Rotation, str | None]]) -> str:
    locale = ctx.locale
    lines = [ME_TITLE(locale)]
    if groups:
        labels = []
        for row, group in groups:
            try:
                channel_name = (await ctx.mm.channel(row.channel_id)).display_name
            except Exception:
                channel_name = row.channel_id
            labels.append(ME_GROUP(locale, group=group or "–", channel=plain(channel_name, max_length=60)))
        lines.append("_" + "; ".join(labels) + "_")
    for day in days:
        if day in notes:
            where: Where | None = Where.AWAY
        else:
            where = per_day.get(day) or changes.get((ctx.user.id, day))
        text = f"{WHERE_ICON[where]} {WHERE_TEXT[where](locale)}" if where else NOT_SCHEDULED(locale)
        if day in notes and notes[day]:
            text += f" — {plain(notes[day])}"
        lines.append(f"- {cal.format_day(day, locale)}: {text}")
    return "\n".join(lines)


# -- leads, prompts, delete ---------------------------------------------------------------------


async def leads(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    tokens = parsing.tokenize(rest)
    if len(tokens) < 2 or tokens[0].lower() not in ("add", "remove", "hinzufügen", "entfernen"):
        raise LocalizedError(LEAD_USAGE, trigger=_trigger(request))
    users = await ctx.users_by_mention(tokens[1:], request.user_mentions)
    adding = tokens[0].lower() in ("add", "hinzufügen")
    with ctx.db.write() as session:
        for user in users:
            if adding:
                session.merge(ChannelLead(channel_id=ctx.channel_id, user_id=user.id))
            else:
                session.execute(sa.delete(ChannelLead).where(ChannelLead.channel_id == ctx.channel_id,
                                                             ChannelLead.user_id == user.id))
            audit(session, actor_id=ctx.user.id, subject_id=user.id, channel_id=ctx.channel_id,
                  action="lead:add" if adding else "lead:remove", now=ctx.now)
    return Reply((LEAD_ADDED if adding else LEAD_REMOVED)(ctx.locale, names=_names(users)))


async def prompts(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    word = rest.strip().lower()
    if word not in ON_WORDS | OFF_WORDS:
        raise LocalizedError(PROMPTS_USAGE, trigger=_trigger(request))
    _require_rotation(ctx, request)
    enabled = word in ON_WORDS
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        row.forward_prompts = enabled
        session.add(row)
    return Reply(PROMPTS_SET(ctx.locale, state=(ON if enabled else OFF)(ctx.locale)))


def _confirm(ctx: Context, question: Text, yes: Text, action: str, data: dict[str, Any]) -> Reply:
    expires = ctx.now + timedelta(minutes=15)
    buttons = [ctx.button(yes, action, {**data, "ok": True}, user_id=ctx.user.id, expires=expires, style="danger",
                          action_id="confirmyes"),
               ctx.button(CANCEL, action, {**data, "ok": False}, user_id=ctx.user.id, expires=expires,
                          action_id="confirmno")]
    return Reply(question(ctx.locale), attachments=[{"text": "", "actions": buttons}])


async def delete(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    await require_lead(ctx)
    _require_rotation(ctx, request)
    return _confirm(ctx, DELETE_CONFIRM, DELETE_YES, "homeoffice.delete", {"c": ctx.channel_id})


async def delete_action(request: ActionRequest, ctx: Context) -> ActionResult:
    if not request.data.get("ok"):
        return ActionResult(update={"message": CANCELLED(ctx.locale), "props": {}})
    ctx.channel_id = str(request.data["c"])
    await require_lead(ctx)
    with ctx.db.write() as session:
        row = session.get(Rotation, ctx.channel_id)
        if row is not None:
            for member in session.exec(select(RotationMember).where(RotationMember.channel_id == ctx.channel_id)).all():
                audit(session, actor_id=ctx.user.id, subject_id=member.user_id, channel_id=ctx.channel_id,
                      action="remove:delete", detail={"was_group": member.group}, now=ctx.now)
            session.execute(sa.delete(RotationMember).where(RotationMember.channel_id == ctx.channel_id))
            session.delete(row)
            locale = channel_locale(session, ctx.channel_id, ctx.settings.bot_locale)
            enqueue_post(session, key=f"ho:deleted:{ctx.channel_id}:{int(ctx.now.timestamp() * 1000)}",
                         channel_id=ctx.channel_id, now=ctx.now,
                         message=DELETED_POST(locale, who=plain(ctx.user.display_name, max_length=60)))
    ctx.services.notify_outbox()
    return ActionResult(update={"message": DELETED(ctx.locale), "props": {}})


# -- my data, forget me ---------------------------------------------------------------------------


async def my_data(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    with ctx.db.read() as session:
        others = privacy.people_named(session, ctx.user.id)
    try:
        people = await ctx.mm.users(sorted(others)) if others else {}
    except Exception:  # names are a courtesy; the data is shown regardless
        log.warning("names for my-data could not be looked up")
        people = {}
    names = {uid: plain(u.display_name, max_length=60) for uid, u in people.items()}
    with ctx.db.read() as session:
        sections = privacy.collect(session, ctx.user.id, ctx.locale, ctx.services.features, names=names, tz=ctx.tz)
    channel_ids = sorted({cid for _, _, cid in sections if cid})
    names = {}
    for cid in channel_ids:
        try:
            names[cid] = plain((await ctx.mm.channel(cid)).display_name, max_length=60)
        except Exception:
            names[cid] = cid
    if not sections:
        return Reply(MYDATA_NOTHING(ctx.locale))
    lines = [MYDATA_TITLE(ctx.locale)]
    current = None
    for title, line, cid in sections:
        if title != current:
            lines.append(f"**{title}**")
            current = title
        lines.append("- " + line.replace("{channel}", names.get(cid, "")))
    return Reply("\n".join(lines))


async def forget(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return _confirm(ctx, FORGET_CONFIRM, FORGET_YES, "homeoffice.forget", {})


async def forget_action(request: ActionRequest, ctx: Context) -> ActionResult:
    if not request.data.get("ok"):
        return ActionResult(update={"message": CANCELLED(ctx.locale), "props": {}})
    with ctx.db.write() as session:
        privacy.forget(session, ctx.user.id, ctx.services.features)
    ctx.mm.forget_user(ctx.user.id)
    return ActionResult(update={"message": FORGOTTEN(ctx.locale), "props": {}})


async def _office(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await change(request, ctx, rest, Where.OFFICE)


async def _home(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await change(request, ctx, rest, Where.HOME)


async def _field(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await change(request, ctx, rest, Where.FIELD)


async def expire_swaps(services: Any) -> None:
    """Proposals not answered by the swapped day's ROSTER_LATEST expire (their buttons already have)."""
    local = services.clock.now().astimezone(services.tz)
    cutoff = local.date() if local.time() >= services.settings.roster_latest else local.date() - timedelta(days=1)
    with services.db.write() as session:
        session.execute(sa.update(SwapProposal).where(SwapProposal.state == "proposed", SwapProposal.day <= cutoff)
                        .values(state="expired"))


HANDLERS = {
    "setup": setup, "assign": assign, "remove": remove, "split": split, "plan": plan_view, "me": me_view,
    "office": _office, "home": _home, "field": _field, "away": away, "swap": swap, "clear": clear,
    "lead": leads, "delete": delete, "mydata": my_data, "forget": forget, "prompts": prompts,
}

def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: one-off changes, absences and swap proposals for days before the cutoff."""
    return {name: session.execute(sa.delete(model).where(model.day < cutoff_day)).rowcount or 0
            for name, model in (("presence_change", PresenceChange), ("absence", Absence),
                                ("swap_proposal", SwapProposal))}


FEATURE = Feature(
    kind="homeoffice", run=run, help=help_text,
    actions={"swap": swap_action, "delete": delete_action, "forget": forget_action},
    dialogs={"setup": setup_dialog},
    jobs=(expire_swaps,), purge=purge,
)

__all__ = ["FEATURE", "office_groups", "plan"]
