"""Data protection (SPEC §3): retention, my data, forget me, audit, no history, no monitoring."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import SQLModel, select

from bot.maintenance import purge
from storage.models import Absence, AuditEntry, PresenceChange
from tests.test_homeoffice import setup_ab


def all_rows_mentioning(bot, needle: str) -> list[tuple[str, dict]]:
    """Every row of every table that has `needle` in any column."""
    found = []
    with bot.runtime.db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).mappings():
                if any(needle in str(value) for value in row.values()):
                    found.append((table.name, dict(row)))
    return found


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
