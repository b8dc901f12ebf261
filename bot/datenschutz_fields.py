"""What every stored table and column means, in German, for the record of processing.

`amtsbote datenschutz` (bot/datenschutz.py) lists every column of `SQLModel.metadata` with the
explanation and the retention class given here. A column that the models declare but this file
does not explain fails tests/test_adoption_docs.py, so the document cannot fall behind the schema.

Retention classes are keys of `RETENTION` in bot/datenschutz.py; their wording there carries the
actual periods of the running configuration (`RETENTION_DAYS` and the code's own periods).
"""

from __future__ import annotations

from typing import NamedTuple


class TableInfo(NamedTuple):
    title: str  # what a row is, in German
    job: str  # a key of JOBS in bot/datenschutz.py (the purpose it serves)
    personal: bool  # holds data about persons


class FieldInfo(NamedTuple):
    meaning: str
    retention: str  # a key of RETENTION in bot/datenschutz.py


PERSON = "Mattermost-Kennung der Person (26 Zeichen, kein Name)"
ID = "Mattermost-Kennung der Person"

TABLES: dict[str, TableInfo] = {
    "rotation": TableInfo("Home-Office-Rotation eines Kanals", "homeoffice", True),
    "rotation_member": TableInfo("Mitgliedschaft einer Person in einer Rotation", "homeoffice", True),
    "channel_lead": TableInfo("Mit `leitung add` benannte Leitung eines Kanals", "homeoffice", True),
    "presence_change": TableInfo("Einmalige Änderung des Arbeitsorts an einem Tag", "homeoffice", True),
    "absence": TableInfo("Abwesenheit an einem Tag", "homeoffice", True),
    "swap_proposal": TableInfo("Vorschlag, Arbeitsorte an einem Tag zu tauschen", "homeoffice", True),
    "channel_settings": TableInfo("Einstellungen der Morgenpost eines Kanals", "roster", False),
    "roster_post": TableInfo("Nachweis der Morgenpost je Kanal und Tag (verhindert doppelte Posts)", "roster", False),
    "phone_numbers": TableInfo("Dienstliche Telefonnummern einer Person", "forward", True),
    "call_forward": TableInfo("Angekündigte Rufumleitung", "forward", True),
    "meeting": TableInfo("Besprechung (einmalig oder Serie)", "meeting", True),
    "meeting_cancellation": TableInfo("Abgesagter einzelner Termin einer Serie", "meeting", False),
    "meeting_rsvp": TableInfo("Zu- oder Absage einer Person zu einem Termin", "meeting", True),
    "meeting_reminder": TableInfo("Nachweis, dass die Erinnerung an einen Termin verschickt wurde", "meeting", False),
    "duty": TableInfo("Dienst eines Kanals (z. B. Telefondienst, Postdienst)", "duty", True),
    "duty_participant": TableInfo("Ausdrücklich aufgenommene oder herausgenommene Person eines Dienstes", "duty", True),
    "duty_handover": TableInfo("Übergabe eines Diensttags (Tausch, Abgabe, Übernahme)", "duty", True),
    "duty_request": TableInfo("Anfrage zu einem Diensttag (Abgabe, Tausch, Übernahme, Unterbesetzung)", "duty", True),
    "duty_greeting": TableInfo("Ansage des Teams für den Anrufbeantworter", "duty", True),
    "duty_ledger": TableInfo("Vermerk, dass eine Unterbesetzung gemeldet oder eine Änderung der Besetzung der "
                             "nächsten zwei Arbeitstage mitgeteilt wurde (jede Meldung genau einmal)", "duty", True),
    "audit_log": TableInfo("Protokoll einer Änderung durch eine Leitung an Daten einer anderen Person", "operation", True),
    "outbox": TableInfo("Nachricht, die der Bot an Mattermost schickt (Versandwarteschlange)", "operation", True),
    "slash_command": TableInfo("Registrierter Slash-Befehl eines Teams", "operation", False),
}

