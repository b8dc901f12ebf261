"""Every word /dienst says, in German and English: help, replies, the request post, DMs, errors,
and the lines of `meine-daten`. (The roster's "Dienste" lines live in `commands/duty_views.py`.)"""

from __future__ import annotations

from base.i18n import Plural, Text
from commands.help import HelpBook, HelpEntry, render_entry_help, render_help

TITLE = Text(de="Dienste: Telefon, Post, Präsenz", en="Duties: phone line, post, on-site presence")
ENTRIES = [
    ('anlegen "Name" [vor-ort|überall] [min N] [tage Mo-Fr] [zeit 08:00-12:00] [nummer 0391 540-2000]',
     'add "Name" [onsite|anywhere] [min N] [days Mon-Fri] [time 08:00-12:00] [number 0391 540-2000]',
     Text(de="einen Dienst dieses Kanals anlegen (nur Leitung); ohne Angaben: vor Ort, eine Person, "
             "an allen Arbeitstagen, ganztags",
          en="define a duty of this channel (leads only); defaults: on site, one person, every working day, all day")),
    ('ändern "Name" …', 'edit "Name" …',
     Text(de="einen Dienst ändern, mit denselben Angaben wie beim Anlegen (nur Leitung)",
          en="change a duty, with the same options as when adding it (leads only)")),
    ('löschen "Name"', 'delete "Name"',
     Text(de="einen Dienst löschen, nach Bestätigung (nur Leitung)", en="delete a duty, after confirming (leads only)")),
    ('mitglieder "Name" @name …', 'members "Name" @name …',
     Text(de="Personen in den Dienst aufnehmen (nur Leitung); ohne Angabe sind es alle der Rotation dieses Kanals; "
             "ohne @name: die Reihenfolge anzeigen",
          en="add people to the duty (leads only); by default everyone in this channel's rotation takes part; "
             "without @name: show the order")),
    ('ohne "Name" @name …', 'without "Name" @name …',
     Text(de="Personen aus dem Dienst herausnehmen (nur Leitung)", en="take people out of the duty (leads only)")),
    ("plan [DATUM|ZEITRAUM|woche]", "plan [DATE|RANGE|week]",
     Text(de="wer an welchem Arbeitstag welchen Dienst hat, und die Vertretung",
          en="who has which duty on each working day, and the stand-in")),
    ("ich", "me", Text(de="meine Dienste in den nächsten 10 Arbeitstagen", en="my duties in the next 10 working days")),
    ('tausch @name DATUM ["Name"]', 'swap @name DATE ["Name"]',
     Text(de="einen Diensttag an jemanden abgeben, der zustimmt (Knopf in der Direktnachricht)",
          en="hand a duty day to a colleague who agrees (button in a direct message)")),
    ('abgeben DATUM ["Name"] [für @name]', 'drop DATE ["Name"] [for @name]',
     Text(de="„Ich kann nicht“: im Kanal wird gefragt, wer übernimmt; wer zuerst „Ich übernehme“ drückt, "
             "hat den Dienst (für andere nur Leitung)",
          en="“I can't”: the channel is asked who steps in; whoever presses “I'll take it” first has the duty "
             "(for others leads only)")),
    ('übernehmen DATUM ["Name"]', 'take DATE ["Name"]',
     Text(de="einen Diensttag übernehmen: unbesetzt sofort, sonst wird die eingeteilte Person gefragt",
          en="take a duty day: an uncovered one at once, otherwise the assigned person is asked")),
    ('ansage ["Text" | aus]', 'greeting ["Text" | off]',
     Text(de="die Ansage des Teams für den Anrufbeantworter (setzen nur Leitung); wer auf den Anrufbeantworter "
             "umleitet, bekommt sie angezeigt",
          en="the team's answering-machine greeting (set by leads); whoever forwards to voicemail is shown it")),
]
HELP_FOOTER = Text(
    de="Die Reihenfolge ist fest: Wer an der Reihe ist, aber an dem Tag fehlt (oder bei einem Dienst vor Ort nicht "
       "im Büro ist), behält seinen Platz und ist am nächsten möglichen Tag dran. An Wochenenden und Feiertagen "
       "gibt es keine Dienste. Ohne Angaben zeigt `/{trigger}` deine nächsten Dienste und den Plan für heute, "
       "mit Schaltflächen zum Abgeben und Tauschen.",
    en="The order is fixed: whoever is due but away that day (or, for an on-site duty, not in the office) keeps "
       "their place and is due on the next possible day. There are no duties on weekends and holidays. Without "
       "arguments `/{trigger}` shows your next duties and today's plan, with buttons to drop and swap.")
