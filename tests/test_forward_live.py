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
    bot.mark_dms_read()  # "you were put into group …": the set-up's, not the tests'
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
    voicemail = fwd(team, "ab bis 27.11.", "bernd.mueller")
    assert voicemail.status == 200 and voicemail.text.startswith(
        "Rufumleitung eingetragen: → Anrufbeantworter bis Fr, 27.11.2026, 18:00 Uhr.")
    team.drain()
    # Tuesday 24.11.: "bis Freitag" and "bis 27.11." both end on Friday at FORWARD_DEFAULT_END
    assert announcements(team) == [
        "☎️ Rufumleitung: Dieter Fischer → Diensthandy 0171 2345678 bis 14:00 Uhr.",
        "☎️ Rufumleitung: Elif Yılmaz → Claudia Weber (0391 540-2000) bis Fr, 27.11.2026, 18:00 Uhr.",
        "☎️ Rufumleitung: Frank Hoffmann → Privatanschluss bis 18:00 Uhr.",
        "☎️ Rufumleitung: Bernd Müller → Anrufbeantworter bis Fr, 27.11.2026, 18:00 Uhr.",
    ]
    assert all(p.user_id == team.world["bot"].id for p in team.channel_posts())
    fwd(team, "aus", "dieter.fischer")
    team.drain()
    assert announcements(team)[-1] == "☎️ Rufumleitung beendet: Dieter Fischer ist wieder direkt erreichbar."


def test_an_end_given_as_a_day_is_announced_in_the_channels_language(team, standin):
    assert team.slash("sprache en", command="/anwesenheit").text == "Gespeichert: Morgenpost jetzt auf Englisch."
    fwd(team, "nummer 0391 540-2000", "claudia.weber")
    reply = fwd(team, "voicemail until Friday", "james.miller")
    assert reply.text.startswith("Call forwarding set: → voicemail until Fri, 27 Nov 2026, 18:00.")
    fwd(team, "@claudia.weber bis 1.12. 12:00", "elif.yilmaz")
    team.drain()
    assert announcements(team) == [
        "☎️ Call forwarding: James Miller → voicemail until Fri, 27 Nov 2026, 18:00.",
        "☎️ Call forwarding: Elif Yılmaz → Claudia Weber (0391 540-2000) until Tue, 1 Dec 2026, 12:00.",
    ]


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


def morning_dms(team, username, kind):
    """The morning DMs of `kind` (prompt | remind) the bot sent the person, as the stand-in holds them."""
    user = team.world["users"][username]
    return [p for p in team.standin.dms_for(user) if str(p.props.get("amtsbote_key", "")).startswith(f"fwd:{kind}:")]


def test_mobile_button_of_the_morning_prompt_sets_and_announces_the_forward(team, standin):
    assert "an" in team.slash("erinnerung an").text
    fwd(team, "handy 0172 3456789 bis 07:15", "elif.yilmaz")  # remembers the mobile; over before the prompt
    team.clock.set(team.clock.now() + timedelta(minutes=45))  # 07:45
    team.tick()
    team.drain()
    elif_user, dieter = team.world["users"]["elif.yilmaz"], team.world["users"]["dieter.fischer"]
    (prompt,) = morning_dms(team, "elif.yilmaz", "prompt")
    mobile = next(a["id"] for a in prompt.actions() if a["name"] == "Diensthandy")
    clicked = standin.click(team.url, post_id=prompt.id, action_id=mobile, user=elif_user)
    assert clicked.client_status == 200, clicked.error
    assert clicked.post.message.startswith("Erledigt – Rufumleitung → Diensthandy 0172 3456789 bis 18:00 Uhr.")
    assert standin.post(prompt.id).actions() == []  # the buttons are gone
    team.drain()
    assert announcements(team)[-1] == "☎️ Rufumleitung: Elif Yılmaz → Diensthandy 0172 3456789 bis 18:00 Uhr."
    listed = fwd(team, "liste", "anna.schmidt").text
    assert "Elif Yılmaz → Diensthandy 0172 3456789 bis 18:00 Uhr" in listed
    # no mobile registered: nothing is set, the prompt keeps its buttons
    (prompt,) = morning_dms(team, "dieter.fischer", "prompt")
    mobile = next(a["id"] for a in prompt.actions() if a["name"] == "Diensthandy")
    before = len(announcements(team))
    refused = standin.click(team.url, post_id=prompt.id, action_id=mobile, user=dieter)
    assert refused.client_status == 200 and "noch keine Diensthandynummer" in refused.ephemeral_text
    assert len(standin.post(prompt.id).actions()) == 3
    team.drain()
    assert len(announcements(team)) == before
    assert "Dieter Fischer" not in fwd(team, "liste", "anna.schmidt").text


def test_end_button_of_the_office_reminder_ends_and_announces_the_forward(team, standin):
    assert "an" in team.slash("erinnerung an").text
    fwd(team, "ab bis Mittwoch", "bernd.mueller")  # Bernd (group A) is in the office this week
    team.clock.set(team.clock.now() + timedelta(minutes=45))  # 07:45
    team.tick()
    team.drain()
    bernd = team.world["users"]["bernd.mueller"]
    (reminder,) = morning_dms(team, "bernd.mueller", "remind")
    assert reminder.message == ("Du bist heute (Di, 24.11.2026) im Büro, aber deine Rufumleitung ist noch aktiv: "
                                "→ Anrufbeantworter bis Mi, 25.11.2026, 18:00 Uhr. Soll sie jetzt enden?")
    assert morning_dms(team, "claudia.weber", "remind") == []  # in the office, but nothing to end
    (end,) = [a["id"] for a in reminder.actions() if a["name"] == "Beenden"]
    clicked = standin.click(team.url, post_id=reminder.id, action_id=end, user=bernd)
    assert clicked.client_status == 200, clicked.error
    assert clicked.post.message == "Rufumleitung beendet. Angekündigt in: Jugendamt – ASD Team 3."
    assert standin.post(reminder.id).actions() == []
    team.drain()
    assert announcements(team)[-1] == "☎️ Rufumleitung beendet: Bernd Müller ist wieder direkt erreichbar."
    assert "keine aktive Rufumleitung" in fwd(team, "aus", "bernd.mueller").text
    team.clock.set(team.clock.now() + timedelta(hours=2))  # later ticks send him nothing more
    team.tick()
    team.drain()
    assert [p.id for p in team.dms("bernd.mueller")] == [reminder.id]
