"""Menus and dialogs (SPEC §2.6) over real HTTP against the Mattermost stand-in.

The bot's clock: Monday 11.03.2030, 09:00 (ahead of the machine's, so the operator's `plan`
export takes the day). Rotation A/B weekly from that Monday: group A (Anna, Bernd, Claudia) is
in the office this week, group B (Dieter, Elif, Frank, James) at home. Anna is the lead.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from sqlmodel import select

from storage.meeting_models import Meeting
from storage.models import Absence, CallForward, PresenceChange, SwapProposal
from tests import scan
from tests.factories import text_of
from tests.live import ROOT, LiveBot, env_for, manual_clock

HOMEOFFICE_DE = ["Heute im Büro", "Heute zu Hause", "Heute unterwegs", "Abwesend …", "Tausch …", "Mein Plan",
                 "Team-Plan"]
HOMEOFFICE_EN = ["Office today", "Home today", "Field today", "Away …", "Swap …", "My plan", "Team plan"]


@pytest.fixture
def office(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2030-03-11 09:00"))
    bot.register()
    bot.start()
    assert bot.slash("einrichten A,B woche ab 11.03.2030").text.startswith("Rotation eingerichtet")
    assert bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber").text.startswith("Gruppe A")
    assert bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann @james.miller").text.startswith("Gruppe B")
    bot.mark_dms_read()
    yield bot
    bot.stop()


def card(bot, command: str, user: str):
    """The menu card: the command typed with nothing after it."""
    reply = bot.slash("", command=command, user=user)
    assert reply.status == 200 and reply.client_status == 200, reply.error
    (shown,) = reply.ephemerals
    assert shown.ephemeral_for == bot.world["users"][user].id
    return shown


def labels(shown) -> list[str]:
    return [a["name"] for a in shown.actions()]


def press(bot, shown, label: str, user: str, selected: str | None = None):
    """Press a card's button (or choose in its menu) as `user`'s Mattermost client does."""
    action = next(a["id"] for a in shown.actions() if a["name"] == label)
    result = bot.standin.click(bot.url, post_id=shown.id, action_id=action, user=bot.world["users"][user],
                               selected_option=selected)
    assert result.client_status == 200, result.error
    return result


def dialog_of(bot, user: str, callback: str):
    return [d for d in bot.standin.dialogs_for(bot.world["users"][user]) if d.callback_id == callback][-1]


def submit(bot, dialog, user: str, submission: dict):
    return bot.standin.submit_dialog(bot.url, dialog=dialog, user=bot.world["users"][user], channel="jugendamt-asd",
                                     submission=submission)


def export(bot, day: str) -> list[dict]:
    """`amtsbote plan --format json` for one day, as an operator runs it."""
    env = env_for(bot.standin, bot.world, bot.database_url)
    out = subprocess.run([sys.executable, "-m", "bot.cli", "plan", "--channel", "jugendamt-asd", "--from", day,
                          "--to", day, "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    scan.add_log_text(out.stderr)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def where(bot, username: str, day: str) -> str:
    return next(r["where"] for r in export(bot, day) if r["user"] == username)


def roster_text(bot) -> str:
    (post,) = [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("roster:")]
    return str(text_of(post))


# -- /homeoffice ------------------------------------------------------------------------------------


def test_homeoffice_card_shows_my_next_days_and_the_labels_in_both_languages(office):
    shown = card(office, "/homeoffice", "bernd.mueller")
    assert labels(shown) == HOMEOFFICE_DE  # not a lead: no set-up button
    assert shown.message.splitlines()[:3] == ["#### Dein Arbeitsort", "- Heute, Mo, 11.03.2030: 🏢 Büro",
                                              "- Di, 12.03.2030: 🏢 Büro"]
    assert len(shown.message.splitlines()) == 6  # today and the next four working days
    english = card(office, "/homeoffice", "james.miller")
    assert labels(english) == HOMEOFFICE_EN
    assert "- Today, Mon, 11 Mar 2030: 🏠 Home" in english.message
    assert labels(card(office, "/homeoffice", "anna.schmidt")) == HOMEOFFICE_DE + ["Rotation einrichten …"]


def test_home_today_sets_home_edits_the_posted_roster_and_a_second_press_changes_nothing(office, standin):
    office.slash("posten", command="/anwesenheit")
    office.drain()
    before = roster_text(office)
    assert "Bernd Müller" in before.split("Im Home-Office")[0]  # in the office part
    shown = card(office, "/homeoffice", "bernd.mueller")
    first = press(office, shown, "Heute zu Hause", "bernd.mueller")
    assert first.ephemeral_text == "Bernd Müller: zu Hause am Mo, 11.03.2030."
    assert where(office, "bernd.mueller", "2030-03-11") == "home"
    office.tick()
    office.drain()
    edited = roster_text(office)
    assert edited != before and "Bernd Müller" in edited.split("Im Home-Office")[1]
    edits = len(standin.requests_to("PUT", r".*/patch"))
    second = press(office, shown, "Heute zu Hause", "bernd.mueller")  # the same card, pressed again
    assert second.ephemeral_text == first.ephemeral_text
    office.tick()
    office.drain()
    assert roster_text(office) == edited and len(standin.requests_to("PUT", r".*/patch")) == edits
    with office.runtime.db.read() as session:
        assert len(session.exec(select(PresenceChange)).all()) == 1


def test_office_and_field_buttons_act_for_the_presser_in_their_language(office):
    shown = card(office, "/homeoffice", "james.miller")
    assert press(office, shown, "Field today", "james.miller").ephemeral_text == \
        "James Miller: in the field on Mon, 11 Mar 2030."
    assert where(office, "james.miller", "2030-03-11") == "field"
    # A card reaches only its reader; were its button pressed by someone else (its context is
    # Mattermost's to send), it acts for that person: the presser, never the card's first reader.
    action = next(a for a in shown.actions() if a["name"] == "Office today")
    channel = office.world["channel"]
    other = httpx.post(office.url + "/mattermost/action", json={
        "user_id": office.world["users"]["dieter.fischer"].id, "user_name": "dieter.fischer", "channel_id": channel.id,
        "team_id": channel.team_id, "post_id": shown.id, "type": "button", "trigger_id": "",
        "context": action["integration"]["context"]}, timeout=30).json()
    assert other["ephemeral_text"].startswith("Dieter Fischer: im Büro am Mo, 11.03.2030.")
    assert where(office, "dieter.fischer", "2030-03-11") == "office"
    assert where(office, "james.miller", "2030-03-11") == "field"


def test_away_dialog_offers_working_days_stores_the_absence_and_names_errors_next_to_the_field(office):
    shown = card(office, "/homeoffice", "bernd.mueller")
    assert press(office, shown, "Abwesend …", "bernd.mueller").ephemeral_text == ""
    dialog = dialog_of(office, "bernd.mueller", "homeoffice.menuaway")
    assert not dialog.problems and dialog.dialog["title"] == "Abwesend"
    days = dialog.elements[0]["options"]
    assert days[:2] == [{"text": "Mo, 11.03.", "value": "2030-03-11"}, {"text": "Di, 12.03.", "value": "2030-03-12"}]
    assert len(days) == 30 and {"text": "Mo, 18.03.", "value": "2030-03-18"} in days
    values = [d["value"] for d in days]
    assert "2030-03-16" not in values and "2030-04-19" not in values  # a Saturday, Good Friday
    bad = submit(office, dialog, "bernd.mueller", {"from": "2030-03-14", "to": "2030-03-13", "note": None})
    assert bad.errors == {"to": "„Bis“ liegt vor „Von“. Bitte einen Tag ab Do, 14.03. wählen."}
    with office.runtime.db.read() as session:
        assert session.exec(select(Absence)).all() == []
    ok = submit(office, dialog, "bernd.mueller", {"from": "2030-03-13", "to": "2030-03-14", "note": "Arzt"})
    assert ok.reply == {}
    assert where(office, "bernd.mueller", "2030-03-13") == "away" and where(office, "bernd.mueller", "2030-03-14") == "away"
    office.drain()
    (told,) = office.dms("bernd.mueller")
    assert "abwesend am Mi, 13.03. und Do, 14.03.2030" in told.message and "Arzt" in told.message


def test_swap_dialog_proposes_with_the_chosen_colleague_and_refuses_oneself_next_to_the_field(office):
    shown = card(office, "/homeoffice", "bernd.mueller")
    press(office, shown, "Tausch …", "bernd.mueller")
    dialog = dialog_of(office, "bernd.mueller", "homeoffice.menuswap")
    assert [e["type"] for e in dialog.elements] == ["select", "select", "select"]
    assert dialog.elements[0]["data_source"] == "users" and not dialog.problems
    me = office.world["users"]["bernd.mueller"].id
    assert submit(office, dialog, "bernd.mueller", {"partner": me, "day": "2030-03-12"}).errors.keys() == {"partner"}
    dieter = office.world["users"]["dieter.fischer"].id
    assert submit(office, dialog, "bernd.mueller", {"partner": dieter, "day": "2030-03-12"}).reply == {}
    office.drain()
    assert any(a["name"] == "Annehmen" for p in office.dms("dieter.fischer") for a in p.actions())
    with office.runtime.db.read() as session:
        (proposal,) = session.exec(select(SwapProposal)).all()
    assert (proposal.proposer_id, proposal.partner_id, proposal.day.isoformat()) == (me, dieter, "2030-03-12")


def test_plan_buttons_and_the_lead_only_setup_dialog(office):
    shown = card(office, "/homeoffice", "anna.schmidt")
    assert press(office, shown, "Mein Plan", "anna.schmidt").ephemeral_text.startswith("#### Deine nächsten 10 Arbeitstage")
    assert press(office, shown, "Team-Plan", "anna.schmidt").ephemeral_text.startswith("#### Plan Jugendamt")
    assert "Dialog" in press(office, shown, "Rotation einrichten …", "anna.schmidt").ephemeral_text
    assert dialog_of(office, "anna.schmidt", "homeoffice.setup").dialog["title"] == "Rotation einrichten"
    bernd = card(office, "/homeoffice", "bernd.mueller")
    action = next(a for a in card(office, "/homeoffice", "anna.schmidt").actions() if a["name"].startswith("Rotation"))
    refused = httpx.post(office.url + "/mattermost/action", json={  # the lead's card, pressed by someone else
        "user_id": office.world["users"]["bernd.mueller"].id, "channel_id": bernd.channel_id,
        "team_id": office.world["channel"].team_id, "post_id": bernd.id, "type": "button",
        "trigger_id": office.standin.new_trigger_id(office.world["users"]["bernd.mueller"].id),
        "context": action["integration"]["context"]}, timeout=30).json()
    assert "Leitung" in refused["ephemeral_text"]  # checked on the presser
    assert office.standin.dialogs_for(office.world["users"]["bernd.mueller"]) == []


def test_unknown_subcommand_suggests_the_closest_word_and_every_help_ends_with_the_menu_hint(office):
    assert "Meintest du `abwesend`?" in office.slash("abwsend 12.03.").text
    assert "Did you mean `away`?" in office.slash("awya", user="james.miller").text
    assert "Meintest du `liste`?" in office.slash("lsite", command="/meeting").text
    assert "Meintest du `woche`?" in office.slash("wohce", command="/anwesenheit").text
    assert "Meintest du `privat`?" in office.slash("privta", command="/rufumleitung").text
    for command in ("/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"):
        assert office.slash("hilfe", command=command).text.endswith(
            f"💡 Nur `{command}` ohne Zusatz öffnet das Menü: die wichtigsten Aktionen als Schaltflächen, ganz ohne Befehle.")
    assert office.slash("help", user="james.miller").text.splitlines()[-1].startswith("💡 Just `/homeoffice`")


# -- /anwesenheit -----------------------------------------------------------------------------------


def test_roster_card_shows_today_and_its_buttons_show_tomorrow_the_week_and_one_person(office):
    shown = card(office, "/anwesenheit", "bernd.mueller")
    assert labels(shown) == ["Morgen", "Diese Woche", "Erreichbarkeit …"]
    assert "Mo, 11.03.2030" in shown.message and "Bernd Müller" in shown.message
    (menu,) = [a for a in shown.actions() if a["name"] == "Erreichbarkeit …"]
    assert menu["type"] == "select" and menu["data_source"] == "users"
    assert "Di, 12.03.2030" in press(office, shown, "Morgen", "bernd.mueller").ephemeral_text
    assert "Fr, 15.03.2030" in press(office, shown, "Diese Woche", "bernd.mueller").ephemeral_text
    claudia = office.world["users"]["claudia.weber"].id
    reach = press(office, shown, "Erreichbarkeit …", "bernd.mueller", selected=claudia).ephemeral_text
    assert reach == office.slash("@claudia.weber", command="/anwesenheit", user="bernd.mueller").text
    assert "Claudia Weber" in reach and "im Büro" in reach
    assert labels(card(office, "/anwesenheit", "james.miller")) == ["Tomorrow", "This week", "Reach someone …"]


# -- /rufumleitung ----------------------------------------------------------------------------------


def forward_posts(bot) -> list:
    bot.drain()
    return [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("fwd:")]


def test_forward_card_buttons_set_and_end_and_a_second_press_changes_nothing(office):
    shown = card(office, "/rufumleitung", "anna.schmidt")
    assert labels(shown) == ["Diensthandy", "Kollegin/Kollege …", "Anrufbeantworter", "Privatanschluss", "Beenden"]
    assert shown.message.startswith("Du hast gerade keine Rufumleitung.")
    assert labels(card(office, "/rufumleitung", "james.miller")) == ["Work mobile", "Colleague …", "Voicemail",
                                                                    "Private line", "End"]
    assert "Diensthandynummer" in press(office, shown, "Diensthandy", "anna.schmidt").ephemeral_text  # none yet
    first = press(office, shown, "Anrufbeantworter", "anna.schmidt").ephemeral_text
    assert first.startswith("Rufumleitung eingetragen")
    assert len(forward_posts(office)) == 1
    again = press(office, shown, "Anrufbeantworter", "anna.schmidt").ephemeral_text
    assert again.startswith("Unverändert: Deine Rufumleitung")
    assert len(forward_posts(office)) == 1  # no second announcement
    assert press(office, shown, "Privatanschluss", "anna.schmidt").ephemeral_text.startswith("Rufumleitung eingetragen")
    assert press(office, shown, "Beenden", "anna.schmidt").ephemeral_text.startswith("Rufumleitung beendet")
    posts = len(forward_posts(office))
    assert press(office, shown, "Beenden", "anna.schmidt").ephemeral_text == \
        office.slash("aus", command="/rufumleitung").text
    assert len(forward_posts(office)) == posts


def test_colleague_dialog_sets_the_forward_until_the_chosen_time_and_refuses_oneself(office):
    shown = card(office, "/rufumleitung", "anna.schmidt")
    press(office, shown, "Kollegin/Kollege …", "anna.schmidt")
    dialog = dialog_of(office, "anna.schmidt", "forward.menucolleague")
    assert not dialog.problems
    times = [o["value"] for o in dialog.elements[1]["options"]]
    assert times[0] == "09:15" and "16:00" in times and "09:00" not in times
    anna, claudia = office.world["users"]["anna.schmidt"].id, office.world["users"]["claudia.weber"].id
    refused = submit(office, dialog, "anna.schmidt", {"colleague": anna, "until": "16:00"}).errors
    assert refused == {"colleague": office.slash("@anna.schmidt", command="/rufumleitung").text}
    assert submit(office, dialog, "anna.schmidt", {"colleague": claudia, "until": "16:00"}).reply == {}
    with office.runtime.db.read() as session:
        (forward,) = session.exec(select(CallForward)).all()
    assert (forward.target, forward.colleague_id) == ("colleague", claudia)
    assert forward.until.strftime("%H:%M") == "15:00"  # 16:00 in Berlin, stored in UTC


# -- /meeting ------------------------------------------------------------------------------------------


def test_meet_now_once_per_card_and_the_list(office):
    shown = card(office, "/meeting", "bernd.mueller")
    assert labels(shown) == ["Jetzt treffen", "Neue Besprechung …", "Liste"]
    assert labels(card(office, "/meeting", "james.miller")) == ["Meet now", "New meeting …", "List"]
    first = press(office, shown, "Jetzt treffen", "bernd.mueller").ephemeral_text
    assert first.startswith("✅ „Sofort-Besprechung“ (ID 1)")
    second = press(office, shown, "Jetzt treffen", "bernd.mueller").ephemeral_text
    assert second == "„Sofort-Besprechung“ (ID 1) läuft schon; der Link steht im Kanal."
    with office.runtime.db.read() as session:
        assert len(session.exec(select(Meeting)).all()) == 1
    assert "Sofort-Besprechung" in press(office, shown, "Liste", "bernd.mueller").ephemeral_text


def test_new_meeting_dialog_offers_selects_and_names_a_past_time_next_to_the_time(office):
    shown = card(office, "/meeting", "bernd.mueller")
    press(office, shown, "Neue Besprechung …", "bernd.mueller")
    dialog = dialog_of(office, "bernd.mueller", "meeting.menunew")
    assert not dialog.problems
    by_name = {e["name"]: e for e in dialog.elements}
    assert list(by_name) == ["title", "day", "time", "duration", "repeat", "reminder", "provider"]
    times = [o["value"] for o in by_name["time"]["options"]]
    assert times[:3] == ["07:00", "07:15", "07:30"] and all(t[-2:] in ("00", "15", "30", "45") for t in times)
    assert [o["text"] for o in by_name["repeat"]["options"]][:3] == ["einmalig", "täglich", "werktags"]
    past = submit(office, dialog, "bernd.mueller", {"title": "Teamrunde", "day": "2030-03-11", "time": "08:00",
                                                    "duration": "30m", "repeat": "none", "reminder": "10m",
                                                    "provider": "jitsi"})
    assert past.errors.keys() == {"time"}
    ok = submit(office, dialog, "bernd.mueller", {"title": "Teamrunde", "day": "2030-03-12", "time": "10:00",
                                                  "duration": "45m", "repeat": "weekly", "reminder": "15m",
                                                  "provider": "jitsi"})
    assert ok.reply == {}
    with office.runtime.db.read() as session:
        (meeting,) = session.exec(select(Meeting)).all()
    assert (meeting.title, meeting.first_day.isoformat(), meeting.start_time.strftime("%H:%M"), meeting.duration_minutes,
            meeting.repeat, meeting.reminder_minutes) == ("Teamrunde", "2030-03-12", "10:00", 45, "weekly", 15)
    office.drain()
    assert any("Teamrunde" in json.dumps(p.props, ensure_ascii=False) for p in office.channel_posts())


# -- one truth: what a menu does, the typed form does alike ------------------------------------------------


def test_every_menu_action_is_reachable_by_text_with_the_same_stored_result(office):
    users = office.world["users"]

    def changes_of(username: str) -> set:
        with office.runtime.db.read() as session:
            return {(c.day, c.where) for c in session.exec(select(PresenceChange).where(
                PresenceChange.user_id == users[username].id)).all()}

    def absences_of(username: str) -> set:
        with office.runtime.db.read() as session:
            return {(a.day, a.note) for a in session.exec(select(Absence).where(Absence.user_id == users[username].id)).all()}

    # Heute im Büro / zu Hause / unterwegs
    for label, typed, (by_menu, by_text) in (("Heute zu Hause", "zuhause heute", ("bernd.mueller", "claudia.weber")),
                                             ("Heute unterwegs", "unterwegs heute", ("elif.yilmaz", "frank.hoffmann")),
                                             ("Heute im Büro", "büro heute", ("dieter.fischer", "anna.schmidt"))):
        press(office, card(office, "/homeoffice", by_menu), label, by_menu)
        office.slash(typed, user=by_text)
        assert changes_of(by_menu) == changes_of(by_text) != set()
    # Abwesend …
    press(office, card(office, "/homeoffice", "bernd.mueller"), "Abwesend …", "bernd.mueller")
    submit(office, dialog_of(office, "bernd.mueller", "homeoffice.menuaway"), "bernd.mueller",
           {"from": "2030-03-13", "to": "2030-03-14", "note": "Arzt"})
    office.slash("abwesend 13.03.2030 bis 14.03.2030 Arzt", user="claudia.weber")
    assert absences_of("bernd.mueller") == absences_of("claudia.weber") != set()
    # Tausch …
    press(office, card(office, "/homeoffice", "claudia.weber"), "Tausch …", "claudia.weber")
    submit(office, dialog_of(office, "claudia.weber", "homeoffice.menuswap"), "claudia.weber",
           {"partner": users["elif.yilmaz"].id, "day": "2030-03-12"})
    office.slash("tausch @frank.hoffmann 12.03.2030", user="anna.schmidt")
    with office.runtime.db.read() as session:
        proposals = {p.proposer_id: (p.day, p.day2, p.state) for p in session.exec(select(SwapProposal)).all()}
    assert proposals[users["claudia.weber"].id] == proposals[users["anna.schmidt"].id]
    # Rufumleitung: a button, and the colleague dialog
    press(office, card(office, "/rufumleitung", "bernd.mueller"), "Anrufbeantworter", "bernd.mueller")
    office.slash("ab", command="/rufumleitung", user="claudia.weber")
    press(office, card(office, "/rufumleitung", "dieter.fischer"), "Kollegin/Kollege …", "dieter.fischer")
    submit(office, dialog_of(office, "dieter.fischer", "forward.menucolleague"), "dieter.fischer",
           {"colleague": users["anna.schmidt"].id, "until": "16:00"})
    office.slash("@anna.schmidt bis 16:00", command="/rufumleitung", user="elif.yilmaz")
    with office.runtime.db.read() as session:
        forwards = {f.user_id: (f.target, f.colleague_id, f.until) for f in session.exec(select(CallForward)).all()}
    assert forwards[users["bernd.mueller"].id] == forwards[users["claudia.weber"].id]
    assert forwards[users["dieter.fischer"].id] == forwards[users["elif.yilmaz"].id]
    press(office, card(office, "/rufumleitung", "bernd.mueller"), "Beenden", "bernd.mueller")
    office.slash("aus", command="/rufumleitung", user="claudia.weber")
    with office.runtime.db.read() as session:
        ended = {f.user_id: f.ended_at is not None for f in session.exec(select(CallForward)).all()}
    assert ended[users["bernd.mueller"].id] and ended[users["claudia.weber"].id]
    # Besprechungen: Jetzt treffen, and the dialog
    press(office, card(office, "/meeting", "bernd.mueller"), "Jetzt treffen", "bernd.mueller")
    office.slash("jetzt", command="/meeting", user="claudia.weber")
    press(office, card(office, "/meeting", "dieter.fischer"), "Neue Besprechung …", "dieter.fischer")
    submit(office, dialog_of(office, "dieter.fischer", "meeting.menunew"), "dieter.fischer",
           {"title": "Dienstbesprechung", "day": "2030-03-12", "time": "10:00", "duration": "45m",
            "repeat": "weekly", "reminder": "15m", "provider": "jitsi"})
    office.slash('neu "Dienstbesprechung" 12.03.2030 10:00 45m wöchentlich erinnerung 15m über jitsi',
                 command="/meeting", user="elif.yilmaz")
    with office.runtime.db.read() as session:
        meetings = {m.organizer_id: m for m in session.exec(select(Meeting)).all()}

    def facts(m: Meeting) -> tuple:
        return (m.title, m.first_day, m.start_time, m.duration_minutes, m.repeat, m.reminder_minutes, m.provider,
                m.audience, m.channel_id, (m.ends_at - m.starts_at) if m.ends_at else None)

    assert facts(meetings[users["bernd.mueller"].id]) == facts(meetings[users["claudia.weber"].id])
    assert facts(meetings[users["dieter.fischer"].id]) == facts(meetings[users["elif.yilmaz"].id])


def test_a_dialog_that_can_no_longer_be_opened_says_so(office, standin):
    shown = card(office, "/homeoffice", "bernd.mueller")
    standin.trigger_id_lifetime = -1  # every trigger id has run out by the time the bot uses it
    late = press(office, shown, "Abwesend …", "bernd.mueller")
    assert late.ephemeral_text.startswith("Das Formular ließ sich nicht mehr öffnen")
    assert standin.dialogs_for(office.world["users"]["bernd.mueller"]) == []


def test_dialogs_speak_the_language_of_the_person_who_opens_them(office):
    shown = card(office, "/homeoffice", "james.miller")
    press(office, shown, "Away …", "james.miller")
    dialog = dialog_of(office, "james.miller", "homeoffice.menuaway")
    assert dialog.dialog["title"] == "Away" and dialog.dialog["submit_label"] == "Save"
    assert [e["display_name"] for e in dialog.elements] == ["From", "To (optional)", "Note (optional)"]
    assert dialog.elements[0]["options"][:2] == [{"text": "Mon, 11 Mar", "value": "2030-03-11"},
                                                 {"text": "Tue, 12 Mar", "value": "2030-03-12"}]
    bad = submit(office, dialog, "james.miller", {"from": "2030-03-13", "to": "2030-03-12"})
    assert bad.errors == {"to": "“To” is before “From”. Please choose a day from Wed, 13 Mar on."}
    press(office, card(office, "/meeting", "james.miller"), "New meeting …", "james.miller")
    meeting = dialog_of(office, "james.miller", "meeting.menunew")
    by_name = {e["name"]: e for e in meeting.elements}
    assert by_name["duration"]["options"][3:5] == [{"text": "1 h", "value": "60m"}, {"text": "1 h 30 min", "value": "90m"}]
    assert by_name["reminder"]["options"][0] == {"text": "no reminder", "value": "off"}
    assert not meeting.problems