SUB_HELP_NOTE = Text(de="Mehr mit `/{trigger} hilfe`.", en="More with `/{trigger} help`.")
KEYS = ("add", "edit", "delete", "members", "without", "plan", "me", "swap", "drop", "take", "greeting")
EXAMPLES = (
    Text(de="plan", en="plan"), Text(de="ich", en="me"), Text(de='abgeben morgen "Telefondienst"', en='drop tomorrow "Phone line"'),
    Text(de='tausch @bernd.mueller Fr "Telefondienst"', en='swap @bernd.mueller Fri "Phone line"'),
)
HELP = HelpBook(
    title=TITLE, examples=EXAMPLES, footer=HELP_FOOTER,
    entries=tuple(HelpEntry((key,), Text(de=de, en=en), summary) for key, (de, en, summary) in zip(KEYS, ENTRIES,
                                                                                                  strict=True)),
)


def help_text(locale: str, trigger: str) -> str:
    """The command's help; like every help it ends with the hint to the menu."""
    return render_help(HELP, locale, trigger)


def sub_help(locale: str, trigger: str, key: str) -> str:
    """One subcommand's help (`key`: its canonical name)."""
    return render_entry_help(HELP, key, locale, trigger, extra=SUB_HELP_NOTE(locale, trigger=trigger))


UNKNOWN_SUB = Text(de="Das verstehe ich nicht: „{word}“.", en="I don't understand “{word}”.")

# -- errors -----------------------------------------------------------------------------------------------

NEED_NAME = Text(de='Bitte den Namen des Dienstes angeben, z. B. `/{trigger} {example}`.',
                 en='Please give the duty\'s name, e.g. `/{trigger} {example}`.')
NAME_TOO_LONG = Text(de="Der Name eines Dienstes darf höchstens {limit} Zeichen lang sein. Es wurde nichts geändert.",
                     en="A duty's name may be at most {limit} characters long. Nothing was changed.")
NAME_TAKEN = Text(de="Einen Dienst „{name}“ gibt es in diesem Kanal schon. Ändern mit `/{trigger} ändern \"{name}\" …`.",
                  en="This channel already has a duty “{name}”. Change it with `/{trigger} edit \"{name}\" …`.")
NO_SUCH_DUTY = Text(de="In diesem Kanal gibt es keinen Dienst „{name}“. Vorhanden: {known}.",
                    en="This channel has no duty “{name}”. There are: {known}.")
NO_DUTIES = Text(de="In diesem Kanal gibt es noch keine Dienste. Eine Leitung legt sie an, z. B. "
                    '`/{trigger} anlegen "Telefondienst" überall nummer 0391 540-2000`.',
                 en="This channel has no duties yet. A lead defines them, e.g. "
                    '`/{trigger} add "Phone line" anywhere number 0391 540-2000`.')
WHICH_DUTY = Text(de="Welcher Dienst? Bitte den Namen dazuschreiben: {known}.",
                  en="Which duty? Please add its name: {known}.")
