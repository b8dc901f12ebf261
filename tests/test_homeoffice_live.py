"""/homeoffice over real HTTP against the Mattermost stand-in, on Monday 23.11.2026."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlmodel import select

from storage.models import PresenceChange, Rotation, RotationMember
from tests import scan
from tests.live import ROOT, LiveBot, env_for, manual_clock

SIX = ["anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann"]


@pytest.fixture
def team(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"))
    bot.register()
    bot.start()
    assert bot.slash("einrichten A,B woche ab 23.11.2026 min 3").text.startswith("Rotation eingerichtet")
    assert bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber").text.startswith("Gruppe A")
    assert bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann").text.startswith("Gruppe B")
    bot.mark_dms_read()  # "you were put into group …": the set-up's, not the tests'
    yield bot
    bot.stop()


def test_away_on_tuesday_shows_in_plan_without_the_note(team):
    own = team.slash("abwesend Di Arzttermin", user="bernd.mueller")
    assert "Arzttermin" in own.text
    plan = team.slash("plan", user="claudia.weber")
    tuesday = next(line for line in plan.text.splitlines() if line.startswith("| Di, 24.11.2026"))
    assert "Bernd Müller" in tuesday.split("|")[5]
    assert "Arzttermin" not in plan.text
    team.drain()
    preview = team.channel_posts()[0].message
    assert "Home-Office-Rotation eingerichtet" in preview


def test_non_lead_assign_is_refused_and_nothing_changes(team):
    result = team.slash("gruppe B @anna.schmidt", user="elif.yilmaz")
    assert result.status == 200 and "Das dürfen nur Leitungen" in result.text
    with team.runtime.db.read() as session:
        anna = team.world["users"]["anna.schmidt"].id
        assert session.get(RotationMember, (team.world["channel"].id, anna)).group == "A"


def test_swap_accepted_by_button_applies_to_both(team, standin):
    assert "Tausch vorgeschlagen" in team.slash("tausch @elif.yilmaz 25.11.", user="bernd.mueller").text
    team.drain()
    (dm,) = team.dms("elif.yilmaz")
    accept = next(a["id"] for a in dm.actions() if a["name"] == "Annehmen")
    clicked = standin.click(team.url, post_id=dm.id, action_id=accept, user=team.world["users"]["elif.yilmaz"])
    assert clicked.client_status == 200 and "Tausch angenommen" in clicked.post.message
    with team.runtime.db.read() as session:
        changes = {(c.user_id, c.where) for c in session.exec(select(PresenceChange)).all()}
    users = team.world["users"]
    assert changes == {(users["bernd.mueller"].id, "home"), (users["elif.yilmaz"].id, "office")}
    team.drain()
    assert "angenommen" in team.dms("bernd.mueller")[-1].message


def _press(team, standin, question, label: str, user: str):
    """Press `label` on an ephemeral reply, as the person's Mattermost client does (MATTERMOST-FACTS §2.3)."""
    (reply,) = question.ephemerals
    assert reply.ephemeral_for == team.world["users"][user].id and standin.post(reply.id) is None
    action = next(a["id"] for a in reply.actions() if a["name"] == label)
    return standin.click(team.url, post_id=reply.id, action_id=action, user=team.world["users"][user])


def test_forget_confirmed_on_the_ephemeral_reply_answers_privately_and_forgets(team, standin):
    team.slash("abwesend Di Arzttermin", user="bernd.mueller")
    question = team.slash("vergessen", user="bernd.mueller")
    assert question.text.startswith("Sollen wirklich alle über dich gespeicherten Daten gelöscht werden")

    kept = _press(team, standin, team.slash("vergessen", user="bernd.mueller"), "Abbrechen", "bernd.mueller")
    assert kept.client_status == 200 and kept.ephemeral_text == "Abgebrochen, nichts geändert."
    assert kept.json.get("update") is None
    bernd = team.world["users"]["bernd.mueller"].id
    with team.runtime.db.read() as session:
        assert session.get(RotationMember, (team.world["channel"].id, bernd)) is not None

    done = _press(team, standin, question, "Ja, alles löschen", "bernd.mueller")
    assert done.client_status == 200 and done.error == ""
    assert done.ephemeral_text == "Erledigt: Es ist nichts mehr über dich gespeichert." and done.json.get("update") is None
    assert standin.ephemerals_for(bernd)[-1].message == done.ephemeral_text  # Bernd sees it
    with team.runtime.db.read() as session:
        assert session.get(RotationMember, (team.world["channel"].id, bernd)) is None
        assert [c for c in session.exec(select(PresenceChange)).all() if c.user_id == bernd] == []

    english = _press(team, standin, team.slash("forget-me", user="james.miller"), "Yes, delete everything",
                     "james.miller")
    assert english.client_status == 200 and english.ephemeral_text == "Done: nothing about you is stored any more."