FIELDS: dict[str, FieldInfo] = {
    # --- /homeoffice -----------------------------------------------------------------------
    "rotation.channel_id": FieldInfo("Kennung des Kanals, dem die Rotation gehört", "rotation"),
    "rotation.team_id": FieldInfo("Kennung des Mattermost-Teams des Kanals", "rotation"),
    "rotation.groups": FieldInfo("Namen der Gruppen, z. B. „A,B“", "rotation"),
    "rotation.pattern": FieldInfo("Wechselrhythmus: wöchentlich, täglich oder eigenes Muster", "rotation"),
    "rotation.custom": FieldInfo("Das eigene Muster, z. B. „AAABB/BBBAA“", "rotation"),
    "rotation.start": FieldInfo("Erster Tag der Rotation", "rotation"),
    "rotation.min_office": FieldInfo("Mindestbesetzung im Büro (Zahl)", "rotation"),
    "rotation.region": FieldInfo("Bundesland für die Feiertage, z. B. DE-ST", "rotation"),
    "rotation.forward_prompts": FieldInfo("Ob Home-Office-Tage morgens an die Rufumleitung erinnern", "rotation"),
    "rotation.created_by": FieldInfo(f"{ID}, die die Rotation eingerichtet hat; nach „vergessen“ "
                                     "ein Platzhalter", "rotation"),
    "rotation.created_at": FieldInfo("Zeitpunkt der Einrichtung", "rotation"),
    "rotation_member.channel_id": FieldInfo("Kanal der Rotation", "membership"),
    "rotation_member.user_id": FieldInfo(PERSON, "membership"),
    "rotation_member.group": FieldInfo("Gruppe der Person, z. B. „A“", "membership"),
    "rotation_member.joined_at": FieldInfo("Zeitpunkt der Aufnahme; bestimmt das Stammteam, wenn keines "
                                           "gewählt ist", "membership"),
    "rotation_member.home": FieldInfo("Ob diese Rotation als Stammteam gewählt ist (legt die Tage der "
                                      "Person fest)", "membership"),
    "channel_lead.channel_id": FieldInfo("Kanal, für den die Person Leitung ist", "membership"),
    "channel_lead.user_id": FieldInfo(PERSON, "membership"),
    "presence_change.user_id": FieldInfo(PERSON, "day"),
    "presence_change.day": FieldInfo("Der betroffene Tag", "day"),
    "presence_change.where": FieldInfo("Arbeitsort an diesem Tag: Büro, zu Hause oder unterwegs", "day"),
    "presence_change.set_by": FieldInfo(f"{ID}, die die Änderung eingetragen hat (sie selbst oder eine "
                                        "Leitung); nach „vergessen“ ein Platzhalter", "day"),
    "absence.user_id": FieldInfo(PERSON, "day"),
    "absence.day": FieldInfo("Der Tag der Abwesenheit", "day"),
    "absence.note": FieldInfo("Freiwillige Notiz (höchstens 200 Zeichen); sichtbar nur für die Person, die sie "
                              "geschrieben hat, und die betroffene Person", "day"),
    "absence.set_by": FieldInfo(f"{ID}, die die Abwesenheit eingetragen hat; nach „vergessen“ ein "
                                "Platzhalter", "day"),
    "swap_proposal.id": FieldInfo("Laufende Nummer", "day"),
    "swap_proposal.channel_id": FieldInfo("Kanal, in dem der Tausch vorgeschlagen wurde", "day"),
    "swap_proposal.proposer_id": FieldInfo(f"{ID}, die den Tausch vorschlägt", "day"),
    "swap_proposal.partner_id": FieldInfo(f"{ID}, die zustimmen oder ablehnen soll", "day"),
    "swap_proposal.day": FieldInfo("Tag des Tauschs", "day"),
    "swap_proposal.day2": FieldInfo("Tag des Rücktauschs (freiwillig)", "day"),
    "swap_proposal.state": FieldInfo("Stand: offen, angenommen, abgelehnt, abgelaufen oder zurückgenommen", "day"),
    "swap_proposal.created_at": FieldInfo("Zeitpunkt des Vorschlags", "day"),
    # --- /anwesenheit ----------------------------------------------------------------------
    "channel_settings.channel_id": FieldInfo("Kennung des Kanals", "channel"),
    "channel_settings.roster_enabled": FieldInfo("Ob der Kanal die Morgenpost bekommt", "channel"),
    "channel_settings.roster_time": FieldInfo("Uhrzeit der Morgenpost", "channel"),
    "channel_settings.roster_days": FieldInfo("Wochentage der Morgenpost", "channel"),
    "channel_settings.region": FieldInfo("Bundesland für die Feiertage der Morgenpost", "channel"),
    "channel_settings.locale": FieldInfo("Sprache der Morgenpost (de oder en)", "channel"),
    "roster_post.channel_id": FieldInfo("Kanal der Morgenpost", "day"),
    "roster_post.day": FieldInfo("Tag der Morgenpost", "day"),
    "roster_post.outbox_key": FieldInfo("Schlüssel der Nachricht in der Versandwarteschlange, oder ein Vermerk, "
                                        "dass der Tag ausgelassen wurde", "day"),
    "roster_post.content_hash": FieldInfo("Prüfsumme des Inhalts (erkennt, ob die Übersicht zu bearbeiten ist); "
                                          "kein lesbarer Inhalt", "day"),
    "roster_post.edits": FieldInfo("Wie oft die Übersicht am Tag bearbeitet wurde", "day"),
    "roster_post.claimed_at": FieldInfo("Zeitpunkt, zu dem die Morgenpost in Auftrag gegeben wurde", "day"),
    # --- /rufumleitung ---------------------------------------------------------------------
    "phone_numbers.user_id": FieldInfo(PERSON, "membership"),
    "phone_numbers.office": FieldInfo("Dienstliche Büronummer oder Durchwahl", "membership"),
    "phone_numbers.mobile": FieldInfo("Nummer des Diensthandys (nie eine private Nummer)", "membership"),
    "call_forward.id": FieldInfo("Laufende Nummer", "forward"),
    "call_forward.user_id": FieldInfo(f"{ID}, deren Anschluss umgeleitet ist", "forward"),
    "call_forward.target": FieldInfo("Ziel der Umleitung: Diensthandy, Kollegin/Kollege, Privatanschluss (ohne "
                                     "Nummer) oder Anrufbeantworter", "forward"),
    "call_forward.colleague_id": FieldInfo(f"{ID}, die vertritt (nur bei Umleitung auf eine Kollegin oder "
                                           "einen Kollegen); nach deren „vergessen“ leer", "forward"),
    "call_forward.until": FieldInfo("Ende der Umleitung", "forward"),
    "call_forward.channels": FieldInfo("Kanäle, in denen die Umleitung angekündigt wurde", "forward"),
    "call_forward.created_at": FieldInfo("Zeitpunkt der Ankündigung", "forward"),
    "call_forward.set_by": FieldInfo(f"{ID}, die die Umleitung eingetragen hat (sie selbst oder eine "
                                     "Leitung); nach „vergessen“ ein Platzhalter", "forward"),
    "call_forward.ended_at": FieldInfo("Zeitpunkt, zu dem die Umleitung vorzeitig beendet wurde", "forward"),
    # --- /meeting --------------------------------------------------------------------------
    "meeting.id": FieldInfo("Nummer der Besprechung (wird bei `absagen` und `ics` angegeben)", "meeting"),
    "meeting.channel_id": FieldInfo("Kanal, in dem die Besprechung angekündigt wird", "meeting"),
    "meeting.team_id": FieldInfo("Team des Kanals", "meeting"),
    "meeting.organizer_id": FieldInfo(f"{ID}, die die Besprechung geplant hat; nach „vergessen“ ein "
                                      "Platzhalter", "meeting"),
    "meeting.title": FieldInfo("Titel, wie eingegeben (höchstens 200 Zeichen)", "meeting"),
    "meeting.first_day": FieldInfo("Tag des ersten Termins", "meeting"),
    "meeting.start_time": FieldInfo("Uhrzeit jedes Termins", "meeting"),
    "meeting.timezone": FieldInfo("Zeitzone der Uhrzeit", "meeting"),
    "meeting.duration_minutes": FieldInfo("Dauer in Minuten", "meeting"),
    "meeting.repeat": FieldInfo("Wiederholung (täglich, werktags, wöchentlich, zweiwöchentlich, monatlich) "
                                "oder leer für einen einzelnen Termin", "meeting"),
    "meeting.reminder_minutes": FieldInfo("Minuten, die die Erinnerung vor dem Termin kommt (0 = keine)", "meeting"),
    "meeting.audience": FieldInfo("Ob der ganze Kanal oder nur benannte Personen eingeladen sind", "meeting"),
    "meeting.participants": FieldInfo("Mattermost-Kennungen der namentlich eingeladenen Personen", "meeting"),
    "meeting.provider": FieldInfo("Dienst der Videokonferenz, oder „url“ für einen eingegebenen Link", "meeting"),
    "meeting.join_url": FieldInfo("Link zur Videokonferenz (bei BigBlueButton leer: dort sind die Links "
                                  "persönlich und werden nicht gespeichert)", "meeting"),
    "meeting.external_id": FieldInfo("Kennung des Raums beim Dienst der Videokonferenz", "meeting"),
    "meeting.starts_at": FieldInfo("Beginn des ersten Termins (UTC, für Abfragen)", "meeting"),
    "meeting.ends_at": FieldInfo("Ende des einzelnen Termins (UTC); leer bei einer Serie", "meeting"),
    "meeting.created_at": FieldInfo("Zeitpunkt der Planung", "meeting"),
    "meeting.cancelled_at": FieldInfo("Zeitpunkt der Absage der Besprechung oder der ganzen Serie", "meeting"),
    "meeting_cancellation.meeting_id": FieldInfo("Nummer der Besprechungsserie", "meeting"),
    "meeting_cancellation.day": FieldInfo("Tag des abgesagten Termins", "meeting"),
    "meeting_cancellation.created_at": FieldInfo("Zeitpunkt der Absage", "meeting"),
    "meeting_rsvp.meeting_id": FieldInfo("Nummer der Besprechung", "rsvp"),
    "meeting_rsvp.user_id": FieldInfo(PERSON, "rsvp"),
    "meeting_rsvp.day": FieldInfo("Tag des Termins, auf den sich die Antwort bezieht", "rsvp"),
    "meeting_rsvp.answer": FieldInfo("Zusage oder Absage", "rsvp"),
    "meeting_rsvp.at": FieldInfo("Zeitpunkt der Antwort", "rsvp"),
    "meeting_reminder.meeting_id": FieldInfo("Nummer der Besprechung", "reminder"),
    "meeting_reminder.occurrence_start": FieldInfo("Beginn des Termins, an den erinnert wurde (UTC)", "reminder"),
    "meeting_reminder.claimed_at": FieldInfo("Zeitpunkt, zu dem die Erinnerung in Auftrag gegeben wurde", "reminder"),
    # --- /dienst -----------------------------------------------------------------------------
    "duty.id": FieldInfo("Laufende Nummer des Dienstes", "duty"),
    "duty.channel_id": FieldInfo("Kennung des Kanals, dem der Dienst gehört", "duty"),
    "duty.name": FieldInfo("Name des Dienstes, wie eingegeben (z. B. „Telefondienst“)", "duty"),
    "duty.name_key": FieldInfo("Name in Kleinbuchstaben, damit ein Name je Kanal nur einmal vorkommt", "duty"),
    "duty.on_site": FieldInfo("Ob der Dienst vor Ort (nur wer im Büro ist) oder überall geleistet wird", "duty"),
    "duty.min_holders": FieldInfo("Wie viele Personen den Dienst an einem Tag mindestens haben", "duty"),
    "duty.weekdays": FieldInfo("Wochentage des Dienstes", "duty"),
    "duty.hours": FieldInfo("Uhrzeit des Dienstes, z. B. 08:00–12:00 (leer: ganztags)", "duty"),
    "duty.number": FieldInfo("Dienstliche Nummer des Dienstes, z. B. die Hotline (keine persönliche Nummer)", "duty"),
    "duty.start": FieldInfo("Tag, ab dem die Reihenfolge zählt (Anlegen oder letzte Änderung durch eine Leitung)",
                            "duty"),
    "duty.carry_day": FieldInfo("Tag, an dem die Reihenfolge zuletzt festgehalten wurde (damit ältere "
                                "Anwesenheitsdaten gelöscht werden können, ohne den Dienstplan zu ändern)", "duty_line"),
    "duty.carry": FieldInfo("Reihenfolge der Teilnehmenden an diesem Tag: für jede Person ihre " + ID + " (26 "
                            "Zeichen, kein Name), ihr Platz in der Reihenfolge und ob sie in den zehn Diensttagen "
                            "davor verhindert war (keine Zählung, keine Tage von Abwesenheiten)", "duty_line"),
    "duty.created_by": FieldInfo(PERSON + ", die den Dienst angelegt hat", "duty"),
    "duty.created_at": FieldInfo("Zeitpunkt des Anlegens", "duty"),
    "duty_participant.duty_id": FieldInfo("Nummer des Dienstes", "duty_member"),
    "duty_participant.user_id": FieldInfo(PERSON, "duty_member"),
    "duty_participant.position": FieldInfo("Platz in der festen Reihenfolge (Reihenfolge des Hinzufügens)",
                                           "duty_member"),
    "duty_participant.excluded": FieldInfo("Ob die Person ausdrücklich herausgenommen ist (`ohne`)", "duty_member"),
    "duty_handover.id": FieldInfo("Laufende Nummer der Übergabe", "duty_day"),
    "duty_handover.duty_id": FieldInfo("Nummer des Dienstes", "duty_day"),
    "duty_handover.day": FieldInfo("Diensttag, der übergeben wurde", "duty_day"),
    "duty_handover.giver": FieldInfo(PERSON + ", die den Tag abgibt (leer: ein freier Platz wurde übernommen)",
                                     "duty_day"),
    "duty_handover.taker": FieldInfo(PERSON + ", die den Tag übernimmt", "duty_day"),
    "duty_handover.kind": FieldInfo("Art der Übergabe: Tausch, Abgabe, Übernahme oder Vertretung bei Unterbesetzung",
                                    "duty_day"),
    "duty_handover.created_at": FieldInfo("Zeitpunkt der Übergabe", "duty_day"),
    "duty_request.id": FieldInfo("Laufende Nummer der Anfrage", "duty_day"),
    "duty_request.duty_id": FieldInfo("Nummer des Dienstes", "duty_day"),
    "duty_request.day": FieldInfo("Diensttag, um den es geht", "duty_day"),
    "duty_request.kind": FieldInfo("Art der Anfrage: Abgabe, Tausch, Übernahme oder Unterbesetzung", "duty_day"),
    "duty_request.giver": FieldInfo(PERSON + ", die den Tag abgibt", "duty_day"),
    "duty_request.taker": FieldInfo(PERSON + ", die den Tag bekommen soll (bei Tausch und Übernahme)", "duty_day"),
    "duty_request.asked": FieldInfo(PERSON + ", die entscheidet (leer: wer zuerst übernimmt)", "duty_day"),
    "duty_request.created_by": FieldInfo(PERSON + ", die die Anfrage gestellt hat", "duty_day"),
    "duty_request.created_at": FieldInfo("Zeitpunkt der Anfrage", "duty_day"),
    "duty_request.claimed_by": FieldInfo(PERSON + ", die die Anfrage angenommen hat", "duty_day"),
    "duty_request.claimed_at": FieldInfo("Zeitpunkt der Annahme", "duty_day"),
    "duty_request.state": FieldInfo("Stand: offen, erledigt, abgelehnt oder hinfällig", "duty_day"),
    "duty_greeting.channel_id": FieldInfo("Kennung des Kanals", "greeting"),
    "duty_greeting.text": FieldInfo("Text der Ansage (von der Leitung freigegeben)", "greeting"),
    "duty_greeting.set_by": FieldInfo(PERSON + ", die die Ansage gesetzt hat", "greeting"),
    "duty_greeting.set_at": FieldInfo("Zeitpunkt der letzten Änderung", "greeting"),
    "duty_ledger.key": FieldInfo("Was gemeldet wurde: Dienst, Tag und Art der Meldung", "duty_day"),
    "duty_ledger.day": FieldInfo("Diensttag der Meldung", "duty_day"),
    "duty_ledger.value": FieldInfo("Die zuletzt mitgeteilte Besetzung (Kennungen), um nur Änderungen zu melden",
                                   "duty_day"),
    "duty_ledger.created_at": FieldInfo("Zeitpunkt der Meldung", "duty_day"),
    # --- operation -------------------------------------------------------------------------
    "audit_log.id": FieldInfo("Laufende Nummer", "audit"),
    "audit_log.at": FieldInfo("Zeitpunkt der Änderung", "audit"),
    "audit_log.actor_id": FieldInfo(f"{ID}, die als Leitung geändert hat; nach deren „vergessen“ ein "
                                    "Platzhalter", "audit"),
    "audit_log.subject_id": FieldInfo(f"{ID}, deren Daten geändert wurden", "audit"),
    "audit_log.channel_id": FieldInfo("Kanal, in dem die Änderung vorgenommen wurde", "audit"),
    "audit_log.action": FieldInfo("Art der Änderung, z. B. „Abwesenheit eingetragen“ oder „Gruppe zugeordnet“",
                                  "audit"),
    "audit_log.detail": FieldInfo("Einzelheiten (Tage, Gruppe, Ziel der Umleitung, Titel der Besprechung); "
                                  "nie der Text einer Notiz", "audit"),
    "outbox.id": FieldInfo("Laufende Nummer", "outbox"),
    "outbox.key": FieldInfo("Schlüssel, der doppeltes Senden verhindert (aus Anlass und Datum gebildet)", "outbox"),
    "outbox.kind": FieldInfo("Art: Beitrag, Bearbeitung oder Direktnachricht", "outbox"),
    "outbox.channel_id": FieldInfo("Kanal des Beitrags", "outbox"),
    "outbox.user_id": FieldInfo(f"{ID}, die eine Direktnachricht bekommt", "outbox"),
    "outbox.target_key": FieldInfo("Bei einer Bearbeitung: Schlüssel des bearbeiteten Beitrags", "outbox"),
    "outbox.message": FieldInfo("Text der Nachricht (kann Anzeigenamen, Titel und dienstliche Nummern "
                                "enthalten)", "outbox_text"),
    "outbox.props": FieldInfo("Schaltflächen und Anhänge der Nachricht", "outbox_text"),
    "outbox.pending_post_id": FieldInfo("Kennung, an der Mattermost eine Wiederholung erkennt", "outbox"),
    "outbox.status": FieldInfo("Stand: offen, zugestellt oder endgültig abgewiesen", "outbox"),
    "outbox.priority": FieldInfo("Reihenfolge beim Senden", "outbox"),
    "outbox.attempts": FieldInfo("Zahl der Zustellversuche", "outbox"),
    "outbox.unsure": FieldInfo("Ob ein Versuch Mattermost vielleicht schon erreicht hat (dann wird vor dem "
                               "nächsten Versuch nachgesehen)", "outbox"),
    "outbox.next_attempt_at": FieldInfo("Zeitpunkt des nächsten Versuchs", "outbox"),
    "outbox.claimed_until": FieldInfo("Sperre, solange ein Prozess die Nachricht sendet", "outbox"),
    "outbox.created_at": FieldInfo("Zeitpunkt des Einreihens", "outbox"),
    "outbox.delivered_at": FieldInfo("Zeitpunkt der Zustellung", "outbox"),
    "outbox.post_id": FieldInfo("Kennung des Beitrags in Mattermost", "outbox"),
    "outbox.last_error": FieldInfo("Letzte Fehlermeldung von Mattermost (ohne Inhalte)", "outbox"),
    "slash_command.id": FieldInfo("Laufende Nummer", "technical"),
    "slash_command.team_id": FieldInfo("Team, in dem der Befehl registriert ist", "technical"),
    "slash_command.trigger": FieldInfo("Befehlswort, z. B. „homeoffice“", "technical"),
    "slash_command.kind": FieldInfo("Welche Aufgabe der Befehl ausführt", "technical"),
    "slash_command.token_hash": FieldInfo("SHA-256-Prüfwert des Tokens (das Token selbst wird nicht gespeichert)",
                                          "technical"),
    "slash_command.command_id": FieldInfo("Kennung des Befehls in Mattermost", "technical"),
}
