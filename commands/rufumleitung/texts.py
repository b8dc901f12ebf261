"""Every word /rufumleitung says, in German and English: help, replies, announcements, prompts,
errors, and the lines of `meine-daten`. (The "bis 18:00 Uhr" of a forward lives with
`describe_forward` in `commands/forward_views.py`.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from base.chat import User
from base.i18n import Text
from base.safetext import plain
from commands.help import HelpBook, HelpEntry, render_entry_help, render_help
from config.settings import Settings

TITLE = Text(de="Rufumleitung", en="Call forwarding")
_ = Text
UNTIL_DETAILS = _(
    de="Ohne `bis` endet die Umleitung heute um {end} Uhr. `bis 14:00` heißt heute, `bis Freitag` oder `bis 27.11.` "
       "an dem Tag um {end} Uhr. Im Teamkanal getippt, wird sie dort angekündigt; im Direktchat mit mir in allen "
       "Kanälen deiner Home-Office-Rotation. Eine Leitung kann mit `für @name` für eine andere Person umleiten.",
    en="Without `until` the forward ends today at {end}. `until 14:00` means today, `until Friday` or `until 27.11.` "
       "that day at {end}. Typed in a team channel, it is announced there; in a direct message with me, in every "
       "channel of your home-office rotation. A lead can forward for someone else with `for @name`.",
)
HELP = HelpBook(
    title=TITLE,
    examples=(_(de="handy", en="mobile"), _(de="@claudia.weber bis 14:00", en="@claudia.weber until 14:00"),
              _(de="aus", en="off")),
    sample=_(de="handy", en="mobile"),
    entries=(
        HelpEntry(("number",), _(de="nummer [NUMMER]", en="number [NUMBER]"),
                  _(de="meine Büronummer (oder Durchwahl) hinterlegen; ohne Nummer: anzeigen",
                    en="register my office number (or extension); without a number: show it"),
                  (_(de="nummer 0391 540-1234", en="number 0391 540-1234"), _(de="nummer 1234", en="number 1234"),
                   _(de="nummer", en="number"))),
        HelpEntry(("mobile",), _(de="handy [NUMMER] [bis …]", en="mobile [NUMBER] [until …]"),
                  _(de="aufs Diensthandy umleiten", en="forward to the work mobile"),
                  (_(de="handy 0171 2345678", en="mobile 0171 2345678"), _(de="handy bis 16:00", en="mobile until 16:00")),
                  _(de="Die Nummer einmal angeben, danach wird sie gemerkt.",
                    en="Give the number once; it is remembered.")),
        HelpEntry(("colleague",), _(de="@name [bis …]", en="@name [until …]"),
                  _(de="zu einer Kollegin oder einem Kollegen umleiten, die oder der vertritt",
                    en="forward to a colleague standing in"),
                  (_(de="@claudia.weber", en="@claudia.weber"), _(de="@claudia.weber bis Freitag", en="@claudia.weber until Friday"))),
        HelpEntry(("private",), _(de="privat [bis …]", en="private [until …]"),
                  _(de="auf einen Privatanschluss umleiten; die Nummer wird nie abgefragt oder gespeichert",
                    en="forward to a private line; the number is never asked for or stored"),
                  (_(de="privat bis 16:00", en="private until 16:00"),)),
        HelpEntry(("voicemail",), _(de="ab [bis …]", en="voicemail [until …]"),
                  _(de="auf den Anrufbeantworter umleiten", en="forward to voicemail"),
                  (_(de="ab bis morgen", en="voicemail until tomorrow"),)),
        HelpEntry(("off",), _(de="aus [für @name]", en="off [for @name]"),
                  _(de="Umleitung beenden (wird angekündigt)", en="end the forward (announced)"),
                  (_(de="aus", en="off"),)),
        HelpEntry(("list",), _(de="liste", en="list"),
                  _(de="aktive Umleitungen der Mitglieder dieses Kanals", en="active forwards of this channel's members"),
                  (_(de="liste", en="list"),)),
    ),
)
HELP_FOOTER = UNTIL_DETAILS

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
REPLACED = Text(de="Die bisherige Rufumleitung ({forward}) ist damit beendet.",
                en="The previous call forwarding ({forward}) has ended with this.")
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
NUMBER_SET_FOR_DM = Text(de="{lead} hat deine Büronummer eingetragen: {number}. Ändern: `/{trigger} nummer …`.",
                         en="{lead} registered your office number: {number}. To change it: `/{trigger} number …`.")
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
SELF_COLLEAGUE = Text(de="Zu dir selbst kannst du nicht umleiten. Nenne die Kollegin oder den Kollegen, die oder der vertritt.",
                      en="You cannot forward to yourself. Name the colleague standing in.")
BOT_COLLEAGUE = Text(de="Zu einem Bot kann nicht umgeleitet werden.", en="Calls cannot be forwarded to a bot.")

PROMPT_DM = Text(
    de="Guten Morgen! Du arbeitest heute ({day}) im Home-Office. Soll dein Bürotelefon umgeleitet werden?",
    en="Good morning! You are working from home today ({day}). Should your office phone be forwarded?",
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
    return render_help(replace(HELP, footer=HELP_FOOTER), locale, trigger, end=end.strftime("%H:%M"))


def sub_help_text(locale: str, trigger: str, key: str, end: time = Settings.forward_default_end) -> str:
    until = key in ("mobile", "colleague", "private", "voicemail")
    return render_entry_help(HELP, key, locale, trigger,
                             extra=UNTIL_DETAILS(locale, end=end.strftime("%H:%M")) if until else "")


def name_of(user: User | None, fallback: str = "?") -> str:
    """A person's display name, safe to show."""
    return plain(user.display_name if user else fallback, max_length=60)


# -- the menu (SPEC §2.6) -------------------------------------------------------------------------

MENU_MOBILE = Text(de="Diensthandy", en="Work mobile")
MENU_COLLEAGUE = Text(de="Kollegin/Kollege …", en="Colleague …")
MENU_VOICEMAIL = Text(de="Anrufbeantworter", en="Voicemail")
MENU_PRIVATE = Text(de="Privatanschluss", en="Private line")
MENU_END = Text(de="Beenden", en="End")
MENU_UNCHANGED = Text(de="Unverändert: {status}", en="Unchanged: {status}")
MENU_UNTIL = Text(de="Bis", en="Until")
MENU_UNTIL_HELP = Text(de="Leer lassen: heute {end} Uhr.", en="Leave empty: today {end}.")
