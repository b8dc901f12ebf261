"""/rufumleitung over real HTTP against the Mattermost stand-in (Tuesday 24.11.2026)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.live import LiveBot, manual_clock


@pytest.fixture
def team(standin, tmp_path):
    clock = manual_clock("2026-11-24 07:00")
    bot = LiveBot(standin, tmp_path, clock=clock)
    bot.register()
    bot.start()
    bot.slash("einrichten A,B woche ab 23.11.2026")
    bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
    bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")
    bot.drain()
    yield bot
    bot.stop()


def fwd(team, text, user):
    return team.slash(text, user=user, command="/rufumleitung")


def announcements(team):
    return [p.message for p in team.channel_posts() if "☎️" in p.message]


def test_each_target_is_announced_by_the_bot_and_ended(team, standin):
    fwd(team, "nummer 0391 540-2000", "claudia.weber")
    assert "Diensthandy" in fwd(team, "handy 0171 2345678 bis 14:00", "dieter.fischer").text
    assert "Claudia Weber" in fwd(team, "@claudia.weber bis Freitag", "elif.yilmaz").text
    assert fwd(team, "privat", "frank.hoffmann").status == 200
    assert fwd(team, "ab bis 27.11.", "bernd.mueller").status == 200
    team.drain()
    posts = announcements(team)
    assert any("Dieter Fischer → Diensthandy 0171 2345678 bis 14:00 Uhr" in p for p in posts)
    assert any("Elif Yılmaz" in p and "Claudia Weber" in p and "0391 540-2000" in p for p in posts)
    assert any("Frank Hoffmann" in p and "Privatanschluss" in p for p in posts)
    assert all(p.user_id == team.world["bot"].id for p in team.channel_posts())
    fwd(team, "aus", "dieter.fischer")
    team.drain()
    assert any("Dieter Fischer" in p and "beendet" in p for p in announcements(team))


def test_private_forward_never_asks_for_or_shows_a_number(team, standin):
    refused = fwd(team, "privat 0391 999999", "frank.hoffmann")
    assert "999999" not in refused.text
    team.drain()
    for post in team.channel_posts():
        assert "999999" not in post.message


def test_expiry_while_the_bot_was_down_is_announced_once(team, standin):
    fwd(team, "handy 0171 2345678 bis 10:00", "dieter.fischer")
    team.drain()
    team.stop()
    team.clock.set(team.clock.now() + timedelta(hours=5))  # 12:00: the end passed while down
    team.start()
    team.tick()
    team.tick()
    team.drain()
    ends = [p for p in announcements(team) if "Dieter Fischer" in p and "ausgelaufen" in p]
    assert len(ends) == 1


def test_morning_prompt_buttons_work_through_mattermost(team, standin):
    assert "an" in team.slash("erinnerung an").text
    team.clock.set(team.clock.now() + timedelta(minutes=45))  # 07:45, after the roster time
    team.tick()
    team.drain()
    elif_user = team.world["users"]["elif.yilmaz"]
    (prompt,) = [p for p in standin.dms_for(elif_user) if p.actions()]
    labels = {a["name"]: a["id"] for a in prompt.actions()}
    assert set(labels) == {"Diensthandy", "Kollegin/Kollege …", "Nicht nötig"}
    clicked = standin.click(team.url, post_id=prompt.id, action_id=labels["Kollegin/Kollege …"], user=elif_user)
    assert clicked.client_status == 200
    (dialog,) = standin.dialogs_for(elif_user)
    field = next(e["name"] for e in dialog.dialog["elements"])
    submitted = standin.submit_dialog(team.url, dialog=dialog, user=elif_user, channel=prompt.channel_id,
                                      submission={field: team.world["users"]["claudia.weber"].id})
    assert submitted.reply == {} or not submitted.reply.get("error"), submitted.reply
    team.drain()
    assert any("Elif Yılmaz" in p and "Claudia Weber" in p for p in announcements(team))
    frank = team.world["users"]["frank.hoffmann"]
    (prompt,) = [p for p in standin.dms_for(frank) if p.actions()]
    not_needed = next(a["id"] for a in prompt.actions() if a["name"] == "Nicht nötig")
    clicked = standin.click(team.url, post_id=prompt.id, action_id=not_needed, user=frank)
    assert "keine Rufumleitung" in clicked.post.message
