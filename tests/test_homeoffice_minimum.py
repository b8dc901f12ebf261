"""Minimum office staffing (SPEC §2.1): a change that takes a day below `min` still applies,
its author is warned and every lead of the channel gets a DM."""

from __future__ import annotations

import dataclasses

from sqlmodel import select

from storage.models import Absence, PresenceChange
from tests.factories import rows, setup_ab

BELOW = "nur noch 2 statt mindestens 3"


def make_channel_admin(bot, username: str) -> None:
    bot.mm.admins.add((bot.channel_id(), bot.user(username).id))


def make_system_admin(bot, username: str) -> None:
    user = bot.user(username)
    bot.mm.users_by_id[user.id] = dataclasses.replace(user, roles="system_user system_admin")


def below_min_dms(bot, username: str) -> list[str]:
    return [p.message for p in bot.dms(username) if BELOW in p.message]


def test_below_minimum_dm_reaches_every_channel_admin_not_only_who_set_up_the_rotation(bot):
    # Bernd, a channel admin too, sets the rotation up; Anna is a channel admin from the start.
    make_channel_admin(bot, "bernd.mueller")
    assert bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026 min 3", as_="bernd.mueller").startswith("Rotation")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber", as_="bernd.mueller")
    bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann", as_="bernd.mueller")
    reply = bot.slash("/homeoffice zuhause 24.11.", as_="claudia.weber")
    assert "unter der Mindestbesetzung" in reply
    assert len(below_min_dms(bot, "anna.schmidt")) == 1
    assert len(below_min_dms(bot, "bernd.mueller")) == 1
    for username in ("claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann", "james.miller"):
        assert below_min_dms(bot, username) == [], username


def test_below_minimum_dm_goes_to_named_team_and_system_admin_leads_but_not_to_a_former_creator(bot):
    setup_ab(bot, "min 3")  # Anna (channel admin) creates the rotation
    bot.slash("/homeoffice leitung add @dieter.fischer")
    bot.mm.admins.discard((bot.channel_id(), bot.user("anna.schmidt").id))  # Anna is no longer a lead
    make_system_admin(bot, "frank.hoffmann")
    make_system_admin(bot, "gabriele.wagner")  # not a member of this channel: not one of its leads
    elif_id = bot.user("elif.yilmaz").id

    async def team_admin(team_id: str, user_id: str) -> bool:
        return user_id == elif_id

    bot.mm.is_team_admin = team_admin
    bot.slash("/homeoffice zuhause 24.11.", as_="claudia.weber")
    for username in ("dieter.fischer", "frank.hoffmann", "elif.yilmaz"):
        assert len(below_min_dms(bot, username)) == 1, username
    for username in ("anna.schmidt", "gabriele.wagner", "bernd.mueller", "claudia.weber"):
        assert below_min_dms(bot, username) == [], username


def test_clearing_a_one_off_office_day_below_the_minimum_warns_and_dms_the_leads(bot):
    setup_ab(bot, "min 3")
    bot.slash("/homeoffice büro 24.11.", as_="dieter.fischer")  # four in the office
    assert "Mindestbesetzung" not in bot.slash("/homeoffice zuhause 24.11.", as_="bernd.mueller")  # three
    assert below_min_dms(bot, "anna.schmidt") == []
    reply = bot.slash("/homeoffice zurücksetzen 24.11.", as_="dieter.fischer")  # two
    assert reply.startswith("1 einmalige Änderung am Di, 24.11.2026 entfernt."), reply
    assert "unter der Mindestbesetzung: nur noch 2 statt mindestens 3 Personen im Büro" in reply
    (dm,) = below_min_dms(bot, "anna.schmidt")
    assert "Änderung von Dieter Fischer" in dm
    with bot.runtime.db.read() as session:
        assert session.exec(select(PresenceChange).where(PresenceChange.user_id == bot.user("dieter.fischer").id)).all() == []


def test_clearing_an_absence_that_restores_staffing_sends_nothing(bot):
    setup_ab(bot, "min 3")
    bot.slash("/homeoffice abwesend 24.11.", as_="claudia.weber")
    assert len(below_min_dms(bot, "anna.schmidt")) == 1
    reply = bot.slash("/homeoffice zurücksetzen 24.11.", as_="claudia.weber")
    assert "Mindestbesetzung" not in reply and not rows(bot, Absence)
    assert len(below_min_dms(bot, "anna.schmidt")) == 1


def test_clear_in_english_warns_in_english(bot):
    setup_ab(bot, "min 3")
    bot.slash("/homeoffice gruppe A @james.miller")
    bot.slash("/homeoffice office 30.11.", as_="james.miller")  # week B: James alone from group A
    bot.slash("/homeoffice home 30.11.", as_="dieter.fischer")  # B: elif, frank + james = 3
    reply = bot.slash("/homeoffice clear 30.11.", as_="james.miller")
    assert reply.startswith("Removed 1 one-off change on Mon, 30 Nov 2026.")
    assert "below the minimum office staffing on Mon, 30 Nov 2026: only 2 instead of at least 3" in reply


def test_the_minimum_check_sees_a_group_change_made_a_moment_before(bot):
    # The person's rotations and members are reused between commands; a change of the groups in
    # this process must end that at once (the bot's clock does not move here).
    bot.set_time("2026-11-24 08:00")
    setup_ab(bot, "min 3")  # A (Anna, Bernd, Claudia) is in the office this week
    bot.slash("/homeoffice büro 25.11.", as_="anna.schmidt")  # Anna's rotations are read and kept
    bot.slash("/homeoffice zurücksetzen 25.11.", as_="anna.schmidt")
    assert bot.slash("/homeoffice gruppe A @dieter.fischer").startswith("Gruppe A")  # A has four now
    reply = bot.slash("/homeoffice zuhause 25.11.", as_="anna.schmidt")
    assert reply == "Anna Schmidt: zu Hause am Mi, 25.11.2026."  # four minus one: no warning
    # and the check itself still works: a second one from A going home takes the day below three
    assert "Mindestbesetzung" in bot.slash("/homeoffice zuhause 25.11.", as_="bernd.mueller")
