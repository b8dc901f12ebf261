"""Who may do what, over real HTTP against the Mattermost stand-in (SPEC §2, §3).

Mallory is an ordinary member of the organisation who made a private channel of her own, and so is
its channel admin. Being a lead there must give her no power over colleagues elsewhere.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import Absence, AuditEntry, CallForward, PhoneNumbers, PresenceChange, RotationMember
from tests.live import LiveBot, manual_clock


@pytest.fixture
def org(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 07:00"))
    world = bot.world
    mallory = standin.add_user("mallory.meier", first_name="Mallory", last_name="Meier")
    private = standin.add_channel(world["team"], "mallorys-ecke", "Mallorys Ecke", type="P")
    standin.add_member(private, mallory, admin=True)
    standin.add_member(private, world["bot"])
    world["users"]["mallory.meier"] = mallory
    bot.register()
    bot.start()
    bot.slash("einrichten A,B woche ab 23.11.2026")
    bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
    bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")
    bot.drain()
    yield bot
    bot.stop()


def rows(bot, model):
    db = Database(bot.database_url)
    try:
        with db.read() as session:
            return list(session.exec(select(model)).all())
    finally:
        db.dispose()


def dms(bot, username):
    return [p.message for p in bot.standin.dms_for(bot.world["users"][username])]


def as_mallory(bot, text, command):
    return bot.slash(text, user="mallory.meier", channel="mallorys-ecke", command=command)


@pytest.mark.parametrize("text", [
    "handy 0170 6666666 für @bernd.mueller",
    "nummer 0170 6666666 für @bernd.mueller",
    "@mallory.meier bis 18:00 für @bernd.mueller",
    "aus für @bernd.mueller",
])
def test_a_lead_of_her_own_channel_cannot_touch_a_colleagues_phone(org, standin, text):
    numbers_before = [(n.user_id, n.office, n.mobile) for n in rows(org, PhoneNumbers)]
    told_before = dms(org, "bernd.mueller")
    reply = as_mallory(org, text, "/rufumleitung")
    assert reply.status == 200
    assert "Bernd Müller ist nicht Mitglied dieses Kanals" in reply.text and "Es wurde nichts geändert" in reply.text
    org.drain()
    assert rows(org, CallForward) == []
    assert [(n.user_id, n.office, n.mobile) for n in rows(org, PhoneNumbers)] == numbers_before
    assert [e for e in rows(org, AuditEntry) if e.actor_id == org.world["users"]["mallory.meier"].id] == []
    assert dms(org, "bernd.mueller") == told_before
    assert not [p for p in org.channel_posts() if "☎️" in p.message]


def test_a_lead_sets_a_members_office_number_and_the_member_is_told(org, standin):
    reply = org.slash("nummer 0391 540-2000 für @bernd.mueller", command="/rufumleitung")
    assert reply.text == "Gespeichert: Büronummer von Bernd Müller: 0391 540-2000."
    org.drain()
    told = dms(org, "bernd.mueller")
    assert told[-1].startswith("Anna Schmidt hat deine Büronummer eingetragen: 0391 540-2000.")
    # drained again, nothing more is owed: the DM's key is the audit entry it is about
    org.drain()
    assert dms(org, "bernd.mueller") == told


def test_a_member_who_is_no_lead_is_told_so_before_anything_else(org):
    reply = org.slash("handy 0170 6666666 für @claudia.weber", user="bernd.mueller", command="/rufumleitung")
    assert "Das dürfen nur Leitungen" in reply.text
    assert rows(org, CallForward) == []


# -- days and rotations ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["abwesend morgen für @bernd.mueller", "büro morgen für @bernd.mueller",
                                  "zuhause 25.11. bis 27.11. für @bernd.mueller", "zurücksetzen morgen für @bernd.mueller"])
def test_a_lead_of_her_own_channel_cannot_change_a_colleagues_days(org, standin, text):
    assert as_mallory(org, "einrichten A,B woche", "/homeoffice").text.startswith("Rotation eingerichtet")
    told_before = dms(org, "bernd.mueller")
    reply = as_mallory(org, text, "/homeoffice")
    assert "Bernd Müller ist nicht Mitglied dieses Kanals" in reply.text and "Es wurde nichts geändert" in reply.text
    assert rows(org, Absence) == [] and rows(org, PresenceChange) == []
    org.drain()
    assert dms(org, "bernd.mueller") == told_before


def test_a_rotation_takes_only_members_of_its_channel(org, standin):
    assert as_mallory(org, "einrichten A,B woche", "/homeoffice").text.startswith("Rotation eingerichtet")
    told_before = dms(org, "bernd.mueller")
    reply = as_mallory(org, "gruppe A @bernd.mueller @claudia.weber", "/homeoffice")
    assert reply.text.startswith("Nicht Mitglied dieses Kanals: Bernd Müller, Claudia Weber.")
    mallorys = org.standin.channel("mallorys-ecke").id
    assert [m for m in rows(org, RotationMember) if m.channel_id == mallorys] == []
    org.drain()
    assert dms(org, "bernd.mueller") == told_before


def test_a_lead_acts_for_members_of_the_rotation_only_and_they_are_told(org, standin):
    refused = org.slash("büro morgen für @james.miller")  # in the channel, not in its rotation
    assert "James Miller gehört nicht zur Rotation dieses Kanals" in refused.text
    assert rows(org, PresenceChange) == []

    reply = org.slash("abwesend morgen Fortbildung für @bernd.mueller")
    assert reply.status == 200 and "Bernd Müller: abwesend am Mi, 25.11.2026." in reply.text
    assert org.slash("gruppe B @james.miller").text == "Gruppe B: James Miller."
    org.drain()
    assert dms(org, "bernd.mueller")[-1] == ("Anna Schmidt hat dich am Mi, 25.11.2026 als abwesend eingetragen. "
                                             "Notiz: Fortbildung")
    (james,) = dms(org, "james.miller")
    assert james.startswith("Anna Schmidt put you into group B in “Jugendamt – ASD Team 3”.")
    # the same assignment again changes nothing and tells nobody twice
    org.slash("gruppe B @james.miller")
    org.drain()
    assert len(dms(org, "james.miller")) == 1