def test_delete_confirmed_on_the_ephemeral_reply_answers_privately_and_deletes(team, standin):
    kept = _press(team, standin, team.slash("löschen"), "Abbrechen", "anna.schmidt")
    assert kept.client_status == 200 and kept.ephemeral_text == "Abgebrochen, nichts geändert."
    with team.runtime.db.read() as session:
        assert session.get(Rotation, team.world["channel"].id) is not None

    done = _press(team, standin, team.slash("löschen"), "Ja, löschen", "anna.schmidt")
    assert done.client_status == 200 and done.error == ""
    assert done.ephemeral_text == "Die Rotation wurde gelöscht." and done.json.get("update") is None
    with team.runtime.db.read() as session:
        assert session.get(Rotation, team.world["channel"].id) is None
        assert session.exec(select(RotationMember)).all() == []
    team.drain()
    assert "wurde von Anna Schmidt gelöscht" in team.channel_posts()[-1].message

    english = team.slash("delete", user="james.miller")  # no lead: refused, no buttons
    assert english.text.startswith("Only leads of this channel may do that") and not english.ephemerals[0].actions()


def test_change_below_minimum_dms_the_lead(team, standin):
    result = team.slash("zuhause 24.11.", user="claudia.weber")
    assert "unter der Mindestbesetzung" in result.text
    team.drain()
    (dm,) = team.dms("anna.schmidt")
    assert "nur noch 2 statt mindestens 3" in dm.message


def test_plan_export_for_operators_as_json(team, standin, tmp_path):
    team.slash("abwesend 12.03.2030 Urlaub", user="dieter.fischer")
    env = env_for(standin, team.world, team.database_url)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "plan", "--channel", "jugendamt-asd", "--from", "2030-03-11",
                          "--to", "2030-03-17", "--format", "json"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    scan.add_log_text(out.stderr)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 6 * 5  # six people, five working days, nothing for the weekend
    # 11.03.2030 is 172 weeks (an even number) after 23.11.2026, so group A is in the office.
    assert {"date": "2030-03-12", "user": "dieter.fischer", "where": "away", "duties": []} in rows
    assert {"date": "2030-03-11", "user": "anna.schmidt", "where": "office", "duties": []} in rows
    assert {"date": "2030-03-11", "user": "dieter.fischer", "where": "home", "duties": []} in rows
    assert "Urlaub" not in out.stdout
    assert set(rows[0]) == {"date", "user", "where", "duties"}  # SPEC §6: duties, [] without any


def _export(team, standin, *args: str) -> subprocess.CompletedProcess[str]:
    env = env_for(standin, team.world, team.database_url)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "plan", "--channel", "jugendamt-asd", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    scan.add_log_text(out.stderr)
    return out


def test_plan_export_as_table_and_csv_and_never_for_past_days(team, standin):
    team.slash("abwesend 12.03.2030 Urlaub", user="dieter.fischer")
    out = _export(team, standin, "--from", "2030-03-15", "--to", "2030-03-18", "--format", "csv")  # Fri to Mon
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "date,user,where,duties" and len(lines) == 1 + 2 * 6
    assert "2030-03-15,anna.schmidt,office," in lines and "2030-03-18,anna.schmidt,home," in lines
    assert not any(line.startswith(("2030-03-16", "2030-03-17")) for line in lines)
    out = _export(team, standin, "--from", "2030-03-11", "--to", "2030-03-12")
    assert out.returncode == 0, out.stderr
    table = out.stdout.splitlines()
    assert table[0].split() == ["date", "user", "where"] and len(table) == 1 + 2 * 6
    assert table[1].split() == ["2030-03-11", "anna.schmidt", "office"]
    assert ["2030-03-12", "dieter.fischer", "away"] in [line.split() for line in table]
    assert "Urlaub" not in out.stdout
    past = _export(team, standin, "--from", "2026-11-23", "--to", "2026-11-27", "--format", "csv")
    assert past.returncode == 2 and past.stdout == ""
    assert "past days are not exported" in past.stderr


def test_setup_without_arguments_opens_a_dialog_whose_submission_creates_the_rotation(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"))
    bot.register()
    bot.start()
    try:
        result = bot.slash("einrichten")
        assert "Dialog" in result.text
        (dialog,) = standin.dialogs_for(bot.world["users"]["anna.schmidt"])
        assert dialog.dialog["title"] == "Rotation einrichten" and not dialog.problems
        bad = standin.submit_dialog(bot.url, dialog=dialog, user=bot.world["users"]["anna.schmidt"], channel="jugendamt-asd",
                                    submission={"groups": "A", "pattern": "weekly", "region": "DE-ST"})
        assert bad.reply.get("error")  # one group is not a rotation: the dialog stays open
        ok = standin.submit_dialog(bot.url, dialog=dialog, user=bot.world["users"]["anna.schmidt"], channel="jugendamt-asd",
                                   submission={"groups": "A,B,C", "pattern": "daily", "custom": None, "start": "30.11.2026",
                                               "min": "2", "region": "DE-ST"})
        assert ok.reply == {}
        with bot.runtime.db.read() as session:
            from storage.models import Rotation

            row = session.get(Rotation, bot.world["channel"].id)
        assert (row.groups, row.pattern, row.min_office, row.region, row.start.isoformat()) == \
            ("A,B,C", "daily", 2, "DE-ST", "2026-11-30")
        forged = standin.submit_dialog(bot.url, dialog=dialog, user=bot.world["users"]["elif.yilmaz"], channel="jugendamt-asd",
                                       submission={"groups": "X,Y", "pattern": "weekly", "region": "DE"})
        assert "ungültig" in forged.reply.get("error", "")  # state is bound to the lead who opened it
    finally:
        bot.stop()