BAD_OPTION = Text(
    de="„{word}“ verstehe ich hier nicht. Möglich sind: `vor-ort` oder `überall`, `min 2`, `tage Mo-Fr`, "
       "`zeit 08:00-12:00` (oder `zeit ganztags`), `nummer 0391 540-2000` (oder `nummer keine`).",
    en="I don't understand “{word}” here. Possible: `onsite` or `anywhere`, `min 2`, `days Mon-Fri`, "
       "`time 08:00-12:00` (or `time all-day`), `number 0391 540-2000` (or `number none`).")
BAD_MIN = Text(de="Nach `min` gehört eine Zahl von 1 bis {most}, z. B. `min 2`.",
               en="`min` takes a number from 1 to {most}, e.g. `min 2`.")
BAD_DAYS = Text(de="Nach `tage` gehören Wochentage von Montag bis Freitag, z. B. `tage Mo-Fr` oder `tage Mo,Mi,Fr`.",
                en="`days` takes weekdays from Monday to Friday, e.g. `days Mon-Fri` or `days Mon,Wed,Fri`.")
BAD_HOURS = Text(de="Nach `zeit` gehört eine Spanne wie `08:00-12:00` (Beginn vor Ende) oder `ganztags`.",
                 en="`time` takes a span like `08:00-12:00` (start before end) or `all-day`.")
NEED_NUMBER = Text(de="Nach `nummer` gehört die Nummer des Dienstes, z. B. `nummer 0391 540-2000`, oder `keine`.",
                   en="`number` takes the duty's number, e.g. `number 0391 540-2000`, or `none`.")
NOTHING_TO_CHANGE = Text(de="Was soll sich ändern? Z. B. `/{trigger} ändern \"{name}\" min 2`.",
                         en="What should change? E.g. `/{trigger} edit \"{name}\" min 2`.")
NEED_PEOPLE = Text(de="Bitte die Personen mit @benutzername angeben, z. B. `/{trigger} {example}`.",
                   en="Please name the people as @username, e.g. `/{trigger} {example}`.")
NOT_CHANNEL_MEMBER = Text(de="{name} ist nicht Mitglied dieses Kanals. Es wurde nichts geändert.",
                          en="{name} is not a member of this channel. Nothing was changed.")
NEED_DATE = Text(de="Bitte einen Tag angeben, z. B. `/{trigger} {example}`.",
                 en="Please give a day, e.g. `/{trigger} {example}`.")
IN_PAST = Text(de="{day} liegt in der Vergangenheit. Es wurde nichts geändert.",
               en="{day} is in the past. Nothing was changed.")
NOT_A_DUTY_DAY = Text(de="Am {day} hat „{name}“ keinen Dienst (kein Diensttag, Wochenende oder Feiertag).",
                      en="“{name}” has no duty on {day} (not one of its days, a weekend or a holiday).")
NOT_YOUR_DAY = Text(de="{who} hat am {day} keinen Dienst „{name}“. Es wurde nichts geändert.",
                    en="{who} has no duty “{name}” on {day}. Nothing was changed.")
NOT_YOURS_ANY = Text(de="{who} hat am {day} keinen Dienst. Es wurde nichts geändert.",
                     en="{who} has no duty on {day}. Nothing was changed.")
NOT_MY_DAY = Text(de="Du hast am {day} keinen Dienst „{name}“. Es wurde nichts geändert.",
                  en="You have no duty “{name}” on {day}. Nothing was changed.")
NOT_MINE_ANY = Text(de="Du hast am {day} keinen Dienst. Es wurde nichts geändert.",
                    en="You have no duty on {day}. Nothing was changed.")
ALREADY_DROPPED = Text(de="Für „{name}“ am {day} wird schon eine Vertretung gesucht.",
                       en="A stand-in for “{name}” on {day} is being looked for already.")
SWAP_SELF = Text(de="Mit dir selbst kannst du nicht tauschen.", en="You cannot swap with yourself.")
GREETING_TOO_LONG = Text(de="Die Ansage darf höchstens {limit} Zeichen lang sein (jetzt {length}). Es wurde nichts geändert.",
                         en="The greeting may be at most {limit} characters long (now {length}). Nothing was changed.")
