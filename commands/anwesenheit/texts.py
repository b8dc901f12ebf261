"""What /anwesenheit says: subcommand words, help and every message (German and English)."""

from __future__ import annotations

from base.i18n import Text
from commands.help import render_help
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
HELP_ENTRIES = [
    ("[heute|morgen|DATUM]", "[today|tomorrow|DATE]", Text(de="wer ist wann wo (nur für dich)", en="who is where (only you see it)")),
    ("woche", "week", Text(de="die ganze Woche", en="the whole week")),
    ("@name", "@name", Text(de="wie erreiche ich diese Person gerade?", en="how do I reach this person now?")),
    ("posten", "post", Text(de="heutige Anwesenheit jetzt im Kanal posten (Leitung)", en="post today's roster in the channel now (lead)")),
    ("zeit 07:30 | tage Mo-Fr | aus | an", "time 07:30 | days Mon-Fri | off | on",
     Text(de="Morgenpost einstellen (Leitung)", en="configure the morning post (lead)")),
    ("region DE-XX", "region DE-XX",
     Text(de="Feiertage für die Anwesenheit dieses Kanals: an Feiertagen dieser Region keine Morgenpost, "
             "die Abfragen nennen den Feiertag (Leitung); `/homeoffice plan` rechnet mit der Region der Rotation",
          en="holidays for this channel's roster: no morning post on that region's holidays, the roster views "
             "name the holiday (lead); `/homeoffice plan` uses the rotation's region")),
    ("sprache de|en", "language de|en", Text(de="Sprache der Morgenpost (Leitung)", en="language of the morning post (lead)")),
]

NO_ROTATION = Text(de="In diesem Kanal gibt es keine Home-Office-Rotation, daher keine Anwesenheit. Eine Leitung kann sie mit `/homeoffice einrichten` anlegen.",
                   en="This channel has no home-office rotation, so there is no roster. A lead can create one with `/homeoffice setup`.")
NOT_WORKING_DAY = Text(de="{day} ist kein Arbeitstag{holiday}.", en="{day} is not a working day{holiday}.")
HOLIDAY_PART = Text(de=" (Feiertag: {name})", en=" (public holiday: {name})")
NO_POST_TODAY = Text(de="Heute, {day}, ist kein Arbeitstag{holiday}; daher gibt es keine Anwesenheit zum Posten.",
                     en="Today, {day}, is not a working day{holiday}, so there is no roster to post.")
POSTED = Text(de="Die Anwesenheit für heute wird jetzt gepostet.", en="Today's roster is being posted now.")
ALREADY = Text(de="Die Anwesenheit für heute ist schon gepostet; sie wird bei Änderungen automatisch aktualisiert.",
               en="Today's roster is already posted; it is updated automatically when things change.")
TIME_USAGE = Text(de="So geht’s: `/{trigger} zeit 07:30` (zwischen 05:00 und {latest}).", en="Usage: `/{trigger} time 07:30` (between 05:00 and {latest}).")
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
WHAT_ON = Text(de="Morgenpost an", en="morning post on")
WHAT_OFF = Text(de="Morgenpost aus", en="morning post off")
WHAT_REGION = Text(de="Feiertage für die Anwesenheit nach {region}", en="holidays of {region} for the roster")
WHAT_LANG = Text(de="Sprache {lang}", en="language {lang}")
REACH_AWAY = Text(de="{name} ist heute abwesend.", en="{name} is away today.")
REACH_WHERE = Text(de="{name} ist heute {where}.", en="{name} is {where} today.")
REACH_UNKNOWN = Text(de="Für {name} ist heute nichts eingetragen.", en="Nothing is recorded for {name} today.")
REACH_NUMBER = Text(de="Büronummer: {number}", en="Office number: {number}")
REACH_FORWARD = Text(de="Rufumleitung: {forward}", en="Call forwarding: {forward}")
REACH_STANDIN = Text(de="Vertretung: {name}", en="Standing in: {name}")
WHERE_PHRASE = {Where.OFFICE: Text(de="im Büro", en="in the office"), Where.HOME: Text(de="im Home-Office", en="working from home"),
                Where.FIELD: Text(de="unterwegs", en="in the field"), Where.AWAY: Text(de="abwesend", en="away")}
UNKNOWN_SUB = Text(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, HELP_ENTRIES, locale, trigger)
