"""What /meeting says: its help, its replies, the announcement, the reminder, the calendar file and
`meine-daten`, in German and English."""

from __future__ import annotations

from base.i18n import Plural, Text
from commands.help import HelpBook, HelpEntry, render_entry_help, render_help

T = Text

TITLE = T(de="Videokonferenzen", en="Video meetings")
HELP = HelpBook(
    title=TITLE,
    examples=(T(de='neu "Teamrunde" morgen 10:00', en='new "Team meeting" tomorrow 10:00'),
              T(de='neu "Dienstbesprechung" Mo 9:00 1h wöchentlich', en='new "Service meeting" Mon 9:00 1h weekly'),
              T(de="jetzt", en="now")),
    sample=T(de="neu", en="new"),
    entries=(
        HelpEntry(("new",), T(de='neu "Titel" DATUM UHRZEIT [DAUER] …', en='new "Title" DATE TIME [DURATION] …'),
                  T(de="Besprechung planen", en="schedule a meeting"),
                  (T(de='neu "Teamrunde" morgen 10:00', en='new "Team meeting" tomorrow 10:00'),
                   T(de='neu "Dienstbesprechung" Mo 9:00 1h wöchentlich', en='new "Service meeting" Mon 9:00 1h weekly'),
                   T(de='neu "Fallbesprechung" Fr 14:00 @bernd.mueller', en='new "Case review" Fri 14:00 @bernd.mueller')),
                  T(de="Ohne Angabe dauert die Besprechung 30 Minuten. Dahinter nach Bedarf, in beliebiger Reihenfolge:\n"
                       "- wer teilnimmt: `@name …` oder `~kanal` (sonst dieser Kanal)\n"
                       "- Wiederholung: `wöchentlich`, `täglich`, `werktags`, `zweiwöchentlich` oder `monatlich`\n"
                       "- Erinnerung: `erinnerung 15m` oder `erinnerung aus` (sonst 10 Minuten vorher)\n"
                       "- Videodienst: `über jitsi`, `über bbb`, `über zoom` oder `über https://…`",
                    en="Without a duration it lasts 30 minutes. After that, as needed and in any order:\n"
                       "- who takes part: `@name …` or `~channel` (else this channel)\n"
                       "- repetition: `weekly`, `daily`, `weekdays`, `biweekly` or `monthly`\n"
                       "- reminder: `remind 15m` or `remind off` (else 10 minutes before)\n"
                       "- video service: `via jitsi`, `via bbb`, `via zoom` or `via https://…`")),
        HelpEntry(("now",), T(de='jetzt ["Titel"]', en='now ["Title"]'),
                  T(de="Sofort-Besprechung; der Link kommt gleich in den Kanal",
                    en="instant meeting; the link is posted now"),
                  (T(de="jetzt", en="now"), T(de='jetzt "Kurze Abstimmung"', en='now "Quick check"'))),
        HelpEntry(("list",), T(de="liste", en="list"),
                  T(de="Besprechungen dieses Kanals in den nächsten 14 Tagen",
                    en="this channel's meetings in the next 14 days"),
                  (T(de="liste", en="list"),)),
        HelpEntry(("cancel",), T(de="absagen ID [DATUM]", en="cancel ID [DATE]"),
                  T(de="eine Serie oder einen einzelnen Termin absagen", en="cancel a series or one date"),
                  (T(de="absagen 7", en="cancel 7"), T(de="absagen 7 24.12.", en="cancel 7 24.12.")),
                  T(de="Die ID steht in der Ankündigung und in `/{trigger} liste`. Absagen dürfen die Person, die "
                       "die Besprechung geplant hat, und die Leitungen des Kanals.",
                    en="The ID is in the announcement and in `/{trigger} list`. The person who scheduled the "
                       "meeting and the channel's leads may cancel it.")),
        HelpEntry(("ics",), T(de="ics ID", en="ics ID"),
                  T(de="Kalenderdatei (.ics) in den Kanal laden", en="upload a calendar file (.ics) to the channel"),
                  (T(de="ics 7", en="ics 7"),)),
    ),
)


def help_text(locale: str, trigger: str) -> str:
    return render_help(HELP, locale, trigger)


def sub_help_text(locale: str, trigger: str, key: str) -> str:
    return render_entry_help(HELP, key, locale, trigger)