TOO_MANY_DAYS = Text(de="Bitte höchstens {most} Tage auf einmal.", en="At most {most} days at once, please.")

# -- why someone cannot take a duty day --------------------------------------------------------------------

REASON_NOT_PARTICIPANT = Text(de="Du gehörst nicht zum Dienst „{name}“.", en="You are not part of the duty “{name}”.")
REASON_AWAY = Text(de="Du bist am {day} als abwesend eingetragen.", en="You are recorded as away on {day}.")
REASON_NOT_OFFICE = Text(de="„{name}“ ist ein Dienst vor Ort, und du bist am {day} nicht im Büro eingeplant.",
                         en="“{name}” is an on-site duty, and you are not planned in the office on {day}.")
REASON_HOLDS = Text(de="Du hast „{name}“ am {day} schon.", en="You already have “{name}” on {day}.")
REASON_GIVER = Text(de="Du hast diesen Dienst selbst abgegeben.", en="You dropped this duty yourself.")
CANNOT_TAKE = Text(de="Du kannst „{name}“ am {day} nicht übernehmen: {reason}",
                   en="You cannot take “{name}” on {day}: {reason}")
PARTNER_CANNOT = Text(de="{who} kann „{name}“ am {day} nicht übernehmen: {reason}",
                      en="{who} cannot take “{name}” on {day}: {reason}")
PARTNER_NOT_PARTICIPANT = Text(de="gehört nicht zum Dienst.", en="is not part of the duty.")
PARTNER_AWAY = Text(de="ist an dem Tag abwesend.", en="is away that day.")
PARTNER_NOT_OFFICE = Text(de="ist an dem Tag nicht im Büro (Dienst vor Ort).",
                          en="is not in the office that day (on-site duty).")
PARTNER_HOLDS = Text(de="hat den Dienst an dem Tag schon.", en="has the duty that day already.")

# -- replies ------------------------------------------------------------------------------------------------

ADDED = Text(de="Dienst „{name}“ angelegt: {summary}.", en="Duty “{name}” defined: {summary}.")
EDITED = Text(de="Dienst „{name}“ geändert: {summary}. Die Reihenfolge zählt ab heute neu.",
              en="Duty “{name}” changed: {summary}. The order counts afresh from today.")
SUMMARY_ON_SITE = Text(de="vor Ort", en="on site")
SUMMARY_ANYWHERE = Text(de="überall (auch von zu Hause)", en="anywhere (also from home)")
PERSONS = Plural(de=("Person", "Personen"), en=("person", "people"))
SUMMARY_ALL_DAY = Text(de="ganztags", en="all day")
SUMMARY_NUMBER = Text(de="Nummer {number}", en="number {number}")
DELETE_ASK = Text(de="Dienst „{name}“ wirklich löschen? Der Plan, die Übergaben und offenen Anfragen gehen mit.",
                  en="Really delete the duty “{name}”? Its plan, hand-overs and open requests go with it.")
DELETE_BUTTON = Text(de="Ja, löschen", en="Yes, delete")
DELETED = Text(de="Dienst „{name}“ gelöscht.", en="Duty “{name}” deleted.")
GONE = Text(de="Diesen Dienst gibt es nicht mehr.", en="This duty no longer exists.")
MEMBERS_ADDED = Text(de="„{name}“: aufgenommen {people}. Die Reihenfolge zählt ab heute neu.",
                     en="“{name}”: added {people}. The order counts afresh from today.")
MEMBERS_REMOVED = Text(de="„{name}“: herausgenommen {people}. Die Reihenfolge zählt ab heute neu.",
                       en="“{name}”: taken out {people}. The order counts afresh from today.")
MEMBERS_LIST = Text(de="„{name}“ – Reihenfolge: {people}", en="“{name}” – order: {people}")
MEMBERS_NONE = Text(de="„{name}“ hat niemanden: Die Rotation dieses Kanals ist leer, und niemand wurde aufgenommen.",
                    en="“{name}” has nobody: this channel's rotation is empty and nobody was added.")
