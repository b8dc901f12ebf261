"""/homeoffice through the dispatcher (in-memory demo team): the stories a team lead and staff live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.models import Absence, AuditEntry, PresenceChange, Rotation, RotationMember
from tests.factories import SIX, rows, setup_ab


def test_lead_sets_up_weekly_rotation_and_channel_sees_two_week_preview(bot):
    setup_ab(bot)
    posts = bot.posts()
    assert len(posts) == 1
    preview = posts[0].message
    assert "Home-Office-Rotation eingerichtet" in preview
    assert "Mo, 23.11.2026: A" in preview and "Mo, 30.11.2026: B" in preview
    assert {m.user_id for m in rows(bot, RotationMember)} == {bot.user(u).id for u in SIX}


def test_member_away_on_tuesday_shows_as_away_without_the_note(bot):
    setup_ab(bot)
    own = bot.slash("/homeoffice abwesend 24.11. Arzttermin", as_="dieter.fischer")
    assert "Arzttermin" in own  # the author sees the note
    plan = bot.slash("/homeoffice plan", as_="bernd.mueller")
    tuesday = next(line for line in plan.splitlines() if line.startswith("| Di, 24.11.2026"))
    cells = [c.strip() for c in tuesday.strip("|").split("|")]
    assert "Dieter Fischer" in cells[4] and "Dieter Fischer" not in cells[2]
    assert "Arzttermin" not in plan
    roster = bot.slash("/anwesenheit 24.11.", as_="bernd.mueller")
    assert "Arzttermin" not in roster


def test_non_lead_cannot_assign_and_nothing_changes(bot):
    setup_ab(bot)
    before = {(m.user_id, m.group) for m in rows(bot, RotationMember)}
    reply = bot.slash("/homeoffice gruppe B @anna.schmidt", as_="bernd.mueller")
    assert "Das dürfen nur Leitungen" in reply
    assert {(m.user_id, m.group) for m in rows(bot, RotationMember)} == before


def test_swap_proposed_accepted_by_button_and_applied_to_both(bot):
    setup_ab(bot)
    # Week of 23.11.: A in the office. Bernd (A) swaps Wednesday with Elif (B).
    reply = bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    assert "Tausch vorgeschlagen" in reply, reply
    (dm,) = bot.dms("elif.yilmaz")
    assert "Bernd Müller möchte mit dir tauschen" in dm.message
    assert not rows(bot, PresenceChange)
    bot.click(dm, "Annehmen", as_="elif.yilmaz")
    changes = {(c.user_id, c.day.isoformat()): c.where for c in rows(bot, PresenceChange)}
    assert changes == {(bot.user("bernd.mueller").id, "2026-11-25"): "home",
                       (bot.user("elif.yilmaz").id, "2026-11-25"): "office"}
    assert "angenommen" in dm.message
    told = bot.dms("bernd.mueller")
    assert told and "angenommen" in told[-1].message
    # A second press changes nothing more.
    result = bot.click(dm, "Annehmen", as_="elif.yilmaz") if dm.props.get("attachments") else {}
    assert len(rows(bot, PresenceChange)) == 2, result


def test_swap_button_cannot_be_pressed_by_someone_else(bot):
    setup_ab(bot)
    bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    (dm,) = bot.dms("elif.yilmaz")
    result = bot.click(dm, "Annehmen", as_="frank.hoffmann")
    assert "ungültig" in result["ephemeral_text"]
    assert not rows(bot, PresenceChange)


def test_change_below_minimum_applies_tells_author_and_dms_lead(bot):
    setup_ab(bot, "min 3")
    reply = bot.slash("/homeoffice zuhause 24.11.", as_="bernd.mueller")
    assert "unter der Mindestbesetzung" in reply
    assert [c.where for c in rows(bot, PresenceChange)] == ["home"]
    dms = bot.dms("anna.schmidt")
    assert dms and "nur noch 2 statt mindestens 3" in dms[-1].message


def test_lead_changes_for_someone_else_is_audited_others_may_not(bot):
    setup_ab(bot)
    refused = bot.slash("/homeoffice büro 24.11. für @claudia.weber", as_="bernd.mueller")
    assert "nur deine eigenen" in refused and not rows(bot, PresenceChange)
    bot.slash("/homeoffice unterwegs 24.11. für @claudia.weber", as_="anna.schmidt")
    (entry,) = rows(bot, AuditEntry)[-1:]
    assert entry.actor_id == bot.user("anna.schmidt").id and entry.subject_id == bot.user("claudia.weber").id
    assert entry.action == "change:field"


def test_my_data_shows_everything_and_forget_me_deletes_it(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 26.11. Fortbildung", as_="elif.yilmaz")
    bot.slash("/homeoffice büro 27.11.", as_="elif.yilmaz")
    mine = bot.slash("/homeoffice meine-daten", as_="elif.yilmaz")
    assert "Gruppe B" in mine and "Fortbildung" in mine and "Do, 26.11.2026" in mine and "Fr, 27.11.2026" in mine
    bot.slash("/homeoffice vergessen", as_="elif.yilmaz")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="elif.yilmaz")
    elif_id = bot.user("elif.yilmaz").id
    for model in (RotationMember, PresenceChange, Absence):
        assert all(r.user_id != elif_id for r in rows(bot, model))
    assert bot.slash("/homeoffice meine-daten", as_="elif.yilmaz") == "Über dich ist nichts gespeichert."


def test_delete_needs_confirmation(bot):
    setup_ab(bot)
    bot.slash("/homeoffice löschen")
    assert rows(bot, Rotation)
    bot.click(bot.last_reply, "Ja, löschen", as_="anna.schmidt")
    assert not rows(bot, Rotation) and not rows(bot, RotationMember)


def test_split_spreads_channel_members_keeping_assignments(bot):
    bot.slash("/homeoffice einrichten A,B woche")
    bot.slash("/homeoffice gruppe B @anna.schmidt")
    reply = bot.slash("/homeoffice aufteilen")
    assert reply.startswith("Aufgeteilt")
    groups = {m.user_id: m.group for m in rows(bot, RotationMember)}
    assert groups[bot.user("anna.schmidt").id] == "B"
    counts = sorted(list(groups.values()).count(g) for g in "AB")
    assert counts in ([3, 4],)  # seven people in jugendamt-asd


def test_bad_input_changes_nothing_and_answers_in_german_or_english(bot):
    setup_ab(bot)
    for text in ("büro 31.02.", "abwesend 25:00", "büro 27.11. bis 24.11.", "einrichten A woche", "gruppe X @anna.schmidt"):
        reply = bot.slash(f"/homeoffice {text}")
        assert reply and "interner Fehler" not in reply, (text, reply)
    assert not rows(bot, PresenceChange) and not rows(bot, Absence)
    english = bot.slash("/homeoffice office 31.02.", as_="james.miller")
    assert "not a valid date" in english


GOLDEN_DIR = Path(__file__).parent / "golden"


def _golden(name: str, text: str, directory: Path = GOLDEN_DIR) -> None:
    """Compare with tests/golden/NAME. A missing file is a failure; with UPDATE_GOLDEN=1 the
    file is (re)written instead, to be reviewed and committed."""
    golden = directory / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text + "\n", encoding="utf-8")
        return
    assert golden.exists(), f"golden file {golden} is missing; run with UPDATE_GOLDEN=1 to create it, then review it"
    assert text + "\n" == golden.read_text(encoding="utf-8")


def test_missing_golden_file_fails_unless_update_is_asked_for(tmp_path, monkeypatch):
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    with pytest.raises(AssertionError, match="UPDATE_GOLDEN=1"):
        _golden("new.md", "text", tmp_path)
    assert not (tmp_path / "new.md").exists()
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    _golden("new.md", "text", tmp_path)
    assert (tmp_path / "new.md").read_text(encoding="utf-8") == "text\n"
    monkeypatch.delenv("UPDATE_GOLDEN")
    _golden("new.md", "text", tmp_path)
    with pytest.raises(AssertionError):
        _golden("new.md", "other", tmp_path)


def _golden_team(tmp_path, locale: str):
    from tests.harness import BotHarness

    bot = BotHarness(tmp_path / locale, start="2026-11-20 10:00", bot_locale=locale)
    setup_word = "einrichten A,B woche ab 23.11.2026 min 3 region DE-BW" if locale == "de" else \
        "setup A,B weekly from 23.11.2026 min 3 region DE-BW"
    bot.slash(f"/homeoffice {setup_word}")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
    bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann @james.miller")
    bot.slash("/homeoffice abwesend 07.12. Fortbildung", as_="bernd.mueller")
    bot.slash("/homeoffice unterwegs 09.12.", as_="james.miller")
    bot.slash("/homeoffice zuhause 10.12.", as_="claudia.weber")
    return bot


@pytest.mark.parametrize("locale", ["de", "en"])
def test_golden_plan_and_me(tmp_path, locale):
    bot = _golden_team(tmp_path, locale)
    try:
        plan_word = "plan 07.12. bis 11.12." if locale == "de" else "plan 07.12. to 11.12."
        _golden(f"plan_{locale}.md", bot.slash(f"/homeoffice {plan_word}", as_="anna.schmidt" if locale == "de" else "james.miller"))
        me_word = "ich" if locale == "de" else "me"
        user = "bernd.mueller" if locale == "de" else "james.miller"
        bot.set_time("2026-12-04 10:00")
        _golden(f"me_{locale}.md", bot.slash(f"/homeoffice {me_word}", as_=user))
    finally:
        bot.close()


def test_unanswered_swap_expires_on_the_swapped_day(bot):
    from storage.models import SwapProposal

    setup_ab(bot)
    bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    bot.advance("2026-11-25 12:05", step_minutes=120)
    (proposal,) = rows(bot, SwapProposal)
    assert proposal.state == "expired"
    (dm,) = bot.dms("elif.yilmaz")
    result = bot.click(dm, "Annehmen", as_="elif.yilmaz")
    assert "abgelaufen" in result["ephemeral_text"] or "nicht mehr offen" in result["ephemeral_text"]
    assert not rows(bot, PresenceChange)
