"""`amtsbote datenschutz`: the record of processing (Art. 30 GDPR) and the technical annex for a
Dienstvereinbarung, in German Markdown, generated from the running configuration and the schema.

Every table and column comes from `SQLModel.metadata` (each explained in bot/datenschutz_fields.py),
every period from the setting or the constant the code applies, every recipient from the
configuration. Change a setting and the document changes; add a column and a test asks for its
explanation. docs/datenschutz.md holds the document for the default configuration
(`python -m bot.datenschutz docs/datenschutz.md` refreshes it).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.datenschutz_fields import FIELDS, TABLES
from config.settings import Settings, redact_url

if TYPE_CHECKING:  # the rest is imported when a document is made, not for `amtsbote --help`
    import sqlalchemy as sa

    from commands.base import Feature

DOCS_BEGIN = "<!-- BEGIN: erzeugt mit `amtsbote datenschutz --defaults`; nicht von Hand ändern -->"
DOCS_END = "<!-- END: erzeugt mit `amtsbote datenschutz --defaults` -->"
FILL_IN = "_[bitte eintragen]_"


def load_models() -> sa.MetaData:
    """Import every module of `storage` (and the features), so that every table is in the metadata."""
    from sqlmodel import SQLModel

    import commands.registry  # noqa: F401 - the features import the models they use
    import storage

    for module in pkgutil.walk_packages(storage.__path__, "storage."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    return SQLModel.metadata


def _days(n: int) -> str:
    return "1 Tag" if n == 1 else f"{n} Tage"


def _period(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return _days(seconds // 86400)
    if seconds % 3600 == 0:
        return "1 Stunde" if seconds == 3600 else f"{seconds // 3600} Stunden"
    return "1 Minute" if seconds == 60 else f"{seconds // 60} Minuten"


def _hhmm(value: object) -> str:
    return f"{value:%H:%M}"


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


# --- purposes ----------------------------------------------------------------------------------

# The jobs by feature kind; a kind in the registry without an entry here fails the tests.
JOBS: dict[str, tuple[str, str]] = {
    "homeoffice": ("Home-Office-Gruppen", "Wechselnde Gruppen für Büro- und Home-Office-Tage planen, mit "
                   "Mindestbesetzung im Büro; Abwesenheiten, einmalige Änderungen und Tausch von Tagen eintragen."),
    "roster": ("Anwesenheitsübersicht", "Jeden Arbeitsmorgen im Teamkanal zeigen, wer im Büro, im Home-Office, "
               "unterwegs oder abwesend ist und wie die Kolleginnen und Kollegen erreichbar sind."),
    "forward": ("Rufumleitungen", "Ankündigen, dass ein dienstlicher Anschluss umgeleitet ist (Diensthandy, "
                "Kollegin oder Kollege, Anrufbeantworter, Privatanschluss ohne Nummer), damit das Team "
                "weiß, wie jemand erreichbar ist."),
    "meeting": ("Videobesprechungen", "Einmalige und regelmäßige Besprechungen mit Link zur Videokonferenz planen, "
                "daran erinnern und Zu- und Absagen zählen."),
    "duty": ("Dienste", "Telefon-, Post- und Präsenzdienst jeden Arbeitstag gerecht verteilen, in der "
             "Anwesenheitsübersicht zeigen und bei Ausfall eine Vertretung finden."),
    "operation": ("Betrieb", "Nachrichten zuverlässig zustellen, Änderungen durch Leitungen für die Betroffenen "
                  "nachvollziehbar machen, Slash-Befehle prüfen."),
}


# --- retention classes -----------------------------------------------------------------------------

def _retention(s: Settings) -> dict[str, str]:
    from bot.maintenance import OUTBOX_KEEP

    n = _days(s.retention_days)
    keep = _period(OUTBOX_KEEP)
    return {
        "rotation": "bis eine Leitung die Rotation löscht",
        "membership": "bis zur Änderung oder Entfernung; bei „vergessen“ sofort gelöscht",
        "day": f"{n} nach dem betroffenen Tag, dann gelöscht",
        "forward": f"{n} nach dem vorgesehenen Ende der Umleitung (auch wenn sie vorher beendet wurde), "
                   "dann gelöscht, bei „vergessen“ sofort",
        "meeting": f"bei einem einzelnen Termin {n} nach seinem Ende oder seiner Absage, bei einer Serie {n} nach ihrer Absage "
                   "(solange sie läuft, bleibt sie gespeichert); dann gelöscht",
        "rsvp": f"{n} nach dem Tag des Termins, spätestens mit der Besprechung; bei „vergessen“ sofort gelöscht",
        "reminder": f"{n} nach dem Termin, spätestens mit der Besprechung",
        "audit": f"{n} nach der Änderung; bei „vergessen“ der betroffenen Person sofort gelöscht",
        "outbox": f"zugestellte oder endgültig abgewiesene Einträge {keep} nach dem Einreihen (die zugestellte "
                  "Ankündigung einer Besprechung, ohne Text, so lange wie die Besprechung); nicht zugestellte bis "
                  "zur Zustellung",
        "outbox_text": "bis zur Zustellung; mit der Zustellung geleert",
        "channel": "bis eine Leitung sie ändert",
        "duty": "bis eine Leitung den Dienst löscht; wer ihn angelegt hat, wird bei „vergessen“ nicht mehr genannt",
        "duty_member": "bis eine Leitung es ändert oder der Dienst gelöscht wird; bei „vergessen“ sofort gelöscht",
        "duty_day": f"{n} nach dem betroffenen Diensttag, dann gelöscht; bei „vergessen“ sofort",
        "duty_line": "wird täglich neu geschrieben (Stand von zwei Wochen vorher) und mit dem Dienst "
                     "gelöscht; bei „vergessen“ wird die Person sofort daraus entfernt",
        "greeting": "bis eine Leitung sie ändert oder entfernt (`/dienst ansage aus`); wer sie gesetzt hat, "
                    "wird bei „vergessen“ nicht mehr genannt",
        "technical": "bis zur nächsten Registrierung der Befehle",
    }


# --- recipients ----------------------------------------------------------------------------------

def _configured_providers(s: Settings) -> list[str]:
    """The meeting services that can be used: the default one, and every other one set up."""
    ready = {"jitsi": bool(s.jitsi_url), "bbb": bool(s.bbb_url and s.bbb_secret),
             "zoom": bool(s.zoom_account_id and s.zoom_client_id and s.zoom_client_secret)}
    return [p for p in ("jitsi", "bbb", "zoom") if p == s.meeting_provider or ready[p]]


def uses_zoom(s: Settings) -> bool:
    return "zoom" in _configured_providers(s)


def _provider_row(s: Settings, provider: str) -> str:
    default = " (voreingestellt, `MEETING_PROVIDER`)" if provider == s.meeting_provider else ""
    if provider == "jitsi":
        if not s.jitsi_url:
            return (f"| Jitsi{default} | kein Server eingerichtet (`JITSI_URL` fehlt): `/meeting` legt dann nur "
                    "Besprechungen mit einem eingegebenen Link an | — |")
        return (f"| Jitsi-Server `{_host(s.jitsi_url)}`{default} | Amtsbote selbst überträgt nichts. Der Raumname "
                "ist zufällig und enthält keinen Titel. Wer teilnimmt, verbindet sich selbst mit dem Server "
                "(Anzeigename, IP-Adresse, Bild und Ton). | Betrieb des Jitsi-Servers "
                f"{FILL_IN} |")
    if provider == "bbb":
        return (f"| BigBlueButton-Server `{_host(s.bbb_url)}`{default} | beim Anlegen der Titel (höchstens "
                "64 Zeichen); beim Beitreten der Anzeigename der Person im persönlichen Beitrittslink, den "
                "Amtsbote nur ihr zeigt und nicht speichert. Keine Aufzeichnung (`record=false`). | Betrieb des "
                f"BigBlueButton-Servers {FILL_IN} |")
    return (f"| Zoom Video Communications, Inc., San José, USA{default} | Titel (höchstens 200 Zeichen), Beginn, "
            "Dauer und Zeitzone der Besprechung, angelegt im Zoom-Konto der verantwortlichen Stelle. Wer teilnimmt, "
            "verbindet sich selbst mit Zoom (Anzeigename, IP-Adresse, Bild und Ton). | Auftragsverarbeiter "
            f"(Art. 28 DSGVO); Vertrag {FILL_IN} |")


def _recipients(s: Settings) -> list[str]:
    mm = f"`{redact_url(s.mattermost_url)}`" if s.mattermost_url else "(`MATTERMOST_URL` ist nicht gesetzt)"
    out = [
        "| Empfänger | Was übermittelt wird | Stellung |",
        "|---|---|---|",
        f"| Mattermost-Server {mm} | Beiträge, Antworten und Direktnachrichten des Bots (Anwesenheitsübersicht, "
        "Ankündigungen, Erinnerungen); Abfragen von Namen, Spracheinstellung und Rollen | Betrieb des "
        f"Mattermost-Servers {FILL_IN} |",
    ]
    out += [_provider_row(s, p) for p in _configured_providers(s)]
    out += [
        "",
        "Links, die Nutzende selbst angeben (`über https://…`), zeigt Amtsbote nur an; es ruft sie nie auf. "
        "Weitere Empfänger gibt es nicht: keine Analyse-, Werbe- oder Cloud-Dienste.",
    ]
    return out


def _third_country(s: Settings) -> list[str]:
    if not uses_zoom(s):
        return ["Amtsbote übermittelt keine personenbezogenen Daten in Drittländer. Voraussetzung ist, dass der "
                "Mattermost-Server und der Server für Videobesprechungen in der EU betrieben werden "
                f"(Standorte: {FILL_IN})."]
    return [
        "**Zoom ist eingerichtet.** Beim Anlegen einer Besprechung mit Zoom übermittelt Amtsbote Titel, Beginn, "
        "Dauer und Zeitzone an Zoom Video Communications, Inc. (USA); wer teilnimmt, überträgt Anzeigename, "
        "IP-Adresse, Bild und Ton an Zoom. Das ist eine **Übermittlung in ein Drittland** (Art. 44 ff. DSGVO).",
        "",
        f"- Grundlage der Übermittlung (Art. 45 oder 46 DSGVO, etwa ein Angemessenheitsbeschluss, sofern Zoom "
        f"danach zertifiziert ist, oder Standardvertragsklauseln): {FILL_IN}",
        f"- Vertrag zur Auftragsverarbeitung (Art. 28 DSGVO) mit Zoom: {FILL_IN}",
        f"- Bewertung der Übermittlung, gegebenenfalls Datenschutz-Folgenabschätzung: {FILL_IN}",
        "",
        "Empfehlung: in Titeln keine Namen von Bürgerinnen und Bürgern und keine Fallbezeichnungen verwenden.",
    ]


# --- the schema --------------------------------------------------------------------------------------

JOB_ORDER = ("homeoffice", "roster", "forward", "meeting", "duty", "operation")


def _tables_by_job(metadata: sa.MetaData) -> list[tuple[str, list[sa.Table]]]:
    order = list(TABLES)
    tables = sorted(metadata.tables.values(), key=lambda t: (order.index(t.name) if t.name in order else len(order), t.name))
    out = []
    for job in JOB_ORDER + tuple(sorted({TABLES[t.name].job for t in tables if t.name in TABLES} - set(JOB_ORDER))):
        found = [t for t in tables if t.name in TABLES and TABLES[t.name].job == job]
        if found:
            out.append((job, found))
    unknown = [t for t in tables if t.name not in TABLES]
    if unknown:
        out.append(("", unknown))
    return out


def _schema(s: Settings, metadata: sa.MetaData) -> list[str]:
    """Each table with the retention most of its columns have; a column kept otherwise says so."""
    retention = _retention(s)
    out: list[str] = []
    for job, tables in _tables_by_job(metadata):
        out += [f"#### {JOBS[job][0] if job in JOBS else 'Ohne Zuordnung'}", ""]
        for table in tables:
            info = TABLES.get(table.name)
            fields = {c.name: FIELDS.get(f"{table.name}.{c.name}") for c in table.columns}
            classes = [f.retention for f in fields.values() if f is not None]
            usual = max(classes, key=classes.count) if classes else ""
            title = info.title if info else "**(noch nicht beschrieben)**"
            kind = "" if info is None or info.personal else " (keine personenbezogenen Daten)"
            out += [f"**Tabelle `{table.name}`: {title}**{kind}. Aufbewahrung: {retention.get(usual, '—')}.", "",
                    "| Feld | Bedeutung |", "|---|---|"]
            for name, field in fields.items():
                if field is None:
                    out.append(f"| `{name}` | **(noch nicht beschrieben)** |")
                else:
                    other = "" if field.retention == usual else f" Aufbewahrung: {retention[field.retention]}."
                    out.append(f"| `{name}` | {field.meaning}.{other} |")
            out.append("")
    return out


def undescribed_columns(metadata: sa.MetaData) -> list[str]:
    """`table.column` of every column the models declare that bot/datenschutz_fields.py does not explain."""
    return [f"{t.name}.{c.name}" for t in sorted(metadata.tables.values(), key=lambda t: t.name)
            for c in t.columns if f"{t.name}.{c.name}" not in FIELDS]


# --- the document ----------------------------------------------------------------------------------------

def _periods(s: Settings) -> list[str]:
    from bot.maintenance import OUTBOX_KEEP, PURGE_EVERY
    from bot.mattermost import USER_CACHE_SECONDS

    n = _days(s.retention_days)
    every = "stündlich" if PURGE_EVERY == timedelta(hours=1) else f"alle {_period(PURGE_EVERY)}"
    return [
        f"- **`RETENTION_DAYS` = {s.retention_days}:** Daten eines vergangenen Tages (Arbeitsort, Abwesenheit mit "
        f"Notiz, Tauschvorschläge, Nachweis der Morgenpost, Zu- und Absagen) bleiben {n} nach diesem Tag "
        f"gespeichert; Rufumleitungen {n} nach ihrem vorgesehenen Ende; Besprechungen {n} nach dem Ende des "
        f"einzelnen Termins oder nach der Absage; Einträge im Änderungsprotokoll {n} nach der Änderung.",
        f"- **Löschlauf:** {every} und zu Beginn jedes Kalendertags, solange der Bot läuft; nach einer "
        "Unterbrechung sofort beim Start. Gelöschtes wird endgültig entfernt; es gibt kein Archiv.",
        f"- **Versandwarteschlange:** Der Text einer Nachricht wird mit der Zustellung geleert; der Eintrag wird "
        f"{_period(OUTBOX_KEEP)} nach dem Einreihen gelöscht, die zugestellte Ankündigung einer Besprechung "
        "(ohne Text) erst mit der Besprechung.",
        f"- **Namen aus Mattermost** (Anzeigename, Benutzername, Sprache) hält Amtsbote nur im Arbeitsspeicher, "
        f"höchstens {int(USER_CACHE_SECONDS // 60)} Minuten; in der Datenbank stehen Personen nur mit ihrer "
        "Mattermost-Kennung.",
        f"- **Tauschvorschläge** verfallen, wenn sie bis `ROSTER_LATEST` ({_hhmm(s.roster_latest)} Uhr) des "
        "Tauschtages nicht beantwortet sind.",
        f"- **Rufumleitungen ohne Ende** enden am selben Tag um `FORWARD_DEFAULT_END` "
        f"({_hhmm(s.forward_default_end)} Uhr).",
        "- **Besprechungsserien** haben kein Enddatum: Sie bleiben mit ihren Zu- und Absagen gespeichert, bis "
        "sie abgesagt werden (`/meeting absagen ID`). Zu- und Absagen zu vergangenen Terminen einer Serie "
        f"werden {n} nach dem Termin gelöscht.",
        "- **In Mattermost** bleiben Beiträge des Bots wie alle Beiträge nach den Aufbewahrungsregeln des "
        f"Mattermost-Betriebs ({FILL_IN}).",
        f"- **Datensicherungen** enthalten die Daten bis zum Ablauf der Sicherungsfrist ({FILL_IN}); nach einer "
        "Wiederherstellung holt der nächste Löschlauf nach, was inzwischen abgelaufen ist.",
    ]


def _database(s: Settings) -> str:
    if s.is_sqlite:
        return ("SQLite-Datei auf dem Server des Bots (Datei nur für das Dienstkonto lesbar, Rechte 0600, "
                "Verzeichnis 0700)")
    host = urlsplit(s.database_url).hostname or "localhost"
    return f"PostgreSQL-Datenbank auf `{host}`"


def _who_sees(features: Sequence[Feature]) -> list[str]:
    rows = [
        ("Arbeitsort je Tag (Büro, zu Hause, unterwegs, abwesend)", "ja", "ja, den heutigen und künftige Tage",
         "ja, wie alle Mitglieder; darf für Mitglieder der Rotation eintragen (protokolliert)",
         "Datenbank; Export `amtsbote plan` (nur heute und künftig, ohne Notizen)"),
        ("Notiz zu einer Abwesenheit", "ja", "nein", "nur, wenn sie die Notiz selbst geschrieben hat",
         "nur mit Zugriff auf die Datenbank"),
        ("Tauschvorschlag", "ja (beide Beteiligten)", "nein (nur der Arbeitsort danach)",
         "nein (nur der Arbeitsort danach)", "Datenbank"),
        ("Büronummer, Diensthandynummer", "ja", "ja (Übersicht, Erreichbarkeit)", "ja", "Datenbank"),
        ("Rufumleitung (Ziel, Vertretung, Ende)", "ja", "ja (Ankündigung, Übersicht, Liste)", "ja", "Datenbank"),
        ("Besprechung (Titel, Zeit, Eingeladene)", "ja", "ja (der Kanal bzw. die Eingeladenen)", "ja",
         "Datenbank; Dienst der Videokonferenz (siehe Empfänger)"),
        ("Zu- und Absagen", "ja (`meine-daten`)", "nur die Anzahl", "nur die Anzahl", "Datenbank"),
        ("Benennung als Leitung", "ja (Direktnachricht)", "nein", "ja", "Datenbank"),
        ("Änderungsprotokoll", "ja, was Leitungen an den eigenen Daten geändert haben", "nein",
         "nur die eigenen Änderungen", "Datenbank"),
        ("Nachrichten in der Versandwarteschlange", "—", "—", "—", "Datenbank, bis zur Zustellung"),
    ]
    if any(f.kind == "duty" for f in features):
        rows.insert(5, ("Dienste (wer an welchem Tag welchen Dienst hat, Vertretung)", "ja", "ja", "ja, und "
                        "darf Dienste einrichten und Teilnehmende festlegen", "Datenbank"))
    out = ["| Daten | die Person selbst | Mitglieder des Kanals | Leitung des Kanals | Betrieb (IT) |",
           "|---|---|---|---|---|"]
    out += [f"| {' | '.join(row)} |" for row in rows]
    return out


def render(settings: Settings, features: Sequence[Feature] | None = None,
           metadata: sa.MetaData | None = None) -> str:
    """The whole document for `settings`, in German Markdown."""
    from commands.registry import FEATURES

    features = FEATURES if features is None else features
    metadata = load_models() if metadata is None else metadata
    s = settings
    jobs = [k for k in (f.kind for f in features) if k in JOBS] + ["operation"]
    missing_jobs = [f.kind for f in features if f.kind not in JOBS]
    triggers = s.command_triggers
    out: list[str] = [
        "# Amtsbote: Verzeichnis von Verarbeitungstätigkeiten und technische Anlage",
        "",
        "Erzeugt mit `amtsbote datenschutz` aus der Konfiguration und dem Datenbankschema dieses Betriebs. "
        "Ändert sich eine Einstellung oder das Schema, ändert sich dieses Dokument; es ist dann neu zu erzeugen. "
        f"Stellen mit {FILL_IN} füllt die verantwortliche Stelle aus.",
        "",
        "## Teil A: Verzeichnis von Verarbeitungstätigkeiten (Art. 30 Abs. 1 DSGVO)",
        "",
        "### 1. Verantwortliche Stelle",
        "",
        "| Angabe | Eintrag |",
        "|---|---|",
        f"| Verantwortliche Stelle (Name, Anschrift) | {FILL_IN} |",
        f"| Behördenleitung (gesetzliche Vertretung) | {FILL_IN} |",
        f"| Datenschutzbeauftragte oder Datenschutzbeauftragter (Kontakt) | {FILL_IN} |",
        f"| Fachlich zuständige Organisationseinheit | {FILL_IN} |",
        f"| Betrieb (IT) | {FILL_IN} |",
        "",
        "### 2. Bezeichnung der Verarbeitung",
        "",
        "Amtsbote: Koordination von Anwesenheit, Erreichbarkeit und Besprechungen in Teams, als Bot im "
        "Chatsystem Mattermost.",
        "",
        f"Rechtsgrundlage: {FILL_IN} (in Betracht kommen Art. 6 Abs. 1 lit. e und Art. 88 DSGVO in Verbindung mit "
        "dem Beschäftigtendatenschutz des Landes sowie die Dienstvereinbarung).",
        "",
        "### 3. Zwecke",
        "",
        "| Aufgabe | Befehl | Zweck |",
        "|---|---|---|",
    ]
    for job in jobs:
        command = f"`/{triggers[job]}`" if job in triggers else "—"
        out.append(f"| {JOBS[job][0]} | {command} | {JOBS[job][1]} |")
    if missing_jobs:
        out.append(f"| **(nicht beschrieben: {', '.join(missing_jobs)})** | | |")
    out += [
        "",
        "Amtsbote verarbeitet nur, was diese Aufgaben brauchen (Datenminimierung, Art. 5 Abs. 1 lit. c DSGVO). "
        "Eine Leistungs- oder Verhaltenskontrolle ist nicht Zweck der Verarbeitung; die Software bietet dafür "
        "keine Funktion (Teil B, Abschnitt 1).",
        "",
        "### 4. Betroffene Personen",
        "",
        "- Beschäftigte, die Mitglied eines Teamkanals mit Amtsbote sind oder seine Befehle nutzen,",
        "- Leitungen dieser Kanäle,",
        "- zu Besprechungen eingeladene Mattermost-Nutzende.",
        "",
        "Daten von Bürgerinnen und Bürgern verarbeitet Amtsbote nicht, es sei denn, jemand schreibt sie in einen "
        "Titel oder eine Notiz. Die Beschäftigten sind anzuweisen, das zu unterlassen.",
        "",
        "### 5. Kategorien personenbezogener Daten",
        "",
        "- Mattermost-Kennung der Person (in der Datenbank kein Name),",
        "- Arbeitsort je Tag: Büro, zu Hause, unterwegs oder abwesend (ohne Grund),",
        "- freiwillige Notiz zu einer Abwesenheit (Freitext, höchstens 200 Zeichen),",
        "- Zugehörigkeit zu einer Home-Office-Gruppe, Rolle als Leitung,",
        "- dienstliche Telefonnummern (Büro, Diensthandy) und angekündigte Rufumleitungen,",
        "- Besprechungen (Titel, Zeit, Eingeladene) und Zu- oder Absagen,",
        "- Protokoll der Änderungen, die Leitungen an Daten anderer vorgenommen haben,",
        "- der Text von Nachrichten des Bots, bis sie zugestellt sind.",
        "",
        "Besondere Kategorien (Art. 9 DSGVO) sind nicht vorgesehen. Der Grund einer Abwesenheit wird nicht "
        "erfragt; eine Notiz wie „Arzttermin“ ist freiwillig, und nur die Person selbst und wer die Notiz "
        "geschrieben hat, sehen sie.",
        "",
        "Nicht gespeichert werden: private Telefonnummern, Online-Status, Anmelde- oder Aktivitätszeiten, "
        "Namen (sie kommen bei Bedarf aus Mattermost und bleiben nur kurz im Arbeitsspeicher).",
        "",
        "### 6. Gespeicherte Felder",
        "",
        f"Speicherort: {_database(s)}. Jede Tabelle und jedes Feld des Datenbankschemas:",
        "",
    ]
    out += _schema(s, metadata)
    out += ["### 7. Löschfristen", ""] + _periods(s) + ["", "### 8. Empfänger", ""] + _recipients(s)
    out += ["", "### 9. Übermittlung in Drittländer", ""] + _third_country(s)
    out += ["", "### 10. Technische und organisatorische Maßnahmen (Art. 32 DSGVO)", "",
            "Siehe Teil B, Abschnitt 5.", ""]
    out += _annex(s, features)
    return "\n".join(out).rstrip() + "\n"


def _annex(s: Settings, features: Sequence[Feature]) -> list[str]:
    ho = f"/{s.command_triggers['homeoffice']}"
    plain_http = [name for name, url in (("BOT_PUBLIC_URL", s.bot_public_url), ("MATTERMOST_URL", s.mattermost_url))
                  if url and url.startswith("http://")]
    transport = ("Mattermost und Amtsbote sprechen über HTTPS miteinander" if not plain_http else
                 f"{' und '.join(f'`{n}`' for n in plain_http)} beginnt mit http://, die Verbindung ist also "
                 "**unverschlüsselt**. Das ist nur in einem abgeschotteten internen Netz vertretbar; empfohlen ist TLS, "
                 "etwa über einen Reverse-Proxy")
    if not s.bot_public_url and not s.mattermost_url:
        transport = ("`BOT_PUBLIC_URL` und `MATTERMOST_URL` sollen mit https:// beginnen; unverschlüsseltes "
                     "HTTP ist nur in einem abgeschotteten internen Netz vertretbar")
    return [
        "## Teil B: Technische Anlage zur Dienstvereinbarung",
        "",
        "### 1. Was das System nicht kann, mit Absicht",
        "",
        "Amtsbote ist nicht dafür gebaut, Verhalten oder Leistung der Beschäftigten zu überwachen, und bietet "
        "dafür keine Funktion. Ob die Einführung der Mitbestimmung unterliegt (Personalvertretungsgesetz des "
        "Landes, vgl. § 80 Abs. 1 Nr. 21 BPersVG), ist rechtlich zu beurteilen; diese Anlage beschreibt, was "
        "die Software technisch ausschließt:",
        "",
        "- **Kein Verlauf:** Plan, Anwesenheit und Export zeigen nur den heutigen und künftige Tage. Vergangene "
        "Tage werden nicht angezeigt und nach der Löschfrist gelöscht.",
        "- **Keine Statistiken je Person:** keine Zählung von Büro-, Home-Office-, Abwesenheits- oder Diensttagen, "
        "keine Auswertungen, keine Ranglisten. Der Dienstplan wird jedes Mal aus dem Plan berechnet; ein Verlauf, "
        "wer wie oft Dienst hatte, wird nicht gespeichert.",
        "- **Keine Listen, wer sich nicht gemeldet hat:** Niemand muss sich eintragen; wer nichts einträgt, "
        "arbeitet nach dem Rotationsplan.",
        "- **Kein Online-Status:** Amtsbote liest und speichert weder Online-Status noch Anmelde- oder "
        "Aktivitätszeiten.",
        "- **Keine privaten Nummern:** Eine Umleitung auf einen Privatanschluss wird nur als „Privatanschluss“ "
        "angekündigt; die Nummer wird weder erfragt noch gespeichert, angezeigt oder protokolliert.",
        "- **Keine Gründe:** Abwesenheiten erscheinen ohne Grund; die freiwillige Notiz sieht sonst niemand.",
        "- **Keine Benachrichtigung durch Nennung:** Die Anwesenheitsübersicht nennt Anzeigenamen ohne "
        "@-Erwähnung.",
        "",
        "Eine solche Funktion ließe sich nur durch eine Änderung der Software hinzufügen, nicht durch eine "
        "Einstellung.",
        "",
        "### 2. Wer was sieht",
        "",
    ] + _who_sees(features) + [
        "",
        "Leitung eines Kanals ist, wer in Mattermost den Kanal, das Team oder das System verwaltet, oder wer mit "
        f"`{ho} leitung add` benannt ist. Eine Leitung handelt nur für Mitglieder ihres Kanals und seiner Rotation. "
        "Jede Person kann mit `/anwesenheit @name` erfragen, wie jemand heute erreichbar ist (Arbeitsort heute "
        "ohne Grund, Büronummer, aktive Rufumleitung); vergangene oder künftige Tage zeigt diese Abfrage nicht. "
        "Wer Zugriff auf die Datenbank oder ihre Sicherungen hat, kann alle gespeicherten Daten lesen, auch Notizen; "
        "dieser Zugriff ist auf den Betrieb zu beschränken.",
        "",
        "### 3. Auskunft und Löschung",
        "",
        f"- **Auskunft (Art. 15 DSGVO):** `{ho} meine-daten` zeigt der aufrufenden Person alles, was über sie "
        "gespeichert ist, mit den Änderungen, die Leitungen an ihren Daten vorgenommen haben.",
        f"- **Löschung (Art. 17 DSGVO):** `{ho} vergessen` löscht nach einer Bestätigung alle Daten der Person. Wo "
        "sie für andere gehandelt hat (als Leitung eingetragen, eine Rotation eingerichtet, eine Besprechung "
        "geplant), bleibt der Eintrag für die anderen erhalten, nennt sie aber nicht mehr. Beiträge, die schon "
        "in Mattermost stehen, bleiben dort.",
        f"- **Berichtigung:** Jede Angabe kann die Person selbst ändern oder mit `{ho} zurücksetzen` entfernen.",
        "",
        "### 4. Protokoll der Änderungen durch Leitungen",
        "",
        "Trägt eine Leitung etwas für eine andere Person ein oder ändert deren Daten (Gruppe, Arbeitsort, "
        "Abwesenheit, Rufumleitung, Telefonnummer, Leitungsrolle, Absage einer Besprechung), wird das protokolliert: "
        "wer, für wen, was, wann, nie der Text einer Notiz. Die betroffene Person erfährt die Änderung sofort per "
        "Direktnachricht und sieht das Protokoll unter `meine-daten`; die Leitung sieht dort ihre eigenen "
        f"Änderungen. Einträge werden {_days(s.retention_days)} nach der Änderung gelöscht.",
        "",
        "### 5. Technische und organisatorische Maßnahmen",
        "",
        "- **Prüfung jedes Befehls:** Ein Slash-Befehl wird nur ausgeführt, wenn sein Token das für genau diesen "
        "Befehl registrierte ist (zeitkonstanter Vergleich); sonst antwortet Amtsbote mit 401 und tut nichts. "
        "Gespeichert wird nur ein SHA-256-Prüfwert des Tokens.",
        "- **Signierte Schaltflächen:** Schaltflächen und Dialoge tragen eine mit `BOT_SECRET` signierte, "
        "ablaufende Kennung (HMAC); gefälschte oder abgelaufene Aufrufe werden abgewiesen. Eine Schaltfläche "
        "wirkt nur für die Person, die sie drückt.",
        "- **Protokolle (Logs)** enthalten keine Zugangsdaten, Tokens, `Authorization`-Kopfzeilen, "
        "Nachrichteninhalte oder Telefonnummern; ein Filter entfernt sie zusätzlich aus jeder Zeile.",
        f"- **Transport:** {transport}.",
        f"- **Speicherung:** {_database(s)}; keine Daten bei Dritten außer den genannten Empfängern.",
        "- **Datensicherung:** `amtsbote db backup DATEI` (SQLite) oder `pg_dump` (PostgreSQL); Sicherungen sind "
        f"verschlüsselt und zugriffsgeschützt aufzubewahren und nach {FILL_IN} zu löschen.",
        "- **Eingaben:** Text, den Nutzende eingeben und der Bot wiedergibt (Titel, Notizen), kann weder "
        "`@channel`, `@all` oder `@here` auslösen noch Links oder Formatierungen einschleusen. Der Bot ruft keine "
        "von Nutzenden eingegebene Adresse auf.",
        f"- **Begrenzungen:** höchstens {s.commands_per_minute} Befehle je Person und Minute, höchstens "
        f"{s.meetings_per_person} laufende Besprechungen je Person und Kanal.",
        "- **Messwerte** (`/metrics`) enthalten nur Zähler und Zeiten, keine Personen, Kanäle oder Inhalte.",
        f"- **Zugriff auf Server, Datenbank und Sicherungen:** {FILL_IN}",
        "",
        "### 6. Einstellungen, die dieses Dokument bestimmen",
        "",
        "| Einstellung | Wert |",
        "|---|---|",
        f"| `RETENTION_DAYS` | {s.retention_days} |",
        f"| `MEETING_PROVIDER` | {s.meeting_provider} |",
        f"| `ROSTER_TIME`, `ROSTER_LATEST` | {_hhmm(s.roster_time)}, {_hhmm(s.roster_latest)} |",
        f"| `FORWARD_DEFAULT_END` | {_hhmm(s.forward_default_end)} |",
        f"| `BOT_LOCALE`, `BOT_TIMEZONE` | {s.bot_locale}, {s.bot_timezone} |",
        f"| `COMMANDS_PER_MINUTE`, `MEETINGS_PER_PERSON` | {s.commands_per_minute}, {s.meetings_per_person} |",
    ]


# --- docs/datenschutz.md and the command line ------------------------------------------------------------

def docs_section(text: str) -> str | None:
    """The generated part of docs/datenschutz.md, or None if its markers are missing."""
    begin, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if begin < 0 or end < begin:
        return None
    return text[begin + len(DOCS_BEGIN):end].strip("\n") + "\n"


def refresh_docs(path: Path, render_defaults: Callable[[], str] | None = None) -> None:
    """Replace the generated part of `path` with the document for the default configuration."""
    text = path.read_text(encoding="utf-8")
    if docs_section(text) is None:
        raise SystemExit(f"{path}: markers not found")
    generated = (render_defaults or (lambda: render(Settings())))()
    head, _, rest = text.partition(DOCS_BEGIN)
    _, _, tail = rest.partition(DOCS_END)
    path.write_text(f"{head}{DOCS_BEGIN}\n{generated}{DOCS_END}{tail}", encoding="utf-8")


def cmd_datenschutz(args: argparse.Namespace) -> int:
    settings = Settings() if args.defaults else Settings.from_env()
    text = render(settings)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("datenschutz", help="print the record of processing (Art. 30 GDPR) and the technical annex, "
                       "in German Markdown, for the running configuration")
    p.add_argument("--defaults", action="store_true", help="for the default configuration (ignore the environment)")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_datenschutz)


if __name__ == "__main__":
    refresh_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/datenschutz.md"))