UNKNOWN_SUB = T(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")
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
UNKNOWN_CHANNEL = T(de="Den Kanal „~{name}“ finde ich nicht. Möglich sind öffentliche Kanäle, in denen du Mitglied bist.",
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
QUOTA = T(de="Du hast in diesem Kanal schon {meetings}; mehr sind nicht möglich. Sage nicht mehr "
             "benötigte mit `/{trigger} absagen ID` ab. Es wurde nichts geändert.",
          en="You already run {meetings} in this channel; no more are possible. Cancel those no longer needed "
             "with `/{trigger} cancel ID`. Nothing was changed.")
RUNNING_MEETINGS = Plural(de=("laufende Besprechung", "laufende Besprechungen"), en=("meeting", "meetings"))
LIST_MORE = T(de="… und {n} weitere", en="… and {n} more")
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
NO_OCCURRENCE_HOLIDAY = T(de="{day} ist ein Feiertag ({name}): „{title}“ findet an Feiertagen nicht statt, es gibt "
                             "also nichts abzusagen. Es wurde nichts geändert.",
                          en="{day} is a public holiday ({name}): “{title}” does not take place on public holidays, "
                             "so there is nothing to cancel. Nothing was changed.")
ON_WEEKEND = T(de="Hinweis: {day} ist ein {weekday}.", en="Note: {day} is a {weekday}.")
ON_HOLIDAY = T(de="Hinweis: {day} ist ein Feiertag ({name}).", en="Note: {day} is a public holiday ({name}).")
WEEKDAY_NAMES = (T(de="Samstag", en="Saturday"), T(de="Sonntag", en="Sunday"))
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
RSVP_YES = T(de="Du hast für {day} zugesagt.", en="You accepted for {day}.")
RSVP_NO = T(de="Du hast für {day} abgesagt.", en="You declined for {day}.")
RSVP_CLOSED = T(de="Diese Besprechung ist abgesagt oder vorbei; Zu- und Absagen sind nicht mehr möglich.",
                en="This meeting is cancelled or over; answers are no longer possible.")
RSVP_NOT_INVITED = T(de="Zu- und Absagen zu „{title}“ sind nur für die eingeladenen Personen möglich. "
                       "Es wurde nichts gespeichert.",
                    en="Only the people invited to “{title}” can accept or decline. Nothing was saved.")
JOIN_UNAVAILABLE = T(de="BigBlueButton ist gerade nicht erreichbar. Bitte gleich noch einmal „Beitreten“ drücken.",
                     en="BigBlueButton cannot be reached right now. Please press “Join” again in a moment.")
JOIN_LINK = T(de="Dein persönlicher Link zu „{title}“: [Jetzt beitreten]({url})",
              en="Your personal link to “{title}”: [Join now]({url})")

# the announcement
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
A_FOOT_NOW = T(de="ID {id} · gestartet von {who}", en="ID {id} · started by {who}")
A_FOOT_CANCELLED = T(de="ID {id} · geplant von {who}", en="ID {id} · scheduled by {who}")
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
MYDATA_RSVP = {"yes": T(de="Zusage zu „{title}“ am {day} in {{channel}}", en="accepted “{title}” on {day} in {{channel}}"),
               "no": T(de="Absage zu „{title}“ am {day} in {{channel}}", en="declined “{title}” on {day} in {{channel}}")}

# the calendar file
ICS_DESCRIPTION = T(de="Beitreten: {url}\nGeplant mit Amtsbote in Mattermost.",
                    en="Join: {url}\nScheduled with Amtsbote in Mattermost.")
ICS_BBB = T(de="BigBlueButton – „Beitreten“ in der Ankündigung in Mattermost", en="BigBlueButton – “Join” in the Mattermost announcement")

# the clock change (spring gap, autumn overlap)
CLOCK_GAP = T(de="Am {day} gibt es {time} Uhr nicht: Um {before} Uhr werden die Uhren auf {after} Uhr vorgestellt. "
                 "Bitte eine andere Uhrzeit wählen. Es wurde nichts geplant.",
              en="On {day} there is no {time}: at {before} the clocks go forward to {after}. "
                 "Please choose another time. Nothing was scheduled.")
CLOCK_OVERLAP = T(de="Am {day} gibt es {time} Uhr zweimal: Um {before} Uhr werden die Uhren auf {after} Uhr "
                     "zurückgestellt. Bitte eine Uhrzeit davor oder danach wählen. Es wurde nichts geplant.",
                  en="On {day} {time} happens twice: at {before} the clocks go back to {after}. "
                     "Please choose a time before or after. Nothing was scheduled.")
SERIES_GAP = T(de="An Tagen der Zeitumstellung gibt es {time} Uhr nicht (zuerst {day}): Der Termin beginnt dann um "
                  "{moved} Uhr. So steht es auch in der Kalenderdatei.",
               en="On clock-change days {time} does not exist (first on {day}): the meeting then starts at {moved}. "
                  "The calendar file says the same.")
SERIES_OVERLAP = T(de="An Tagen der Zeitumstellung gibt es {time} Uhr zweimal (zuerst {day}): Der Termin beginnt dann "
                      "beim ersten {time} Uhr, vor dem Zurückstellen der Uhren ({zone}). So steht es auch in der "
                      "Kalenderdatei.",
                   en="On clock-change days {time} happens twice (first on {day}): the meeting then starts at the "
                      "first {time}, before the clocks go back ({zone}). The calendar file says the same.")
UHR_ZONES = T(de="{day}, {start} Uhr {start_zone} – {end} Uhr {end_zone}", en="{day}, {start} {start_zone} – {end} {end_zone}")
ZONE_NAMES_DE = {"CET": "MEZ", "CEST": "MESZ"}  # what German readers call Central European (Summer) Time


# -- the menu (SPEC §2.6) -------------------------------------------------------------------------

MENU_TITLE = T(de="#### Besprechungen", en="#### Meetings")
MENU_INTRO = T(de="Sofort treffen, eine Besprechung planen oder die nächsten Termine dieses Kanals sehen.",
               en="Meet right away, schedule a meeting or see this channel's next meetings.")
MENU_NOW = T(de="Jetzt treffen", en="Meet now")
MENU_NEW = T(de="Neue Besprechung …", en="New meeting …")
MENU_LIST = T(de="Liste", en="List")
MENU_ALREADY = T(de="„{title}“ (ID {id}) läuft schon; der Link steht im Kanal.",
                 en="“{title}” (ID {id}) is already running; the link is in the channel.")
DIALOG_TITLE = T(de="Neue Besprechung", en="New meeting")
DIALOG_NAME = T(de="Titel", en="Title")
DIALOG_DAY = T(de="Tag", en="Day")
DIALOG_TIME = T(de="Uhrzeit", en="Time")
DIALOG_DURATION = T(de="Dauer", en="Duration")
DIALOG_REPEAT = T(de="Wiederholung", en="Repeats")
DIALOG_REMINDER = T(de="Erinnerung", en="Reminder")
DIALOG_PROVIDER = T(de="Videodienst", en="Video service")
DIALOG_SUBMIT = T(de="Planen", en="Schedule")