MEMBER_DM_ADDED = Text(de="{lead} hat dich in den Dienst „{name}“ im Kanal {channel} aufgenommen.",
                       en="{lead} added you to the duty “{name}” in channel {channel}.")
MEMBER_DM_REMOVED = Text(de="{lead} hat dich aus dem Dienst „{name}“ im Kanal {channel} herausgenommen.",
                         en="{lead} took you out of the duty “{name}” in channel {channel}.")
PLAN_TITLE = Text(de="#### Dienstplan {channel}: {range}", en="#### Duty plan {channel}: {range}")
PLAN_HEADER = Text(de="| Tag | Dienst | Wer | Vertretung |", en="| Day | Duty | Who | Stand-in |")
PLAN_NOTHING = Text(de="In diesem Zeitraum gibt es keine Diensttage.", en="There are no duty days in this span.")
ME_TITLE = Text(de="#### Meine Dienste (nächste 10 Arbeitstage)", en="#### My duties (next 10 working days)")
ME_NONE = Text(de="Du hast in den nächsten 10 Arbeitstagen keinen Dienst.", en="You have no duty in the next 10 working days.")
ME_LINE = Text(de="- {day}: {name}{channel}", en="- {day}: {name}{channel}")

# -- hand-overs -----------------------------------------------------------------------------------------------

TAKE_BUTTON = Text(de="Ich übernehme", en="I'll take it")
ACCEPT = Text(de="Annehmen", en="Accept")
DECLINE = Text(de="Ablehnen", en="Decline")
REQUEST_POST = Text(de="🙋 **Vertretung gesucht:** {name} am {day}{hours} – {who} kann nicht. Wer übernimmt?",
                    en="🙋 **Stand-in wanted:** {name} on {day}{hours} – {who} can't. Who steps in?")
COVER_POST = Text(de="⚠️ **{name} am {day}{hours} ist unbesetzt** ({missing}). Wer übernimmt?",
                  en="⚠️ **{name} on {day}{hours} is uncovered** ({missing}). Who steps in?")
TAKEN_POST = Text(de="✅ **{name} am {day}{hours}:** übernommen von {taker}{giver}.",
                  en="✅ **{name} on {day}{hours}:** taken by {taker}{giver}.")
COVERED_AGAIN_POST = Text(de="✅ **{name} am {day}** ist wieder besetzt. Danke!", en="✅ **{name} on {day}** is covered again. Thanks!")
TAKEN_FROM = Text(de=" (statt {giver})", en=" (instead of {giver})")
DROPPED_REPLY = Text(de="Du gibst „{name}“ am {day} ab. Im Kanal ist gefragt, wer übernimmt; du bekommst Bescheid.",
                     en="You are dropping “{name}” on {day}. The channel is asked who steps in; you will be told.")
DROPPED_FOR_REPLY = Text(de="{who} gibt „{name}“ am {day} ab. Im Kanal ist gefragt, wer übernimmt.",
                         en="{who} is dropping “{name}” on {day}. The channel is asked who steps in.")
DROPPED_FOR_DM = Text(de="{lead} hat deinen Dienst „{name}“ am {day} abgegeben; im Kanal {channel} wird eine Vertretung gesucht.",
                      en="{lead} dropped your duty “{name}” on {day}; a stand-in is being looked for in channel {channel}.")
YOU_TOOK = Text(de="Danke! Du hast „{name}“ am {day} übernommen.", en="Thanks! You have taken “{name}” on {day}.")
ALREADY_TAKEN = Text(de="Schon vergeben: {taker} hat „{name}“ am {day} übernommen.",
                     en="Already taken: {taker} has taken “{name}” on {day}.")
