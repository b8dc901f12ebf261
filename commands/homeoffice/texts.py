"""Every text /homeoffice shows, its help entries, and the words for where someone works."""

from __future__ import annotations

from base.i18n import Plural, Text
from commands.help import HelpBook, HelpEntry, render_entry_help, render_help
from domain.rotation import Where

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
# In the reply to a one-off change: "Anna Schmidt: zu Hause am Di, 24.11.2026." / "Anna Schmidt: at home on …".
CHANGED_WHERE = {
    Where.OFFICE: Text(de="im Büro", en="in the office"),
    Where.HOME: Text(de="zu Hause", en="at home"),
    Where.FIELD: Text(de="unterwegs", en="in the field"),
}
WHERE_ICON = {Where.OFFICE: "🏢", Where.HOME: "🏠", Where.FIELD: "🚗", Where.AWAY: "🌴"}

TITLE = Text(de="Home-Office-Gruppen", en="Rotating home-office groups")
_ = Text
HELP = HelpBook(
    title=TITLE,
    examples=(_(de="plan", en="plan"), _(de="abwesend morgen", en="away tomorrow"),
              _(de="zuhause Fr", en="home Fri")),
    entries=(
        HelpEntry(("setup",), _(de="einrichten GRUPPEN MUSTER [ab DATUM] [min N]", en="setup GROUPS PATTERN [from DATE] [min N]"),
                  _(de="Rotation des Kanals anlegen oder ersetzen (Leitung)",
                    en="create or replace the channel's rotation (lead)"),
                  (_(de="einrichten A,B woche", en="setup A,B weekly"),
                   _(de="einrichten A,B tag ab 04.01. min 3", en="setup A,B daily from 04.01. min 3"),
                   _(de='einrichten Nord,Süd muster "AAABB/BBBAA"', en='setup North,South custom "AAABB/BBBAA"')),
                  _(de="Die Gruppen durch Komma getrennt, dann das Muster: `woche` (die Gruppen wechseln jede Woche), "
                       "`tag` (jeden Arbeitstag) oder `muster \"…\"` (für jeden Arbeitstag Mo–Fr die Gruppen im Büro, "
                       "Wochen durch `/` getrennt, `-` = niemand). `min 3`: so viele Personen sollen mindestens im Büro "
                       "sein. `region DE-ST`: die Feiertage dieses Bundeslandes. Ohne Angaben öffnet sich ein Dialog. "
                       "Nur für Leitungen.",
                    en="The groups separated by commas, then the pattern: `weekly` (the groups alternate every week), "
                       "`daily` (every working day) or `custom \"…\"` (for each working day Mon–Fri the groups in the "
                       "office, weeks separated by `/`, `-` = nobody). `min 3`: at least this many people should be in "
                       "the office. `region DE-ST`: that state's public holidays. Without arguments a dialog opens. "
                       "Leads only.")),
        HelpEntry(("assign",), _(de="gruppe GRUPPE @name …", en="assign GROUP @name …"),
                  _(de="Personen einer Gruppe zuordnen (Leitung)", en="put people into a group (lead)"),
                  (_(de="gruppe A @anna.schmidt @bernd.mueller", en="assign A @anna.schmidt @bernd.mueller"),),
                  _(de="Wer schon in einer anderen Gruppe ist, wechselt. Die Personen erfahren es per Direktnachricht.",
                    en="Anyone already in another group moves. The people are told by direct message.")),
        HelpEntry(("remove",), _(de="entfernen @name …", en="remove @name …"),
                  _(de="Personen aus der Rotation nehmen (Leitung)", en="take people out of the rotation (lead)"),
                  (_(de="entfernen @bernd.mueller", en="remove @bernd.mueller"),)),
        HelpEntry(("split",), _(de="aufteilen", en="split"),
                  _(de="Kanalmitglieder gleichmäßig auf die Gruppen verteilen (Leitung)",
                    en="spread the channel's members evenly over the groups (lead)"),
                  (_(de="aufteilen", en="split"),),
                  _(de="Wer schon in einer Gruppe ist, bleibt dort, soweit es geht.",
                    en="Whoever is in a group already stays there where possible.")),
        HelpEntry(("plan",), _(de="plan [ZEITRAUM]", en="plan [DATES]"),
                  _(de="wer arbeitet wann wo", en="who works where, when"),
                  (_(de="plan", en="plan"), _(de="plan nächste Woche", en="plan next week"),
                   _(de="plan 14.12. bis 18.12.", en="plan 14.12. to 18.12.")),
                  _(de="Ohne Angabe: diese Woche (Mo–Fr), ab Samstag die nächste. Vergangene Tage zeigt der Plan "
                       "nicht. Tage unter der Mindestbesetzung sind mit ⚠️ markiert.",
                    en="Without dates: this week (Mon–Fri), from Saturday on the next. The plan shows no past days. "
                       "Days below the minimum staffing are marked ⚠️.")),
        HelpEntry(("me",), _(de="ich", en="me"), _(de="meine nächsten 10 Arbeitstage", en="my next 10 working days"),
                  (_(de="ich", en="me"),)),
        HelpEntry(("office", "home", "field"),
                  _(de="büro|zuhause|unterwegs ZEITRAUM [für @name]", en="office|home|field DATES [for @name]"),
                  _(de="einmalig woanders arbeiten", en="work somewhere else once"),
                  (_(de="zuhause morgen", en="home tomorrow"), _(de="büro Mo bis Mi", en="office Mon to Wed"),
                   _(de="unterwegs 10.12. für @bernd.mueller", en="field 10.12. for @bernd.mueller")),
                  _(de="Die Änderung gilt statt der Rotation. Mit `für @name` trägt eine Leitung für eine andere Person "
                       "ein; diese erfährt es per Direktnachricht. Zurücknehmen: `/{trigger} zurücksetzen ZEITRAUM`.",
                    en="The change applies instead of the rotation. With `for @name` a lead enters it for someone "
                       "else, who is told by direct message. To undo: `/{trigger} clear DATES`.")),
        HelpEntry(("away",), _(de="abwesend ZEITRAUM [Notiz] [für @name]", en="away DATES [note] [for @name]"),
                  _(de="Abwesenheit eintragen (Urlaub, Krankheit, Fortbildung)",
                    en="record an absence (leave, illness, training)"),
                  (_(de="abwesend morgen", en="away tomorrow"),
                   _(de="abwesend 14.12. bis 18.12. Urlaub", en="away 14.12. to 18.12. leave")),
                  _(de="Die Notiz sehen nur, wer sie schreibt, und die Person, um die es geht. Plan und Anwesenheit "
                       "zeigen nur „abwesend“, nie einen Grund.",
                    en="Only its author and the person it concerns see the note. The plan and the roster show "
                       "only “away”, never a reason.")),
        HelpEntry(("swap",), _(de="tausch @name DATUM [DATUM2]", en="swap @name DATE [DATE2]"),
                  _(de="einen Tag mit jemandem tauschen", en="swap a day with someone"),
                  (_(de="tausch @elif.yilmaz Mi", en="swap @elif.yilmaz Wed"),
                   _(de="tausch @elif.yilmaz 09.12. 16.12.", en="swap @elif.yilmaz 09.12. 16.12.")),
                  _(de="Am DATUM tauscht ihr, wo ihr arbeitet: Eine Person ist laut Plan im Büro, die andere zu Hause. "
                       "Mit DATUM2 tauscht ihr an diesem Tag zurück, sodass beide gleich viele Bürotage behalten. "
                       "Der Tausch gilt erst, wenn die andere Person ihn annimmt.",
                    en="On DATE you swap where you work: one of you is due in the office, the other at home. "
                       "With DATE2 you swap back on that day, so both keep the same number of office days. "
                       "The swap applies once the other person accepts it.")),
        HelpEntry(("clear",), _(de="zurücksetzen ZEITRAUM", en="clear DATES"),
                  _(de="meine einmaligen Änderungen entfernen", en="remove my one-off changes"),
                  (_(de="zurücksetzen morgen", en="clear tomorrow"),
                   _(de="zurücksetzen 14.12. bis 18.12.", en="clear 14.12. to 18.12."))),
        HelpEntry(("hometeam",), _(de="stammteam", en="home-team"),
                  _(de="diese Rotation legt meine Tage fest (wenn ich in mehreren bin)",
                    en="this rotation sets my days (if I am in several)"),
                  (_(de="stammteam", en="home-team"),)),
        HelpEntry(("lead",), _(de="leitung hinzufügen|entfernen @name", en="lead add|remove @name"),
                  _(de="weitere Leitungen für diesen Kanal", en="extra leads for this channel"),
                  (_(de="leitung hinzufügen @claudia.weber", en="lead add @claudia.weber"),),
                  _(de="Wer in Mattermost Kanal-, Team- oder Systemadmin ist, ist immer Leitung.",
                    en="Channel, team and system admins in Mattermost are always leads.")),
        HelpEntry(("prompts",), _(de="erinnerung an|aus", en="reminder on|off"),
                  _(de="morgens an die Rufumleitung erinnern (Leitung)", en="morning call-forwarding prompts (lead)"),
                  (_(de="erinnerung an", en="reminder on"),),
                  _(de="Wer an einem Home-Office-Tag keine Rufumleitung hat, bekommt morgens eine Direktnachricht "
                       "mit Schaltflächen.",
                    en="Whoever works from home without call forwarding gets a direct message with buttons "
                       "in the morning.")),
        HelpEntry(("delete",), _(de="löschen", en="delete"),
                  _(de="Rotation löschen, mit Rückfrage (Leitung)", en="delete the rotation, after confirming (lead)")),
        HelpEntry(("mydata",), _(de="meine-daten", en="my-data"),
                  _(de="alles, was über mich gespeichert ist", en="everything stored about me")),
        HelpEntry(("forget",), _(de="vergessen", en="forget-me"),
                  _(de="alle meine Daten löschen, mit Rückfrage", en="delete all my data, after confirming")),
    ),
)

