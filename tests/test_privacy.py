"""Data protection (SPEC §3): retention, my data, forget me, audit, no history, no monitoring."""

from __future__ import annotations

import re

from sqlmodel import select

from bot.maintenance import purge
from storage.models import Absence, AuditEntry, PresenceChange
from tests.factories import all_rows_mentioning, setup_ab
from tests.harness import BERLIN


def test_retention_purge_deletes_past_presence_after_retention_days(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Urlaub", as_="bernd.mueller")
    bot.slash("/homeoffice büro 25.11.", as_="dieter.fischer")
    bot.set_time("2027-02-21 10:00")  # 89 days after 24.11.: still kept
    with bot.runtime.db.write() as session:
        purge(session, now=bot.clock.now(), retention_days=90, tz=bot.runtime.services.tz)
    with bot.runtime.db.read() as session:
        assert session.exec(select(Absence)).all() and session.exec(select(PresenceChange)).all()
    bot.set_time("2027-02-24 10:00")  # 92 days after
    bot.tick()  # the scheduled job does the same
    with bot.runtime.db.write() as session:
        counts = purge(session, now=bot.clock.now(), retention_days=90, tz=bot.runtime.services.tz)
    with bot.runtime.db.read() as session:
        assert session.exec(select(Absence)).all() == []
        assert session.exec(select(PresenceChange)).all() == []
    assert isinstance(counts, dict)


def test_forget_me_leaves_no_row_referencing_the_person(bot):
    setup_ab(bot)
    elif_id = bot.user("elif.yilmaz").id
    bot.slash("/homeoffice abwesend 26.11. Fortbildung", as_="elif.yilmaz")
    bot.slash("/homeoffice büro 27.11. für @elif.yilmaz")  # a lead's change: audited
    bot.slash("/homeoffice leitung add @elif.yilmaz")
    bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    bot.slash("/rufumleitung nummer 0391 540-1234", as_="elif.yilmaz")
    assert all_rows_mentioning(bot, elif_id)
    bot.slash("/homeoffice vergessen", as_="elif.yilmaz")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="elif.yilmaz")
    assert all_rows_mentioning(bot, elif_id) == []


def test_every_lead_change_to_someone_elses_data_is_audited(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Krank für @claudia.weber")
    bot.slash("/homeoffice zurücksetzen 24.11. für @claudia.weber")
    bot.slash("/homeoffice büro 25.11.")  # own change: not audited
    with bot.runtime.db.read() as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.subject_id == bot.user("claudia.weber").id)).all()
    actions = [e.action for e in entries]
    assert "change:away" in actions and "clear" in actions and "assign" in actions
    assert all("Krank" not in e.detail for e in entries)  # the private note stays out of the log
    with bot.runtime.db.read() as session:
        own = session.exec(select(AuditEntry).where(AuditEntry.subject_id == bot.user("anna.schmidt").id,
                                                    AuditEntry.action.like("change%"))).all()
    assert own == []