REQUEST_GONE = Text(de="Diese Anfrage gilt nicht mehr.", en="This request is no longer open.")
TAKEN_DM_GIVER = Text(de="{taker} übernimmt deinen Dienst „{name}“ am {day}.",
                      en="{taker} takes over your duty “{name}” on {day}.")
TAKEN_DM_LEAD = Text(de="Kanal {channel}: {taker} übernimmt „{name}“ am {day}{giver}.",
                     en="Channel {channel}: {taker} takes “{name}” on {day}{giver}.")
COVER_DM_LEAD = Text(de="⚠️ Kanal {channel}: „{name}“ am {day} ist unbesetzt ({missing}). Im Kanal ist gefragt, wer übernimmt.",
                     en="⚠️ Channel {channel}: “{name}” on {day} is uncovered ({missing}). The channel is asked who steps in.")
SWAP_DM = Text(de="{who} möchte dir den Dienst „{name}“ am {day} übergeben. Übernimmst du ihn?",
               en="{who} would like to hand the duty “{name}” on {day} to you. Will you take it?")
SWAP_ASKED = Text(de="{who} ist gefragt, ob sie oder er „{name}“ am {day} übernimmt; du bekommst Bescheid.",
                  en="{who} has been asked to take “{name}” on {day}; you will be told.")
TAKE_ASK_DM = Text(de="{who} möchte deinen Dienst „{name}“ am {day} übernehmen. Einverstanden?",
                   en="{who} would like to take over your duty “{name}” on {day}. Agreed?")
TAKE_ASKED = Text(de="„{name}“ am {day} hat {holder}. {holder} ist gefragt, ob du übernehmen darfst; du bekommst Bescheid.",
                  en="{holder} has “{name}” on {day}. {holder} has been asked whether you may take it; you will be told.")
TOOK_AT_ONCE = Text(de="„{name}“ am {day} war unbesetzt – jetzt hast du ihn. Danke!",
                    en="“{name}” on {day} was uncovered – now it is yours. Thanks!")
ANSWER_ACCEPTED = Text(de="Erledigt: „{name}“ am {day} hat jetzt {taker}.", en="Done: {taker} now has “{name}” on {day}.")
ANSWER_DECLINED = Text(de="Abgelehnt: „{name}“ am {day} bleibt, wie es war.", en="Declined: “{name}” on {day} stays as it was.")
TOLD_ACCEPTED = Text(de="{who} hat zugestimmt: „{name}“ am {day} hat jetzt {taker}.",
                     en="{who} agreed: {taker} now has “{name}” on {day}.")
TOLD_DECLINED = Text(de="{who} hat abgelehnt: „{name}“ am {day} bleibt, wie es war.",
                     en="{who} declined: “{name}” on {day} stays as it was.")
NOT_FOR_YOU = Text(de="Diese Frage ging an jemand anderen.", en="This question was for someone else.")
GAINED_DM = Text(de="🛎️ Neu für dich: „{name}“ am {day} (Kanal {channel}).",
                 en="🛎️ New for you: “{name}” on {day} (channel {channel}).")
LOST_DM = Text(de="🛎️ Nicht mehr bei dir: „{name}“ am {day} (Kanal {channel}).",
               en="🛎️ No longer yours: “{name}” on {day} (channel {channel}).")

# -- greeting -----------------------------------------------------------------------------------------------

GREETING_SHOW = Text(de="📼 Ansage des Teams:\n> {text}", en="📼 The team's greeting:\n> {text}")
GREETING_NONE = Text(de="Für diesen Kanal ist keine Ansage hinterlegt.", en="This channel has no greeting.")
GREETING_SET = Text(de="Ansage gespeichert. Wer auf den Anrufbeantworter umleitet, bekommt sie angezeigt:\n> {text}",
                    en="Greeting saved. Whoever forwards to voicemail is shown it:\n> {text}")
GREETING_OFF = Text(de="Ansage entfernt.", en="Greeting removed.")

# -- meine-daten ---------------------------------------------------------------------------------------------

