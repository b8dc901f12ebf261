"""What /anwesenheit says: subcommand words, help and every message (German and English)."""

from __future__ import annotations

from base.i18n import Text
from commands.help import HelpBook, HelpEntry, render_entry_help, render_help
from domain.rotation import Where

SUBCOMMANDS = {
    "heute": "today", "today": "today", "morgen": "tomorrow", "tomorrow": "tomorrow",
    "woche": "week", "week": "week",
    "posten": "post", "post": "post",
    "zeit": "time", "time": "time", "tage": "days", "days": "days",
    "aus": "off", "off": "off", "an": "on", "on": "on",
    "region": "region", "sprache": "language", "language": "language",
}
WEEKDAYS = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6,
            "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DEFAULT_DAYS = "0,1,2,3,4"
SKIPPED = "skipped"  # the ledger's outbox key of a day that got no roster

TITLE = Text(de="Anwesenheit", en="Presence roster")
_ = Text
HELP = HelpBook(
    title=TITLE,
    examples=(_(de="", en=""), _(de="morgen", en="tomorrow"), _(de="@bernd.mueller", en="@bernd.mueller")),
    sample=_(de="zeit", en="time"),
    entries=(
        HelpEntry(("today", "tomorrow"), _(de="[heute|morgen|DATUM]", en="[today|tomorrow|DATE]"),
                  _(de="wer ist an dem Tag wo (nur für dich sichtbar)", en="who is where that day (only you see it)"),
                  (_(de="heute", en="today"), _(de="morgen", en="tomorrow"), _(de="Fr", en="Fri"))),
        HelpEntry(("week",), _(de="woche|ZEITRAUM", en="week|DATES"),
                  _(de="die Woche oder ein Zeitraum als Tabelle", en="the week or some days as a table"),
                  (_(de="woche", en="week"), _(de="nächste Woche", en="next week"),
                   _(de="14.12. bis 18.12.", en="14.12. to 18.12.")),
                  _(de="`woche` ist diese Woche (Mo–Fr), ab Samstag die nächste.",
                    en="`week` is this week (Mon–Fri), from Saturday on the next.")),
        HelpEntry(("reach",), _(de="@name [DATUM]", en="@name [DATE]"),
                  _(de="wie erreiche ich diese Person?", en="how do I reach this person?"),
                  (_(de="@bernd.mueller", en="@bernd.mueller"), _(de="@bernd.mueller morgen", en="@bernd.mueller tomorrow"))),
        HelpEntry(("post",), _(de="posten", en="post"),
                  _(de="die heutige Anwesenheit jetzt im Kanal veröffentlichen (Leitung)",
                    en="post today's roster in the channel now (lead)"),
                  (_(de="posten", en="post"),)),
        HelpEntry(("time",), _(de="zeit UHRZEIT", en="time TIME"),
                  _(de="Uhrzeit der Morgenpost (Leitung)", en="time of the morning post (lead)"),
                  (_(de="zeit 07:30", en="time 07:30"),),
                  _(de="Die Morgenpost kommt an jedem Arbeitstag zu dieser Uhrzeit in den Kanal.",
                    en="The morning post comes to the channel at this time on every working day.")),
        HelpEntry(("days",), _(de="tage TAGE", en="days DAYS"),
                  _(de="Wochentage der Morgenpost (Leitung)", en="weekdays of the morning post (lead)"),
                  (_(de="tage Mo-Fr", en="days Mon-Fri"), _(de="tage Mo,Mi,Fr", en="days Mon,Wed,Fri"))),
        HelpEntry(("off", "on"), _(de="aus|an", en="off|on"),
                  _(de="Morgenpost aus- oder einschalten (Leitung)", en="turn the morning post off or on (lead)"),
                  (_(de="aus", en="off"), _(de="an", en="on"))),
        HelpEntry(("region",), _(de="region DE-XX", en="region DE-XX"),
                  _(de="Feiertage für die Anwesenheit dieses Kanals (Leitung)",
                    en="public holidays for this channel's roster (lead)"),
                  (_(de="region DE-ST", en="region DE-ST"),),
                  _(de="An Feiertagen dieses Bundeslandes kommt keine Morgenpost, und die Anwesenheit nennt den "
                       "Feiertag. `/homeoffice plan` rechnet mit der Region der Rotation.",
                    en="No morning post on that state's public holidays, and the roster names the holiday. "
                       "`/homeoffice plan` uses the rotation's region.")),
        HelpEntry(("language",), _(de="sprache de|en", en="language de|en"),
                  _(de="Sprache der Morgenpost (Leitung)", en="language of the morning post (lead)"),
                  (_(de="sprache en", en="language de"),)),
    ),
)

NO_ROTATION = Text(de="In diesem Kanal gibt es keine Home-Office-Rotation, daher keine Anwesenheit. Eine Leitung kann sie mit `/homeoffice einrichten` anlegen.",
                   en="This channel has no home-office rotation, so there is no roster. A lead can create one with `/homeoffice setup`.")