def test_no_view_shows_past_days_or_statistics(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Urlaub", as_="bernd.mueller")
    bot.set_time("2026-12-01 10:00")
    for command in ("/homeoffice plan 24.11.2026", "/homeoffice plan 23.11.2026 bis 27.11.2026", "/anwesenheit 24.11.2026",
                    "/homeoffice plan 01.11.2026..30.11.2026"):
        reply = bot.slash(command, as_="anna.schmidt")
        assert "Vergangene Tage zeigt Amtsbote nicht an" in reply, (command, reply)
    # what other people can see never contains a date before today
    for command in ("/homeoffice plan", "/homeoffice plan nächste Woche", "/anwesenheit", "/anwesenheit woche",
                    "/anwesenheit @bernd.mueller", "/homeoffice ich"):
        reply = bot.slash(command, as_="claudia.weber")
        for day in re.findall(r"(\d\d)\.(\d\d)\.(\d{4})", reply):
            assert (int(day[2]), int(day[1]), int(day[0])) >= (2026, 12, 1), (command, day)
        assert not re.search(r"\d+ ?%|Quote|rate|Statistik|statistic|nicht eingecheckt|not checked in", reply, re.I)


def test_absence_note_is_seen_only_by_its_author(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Arzttermin Orthopädie", as_="bernd.mueller")
    assert "Arzttermin" in bot.slash("/homeoffice ich", as_="bernd.mueller")
    assert "Arzttermin" in bot.slash("/homeoffice meine-daten", as_="bernd.mueller")
    for user in ("anna.schmidt", "claudia.weber"):
        for command in ("/homeoffice plan", "/anwesenheit 24.11.", "/anwesenheit @bernd.mueller",
                        "/homeoffice meine-daten", "/homeoffice ich"):
            assert "Arzttermin" not in bot.slash(command, as_=user), (user, command)
    bot.advance("2026-11-24 08:00", step_minutes=60)
    assert all("Arzttermin" not in p.message and "Arzttermin" not in str(p.props) for p in bot.mm.posts.values())


# -- meine-daten and vergessen over a rich state -------------------------------------------------------

CHANNEL = "Jugendamt – ASD Team 3"
WHERE_DE = {"office": "im Büro", "home": "zu Hause", "field": "unterwegs", "away": "abwesend"}


def my_data_sections(text: str) -> dict[str, list[str]]:
    """`meine-daten` output as {section title: [lines]}."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines()[1:]:
        if not line:  # the blank line that makes each section a paragraph of its own
            continue
        if line.startswith("**") and line.endswith("**"):
            current = line.strip("*")
            sections[current] = []
        else:
            assert current is not None and line.startswith("- "), line
            sections[current].append(line[2:])
    return sections


def rich_state_for_anna(bot) -> None:
    """Anna (channel admin) set up the rotation and acts as a lead for others; Bernd, a named
    lead, acts for her. She has changes, absences, a swap, numbers, forwards, meetings, an RSVP."""
    setup_ab(bot, "min 3")
    bot.slash("/homeoffice leitung add @bernd.mueller")
    bot.slash("/homeoffice leitung add @anna.schmidt", as_="bernd.mueller")
    bot.slash("/homeoffice unterwegs 01.12. für @anna.schmidt", as_="bernd.mueller")
    bot.slash("/homeoffice büro 30.11.")
    bot.slash("/homeoffice abwesend 26.11. Fortbildung")
    bot.slash("/homeoffice zuhause 25.11. für @claudia.weber")  # below the minimum: Bernd gets a DM
    bot.slash("/homeoffice abwesend 02.12. für @dieter.fischer")
    bot.slash("/homeoffice zuhause 27.11.")  # her own change below the minimum: a DM about her to Bernd
    bot.slash("/homeoffice tausch @dieter.fischer 24.11.")
    (proposal_dm,) = [p for p in bot.dms("dieter.fischer") if "tauschen" in p.message]
    bot.click(proposal_dm, "Annehmen", as_="dieter.fischer")
    bot.slash("/homeoffice tausch @elif.yilmaz 03.12.", as_="bernd.mueller")  # not about Anna
    bot.slash("/rufumleitung nummer 0391 540-1234")
    bot.slash("/rufumleitung handy 0171 2345678")
    bot.slash("/rufumleitung ab für @elif.yilmaz")
    bot.slash("/rufumleitung @anna.schmidt", as_="bernd.mueller")
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00')
    bot.slash('/meeting neu "Hilfeplan" 01.12. 11:00 @anna.schmidt @bernd.mueller', as_="bernd.mueller")
    hilfeplan = next(p for p in bot.posts() if p.props.get("amtsbote_key", "").endswith(":announce")
                     and "Hilfeplan" in str(p.props))
    bot.click(hilfeplan, "Zusage", as_="anna.schmidt")


def expected_lines(bot, table: str, row: dict, uid: str) -> list[tuple[str, str]]:
    """(section, text) by which `meine-daten` shows one row that references the person."""
    from commands.privacy import action_text
    from domain.calendar import format_day

    def name(user_id: str) -> str:
        return bot.mm.users_by_id[user_id].display_name

    if table == "rotation_member":
        return [("Gruppen", f"Gruppe {row['group']} in {CHANNEL}")]
    if table == "rotation":
        return [("Von dir eingerichtete Rotationen", f"{CHANNEL}, eingerichtet am {format_day(row['created_at'].astimezone(BERLIN).date(), 'de')}")]
    if table == "channel_lead":
        return [("Leitung", f"Leitung in {CHANNEL}")]
    if table in ("presence_change", "absence"):
        where = WHERE_DE[row.get("where") or "away"]
        if row["user_id"] == uid:
            if table == "absence":
                note = f" — {row['note']}" if row["note"] else ""
                return [("Abwesenheiten (Notizen nur für dich)", f"{format_day(row['day'], 'de')}{note}")]
            return [("Einmalige Änderungen", f"{format_day(row['day'], 'de')}: {where}")]
        return [("Von dir als Leitung für andere eingetragen",
                 f"{format_day(row['day'], 'de')}: {name(row['user_id'])} — {where}")]
    if table == "swap_proposal":
        other = row["partner_id"] if row["proposer_id"] == uid else row["proposer_id"]
        return [("Tauschvorschläge", f"{format_day(row['day'], 'de')} mit {name(other)}")]
    if table == "phone_numbers":
        return [("Telefonnummern", f"Büro: {row['office']}"), ("Telefonnummern", f"Diensthandy: {row['mobile']}")]
    if table == "call_forward":
        if row["user_id"] == uid:
            return [("Rufumleitungen", "→ Diensthandy 0171 2345678")]
        if row["colleague_id"] == uid:
            return [("Rufumleitungen", "als Vertretung in einer Rufumleitung")]
        return [("Von dir als Leitung für andere eingetragen", f"Rufumleitung für {name(row['user_id'])}: → Anrufbeantworter")]
    if table == "audit_log":
        if row["subject_id"] == uid:
            return [("Änderungen durch Leitungen an deinen Daten",
                     f"{action_text(row['action'], 'de')} (von {name(row['actor_id'])})")]
        return [("Deine Änderungen als Leitung an Daten anderer",
                 f"{action_text(row['action'], 'de')} — {name(row['subject_id'])}")]
    if table == "meeting":
        verb = "geplant" if row["organizer_id"] == uid else "eingeladen"
        return [("Besprechungen", f"{verb}: „{row['title']}“")]
    if table == "meeting_rsvp":
        return [("Besprechungen", "Zusage zu „Hilfeplan“")]
    raise AssertionError(f"{table} holds a row about the person; how does meine-daten show it? {row}")


def test_my_data_shows_every_row_about_the_person_and_forget_me_leaves_none(bot):
    from collections import Counter

    rich_state_for_anna(bot)
    anna = bot.user("anna.schmidt").id
    found = all_rows_mentioning(bot, anna)
    tables = {table for table, _ in found}
    assert {"rotation", "rotation_member", "channel_lead", "presence_change", "absence", "swap_proposal",
            "phone_numbers", "call_forward", "audit_log", "meeting", "meeting_rsvp", "outbox"} <= tables, tables
    sections = my_data_sections(bot.slash("/homeoffice meine-daten"))
    wanted: Counter[str] = Counter()
    for table, row in found:
        if table == "outbox":
            continue
        for section, text in expected_lines(bot, table, row, anna):
            wanted[section] += 1
            assert any(text in line for line in sections.get(section, [])), (table, row, section, text, sections)
    outbox = [row for table, row in found if table == "outbox"]
    (delivery,) = sections["Nachrichten des Bots (Zustellprotokoll)"]
    assert delivery.startswith(f"{len(outbox)} Nachrichten an dich oder über dich"), (delivery, outbox)
    for section, count in wanted.items():
        assert len(sections[section]) == count, (section, sections[section])
    assert set(sections) == set(wanted) | {"Nachrichten des Bots (Zustellprotokoll)"}
    assert "Fortbildung" in str(sections)  # her own note, for her eyes

    bot.slash("/homeoffice vergessen")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="anna.schmidt")
    assert all_rows_mentioning(bot, anna) == []
    assert bot.slash("/homeoffice meine-daten") == "Über dich ist nichts gespeichert."
    # what belongs to the others stays, without naming her
    claudia, dieter = bot.user("claudia.weber").id, bot.user("dieter.fischer").id
    with bot.runtime.db.read() as session:
        from storage.models import Rotation

        assert session.exec(select(PresenceChange).where(PresenceChange.user_id == claudia)).one().where == "home"
        assert session.exec(select(Absence).where(Absence.user_id == dieter)).all()
        assert session.exec(select(Rotation)).one().created_by == "forgotten"
    assert "Rufumleitung" in bot.slash("/homeoffice meine-daten", as_="elif.yilmaz")
    mine = my_data_sections(bot.slash("/homeoffice meine-daten", as_="claudia.weber"))
    by_leads = mine["Änderungen durch Leitungen an deinen Daten"]
    assert any("(von einer gelöschten Person)" in line for line in by_leads), by_leads
    assert all("Anna" not in line for line in by_leads)


def test_audit_details_are_shown_in_the_readers_language(bot):
    from commands.privacy import detail_text

    setup_ab(bot)  # Anna, a lead, put everyone into a group
    bot.slash("/homeoffice zuhause 24.11. bis 27.11. für @claudia.weber")
    bot.slash("/homeoffice zurücksetzen 26.11. für @claudia.weber")
    bot.slash("/homeoffice gruppe B @james.miller")
    german = bot.slash("/homeoffice meine-daten", as_="claudia.weber")
    assert "Gruppe A" in german
    assert "Di, 24.11.2026 – Fr, 27.11.2026 (4 Tage)" in german
    assert "Do, 26.11.2026" in german
    assert "group" not in german and "days" not in german, german
    english = bot.slash("/homeoffice my-data", as_="james.miller")
    assert "(by Anna Schmidt) — group B" in english, english
    # a detail stored before details had their structured form is shown as it was stored
    assert detail_text("group C no longer exists", "de") == "group C no longer exists"
    assert detail_text('{"days":["2026-11-24"]}', "en") == "Tue, 24 Nov 2026"
    assert detail_text('{"target":"mobile","until":"2026-11-24T16:00+00:00"}', "de") == "Diensthandy bis Di, 24.11.2026 16:00"


def test_after_forget_me_an_erased_note_is_in_no_file_on_disk(bot):
    """secure_delete overwrites the erased rows, and `vergessen` checkpoints the write-ahead log."""
    from pathlib import Path

    setup_ab(bot)
    note = "Kur-Reha-Unikat-4711"
    bot.slash(f"/homeoffice abwesend 26.11. {note}", as_="elif.yilmaz")
    bot.slash("/homeoffice vergessen", as_="elif.yilmaz")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="elif.yilmaz")
    path = Path(bot.settings.database_url.removeprefix("sqlite:///"))
    for file in (path, Path(f"{path}-wal")):
        assert not file.exists() or note.encode() not in file.read_bytes(), file