MYDATA_SECTION = Text(de="Dienste", en="Duties")
MYDATA_ADDED = Text(de="in den Dienst „{name}“ aufgenommen ({{channel}})", en="added to the duty “{name}” ({{channel}})")
MYDATA_LINE = Text(de="Platz in der Reihenfolge von „{name}“, festgehalten am {day} ({{channel}})",
                   en="place in the order of “{name}”, as written down on {day} ({{channel}})")
MYDATA_EXCLUDED = Text(de="aus dem Dienst „{name}“ herausgenommen ({{channel}})",
                       en="taken out of the duty “{name}” ({{channel}})")
MYDATA_HANDOVER_TOOK = Text(de="{day}: „{name}“ übernommen ({{channel}})", en="{day}: took “{name}” ({{channel}})")
MYDATA_HANDOVER_GAVE = Text(de="{day}: „{name}“ abgegeben ({{channel}})", en="{day}: handed over “{name}” ({{channel}})")
MYDATA_REQUEST = Text(de="{day}: Anfrage zu „{name}“ ({state}) ({{channel}})", en="{day}: request about “{name}” ({state}) ({{channel}})")
MYDATA_CREATED = Text(de="Dienst „{name}“ angelegt ({{channel}})", en="defined the duty “{name}” ({{channel}})")
MYDATA_GREETING = Text(de="Ansage gesetzt ({{channel}})", en="set the greeting ({{channel}})")
STATE_WORDS = {"open": Text(de="offen", en="open"), "done": Text(de="erledigt", en="done"),
               "declined": Text(de="abgelehnt", en="declined"), "gone": Text(de="erledigt", en="closed")}

# -- the menu (SPEC §2.6) ---------------------------------------------------------------------------------

MENU_TITLE = Text(de="#### Deine Dienste", en="#### Your duties")
MENU_TODAY = Text(de="Heute", en="Today")
MENU_NONE = Text(de="Du hast in den nächsten {days} Arbeitstagen keinen Dienst.",
                 en="You have no duty in the next {days} working days.")
MENU_LINE = Text(de="- {day}: **{name}**{reach}{channel}", en="- {day}: **{name}**{reach}{channel}")
MENU_HERE = Text(de="#### Dienste in diesem Kanal", en="#### Duties in this channel")
MENU_DROP = Text(de="Abgeben …", en="Drop …")
MENU_SWAP = Text(de="Tausch …", en="Swap …")
MENU_PLAN = Text(de="Dienstplan", en="Duty plan")
MENU_NO_DAYS = Text(de="Du hast in den nächsten {days} Arbeitstagen keinen Dienst, den du abgeben oder tauschen "
                       "könntest.",
                    en="You have no duty in the next {days} working days to drop or swap.")
DROP_DIALOG_TITLE = Text(de="Dienst abgeben", en="Drop a duty")
DROP_DAY = Text(de="Welcher Dienst?", en="Which duty?")
DROP_DAY_HELP = Text(de="Im Kanal des Dienstes wird gefragt, wer übernimmt; wer zuerst „Ich übernehme“ drückt, "
                        "hat ihn.",
                     en="The duty's channel is asked who steps in; whoever presses “I'll take it” first has it.")
DROP_SUBMIT = Text(de="Abgeben", en="Drop")
SWAP_DIALOG_TITLE = Text(de="Dienst tauschen", en="Swap a duty")
SWAP_PARTNER = Text(de="An wen?", en="To whom?")
SWAP_PARTNER_HELP = Text(de="Sie oder er bekommt eine Direktnachricht und stimmt zu oder lehnt ab.",
                         en="They get a direct message and accept or decline.")
SWAP_DAY = Text(de="Welcher Dienst?", en="Which duty?")
SWAP_SUBMIT = Text(de="Fragen", en="Ask")
DUTY_OPTION = Text(de="{day}: {name}{channel}", en="{day}: {name}{channel}")
