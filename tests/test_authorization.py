"""Who may do what, over real HTTP against the Mattermost stand-in (SPEC §2, §3).

Mallory is an ordinary member of the organisation who made a private channel of her own, and so is
its channel admin. Being a lead there must give her no power over colleagues elsewhere.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import AuditEntry, CallForward, PhoneNumbers
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
    reply = as_mallory(org, text, "/rufumleitung")
    assert reply.status == 200
    assert "Bernd Müller ist nicht Mitglied dieses Kanals" in reply.text and "Es wurde nichts geändert" in reply.text
    org.drain()
    assert rows(org, CallForward) == []
    assert [(n.user_id, n.office, n.mobile) for n in rows(org, PhoneNumbers)] == numbers_before
    assert [e for e in rows(org, AuditEntry) if e.actor_id == org.world["users"]["mallory.meier"].id] == []
    assert standin.dms_for(org.world["users"]["bernd.mueller"]) == []
    assert not [p for p in org.channel_posts() if "☎️" in p.message]


def test_a_lead_sets_a_members_office_number_and_the_member_is_told(org, standin):
    reply = org.slash("nummer 0391 540-2000 für @bernd.mueller", command="/rufumleitung")
    assert reply.text == "Gespeichert: Büronummer von Bernd Müller: 0391 540-2000."
    org.drain()
    (dm,) = standin.dms_for(org.world["users"]["bernd.mueller"])
    assert dm.message.startswith("Anna Schmidt hat deine Büronummer eingetragen: 0391 540-2000.")
    # asked again, nothing more is owed: the DM's key is the audit entry it is about
    org.drain()
    assert len(standin.dms_for(org.world["users"]["bernd.mueller"])) == 1


def test_a_member_who_is_no_lead_is_told_so_before_anything_else(org):
    reply = org.slash("handy 0170 6666666 für @claudia.weber", user="bernd.mueller", command="/rufumleitung")
    assert "Das dürfen nur Leitungen" in reply.text
    assert rows(org, CallForward) == []
