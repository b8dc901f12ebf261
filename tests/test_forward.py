"""/rufumleitung (/forward) through the dispatcher: announcing, ending, expiring, prompting — and privacy."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.console import TEAM_ID
from commands import forward_views
from commands.base import Context
from commands.rufumleitung import actions, jobs
from domain.phone import digits_of
from storage.models import AuditEntry, CallForward, ChannelSettings, OutboxItem, PhoneNumbers
from tests import scan
from tests.factories import all_rows_mentioning, setup_ab
from tests.harness import BotHarness, berlin


def rows(bot, model):
    with bot.runtime.db.read() as session:
        return list(session.exec(select(model)).all())


def active(bot, username):
    return [f for f in rows(bot, CallForward) if f.user_id == bot.user(username).id and f.ended_at is None]


def forward_posts(bot, channel="jugendamt-asd"):
    return [p.message for p in bot.posts(channel) if "☎️" in p.message]


def dm_channel(bot, username):
    return bot.run(bot.mm.direct_channel(bot.user(username).id))


# -- each target ----------------------------------------------------------------------------------------


def test_office_number_is_normalised_stored_and_shown(bot):
    assert bot.slash("/rufumleitung nummer (0391) 540 - 1234", as_="bernd.mueller") == \
        "Gespeichert: Büronummer 0391 540-1234."
    assert rows(bot, PhoneNumbers)[0].office == "0391 540-1234"
    assert "Büronummer: 0391 540-1234" in bot.slash("/rufumleitung nummer", as_="bernd.mueller")
    assert bot.slash("/rufumleitung nummer 1234", as_="claudia.weber") == "Gespeichert: Büronummer 1234."
    refused = bot.slash("/rufumleitung nummer 0391 ABC", as_="dieter.fischer")
    assert "keine gültige Telefonnummer" in refused and "ABC" not in refused
    assert len(rows(bot, PhoneNumbers)) == 2


def test_mobile_forward_is_announced_until_default_end_and_remembers_the_number(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung nummer 0391 540-1234", as_="bernd.mueller")
    refused = bot.slash("/rufumleitung handy", as_="bernd.mueller")
    assert "noch keine Diensthandynummer" in refused and "handy 0171 2345678" in refused
    assert rows(bot, CallForward) == [] and forward_posts(bot) == []

    reply = bot.slash("/rufumleitung handy 0171/2345678", as_="bernd.mueller")
    assert reply == ("Rufumleitung eingetragen: → Diensthandy 0171 2345678 bis 18:00 Uhr. "
                     "Angekündigt in: Jugendamt – ASD Team 3.")
    assert forward_posts(bot) == ["☎️ Rufumleitung: Bernd Müller (Büro 0391 540-1234) → Diensthandy 0171 2345678 "
                                  "bis 18:00 Uhr."]
    (forward,) = rows(bot, CallForward)
    assert forward.target == "mobile" and forward.until == berlin("2026-11-24 18:00")
    assert forward.channels == bot.channel_id()
    assert bot.mm.posts and all(p.user_id == bot.mm.bot_user_id for p in bot.mm.posts.values())  # by the bot
    assert "@" not in forward_posts(bot)[0]  # a display name, never a mention

    bot.set_time("2026-11-25 08:00")  # next day: the stored number is used
    assert "→ Diensthandy 0171 2345678 bis 18:00 Uhr" in bot.slash("/rufumleitung handy", as_="bernd.mueller")


def test_colleague_forward_until_a_weekday_shows_the_colleagues_office_number(bot):
    bot.set_time("2026-11-24 09:00")  # a Tuesday
    bot.slash("/rufumleitung nummer 0391 540-2000", as_="claudia.weber")
    reply = bot.slash("/rufumleitung @claudia.weber bis Freitag", as_="bernd.mueller")
    assert "→ Claudia Weber (0391 540-2000) bis Fr, 27.11.2026, 18:00 Uhr" in reply
    assert forward_posts(bot) == ["☎️ Rufumleitung: Bernd Müller → Claudia Weber (0391 540-2000) "
                                  "bis Fr, 27.11.2026, 18:00 Uhr."]
    (forward,) = rows(bot, CallForward)
    assert (forward.target, forward.colleague_id) == ("colleague", bot.user("claudia.weber").id)
    assert forward.until == berlin("2026-11-27 18:00")
    assert "Zu dir selbst" in bot.slash("/rufumleitung kollegin @bernd.mueller", as_="bernd.mueller")
    assert "Unbekannte Person" in bot.slash("/rufumleitung @nobody.here", as_="bernd.mueller")
    assert len(rows(bot, CallForward)) == 1


def test_private_forward_is_announced_as_private_line_and_a_typed_number_is_refused(bot):
    bot.set_time("2026-11-24 09:00")
    for typed in ("privat 0176 99887766", "privat 017699887766 bis 14:00", "privat bis 14:00 0176 99887766",
                  "privat bis 0176-99887766", "privat +49 176 99887766"):
        reply = bot.slash(f"/rufumleitung {typed}", as_="dieter.fischer")
        assert "private Nummer brauche ich nicht" in reply and "Es wurde nichts gespeichert" in reply, typed
        assert "99887766" not in reply
    assert rows(bot, CallForward) == [] and rows(bot, PhoneNumbers) == [] and forward_posts(bot) == []

    reply = bot.slash("/rufumleitung privat", as_="dieter.fischer")
    assert reply.startswith("Rufumleitung eingetragen: → Privatanschluss bis 18:00 Uhr.")
    assert forward_posts(bot) == ["☎️ Rufumleitung: Dieter Fischer → Privatanschluss bis 18:00 Uhr."]
    assert rows(bot, CallForward)[0].target == "private" and rows(bot, PhoneNumbers) == []


def test_voicemail_until_a_time_today_and_until_a_date(bot):
    bot.set_time("2026-11-24 09:00")
    assert "→ Anrufbeantworter bis 14:00 Uhr" in bot.slash("/rufumleitung ab bis 14:00", as_="elif.yilmaz")
    assert rows(bot, CallForward)[0].until == berlin("2026-11-24 14:00")
    assert "→ Anrufbeantworter bis 15:30 Uhr" in bot.slash("/rufumleitung ab bis 15.30 Uhr", as_="elif.yilmaz")
    reply = bot.slash("/rufumleitung ab bis 27.11. 12:00", as_="elif.yilmaz")
    assert "→ Anrufbeantworter bis Fr, 27.11.2026, 12:00 Uhr" in reply
    assert active(bot, "elif.yilmaz")[0].until == berlin("2026-11-27 12:00")
    reply = bot.slash("/rufumleitung ab bis 1.12.", as_="elif.yilmaz")
    assert active(bot, "elif.yilmaz")[0].until == berlin("2026-12-01 18:00") and "Di, 01.12.2026" in reply


def test_an_end_in_the_past_or_after_the_default_end_is_refused_and_nothing_changes(bot):
    bot.set_time("2026-11-24 15:00")
    reply = bot.slash("/rufumleitung ab bis 14:00", as_="elif.yilmaz")
    assert "liegt in der Vergangenheit" in reply and "14:00" in reply
    assert "kein gültiges Datum" in bot.slash("/rufumleitung ab bis 31.02.", as_="elif.yilmaz")
    assert "Bis wann?" in bot.slash("/rufumleitung ab bis bald", as_="elif.yilmaz")
    assert "Bis wann?" in bot.slash("/rufumleitung ab bis", as_="elif.yilmaz")
    assert "höchstens ein Jahr" in bot.slash("/rufumleitung ab bis 24.11.2028", as_="elif.yilmaz")
    bot.set_time("2026-11-24 18:30")
    reply = bot.slash("/rufumleitung ab", as_="elif.yilmaz")
    assert "schon nach 18:00 Uhr" in reply and "bis morgen" in reply
    assert rows(bot, CallForward) == [] and forward_posts(bot) == []
    assert "bis 22:00 Uhr" in bot.slash("/rufumleitung ab bis 22:00", as_="elif.yilmaz")


def test_a_new_forward_replaces_the_active_one(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung ab", as_="elif.yilmaz")
    bot.slash("/rufumleitung privat bis 12:00", as_="elif.yilmaz")
    (current,) = active(bot, "elif.yilmaz")
    assert current.target == "private"
    assert len(rows(bot, CallForward)) == 2
    # same channel: the new announcement says it all, no extra end post
    assert len(forward_posts(bot)) == 2 and "beendet" not in forward_posts(bot)[-1]
    assert "Privatanschluss" in bot.slash("/rufumleitung liste", as_="anna.schmidt")
    assert "Anrufbeantworter" not in bot.slash("/rufumleitung liste", as_="anna.schmidt")


def test_off_ends_the_forward_and_announces_it(bot):
    bot.set_time("2026-11-24 09:00")
    assert bot.slash("/rufumleitung aus", as_="bernd.mueller") == "Du hast gerade keine aktive Rufumleitung."
    bot.slash("/rufumleitung nummer 0391 540-1234", as_="bernd.mueller")
    bot.slash("/rufumleitung ab", as_="bernd.mueller")
    assert bot.slash("/rufumleitung aus", as_="bernd.mueller") == \
        "Rufumleitung beendet. Angekündigt in: Jugendamt – ASD Team 3."
    assert forward_posts(bot)[-1] == "☎️ Rufumleitung beendet: Bernd Müller ist wieder direkt erreichbar unter 0391 540-1234."
    assert active(bot, "bernd.mueller") == []
    bot.advance("2026-11-24 19:00", step_minutes=30)  # the expiry job has nothing left to announce
    assert len(forward_posts(bot)) == 2


def test_liste_shows_only_active_forwards_of_this_channels_members(bot):
    bot.set_time("2026-11-24 09:00")
    assert bot.slash("/rufumleitung liste") == "In diesem Kanal hat gerade niemand eine Rufumleitung."
    bot.slash("/rufumleitung ab", as_="elif.yilmaz")
    bot.slash("/rufumleitung privat", as_="gabriele.wagner", channel="wirtschaftliche-hilfe")
    listing = bot.slash("/rufumleitung liste", as_="claudia.weber")
    assert listing.splitlines() == ["**Aktive Rufumleitungen in diesem Kanal (1)**",
                                    "- Elif Yılmaz → Anrufbeantworter bis 18:00 Uhr"]
    assert bot.posts("jugendamt-asd")[-1].message.startswith("☎️ Rufumleitung: Elif")  # a list is not posted


# -- expiry -----------------------------------------------------------------------------------------------


def test_default_end_is_announced_when_it_passes(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung ab", as_="elif.yilmaz")
    bot.advance("2026-11-24 17:55", step_minutes=60)
    assert len(forward_posts(bot)) == 1
    bot.advance("2026-11-24 18:30")
    assert forward_posts(bot)[-1] == ("☎️ Die Rufumleitung von Elif Yılmaz ist um 18:00 Uhr ausgelaufen – "
                                      "wieder direkt erreichbar.")
    assert rows(bot, CallForward)[0].ended_at == berlin("2026-11-24 18:00")
    bot.advance("2026-11-24 20:00", step_minutes=30)
    assert len(forward_posts(bot)) == 2


def test_expiry_fires_exactly_once_after_a_downtime_spanning_the_end(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung privat bis 14:00", as_="dieter.fischer")
    bot.set_time("2026-11-25 08:10")  # the bot was down from before 14:00 until the next morning
    bot.tick()
    bot.tick()
    ends = [m for m in forward_posts(bot) if "ausgelaufen" in m]
    assert ends == ["☎️ Die Rufumleitung von Dieter Fischer ist um Di, 24.11.2026, 14:00 Uhr ausgelaufen – "
                    "wieder direkt erreichbar."]
    with bot.runtime.db.read() as session:
        keys = session.exec(select(OutboxItem.key).where(OutboxItem.key.like("fwd:%:end:%"))).all()
    assert len(keys) == 1
    # a second replica running the job concurrently finds nothing left to claim
    assert bot.run(jobs.expire_forwards(bot.runtime.services)) == 0


# -- where it is announced --------------------------------------------------------------------------------


def test_typed_in_a_dm_it_is_announced_in_every_rotation_channel_and_ended_there(bot):
    setup_ab(bot)
    assert bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026", as_="gabriele.wagner",
                     channel="wirtschaftliche-hilfe").startswith("Rotation eingerichtet")
    bot.slash("/homeoffice gruppe A @bernd.mueller", as_="gabriele.wagner", channel="wirtschaftliche-hilfe")
    bot.set_time("2026-11-24 09:00")
    dm = dm_channel(bot, "bernd.mueller")
    reply = bot.slash("/rufumleitung ab bis 16:00", as_="bernd.mueller", channel=dm)
    assert "Jugendamt – ASD Team 3" in reply and "Wirtschaftliche Jugendhilfe" in reply
    assert len(forward_posts(bot, "jugendamt-asd")) == 1 and len(forward_posts(bot, "wirtschaftliche-hilfe")) == 1
    assert not [p for p in bot.posts(dm) if "☎️" in p.message]
    # ended from a team channel: the end is still announced where the start was
    bot.slash("/rufumleitung aus", as_="bernd.mueller")
    for channel in ("jugendamt-asd", "wirtschaftliche-hilfe"):
        assert forward_posts(bot, channel)[-1].startswith("☎️ Rufumleitung beendet: Bernd Müller")
    # replaced from one team channel: the other channel, which saw the old start, sees its end
    bot.slash("/rufumleitung ab", as_="bernd.mueller", channel=dm)
    bot.slash("/rufumleitung privat", as_="bernd.mueller", channel="jugendamt-asd")
    assert forward_posts(bot, "jugendamt-asd")[-1] == "☎️ Rufumleitung: Bernd Müller → Privatanschluss bis 18:00 Uhr."
    assert forward_posts(bot, "wirtschaftliche-hilfe")[-1].startswith("☎️ Rufumleitung beendet: Bernd Müller")
    assert len(forward_posts(bot, "wirtschaftliche-hilfe")) == 4
    # someone in no rotation typing in a DM is told that nothing was announced
    reply = bot.slash("/rufumleitung ab", as_="james.miller", channel=dm_channel(bot, "james.miller"))
    assert "not announced anywhere" in reply


def test_announcements_follow_the_channel_language_and_replies_the_persons(bot):
    setup_ab(bot)
    bot.slash("/anwesenheit sprache en")
    bot.set_time("2026-11-24 09:00")
    reply = bot.slash("/rufumleitung privat bis Freitag", as_="bernd.mueller")
    assert "→ Privatanschluss bis Fr, 27.11.2026, 18:00 Uhr" in reply  # Bernd reads German
    assert forward_posts(bot)[-1] == "☎️ Call forwarding: Bernd Müller → private line until Fri, 27 Nov 2026, 18:00."
    reply = bot.slash("/rufumleitung ab", as_="james.miller")
    assert reply == "Call forwarding set: → voicemail until 18:00. Announced in: Jugendamt – ASD Team 3."
    assert bot.slash("/rufumleitung off", as_="james.miller").startswith("Call forwarding ended.")
    assert forward_posts(bot)[-1] == "☎️ Call forwarding ended: James Miller can be reached directly again."
    assert "forward to a colleague standing in" in bot.slash("/rufumleitung help", as_="james.miller")
    assert "zu einer Kollegin oder einem Kollegen umleiten, die oder der vertritt" in bot.slash("/rufumleitung hilfe",
                                                                                            as_="bernd.mueller")


def test_english_deployment_uses_forward_and_english_words(tmp_path):
    bot = BotHarness(tmp_path, start="2026-11-24 09:00", bot_locale="en")
    try:
        assert bot.slash("/forward number 0391 540-1234", as_="james.miller") == "Saved: office number 0391 540-1234."
        reply = bot.slash("/forward mobile +49 171 2345678 until tomorrow", as_="james.miller")
        assert reply.startswith("Call forwarding set: → work mobile +49 171 2345678 until Wed, 25 Nov 2026, 18:00.")
        assert forward_posts(bot) == ["☎️ Call forwarding: James Miller (office 0391 540-1234) → work mobile "
                                      "+49 171 2345678 until Wed, 25 Nov 2026, 18:00."]
        assert "I do not need a private number" in bot.slash("/forward private 0176 99887766", as_="james.miller")
        assert "→ voicemail until 18:00" in bot.slash("/forward voicemail", as_="james.miller")
        assert "- James Miller → voicemail until 18:00" in bot.slash("/forward list", as_="james.miller")
    finally:
        bot.close()


# -- leads ------------------------------------------------------------------------------------------------


def test_a_lead_may_set_and_end_a_forward_for_someone_others_may_not(bot):
    bot.set_time("2026-11-24 09:00")
    refused = bot.slash("/rufumleitung ab für @claudia.weber", as_="bernd.mueller")
    assert "Das dürfen nur Leitungen" in refused and "Es wurde nichts geändert" in refused
    assert rows(bot, CallForward) == [] and forward_posts(bot) == []

    reply = bot.slash("/rufumleitung handy 0171 7654321 bis morgen für @claudia.weber")  # anna is channel admin
    assert reply.startswith("Rufumleitung für Claudia Weber eingetragen: → Diensthandy 0171 7654321 bis Mi, 25.11.2026")
    assert forward_posts(bot)[-1].endswith("(eingetragen von Anna Schmidt).")
    assert bot.dms("claudia.weber")[-1].message.startswith("Anna Schmidt hat für dich eine Rufumleitung eingetragen")
    (forward,) = active(bot, "claudia.weber")
    assert forward.set_by == bot.user("anna.schmidt").id

    refused = bot.slash("/rufumleitung aus für @claudia.weber", as_="bernd.mueller")
    assert "Das dürfen nur Leitungen" in refused and active(bot, "claudia.weber")
    assert bot.slash("/rufumleitung aus für @claudia.weber").startswith("Rufumleitung von Claudia Weber beendet.")
    assert forward_posts(bot)[-1].endswith("(beendet von Anna Schmidt).")
    assert active(bot, "claudia.weber") == []

    audit = [(e.actor_id, e.action) for e in rows(bot, AuditEntry) if e.subject_id == bot.user("claudia.weber").id]
    anna = bot.user("anna.schmidt").id
    assert audit == [(anna, "forward:set"), (anna, "forward:end")]
    assert all("7654321" not in e.detail for e in rows(bot, AuditEntry))  # numbers stay out of the log
    # own changes are not audited
    bot.slash("/rufumleitung ab für @anna.schmidt")
    assert not [e for e in rows(bot, AuditEntry) if e.subject_id == anna]


# -- morning prompts ---------------------------------------------------------------------------------------


def enable_prompts(bot):
    setup_ab(bot)  # week of 23.11.: group A (anna, bernd, claudia) in the office, B (dieter, elif, frank) at home
    assert "Erinnerung" in bot.slash("/homeoffice erinnerung an")


def prompt(bot, username, kind="prompt"):
    """The one morning DM of `kind` (prompt | remind) the person got today."""
    posts = [p for p in bot.dms(username) if str(p.props.get("amtsbote_key", "")).startswith(f"fwd:{kind}:")]
    assert len(posts) == 1, [p.message for p in bot.dms(username)]
    return posts[0]


def test_no_prompts_unless_the_rotation_enables_them(bot):
    setup_ab(bot)
    bot.set_time("2026-11-24 07:00")
    bot.advance("2026-11-24 09:00", step_minutes=15)
    assert bot.dms("dieter.fischer") == [] and bot.dms("elif.yilmaz") == []


def test_home_office_morning_prompt_buttons(bot):
    enable_prompts(bot)
    bot.slash("/rufumleitung handy 0172 3456789 bis 10:00", as_="elif.yilmaz")  # Monday: remembers the mobile
    bot.set_time("2026-11-24 07:00")
    bot.advance("2026-11-24 07:25")
    assert bot.dms("dieter.fischer") == []  # not before the roster time
    bot.advance("2026-11-24 09:00")
    for username in ("dieter.fischer", "elif.yilmaz", "frank.hoffmann"):
        post = prompt(bot, username)
        assert post.message.startswith("Guten Morgen! Du arbeitest heute (Di, 24.11.2026) im Home-Office.")
        labels = [a["name"] for a in post.props["attachments"][0]["actions"]]
        assert labels == ["Diensthandy", "Kollegin/Kollege …", "Nicht nötig"]
    for username in ("anna.schmidt", "bernd.mueller", "claudia.weber"):  # in the office, nothing active
        assert bot.dms(username) == []
    assert bot.dms("james.miller") == []  # in no group

    result = bot.click(prompt(bot, "elif.yilmaz"), "Diensthandy", as_="elif.yilmaz")
    assert result["update"]["message"].startswith("Erledigt – Rufumleitung → Diensthandy 0172 3456789 bis 18:00 Uhr.")
    assert forward_posts(bot)[-1] == "☎️ Rufumleitung: Elif Yılmaz → Diensthandy 0172 3456789 bis 18:00 Uhr."
    assert active(bot, "elif.yilmaz")[0].channels == bot.channel_id()

    result = bot.click(prompt(bot, "dieter.fischer"), "Diensthandy", as_="dieter.fischer")
    assert "noch keine Diensthandynummer" in result["ephemeral_text"] and active(bot, "dieter.fischer") == []
    result = bot.click(prompt(bot, "dieter.fischer"), "Kollegin/Kollege …", as_="dieter.fischer")
    assert "/rufumleitung @name" in result["ephemeral_text"]
    with pytest.raises(StopIteration):  # a button is only for the person it was sent to
        bot.click(prompt(bot, "frank.hoffmann"), "Elif", as_="frank.hoffmann")
    assert "ungültig" in bot.click(prompt(bot, "frank.hoffmann"), "Nicht nötig", as_="elif.yilmaz")["ephemeral_text"]
    result = bot.click(prompt(bot, "frank.hoffmann"), "Nicht nötig", as_="frank.hoffmann")
    assert result["update"]["message"] == "Alles klar, heute keine Rufumleitung."
    assert active(bot, "frank.hoffmann") == []

    bot.advance("2026-11-24 11:00", step_minutes=30)  # once per person and day
    for username in ("dieter.fischer", "elif.yilmaz", "frank.hoffmann"):
        assert len(bot.dms(username)) == 1


def test_colleague_button_opens_a_dialog_whose_submission_sets_the_forward(bot):
    enable_prompts(bot)
    bot.slash("/rufumleitung nummer 0391 540-2000", as_="claudia.weber")
    bot.set_time("2026-11-24 07:45")
    bot.tick()
    dieter = bot.user("dieter.fischer")
    ctx = Context(services=bot.runtime.services, user=dieter, channel_id=dm_channel(bot, "dieter.fischer"),
                  team_id=TEAM_ID, locale="de", now=bot.clock.now())

    class Press:  # a button press that carries Mattermost's trigger id
        user_id, channel_id, team_id, post_id, data, trigger_id = dieter.id, ctx.channel_id, TEAM_ID, "", \
            {"day": "2026-11-24"}, "trigger-1"

    result = bot.run(actions.prompt_colleague(Press(), ctx))
    assert result.ephemeral_text == "Wähle im Dialog, wer vertritt." and "Dialog „Umleiten zu …“" in bot.out.getvalue()

    state = bot.runtime.services.signer.sign_state("forward.colleague", {"day": "2026-11-24"}, user_id=dieter.id,
                                                   expires=bot.clock.now() + timedelta(hours=1))
    body = {"user_id": dieter.id, "channel_id": ctx.channel_id, "team_id": TEAM_ID, "state": state,
            "submission": {"colleague": bot.user("claudia.weber").id, "until": "bis 25:00"}}
    assert "keine gültige Uhrzeit" in bot.run(bot.runtime.dispatcher.dialog(body))["errors"]["until"]
    body["submission"]["until"] = "16:00"
    assert bot.run(bot.runtime.dispatcher.dialog(body)) == {}
    bot.deliver()
    assert forward_posts(bot)[-1] == "☎️ Rufumleitung: Dieter Fischer → Claudia Weber (0391 540-2000) bis 16:00 Uhr."
    done = prompt(bot, "dieter.fischer")  # the prompt was edited and lost its buttons
    assert done.message.startswith("Erledigt – Rufumleitung → Claudia Weber") and not done.props.get("attachments")


def test_back_in_the_office_with_a_forward_still_active_the_reminder_ends_it(bot):
    enable_prompts(bot)
    bot.set_time("2026-11-23 09:00")
    bot.slash("/rufumleitung ab bis Mittwoch", as_="bernd.mueller")  # Bernd (A) is in the office this week
    bot.slash("/rufumleitung privat bis Dienstag 07:15", as_="claudia.weber")  # over before the reminder
    bot.set_time("2026-11-24 07:00")
    bot.advance("2026-11-24 08:30")
    reminder = prompt(bot, "bernd.mueller", "remind")
    original = {"props": dict(reminder.props)}
    assert reminder.message == ("Du bist heute (Di, 24.11.2026) im Büro, aber deine Rufumleitung ist noch aktiv: "
                                "→ Anrufbeantworter bis Mi, 25.11.2026, 18:00 Uhr. Soll sie jetzt enden?")
    assert bot.dms("claudia.weber") == []
    result = bot.click(reminder, "Beenden", as_="bernd.mueller")
    assert result["update"]["message"] == "Rufumleitung beendet. Angekündigt in: Jugendamt – ASD Team 3."
    assert forward_posts(bot)[-1] == "☎️ Rufumleitung beendet: Bernd Müller ist wieder direkt erreichbar."
    assert active(bot, "bernd.mueller") == []
    before = forward_posts(bot)
    again = bot.click(original, "Beenden", as_="bernd.mueller")  # an old copy of the button
    assert again["update"]["message"] == "Diese Rufumleitung ist schon beendet."
    assert forward_posts(bot) == before
    bot.advance("2026-11-24 11:30", step_minutes=30)
    assert len(bot.dms("bernd.mueller")) == 1


# -- the roster's view ---------------------------------------------------------------------------------------


def test_active_forwards_and_describe_forward_for_the_roster(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung nummer 0391 540-2000", as_="claudia.weber")
    bot.slash("/rufumleitung handy 0171 2345678", as_="bernd.mueller")
    bot.slash("/rufumleitung @claudia.weber bis morgen", as_="dieter.fischer")
    bot.slash("/rufumleitung privat", as_="elif.yilmaz")
    ids = {u: bot.user(u).id for u in ("bernd.mueller", "dieter.fischer", "elif.yilmaz", "anna.schmidt")}
    with bot.runtime.db.read() as session:
        views = forward_views.active_forwards(session, list(ids.values()), bot.clock.now(), tz=bot.runtime.services.tz)
        numbers = {n.user_id: n for n in session.exec(select(PhoneNumbers)).all()}
    assert set(views) == {ids["bernd.mueller"], ids["dieter.fischer"], ids["elif.yilmaz"]}
    names = {bot.user("claudia.weber").id: "Claudia Weber"}
    assert forward_views.describe_forward(views[ids["bernd.mueller"]], "de", names, numbers) == \
        "→ Diensthandy 0171 2345678 bis 18:00 Uhr"
    assert forward_views.describe_forward(views[ids["dieter.fischer"]], "en", names, numbers) == \
        "→ Claudia Weber (0391 540-2000) until Wed, 25 Nov 2026, 18:00"
    assert forward_views.describe_forward(views[ids["elif.yilmaz"]], "de", names, numbers) == "→ Privatanschluss bis 18:00 Uhr"
    assert views[ids["elif.yilmaz"]].colleague_id is None and not hasattr(views[ids["elif.yilmaz"]], "number")
    with bot.runtime.db.read() as session:  # later that evening nothing is active any more
        assert set(forward_views.active_forwards(session, list(ids.values()), berlin("2026-11-25 19:00"))) == set()
    reach = bot.slash("/anwesenheit @dieter.fischer", as_="anna.schmidt")
    assert "(0391 540-2000) bis Mi, 25.11.2026, 18:00 Uhr" in reach and "Claudia Weber" in reach


# -- privacy ---------------------------------------------------------------------------------------------------


PHONE = re.compile(r"\+?\d[\d \-/()]{4,}\d")


def test_private_forward_leaks_no_number_into_posts_replies_logs_or_storage(bot, caplog):
    logged_before = len(scan.LOG_TEXTS)
    caplog.set_level(logging.DEBUG)
    enable_prompts(bot)
    bot.slash("/anwesenheit sprache de")
    bot.set_time("2026-11-24 07:00")
    private = "0176 99887766"
    bot.slash("/rufumleitung nummer 0391 540-1234", as_="dieter.fischer")
    bot.slash("/rufumleitung nummer 0391 540-2000", as_="claudia.weber")
    bot.slash("/rufumleitung handy 0171 2345678 bis 07:30", as_="claudia.weber")
    for typed in (f"privat {private}", f"privat bis 12:00 {private}", f"privat {private} bis 12:00",
                  "privat bis 0176-99887766", "privat tel. 017699887766", f"private {private} für @dieter.fischer"):
        bot.slash(f"/rufumleitung {typed}", as_="dieter.fischer")
    bot.slash(f"/rufumleitung {private}", as_="dieter.fischer")  # not even a subcommand
    bot.slash("/rufumleitung privat bis 16:00", as_="dieter.fischer")
    bot.slash("/rufumleitung privat für @elif.yilmaz")  # by a lead
    bot.advance("2026-11-24 09:00", step_minutes=15)  # roster, prompts
    for username in ("anna.schmidt", "dieter.fischer"):
        bot.slash("/rufumleitung liste", as_=username)
        bot.slash("/anwesenheit", as_=username)
        bot.slash("/anwesenheit @dieter.fischer", as_=username)
        bot.slash("/homeoffice meine-daten", as_=username)
        bot.slash("/rufumleitung", as_=username)
    bot.advance("2026-11-24 16:30", step_minutes=30)  # expiry
    assert any("Privatanschluss" in p.message for p in bot.posts())

    allowed = {digits_of(n) for n in ("0391 540-1234", "0391 540-2000", "0171 2345678")}
    texts = [p.message for p in bot.mm.posts.values()]
    for post in bot.mm.posts.values():  # what a reader sees of the attachments (not the signed button data)
        for attachment in post.props.get("attachments") or []:
            texts += [str(attachment.get(k) or "") for k in ("pretext", "title", "text", "footer", "fallback")]
            texts += [a.get("name", "") for a in attachment.get("actions") or []]
    texts += [text for _, text in bot.replies]
    texts += [r.getMessage() for r in caplog.records] + scan.LOG_TEXTS[logged_before:]  # this test's log lines only
    texts += [bot.out.getvalue()]
    for text in texts:
        text = re.sub(r"\b[a-z0-9]{26}\b", " ", text)  # Mattermost ids (demo ids end in a run of zeros)
        text = re.sub(r"\d{4}-\d{2}-\d{2}|\d{1,2}[.:]\d{2}(?:\.\d{2,4})?", " ", text)  # times and dates
        for match in PHONE.finditer(text):
            found = digits_of(match.group())
            if len(found.lstrip("+")) >= 6:
                assert found in allowed, (match.group(), text[:200])
        assert "99887766" not in text
    assert all_rows_mentioning(bot, "99887766") == [] and all_rows_mentioning(bot, "0176") == []
    (private_forward,) = [f for f in rows(bot, CallForward) if f.user_id == bot.user("dieter.fischer").id]
    assert private_forward.target == "private"


def test_meine_daten_lists_forwards(bot):
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung privat bis 15:00", as_="dieter.fischer")
    bot.slash("/rufumleitung @dieter.fischer", as_="elif.yilmaz")
    mine = bot.slash("/homeoffice meine-daten", as_="dieter.fischer")
    assert "→ Privatanschluss bis Di, 24.11.2026, 15:00 Uhr (aktiv)" in mine
    assert "als Vertretung in einer Rufumleitung bis Di, 24.11.2026, 18:00 Uhr (aktiv)" in mine


def test_channel_settings_locale_is_read_per_channel(bot):
    with bot.runtime.db.write() as session:
        session.add(ChannelSettings(channel_id=bot.channel_id("wirtschaftliche-hilfe"), locale="en"))
    bot.set_time("2026-11-24 09:00")
    bot.slash("/rufumleitung ab", as_="gabriele.wagner", channel="wirtschaftliche-hilfe")
    assert forward_posts(bot, "wirtschaftliche-hilfe") == ["☎️ Call forwarding: Gabriele Wagner → voicemail until 18:00."]