NOT_WORKING_DAY = Text(de="{day} ist kein Arbeitstag{holiday}.", en="{day} is not a working day{holiday}.")
HOLIDAY_PART = Text(de=" (Feiertag: {name})", en=" (public holiday: {name})")
NO_POST_TODAY = Text(de="Heute, {day}, ist kein Arbeitstag{holiday}; daher gibt es keine Anwesenheit zu veröffentlichen.",
                     en="Today, {day}, is not a working day{holiday}, so there is no roster to post.")
POSTED = Text(de="Die Anwesenheit für heute wird jetzt im Kanal veröffentlicht.", en="Today's roster is being posted now.")
ALREADY = Text(de="Die Anwesenheit für heute ist schon veröffentlicht; sie wird bei Änderungen automatisch aktualisiert.",
               en="Today's roster is already posted; it is updated automatically when things change.")
TIME_USAGE = Text(de="So geht’s: `/{trigger} zeit 07:30` (zwischen 05:00 und {latest} Uhr).", en="Usage: `/{trigger} time 07:30` (between 05:00 and {latest}).")
DAYS_USAGE = Text(de="So geht’s: `/{trigger} tage Mo-Fr` oder `tage Mo,Mi,Fr`.", en="Usage: `/{trigger} days Mon-Fri` or `days Mon,Wed,Fri`.")
NO_WEEKEND_DAYS = Text(
    de="Am Wochenende (Sa, So) gibt es keine Morgenpost. Bitte nur Werktage angeben, z. B. `/{trigger} tage Mo-Fr`. "
       "Es wurde nichts geändert.",
    en="There is no morning post at the weekend (Sat, Sun). Please give weekdays only, e.g. `/{trigger} days Mon-Fri`. "
       "Nothing was changed.")
LANG_USAGE = Text(de="So geht’s: `/{trigger} sprache de` oder `en`.", en="Usage: `/{trigger} language de` or `en`.")
SAVED = Text(de="Gespeichert: {what}.", en="Saved: {what}.")
WHAT_TIME = Text(de="Morgenpost um {time} Uhr", en="morning post at {time}")
WHAT_DAYS = Text(de="Morgenpost an {days}", en="morning post on {days}")
WHAT_ON = Text(de="Morgenpost eingeschaltet", en="morning post switched on")
WHAT_OFF = Text(de="Morgenpost ausgeschaltet", en="morning post switched off")
WHAT_REGION = Text(de="Feiertage für die Anwesenheit nach {region}", en="public holidays of {region} for the roster")
WHAT_LANG = {"de": Text(de="Morgenpost jetzt auf Deutsch", en="morning post now in German"),
             "en": Text(de="Morgenpost jetzt auf Englisch", en="morning post now in English")}
REACH_AWAY = Text(de="{name} ist {when} abwesend.", en="{name} is away {when}.")
REACH_WHERE = Text(de="{name} ist {when} {where}.", en="{name} is {where} {when}.")
REACH_UNKNOWN = Text(de="Für {name} ist {when} nichts eingetragen.", en="Nothing is recorded for {name} {when}.")
AND = Text(de=" und ", en=" and ")
WHEN_TODAY = Text(de="heute", en="today")
WHEN_TOMORROW = Text(de="morgen ({day})", en="tomorrow ({day})")
WHEN_DAY = Text(de="am {day}", en="on {day}")
REACH_ONE_DAY = Text(de="Bitte nur einen Tag angeben, z. B. `/{trigger} @name morgen`.",
                     en="Please give one day only, e.g. `/{trigger} @name tomorrow`.")
RANGE_TOO_LONG = Text(de="Der Zeitraum ist zu lang (höchstens {days}).", en="That range is too long (at most {days}).")
REACH_NUMBER = Text(de="Büronummer: {number}", en="Office number: {number}")
REACH_FORWARD = Text(de="Rufumleitung: {forward}", en="Call forwarding: {forward}")
REACH_STANDIN = Text(de="Vertretung: {name}", en="Standing in: {name}")
WHERE_PHRASE = {Where.OFFICE: Text(de="im Büro", en="in the office"), Where.HOME: Text(de="im Home-Office", en="working from home"),
                Where.FIELD: Text(de="unterwegs", en="in the field"), Where.AWAY: Text(de="abwesend", en="away")}
UNKNOWN_SUB = Text(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")


def help_text(locale: str, trigger: str) -> str:
    return render_help(HELP, locale, trigger)


def sub_help_text(locale: str, trigger: str, key: str) -> str:
    return render_entry_help(HELP, key, locale, trigger)


# -- the menu (SPEC §2.6) -------------------------------------------------------------------------

MENU_TOMORROW = Text(de="Morgen", en="Tomorrow")
MENU_WEEK = Text(de="Diese Woche", en="This week")
MENU_REACH = Text(de="Erreichbarkeit …", en="Reach someone …")
MENU_NOBODY = Text(de="Bitte eine Person auswählen.", en="Please choose a person.")