T = Text  # short alias for the many texts below

NO_ROTATION = T(de="In diesem Kanal gibt es noch keine Rotation. Eine Leitung kann sie mit `/{trigger} einrichten` anlegen.",
                en="This channel has no rotation yet. A lead can create one with `/{trigger} setup`.")
UNKNOWN_SUB = T(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")
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
SUMMARY = T(de="Gruppen {groups}, {pattern}, ab {start}, {min}, Feiertage {region}",
            en="groups {groups}, {pattern}, from {start}, {min}, public holidays of {region}")
MIN_SOME = T(de="Mindestbesetzung {people} im Büro", en="minimum staffing {people} in the office")
MIN_NONE = T(de="keine Mindestbesetzung", en="no minimum staffing")
MAPPED = T(de="Die Mitglieder bleiben in der Gruppe an derselben Stelle: {mapping}.",
           en="Members stay in the group at the same position: {mapping}.")
UNGROUPED = T(de="Ohne Gruppe (ihre Gruppe gibt es nicht mehr): {names}. Mit `/{trigger} aufteilen` verteilt eine Leitung "
                 "sie auf die Gruppen.",
              en="Without a group (their group is gone): {names}. A lead distributes them with `/{trigger} split`.")
UNGROUPED_DM = T(de="{lead} hat die Rotation in „{channel}“ neu eingerichtet; deine Gruppe {group} gibt es dort nicht mehr. "
                    "Bis dich eine Leitung einer Gruppe zuordnet, legt diese Rotation deine Tage nicht fest.",
                 en="{lead} set up the rotation in “{channel}” anew; your group {group} no longer exists there. "
                    "Until a lead puts you into a group, this rotation does not set your days.")
SPLIT_BUTTON = T(de="Jetzt aufteilen", en="Split now")
MIN_ABOVE_TEAM = T(de="Hinweis: Die Mindestbesetzung ({min}) ist größer als die Zahl der Personen im Kanal ({people}); "
                      "sie kann nie erreicht werden.",
                   en="Note: the minimum staffing ({min}) is more than the number of people in the channel ({people}); "
                      "it can never be met.")
SWAP_UNDO_ASK = T(de="Dieser Tag gehört zu deinem Tausch mit {name} ({days}). Ein Tausch gilt nur ganz: Soll er ganz "
                     "zurückgenommen werden (beide Hälften, für euch beide) und dann deine Änderung gelten?",
                  en="This day is part of the swap with {name} ({days}). A swap counts only as a whole: undo it "
                     "completely (both halves, for both of you) and then make your change?")
SWAP_UNDO_YES = T(de="Tausch zurücknehmen und ändern", en="Undo the swap and change")
SWAP_UNDONE = T(de="Der Tausch ist zurückgenommen.", en="The swap is undone.")
SWAP_UNDONE_DM = T(de="{who} hat euren Tausch ({days}) zurückgenommen; es gilt wieder, was die Rotation vorsieht. "
                      "Deine Tage: `/{trigger} ich`.",
                   en="{who} undid your swap ({days}); the rotation's plan applies again. Your days: `/{trigger} me`.")
SWAP_UNDONE_BY_LEAD_DM = T(de="{who} hat deinen Tausch mit {name} ({days}) zurückgenommen; es gilt wieder, was die "
                              "Rotation vorsieht. Deine Tage: `/{trigger} ich`.",
                           en="{who} undid your swap with {name} ({days}); the rotation's plan applies again. "
                              "Your days: `/{trigger} me`.")
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
RANGE_TOO_LONG = T(de="Der Zeitraum ist zu lang (höchstens {days}).", en="That range is too long (at most {days}).")
NO_WORKING_DAY = T(de="{day} ist kein Arbeitstag{holiday}.", en="{day} is not a working day{holiday}.")
NO_WORKING_DAYS = T(de="Vom {first} bis {last} ist kein Arbeitstag.", en="There is no working day from {first} to {last}.")
HOLIDAY_PART = T(de=" (Feiertag: {name})", en=" (public holiday: {name})")
IN_PAST = T(de="Das liegt in der Vergangenheit ({range}). Änderungen sind ab heute möglich.", en="That is in the past ({range}). Changes start today.")
CHANGED = T(de="{who}: {where} {days}.", en="{who}: {where} {days}.")
AWAY_SET = T(de="{who}: abwesend {days}.{note}", en="{who}: away {days}.{note}")
NOTE_PRIVATE = T(de=" Notiz (nur für dich sichtbar): {note}", en=" Note (visible only to you): {note}")
NOTE_PRIVATE_FOR = T(de=" Notiz (nur für dich und {name} sichtbar): {note}", en=" Note (visible only to you and {name}): {note}")
BELOW_MIN = T(de="⚠️ Damit ist {channel} {days} unter der Mindestbesetzung: nur noch {count} statt mindestens {people} "
                 "im Büro. "
                 "Die Änderung gilt trotzdem; die Leitung wurde informiert.",
              en="⚠️ This takes {channel} below the minimum office staffing {days}: only {count} instead of at least "
                 "{people} in the office. "
                 "The change still applies; the leads were told.")
NOTE_TOO_LONG = T(de="Die Notiz ist zu lang (höchstens {limit} Zeichen, hier {length}). Es wurde nichts geändert.",
                  en="The note is too long (at most {limit} characters, here {length}). Nothing was changed.")
LEAD_STILL_ADMIN = T(de=" {names} bleibt trotzdem Leitung, weil Mattermost sie oder ihn als Kanal-, Team- oder "
                        "Systemadmin führt.",
                     en=" {names} still remains a lead as a channel, team or system admin in Mattermost.")
BELOW_MIN_DM = T(de="⚠️ {channel}: {days} sind nur noch {count} statt mindestens {people} im Büro (Änderung von {who}).",
                 en="⚠️ {channel}: {days} only {count} instead of at least {people} are in the office (change by {who}).")
# Told by DM to the person a lead changed something for (SPEC §2.1).
WHERE_FOR_DM = {
    Where.OFFICE: Text(de="im Büro", en="in the office"),
    Where.HOME: Text(de="zu Hause", en="at home"),
    Where.FIELD: Text(de="unterwegs", en="in the field"),
}
CHANGED_FOR_DM = T(de="{lead} hat für dich eingetragen: {where} {days}. Zurücknehmen: `/{trigger} zurücksetzen …`.",
                   en="{lead} entered for you: {where} {days}. To undo: `/{trigger} clear …`.")
AWAY_FOR_DM = T(de="{lead} hat dich {days} als abwesend eingetragen.{note}",
                en="{lead} entered you as away {days}.{note}")
NOTE_FOR_DM = T(de=" Notiz: {note}", en=" Note: {note}")
CLEARED_FOR_DM = T(de="{lead} hat deine einmaligen Änderungen {days} entfernt.",
                   en="{lead} removed your one-off changes {days}.")
ASSIGNED_DM = T(de="{lead} hat dich in „{channel}“ der Gruppe {group} zugeordnet. Deine Tage siehst du mit `/{trigger} ich`.",
                en="{lead} put you into group {group} in “{channel}”. See your days with `/{trigger} me`.")
NOT_CHANNEL_MEMBERS = T(de="Nicht Mitglied dieses Kanals: {names}. In die Rotation kommen nur Mitglieder des Kanals. "
                           "Es wurde nichts geändert.",
                        en="Not members of this channel: {names}. Only members of the channel can join its rotation. "
                           "Nothing was changed.")
CLEARED = T(de="{changes} {days} entfernt.", en="Removed {changes} {days}.")
NOTHING_TO_CLEAR = T(de="{days} gab es keine einmaligen Änderungen.", en="There were no one-off changes {days}.")
SWAP_USAGE = T(de="So geht’s: `/{trigger} tausch @name DATUM [DATUM2]`.", en="Usage: `/{trigger} swap @name DATE [DATE2]`.")
SWAP_SELF = T(de="Mit dir selbst kannst du nicht tauschen.", en="You cannot swap with yourself.")
SWAP_NOT_MEMBER = T(de="{name} ist nicht in der Rotation dieses Kanals.", en="{name} is not in this channel's rotation.")
SWAP_MISMATCH = T(de="Am {day} ist {a} {wa} und {b} {wb}. Tauschen geht nur, wenn eine Person im Büro und die andere "
                     "zu Hause ist.",
                  en="On {day} {a} is {wa} and {b} is {wb}. You can only swap when one of you is in the office and the "
                     "other at home.")
SWAP_BOTH = T(de="Am {day} seid ihr beide {where}. Tauschen geht nur, wenn eine Person im Büro und die andere zu Hause ist.",
              en="On {day} you are both {where}. You can only swap when one of you is in the office and the other at home.")
SWAP_BACK_MISMATCH = T(
    de="Am {day} könnt ihr nicht zurücktauschen: Dafür müsstest du an dem Tag {your} sein und {name} {their} "
       "(du: {wa}, {name}: {wb}). Wähle als zweiten Tag einen, an dem es umgekehrt ist.",
    en="You cannot swap back on {day}: for that you would have to be {your} that day and {name} {their} "
       "(you: {wa}, {name}: {wb}). Choose a second day on which it is the other way round.")
SWAP_PROPOSED = T(de="Tausch vorgeschlagen: Am {day} wärst du {your} statt {their}.{back} {name} bekommt eine Nachricht "
                     "zum Annehmen oder Ablehnen.",
                  en="Swap proposed: on {day} you would be {your} instead of {their}.{back} {name} gets a message to "
                     "accept or decline.")
SWAP_DM = T(de="{who} möchte mit dir tauschen: am {day} wärst du {your} statt {their}.{back}",
            en="{who} would like to swap with you: on {day} you would be {your} instead of {their}.{back}")
SWAP_BACK = T(de=" Am {day} tauscht ihr zurück.", en=" On {day} you swap back.")
SWAP_TOLD_BACK = T(de=" (zurück am {day})", en=" (back on {day})")
ACCEPT = T(de="Annehmen", en="Accept")
DECLINE = T(de="Ablehnen", en="Decline")
SWAP_ACCEPTED = T(de="✅ Tausch angenommen: {summary}", en="✅ Swap accepted: {summary}")
SWAP_DECLINED = T(de="❌ Tausch abgelehnt ({day}).", en="❌ Swap declined ({day}).")
SWAP_TOLD = T(de="{name} hat deinen Tausch für den {day} {verb}.", en="{name} has {verb} your swap for {day}.")
VERB_ACCEPTED = T(de="angenommen", en="accepted")
VERB_DECLINED = T(de="abgelehnt", en="declined")
SWAP_GONE = T(de="Dieser Tauschvorschlag ist nicht mehr offen.", en="This swap proposal is no longer open.")
LEAD_USAGE = T(de="So geht’s: `/{trigger} leitung hinzufügen @name` oder `entfernen @name`.", en="Usage: `/{trigger} lead add @name` or `remove @name`.")
LEAD_ADDED = T(de="Leitung für diesen Kanal: {names}.", en="Leads for this channel: {names}.")
LEAD_REMOVED = T(de="Keine Leitung mehr: {names}.", en="No longer leads: {names}.")
PROMPTS_USAGE = T(de="So geht’s: `/{trigger} erinnerung an` oder `aus`.", en="Usage: `/{trigger} reminder on` or `off`.")
PROMPTS_SET = T(de="Morgendliche Erinnerung an die Rufumleitung: {state}.", en="Morning call-forwarding prompts: {state}.")
ON = T(de="eingeschaltet", en="on")
OFF = T(de="ausgeschaltet", en="off")
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
ME_TITLE = T(de="#### Deine nächsten 10 Arbeitstage", en="#### Your next 10 working days")
ME_GROUP = T(de="Gruppe {group} in {channel}", en="group {group} in {channel}")
ME_HOME = T(de=" (Stammteam: legt deine Tage fest)", en=" (home team: sets your days)")
ME_STARTS = T(de="Deine Rotation beginnt am {day}.", en="Your rotation starts on {day}.")
HOME_SET = T(de="Stammteam: Ab jetzt legt die Rotation in {channel} (Gruppe {group}) deine Tage fest. "
                "Die anderen Kanäle zeigen dich dort, wo diese Rotation dich einplant.",
             en="Home team: from now on the rotation in {channel} (group {group}) sets your days. "
                "The other channels show you where this rotation places you.")
HOME_ALREADY = T(de="Die Rotation in {channel} legt deine Tage schon fest.", en="The rotation in {channel} already sets your days.")
HOME_NOT_MEMBER = T(de="Du bist in keiner Gruppe der Rotation dieses Kanals. Eine Leitung ordnet dich mit "
                       "`/{trigger} gruppe A @name` zu.",
                    en="You are in no group of this channel's rotation. A lead puts you into one with "
                       "`/{trigger} assign A @name`.")
HOME_ELSEWHERE = T(de="Hinweis: Die Tage von {names} legt die Rotation ihres Stammteams in einem anderen Kanal fest; "
                      "hier werden sie so gezeigt, wie diese Rotation sie einplant.",
                   en="Note: the days of {names} are set by the rotation of their home team in another channel; "
                      "here they are shown as that rotation places them.")
HOME_ELSEWHERE_DM = T(de=" Deine Tage legt weiterhin dein Stammteam in {home} fest; mit `/{trigger} stammteam` "
                         "in diesem Kanal änderst du das.",
                      en=" Your days are still set by your home team in {home}; type `/{trigger} home-team` "
                         "in that channel to change it.")
NOT_SCHEDULED = T(de="keine Rotation", en="no rotation")
DIALOG_TITLE = T(de="Rotation einrichten", en="Set up rotation")
DIALOG_OPENED = T(de="Der Dialog zum Einrichten ist geöffnet.", en="The setup dialog is open.")
CHANGES = Plural(de=("einmalige Änderung", "einmalige Änderungen"), en=("one-off change", "one-off changes"))


def help_text(locale: str, trigger: str) -> str:
    return render_help(HELP, locale, trigger)


def sub_help_text(locale: str, trigger: str, key: str) -> str:
    return render_entry_help(HELP, key, locale, trigger)


# -- the menu (SPEC §2.6) -------------------------------------------------------------------------

MENU_TITLE = T(de="#### Dein Arbeitsort", en="#### Where you work")
MENU_TODAY = T(de="Heute", en="Today")
MENU_OFFICE = T(de="Heute im Büro", en="Office today")
MENU_HOME = T(de="Heute zu Hause", en="Home today")
MENU_FIELD = T(de="Heute unterwegs", en="Field today")
MENU_AWAY = T(de="Abwesend …", en="Away …")
MENU_SWAP = T(de="Tausch …", en="Swap …")
MENU_MY_PLAN = T(de="Mein Plan", en="My plan")
MENU_TEAM_PLAN = T(de="Team-Plan", en="Team plan")
MENU_SETUP = T(de="Rotation einrichten …", en="Set up rotation …")
MENU_WEEKEND = T(de="Heute ist kein Arbeitstag.", en="Today is not a working day.")
AWAY_DIALOG_TITLE = T(de="Abwesend", en="Away")
AWAY_FROM = T(de="Von", en="From")
AWAY_TO = T(de="Bis (optional)", en="To (optional)")
AWAY_TO_HELP = T(de="Leer lassen für einen einzelnen Tag.", en="Leave empty for a single day.")
AWAY_NOTE = T(de="Notiz (optional)", en="Note (optional)")
AWAY_NOTE_HELP = T(de="Nur du siehst die Notiz, niemand sonst.", en="Only you see the note, nobody else.")
AWAY_TO_BEFORE = T(de="„Bis“ liegt vor „Von“. Bitte einen Tag ab {day} wählen.",
                   en="“To” is before “From”. Please choose a day from {day} on.")
SWAP_DIALOG_TITLE = T(de="Tausch vorschlagen", en="Propose a swap")
SWAP_PARTNER = T(de="Mit wem?", en="With whom?")
SWAP_DAY = T(de="Tag", en="Day")
SWAP_DAY_HELP = T(de="Der Tag, an dem ihr tauscht.", en="The day you swap.")
SWAP_DAY2 = T(de="Zurücktausch (optional)", en="Swap back (optional)")
SWAP_DAY2_HELP = T(de="Ein zweiter Tag, an dem ihr zurücktauscht.", en="A second day on which you swap back.")
SWAP_SUBMIT = T(de="Vorschlagen", en="Propose")
