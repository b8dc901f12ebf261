"""/meeting through the dispatcher, the outbox and the scheduler tick (in-memory demo team).

The stories: Anna schedules the weekly team meeting; colleagues answer by button; a
reminder comes once before each meeting, never for a called-off one, by DM when only
named people are invited; the calendar file imports with the right rule; a provider
that fails leaves nothing behind; a link someone typed is shown, never fetched.
"""

from __future__ import annotations

import asyncio
import copy
import io
import threading
import uuid
from datetime import date, time

import httpx
import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlmodel import SQLModel, select

from base.clock import ManualClock
from bot.console import ConsoleMattermost
from bot.maintenance import purge
from bot.runtime import Runtime
from commands import meeting_views
from commands.meeting import handlers, providers, rooms
from commands.meeting import reminders as meeting_reminders
from storage.meeting_models import Meeting, MeetingRsvp, ReminderLedger
from storage.models import AuditEntry, ChannelSettings, OutboxItem
from tests.factories import setup_ab
from tests.harness import BERLIN, BotHarness, berlin
from tests.live import postgres_url
from tests.provider_standins import provider_standin  # noqa: F401

CHANNEL = "jugendamt-asd"


def announcement(bot, channel=CHANNEL):
    return next(p for p in bot.posts(channel) if p.props.get("amtsbote_key", "").endswith(":announce"))


def text_of(post) -> str:
    return post.props["attachments"][0]["text"]


def buttons(post) -> list[str]:
    return [a["name"] for a in post.props["attachments"][0].get("actions") or []]


def reminders(posts) -> list:
    return [p for p in posts if ":remind:" in p.props.get("amtsbote_key", "")]


def count(bot, model) -> int:
    with bot.runtime.db.read() as session:
        return session.exec(select(sa.func.count()).select_from(model)).one()


class NoNetwork(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"the bot fetched {request.url.host}")


# -- scheduling and the announcement -------------------------------------------------------------------


def test_weekly_meeting_is_announced_with_time_rule_link_and_answer_buttons(bot):
    reply = bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich', as_="anna.schmidt")
    assert "Teamrunde" in reply and "(ID 1)" in reply and "Mo, 30.11.2026, 10:00–10:30 Uhr, jeden Montag" in reply
    (post,) = bot.posts()
    assert post.user_id == bot.mm.bot_user_id
    text = text_of(post)
    assert text.startswith("#### 📅 Teamrunde\n")
    assert "**Nächster Termin:** Mo, 30.11.2026, 10:00–10:30 Uhr (30 Min.)" in text
    assert "**Wiederholung:** jeden Montag, außer an Feiertagen" in text
    assert "**Teilnehmende:** alle im Kanal" in text
    assert "**Video:** [Beitreten](https://meet.jit.si/Amtsbote-" in text
    assert "**Erinnerung:** 10 Min. vorher im Kanal" in text
    assert "✅ Zusagen: 0 · ❌ Absagen: 0" in text and "geplant von Anna Schmidt" in text
    assert buttons(post) == ["Zusage", "Absage"]


def test_english_channel_gets_an_english_announcement_naming_people_without_mentions(tmp_path):
    bot = BotHarness(tmp_path, bot_locale="en")
    try:
        reply = bot.slash('/meeting new "Team meeting" Mon 11:00 45m weekly @anna.schmidt @bernd.mueller remind 15m',
                          as_="james.miller")
        assert "Meeting “Team meeting” scheduled (ID 1): Mon, 23 Nov 2026, 11:00–11:45, every Monday" in reply
        text = text_of(announcement(bot))
        assert "**Next:** Mon, 23 Nov 2026, 11:00–11:45 (45 min)" in text
        assert "**Repeats:** every Monday, except public holidays" in text
        assert "**Participants:** Anna Schmidt, Bernd Müller" in text and "@" not in text
        assert "**Reminder:** 15 min before, by direct message" in text
        assert buttons(announcement(bot)) == ["Accept", "Decline"]
        assert "- Mon, 23 Nov 2026, 11:00–11:45 · **Team meeting** (ID 1)" in bot.slash("/meeting list", as_="james.miller")
        assert bot.slash("/meeting cancel 1 30.11.", as_="james.miller") == \
            "Cancelled: “Team meeting” on Mon, 30 Nov 2026. The channel has been told."
        assert "**Team meeting** is off on Mon, 30 Nov 2026 (cancelled by James Miller)" in bot.posts()[-1].message
        assert bot.slash("/meeting cancel", as_="james.miller").startswith("Please give the meeting's ID")
    finally:
        bot.close()


def slash_mentioning_channel(bot, text: str, *, as_: str, mention: str) -> str:
    """Like the harness's slash, with the `channel_mentions` Mattermost adds for a typed ~channel."""
    user, here, there = bot.user(as_), bot.mm.channel_by_name(CHANNEL), bot.mm.channel_by_name(mention)
    form = {"token": [bot.tokens["meeting"]], "team_id": [here.team_id], "channel_id": [here.id],
            "channel_name": [here.name], "user_id": [user.id], "user_name": [user.username], "command": ["/meeting"],
            "text": [text], "channel_mentions": [there.name], "channel_mentions_ids": [there.id]}
    reply = bot.run(bot.runtime.dispatcher.command(form))["text"]
    bot.replies.append((user.id, reply))
    bot.deliver()
    return reply


def test_a_meeting_can_be_announced_in_another_channel_the_organizer_belongs_to(bot):
    text = '/meeting neu "Abstimmung WiJu" 30.11. 13:00 ~wirtschaftliche-hilfe'.removeprefix("/meeting ")
    reply = slash_mentioning_channel(bot, text, as_="anna.schmidt", mention="wirtschaftliche-hilfe")
    assert "Die Ankündigung steht in ~wirtschaftliche-hilfe" in reply
    assert "Abstimmung WiJu" in text_of(announcement(bot, "wirtschaftliche-hilfe")) and bot.posts() == []
    refused = slash_mentioning_channel(bot, text, as_="claudia.weber", mention="wirtschaftliche-hilfe")
    assert "nicht Mitglied" in refused and count(bot, Meeting) == 1


def test_typed_titles_cannot_mention_the_channel_or_carry_links(bot):
    bot.slash('/meeting neu "@channel **Fall** [hier](https://evil.example/x)" morgen 9:00')
    text = text_of(announcement(bot))
    assert "@\u200bchannel" in text and "\\*\\*Fall\\*\\*" in text and "\\[hier\\]" in text


def test_a_weekday_that_is_over_for_today_means_next_week_and_past_times_are_refused(bot):
    assert "Mo, 30.11.2026, 08:00" in bot.slash('/meeting neu "Früh" Mo 8:00')  # it is Monday 09:00
    reply = bot.slash('/meeting neu "Zu spät" heute 8:00')
    assert "liegt in der Vergangenheit" in reply
    assert count(bot, Meeting) == 1


@pytest.mark.parametrize(("line", "expected"), [
    ('/meeting neu "Teamrunde" Mo', "Uhrzeit"),
    ('/meeting neu "Teamrunde" Mo 25:00', "keine gültige Uhrzeit"),
    ('/meeting neu "Teamrunde" 31.02. 10:00', "kein gültiges Datum"),
    ('/meeting neu "Teamrunde" Mo 10:00 25h', "keine gültige Dauer"),
    ('/meeting neu "Teamrunde" Mo 10:00 über skype', "`über jitsi`"),
    ('/meeting neu "Teamrunde" Mo 10:00 über http://meet.example.org/x', "kein gültiger Besprechungslink"),
    ('/meeting neu "Teamrunde" Mo 10:00 irgendwann', "„irgendwann“ verstehe ich hier nicht"),
    ('/meeting neu "Teamrunde" Mo 10:00 @bernd.mueller ~wirtschaftliche-hilfe', "nicht beides"),
    ('/meeting neu "Teamrunde" Mo 10:00 über zoom', "Zoom ist für Amtsbote nicht eingerichtet"),
    ('/meeting neu Mo 10:00', "Titel"),
])
def test_invalid_input_gets_a_clear_error_and_nothing_is_stored(bot, line, expected):
    assert expected in bot.slash(line)
    assert count(bot, Meeting) == 0 and count(bot, OutboxItem) == 0 and bot.posts() == []


# -- answers ------------------------------------------------------------------------------------------


def test_rsvp_buttons_update_the_counts_in_place(bot):
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich')
    post = announcement(bot)
    result = bot.click(post, "Zusage", as_="bernd.mueller")
    assert result["ephemeral_text"] == "Du hast für Mo, 30.11.2026 zugesagt."  # the date answered
    assert "✅ Zusagen: 1 · ❌ Absagen: 0" in text_of(post)
    bot.click(post, "Zusage", as_="bernd.mueller")  # twice is still one answer
    bot.click(post, "Absage", as_="claudia.weber")
    assert "✅ Zusagen: 1 · ❌ Absagen: 1" in text_of(post)
    assert bot.click(post, "Zusage", as_="claudia.weber")["ephemeral_text"] == (
        "Du hast für Mo, 30.11.2026 zugesagt.")  # changed her mind
    assert "✅ Zusagen: 2 · ❌ Absagen: 0" in text_of(post)
    assert bot.click(post, "Absage", as_="james.miller")["ephemeral_text"] == "You declined for Mon, 30 Nov 2026."
    assert "✅ Zusagen: 2 · ❌ Absagen: 1" in text_of(post)  # the post stays in the channel's language
    assert bot.posts() == [post] and buttons(post) == ["Zusage", "Absage"]
    assert post.props["amtsbote_key"] == "meeting:1:announce"
    assert count(bot, MeetingRsvp) == 3


def test_only_the_invited_people_and_the_organizer_answer_a_meeting_with_named_participants(bot):
    bot.slash('/meeting neu "Hilfeplan" 30.11. 10:00 @bernd.mueller @james.miller', as_="anna.schmidt")
    post = announcement(bot)
    before = copy.deepcopy(post.props)
    refused = bot.click(post, "Zusage", as_="claudia.weber")
    assert refused["ephemeral_text"] == ("Zu- und Absagen zu „Hilfeplan“ sind nur für die eingeladenen Personen "
                                         "möglich. Es wurde nichts gespeichert.")
    assert "update" not in refused and post.props == before
    assert bot.click(post, "Absage", as_="frank.hoffmann")["ephemeral_text"].startswith("Zu- und Absagen")
    assert count(bot, MeetingRsvp) == 0
    assert bot.click(post, "Zusage", as_="bernd.mueller")["ephemeral_text"] == "Du hast für Mo, 30.11.2026 zugesagt."
    assert bot.click(post, "Absage", as_="anna.schmidt")["ephemeral_text"] == (
        "Du hast für Mo, 30.11.2026 abgesagt.")  # the organizer
    bot.slash('/meeting neu "Fallbesprechung" 1.12. 9:00 @bernd.mueller', as_="anna.schmidt")
    other = [p for p in bot.posts() if p.props.get("amtsbote_key") == "meeting:2:announce"][0]
    assert bot.click(other, "Zusage", as_="james.miller")["ephemeral_text"] == (
        "Only the people invited to “Fallbesprechung” can accept or decline. Nothing was saved.")
    assert bot.click(post, "Absage", as_="james.miller")["ephemeral_text"] == (
        "You declined for Mon, 30 Nov 2026.")  # invited
    assert "✅ Zusagen: 1 · ❌ Absagen: 2" in text_of(post) and count(bot, MeetingRsvp) == 3


# -- reminders ----------------------------------------------------------------------------------------


def test_reminder_is_posted_once_ten_minutes_before(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00')
    bot.advance("2026-11-23 09:45")
    assert reminders(bot.posts()) == []
    bot.advance("2026-11-23 10:05")
    (reminder,) = reminders(bot.posts())
    assert reminder.message.startswith("⏰ **Teamrunde** beginnt in 10 Minuten (Mo, 23.11.2026, 10:00–10:30 Uhr).")
    assert "[Jetzt beitreten](https://meet.jit.si/Amtsbote-" in reminder.message
    for _ in range(3):
        bot.tick()
    assert len(reminders(bot.posts())) == 1


def test_after_a_restart_while_the_reminder_is_still_due_the_ledger_stops_a_second_one(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00')
    bot.set_time("2026-11-23 09:50")
    bot.tick()
    assert len(reminders(bot.posts())) == 1
    with bot.runtime.db.write() as session:  # not the outbox key: only the ledger may stop the second one
        session.execute(sa.delete(OutboxItem).where(OutboxItem.status == "done"))
    bot.runtime.db.dispose()
    bot.runtime = Runtime(bot.settings, mm=bot.mm, clock=bot.clock)  # a new process on the same database
    for at in ("09:51", "09:55", "09:59"):  # 10:00 is still within the ten minutes before
        bot.set_time(f"2026-11-23 {at}")
        bot.tick()
    assert len(reminders(bot.posts())) == 1
    with bot.runtime.db.read() as session:
        assert [(r.meeting_id, r.occurrence_start) for r in session.exec(select(ReminderLedger)).all()] == [
            (1, berlin("2026-11-23 10:00"))]


@pytest.mark.parametrize(("locale", "line"), [
    ("de", '/meeting neu "Teamrunde" heute 10:00 wöchentlich erinnerung aus'),
    ("en", '/meeting new "Team meeting" today 10:00 weekly remind off'),
])
def test_a_meeting_with_reminder_off_gets_none(tmp_path, locale, line):
    bot = BotHarness(tmp_path, bot_locale=locale)
    try:
        assert "(ID 1)" in bot.slash(line)
        text = text_of(announcement(bot))
        assert "Erinnerung" not in text and "Reminder" not in text
        with bot.runtime.db.read() as session:
            assert session.get(Meeting, 1).reminder_minutes == 0
        bot.advance("2026-11-23 10:30", step_minutes=1)
        bot.set_time("2026-11-30 09:30")
        bot.advance("2026-11-30 10:05", step_minutes=5)
        assert reminders(bot.posts()) == [] and count(bot, ReminderLedger) == 0
        assert [p for p in bot.mm.posts.values() if ":remind:" in p.props.get("amtsbote_key", "")] == []
    finally:
        bot.close()


def test_two_replicas_ticking_together_send_one_reminder(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00')
    bot.set_time("2026-11-23 09:52")
    clock = ManualClock(berlin("2026-11-23 09:52"))
    replica = Runtime(bot.settings, mm=ConsoleMattermost(clock, io.StringIO()), clock=clock)

    async def together():
        await asyncio.gather(bot.runtime.tick(), replica.tick(), bot.runtime.tick(), replica.tick())

    bot.run(together())
    bot.deliver()
    assert bot.run(replica.outbox.drain(timeout=10))
    replica.db.dispose()
    sent = reminders(bot.posts()) + reminders(replica.mm.posts.values())
    assert len(sent) == 1
    with bot.runtime.db.read() as session:
        assert len(session.exec(select(OutboxItem).where(OutboxItem.key.like("meeting:1:remind:%"))).all()) == 1


def test_a_reminder_missed_while_down_is_sent_late_but_never_after_the_start(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00')
    bot.slash('/meeting neu "Fallbesprechung" heute 11:00')
    bot.set_time("2026-11-23 09:57")  # the bot was down at 09:50
    bot.tick()
    (late,) = reminders(bot.posts())
    assert "**Teamrunde** beginnt in 3 Minuten" in late.message
    bot.set_time("2026-11-23 11:02")  # down again over 10:50 and the start at 11:00
    bot.tick()
    assert len(reminders(bot.posts())) == 1


def test_no_reminder_for_a_cancelled_occurrence_and_the_series_goes_on(bot):
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich')
    assert "am Mo, 30.11.2026" in bot.slash("/meeting absagen 1 30.11.")
    notice = [p for p in bot.posts() if ":cancel:" in p.props.get("amtsbote_key", "")]
    assert [p.message for p in notice] == [
        "❌ **Teamrunde** fällt am Mo, 30.11.2026 aus (abgesagt von Anna Schmidt). Die weiteren Termine bleiben."]
    assert "**Nächster Termin:** Mo, 07.12.2026, 10:00–10:30 Uhr" in text_of(announcement(bot))  # edited in place
    bot.set_time("2026-11-30 09:30")
    bot.advance("2026-11-30 10:05")
    assert reminders(bot.posts()) == []
    bot.set_time("2026-12-07 09:52")
    bot.tick()
    assert "Mo, 07.12.2026" in reminders(bot.posts())[0].message


def test_meetings_with_named_people_only_remind_by_direct_message_in_each_language(bot):
    bot.slash('/meeting neu "Hilfeplan" heute 10:00 @bernd.mueller @james.miller', as_="anna.schmidt")
    bot.advance("2026-11-23 10:00")
    assert reminders(bot.posts()) == []
    (to_bernd,), (to_james,), (to_anna,) = (reminders(bot.dms(u)) for u in ("bernd.mueller", "james.miller",
                                                                            "anna.schmidt"))
    assert to_bernd.message.startswith("⏰ **Hilfeplan** beginnt in 10 Minuten")
    assert to_james.message.startswith("⏰ **Hilfeplan** starts in 10 minutes (Mon, 23 Nov 2026, 10:00–10:30).")
    assert reminders(bot.dms("claudia.weber")) == []


def test_reminders_keep_the_wall_clock_across_the_autumn_change(tmp_path):
    bot = BotHarness(tmp_path / "weekly", start="2026-10-19 08:00")
    try:
        bot.slash('/meeting neu "Teamrunde" heute 10:00 wöchentlich')
        bot.set_time("2026-10-19 09:55")
        bot.tick()
        bot.set_time("2026-10-26 08:55")  # 09:55 summer time; a rule expanded in UTC would fire here
        bot.tick()
        assert len(reminders(bot.posts())) == 1
        bot.set_time("2026-10-26 09:50")
        bot.tick()
        assert "(Mo, 26.10.2026, 10:00–10:30 Uhr)" in reminders(bot.posts())[-1].message
        assert len(reminders(bot.posts())) == 2
    finally:
        bot.close()


@pytest.mark.parametrize(("start", "first", "through", "day"), [
    ("2026-10-23 12:00", "2026-10-25 00:30", "2026-10-25 05:00", "25.10.2026"),  # 02:00-03:00 happens twice
    ("2027-03-26 12:00", "2027-03-28 00:30", "2027-03-28 05:00", "28.03.2027"),  # 02:00-03:00 does not exist
])
def test_a_reminder_in_the_changing_hour_comes_exactly_once(tmp_path, start, first, through, day):
    bot = BotHarness(tmp_path, start=start)
    try:
        # the series starts the day before: a first date in the changing hour is refused (issue 14)
        bot.slash('/meeting neu "Nachtbereitschaft" morgen 2:30 täglich erinnerung 20m')
        bot.set_time(first)
        bot.advance(through, step_minutes=5)  # in UTC steps: through the repeated hour, or over the gap
        assert [day in p.message for p in reminders(bot.posts())] == [True]
    finally:
        bot.close()


def test_recurring_meetings_skip_holidays_of_the_channels_region(tmp_path):
    bot = BotHarness(tmp_path, start="2027-05-10 08:00")
    try:
        bot.slash('/meeting neu "Teamrunde" heute 10:00 wöchentlich')
        listing = bot.slash("/meeting liste")
        assert "Mo, 10.05.2027, 10:00–10:30 Uhr · **Teamrunde** (ID 1)" in listing
        assert "17.05.2027" not in listing  # Whit Monday
        bot.set_time("2027-05-17 09:55")
        bot.tick()
        assert reminders(bot.posts()) == []
        # Corpus Christi (27 May 2027) is a holiday in Bavaria only: the channel's region decides.
        bot.slash('/meeting neu "Dienstbesprechung" Do 14:00 wöchentlich')
        assert "27.05.2027" in bot.slash("/meeting liste")
        with bot.runtime.db.write() as session:
            session.add(ChannelSettings(channel_id=bot.channel_id(), region="DE-BY"))
        listing = bot.slash("/meeting liste")
        assert "Do, 20.05.2027" in listing and "27.05.2027" not in listing
    finally:
        bot.close()


# -- the announcement follows the series ---------------------------------------------------------------------


def test_after_an_occurrence_the_announcement_shows_the_next_one_and_counts_its_answers_afresh(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00 wöchentlich')
    post = announcement(bot)
    bot.click(post, "Zusage", as_="bernd.mueller")
    assert "**Nächster Termin:** Mo, 23.11.2026, 10:00–10:30 Uhr" in text_of(post)
    bot.advance("2026-11-23 10:25")
    assert "**Nächster Termin:** Mo, 23.11.2026, 10:00–10:30 Uhr" in text_of(post)  # still running
    bot.advance("2026-11-23 10:35")
    text = text_of(post)
    assert "**Nächster Termin:** Mo, 30.11.2026, 10:00–10:30 Uhr" in text  # edited in place
    # Bernd's answer was for the 23rd: it stays stored, but the next date starts with none (issue 14)
    assert "✅ Zusagen: 0 · ❌ Absagen: 0" in text and buttons(post) == ["Zusage", "Absage"]
    assert count(bot, MeetingRsvp) == 1
    assert bot.posts() == [post] + reminders(bot.posts())  # no new post, only the reminder
    bot.advance("2026-11-23 11:30")
    with bot.runtime.db.read() as session:
        edits = session.exec(select(OutboxItem.key).where(OutboxItem.key.like("meeting:1:next:%"))).all()
    assert len(edits) == 1  # one edit per occurrence, not one per tick


def test_an_occurrence_that_ended_while_the_bot_was_down_is_caught_up_skipping_holidays_and_called_off_dates(
        tmp_path):
    bot = BotHarness(tmp_path, start="2026-12-18 09:00")  # a Friday
    try:
        bot.slash('/meeting neu "Wochenabschluss" heute 10:00 wöchentlich')
        bot.slash("/meeting absagen 1 8.1.")
        bot.set_time("2026-12-19 12:00")  # down from Friday morning to Saturday noon
        bot.tick()
        # 25.12. and 1.1. are public holidays, 8.1. is called off
        assert "**Nächster Termin:** Fr, 15.01.2027, 10:00–10:30 Uhr" in text_of(announcement(bot))
    finally:
        bot.close()


def test_a_series_announced_weeks_ago_can_still_be_edited(bot):
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich')
    bot.tick()
    bot.set_time("2026-12-16 09:00")  # more than the week delivered outbox rows are kept
    bot.tick()
    assert "**Nächster Termin:** Mo, 21.12.2026, 10:00–10:30 Uhr" in text_of(announcement(bot))
    bot.slash("/meeting absagen 1")
    assert text_of(announcement(bot)).startswith("#### ❌ Abgesagt: Teamrunde") and buttons(announcement(bot)) == []


# -- cancelling --------------------------------------------------------------------------------------------


def test_only_the_organizer_or_a_lead_may_cancel_and_a_leads_cancel_is_audited(bot):
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich', as_="claudia.weber")
    old_buttons = {"props": copy.deepcopy(announcement(bot).props)}
    assert "Es wurde nichts geändert" in bot.slash("/meeting absagen 1", as_="bernd.mueller")
    assert "Abgesagt: „Teamrunde“" in bot.slash("/meeting absagen 1", as_="anna.schmidt")  # channel admin
    post = announcement(bot)
    assert text_of(post).startswith("#### ❌ Abgesagt: Teamrunde") and buttons(post) == []
    assert "wurde abgesagt (von Anna Schmidt)" in bot.posts()[-1].message
    with bot.runtime.db.read() as session:
        (entry,) = session.exec(select(AuditEntry)).all()
    assert (entry.action, entry.subject_id) == ("meeting:cancel", bot.user("claudia.weber").id)
    assert "schon abgesagt" in bot.slash("/meeting absagen 1", as_="claudia.weber")
    assert "nicht mehr möglich" in bot.click(old_buttons, "Zusage", as_="bernd.mueller")["ephemeral_text"]
    assert count(bot, MeetingRsvp) == 0
    bot.set_time("2026-11-30 09:40")
    bot.advance("2026-11-30 10:05")
    assert reminders(bot.posts()) == []


# -- instant meetings, lists, the roster -----------------------------------------------------------------


def test_an_instant_meeting_posts_its_link_now(bot):
    reply = bot.slash('/meeting jetzt "Krisenrunde"')
    assert "Krisenrunde" in reply
    post = announcement(bot)
    assert text_of(post).startswith("#### 🎥 Jetzt: Krisenrunde")
    assert "[Beitreten](https://meet.jit.si/Amtsbote-" in text_of(post) and buttons(post) == []
    bot.advance("2026-11-23 09:30")
    assert reminders(bot.posts()) == []


def test_the_roster_gets_todays_meetings_of_the_channel(bot):
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich')
    bot.slash('/meeting neu "**Fall** X" 30.11. 8:15 45m')
    bot.slash('/meeting neu "Woanders" 30.11. 9:00', channel="wirtschaftliche-hilfe", as_="gabriele.wagner")
    bot.slash("/meeting absagen 1 14.12.")
    with bot.runtime.db.read() as session:
        views = meeting_views.meetings_on(session, bot.channel_id(), date(2026, 11, 30), BERLIN)
        next_week = meeting_views.meetings_on(session, bot.channel_id(), date(2026, 12, 7), BERLIN)
        called_off = meeting_views.meetings_on(session, bot.channel_id(), date(2026, 12, 14), BERLIN)
    assert [(v.start, v.end, v.title) for v in views] == [(time(8, 15), time(9, 0), "\\*\\*Fall\\*\\* X"),
                                                          (time(10, 0), time(10, 30), "Teamrunde")]
    assert views[1].join_url.startswith("https://meet.jit.si/")
    assert [v.title for v in next_week] == ["Teamrunde"]
    assert called_off == []  # the occurrence of that day was called off


def test_the_morning_roster_lists_todays_meetings(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.slash('/meeting neu "Teamrunde" 23.11. 10:00 wöchentlich')
    bot.set_time("2026-11-23 07:25")
    bot.advance("2026-11-23 07:35")
    (roster,) = [p for p in bot.posts() if p.props.get("amtsbote_key", "").startswith("roster:")]
    assert "- 10:00–10:30 Uhr: Teamrunde" in roster.props["attachments"][0]["text"]


def test_the_morning_roster_leaves_out_an_occurrence_called_off_for_today(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.slash('/meeting neu "Teamrunde" 23.11. 10:00 wöchentlich')
    bot.slash('/meeting neu "Fallbesprechung" 23.11. 14:00')
    assert "Abgesagt: „Teamrunde“ am Mo, 23.11.2026" in bot.slash("/meeting absagen 1 23.11.")
    bot.set_time("2026-11-23 07:25")
    bot.advance("2026-11-23 07:35")
    (roster,) = [p for p in bot.posts() if p.props.get("amtsbote_key", "").startswith("roster:")]
    text = roster.props["attachments"][0]["text"]
    assert "- 14:00–14:30 Uhr: Fallbesprechung" in text and "Teamrunde" not in text


# -- calendar file ------------------------------------------------------------------------------------------


def test_ics_file_carries_rule_zone_exceptions_and_a_stable_uid(bot, monkeypatch):
    uploads: dict[str, tuple[str, str, bytes]] = {}
    attached: dict[str, list[str]] = {}
    create_post = bot.mm.create_post

    async def upload_file(channel_id, filename, data):
        file_id = uuid.uuid4().hex[:26]
        uploads[file_id] = (channel_id, filename, data)
        return file_id

    async def create_post_with_files(*, channel_id, message, props, pending_post_id, root_id=None, file_ids=None):
        post_id = await create_post(channel_id=channel_id, message=message, props=props,
                                    pending_post_id=pending_post_id, root_id=root_id)
        if file_ids:
            attached[post_id] = list(file_ids)
        return post_id

    monkeypatch.setattr(bot.mm, "upload_file", upload_file)
    monkeypatch.setattr(bot.mm, "create_post", create_post_with_files)
    bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich erinnerung 15m')
    bot.slash("/meeting absagen 1 7.12.")
    assert "Kalenderdatei" in bot.slash("/meeting ics 1")
    (post_id, file_ids), = attached.items()
    assert bot.mm.posts[post_id].channel_id == bot.channel_id() and file_ids == list(uploads)
    channel_id, filename, data = uploads[file_ids[0]]
    assert (channel_id, filename) == (bot.channel_id(), "meeting-1.ics")
    calendar = Calendar.from_ical(data)
    (event,) = calendar.events
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("dtstart") == berlin("2026-11-30 10:00") and event.decoded("dtend") == berlin("2026-11-30 10:30")
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=MO"
    excluded = {d.dt.date() for d in event["exdate"].dts}
    assert {date(2026, 12, 7), date(2027, 3, 29), date(2027, 5, 17)} <= excluded  # cancelled, Easter and Whit Monday
    assert date(2026, 12, 14) not in excluded
    assert all(d.params["TZID"] == "Europe/Berlin" for d in [event["exdate"]])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    link = text_of(announcement(bot)).split("[Beitreten](")[1].split(")")[0]
    assert str(event["url"]) == link and str(event["location"]) == link
    assert event["summary"] == "Teamrunde" and event.walk("VALARM")[0].decoded("trigger").total_seconds() == -900
    bot.slash("/meeting ics 1")
    second = Calendar.from_ical(uploads[list(attached.values())[-1][0]][2]).events[0]
    assert second["uid"] == event["uid"]


def test_ics_of_another_channels_meeting_is_not_handed_out(bot):
    bot.slash('/meeting neu "Intern" 30.11. 9:00', channel="wirtschaftliche-hilfe", as_="gabriele.wagner")
    assert "gibt es hier nicht" in bot.slash("/meeting ics 1", as_="claudia.weber")


# -- providers ----------------------------------------------------------------------------------------------


def test_a_provider_that_fails_leaves_no_meeting_and_no_post(tmp_path, provider_standin, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        provider_standin.bbb_fail_key = "maxConcurrent"
        reply = bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über bbb')
        assert reply.startswith("BigBlueButton hat das Anlegen abgelehnt (maxConcurrent). Es wurde keine Besprechung")
        provider_standin.zoom_create_status = 500
        assert "Zoom hat das Anlegen abgelehnt (HTTP 500)" in bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über zoom')
        assert count(bot, Meeting) == 0 and count(bot, OutboxItem) == 0 and bot.posts() == []
    finally:
        bot.close()


def test_a_room_is_given_back_when_storing_the_meeting_fails(tmp_path, provider_standin, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(handlers, "enqueue_post", broken)
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        assert "interner Fehler" in bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über zoom')
        assert list(provider_standin.zoom_meetings) == provider_standin.zoom_deleted != []
        assert count(bot, Meeting) == 0 and bot.posts() == []
    finally:
        bot.close()


def test_a_typed_link_is_shown_as_it_is_and_never_fetched(bot, monkeypatch):
    monkeypatch.setattr(rooms, "provider_config",
                        lambda settings: providers.ProviderConfig.from_settings(settings, transport=NoNetwork()))
    bot.slash('/meeting neu "Jour fixe" 30.11. 9:30 über https://evil.example/raum_1')
    text = text_of(announcement(bot))
    assert "**Video:** https://evil.example/raum_1" in text and "](https://evil.example" not in text
    assert "https://evil.example/raum_1" in bot.slash("/meeting liste")


def test_bigbluebutton_meeting_gives_each_person_their_own_signed_link(tmp_path, provider_standin, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich über bbb')
        post = announcement(bot)
        assert "BigBlueButton" in text_of(post) and buttons(post) == ["Zusage", "Absage", "Beitreten"]
        link = bot.click(post, "Beitreten", as_="bernd.mueller")["ephemeral_text"]
        url = link.split("[Jetzt beitreten](")[1].rstrip(")")
        assert httpx.get(url, follow_redirects=False).status_code == 302
        assert provider_standin.bbb_joins[-1]["fullName"] == "Bernd Müller"
        calls = [(call, ok) for call, _, ok in provider_standin.bbb_calls]
        assert calls == [("create", True), ("create", True), ("join", True)]  # created again before joining
        assert len(provider_standin.bbb_meetings) == 1
        provider_standin.stop()  # BigBlueButton goes down: a clear answer, no link
        assert "nicht erreichbar" in bot.click(post, "Beitreten", as_="claudia.weber")["ephemeral_text"]
    finally:
        bot.close()


def test_zoom_meeting_uses_the_accounts_oauth_token(tmp_path, provider_standin, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 wöchentlich über zoom')
        ((zoom_id, body),) = provider_standin.zoom_meetings.items()
        assert body["type"] == 3 and provider_standin.zoom_token_requests == [True]
        assert f"[Beitreten](https://zoom.example/j/{zoom_id}?pwd=" in text_of(announcement(bot))
        bot.slash("/meeting absagen 1")
        assert provider_standin.zoom_deleted == [zoom_id]
    finally:
        bot.close()


# -- data protection --------------------------------------------------------------------------------------------


def test_my_data_lists_meetings_and_forget_me_leaves_no_row_naming_the_person(bot):
    elif_id = bot.user("elif.yilmaz").id
    bot.slash('/meeting neu "Hilfeplan" 30.11. 10:00 @elif.yilmaz @bernd.mueller')
    bot.slash('/meeting neu "Ihre Runde" 1.12. 10:00', as_="elif.yilmaz")
    bot.click(announcement(bot), "Zusage", as_="elif.yilmaz")
    mine = bot.slash("/homeoffice meine-daten", as_="elif.yilmaz")
    assert "eingeladen: „Hilfeplan“ (Mo, 30.11.2026 10:00) in Jugendamt – ASD Team 3" in mine
    assert "geplant: „Ihre Runde“" in mine and "Zusage zu „Hilfeplan“" in mine
    bot.slash("/homeoffice vergessen", as_="elif.yilmaz")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="elif.yilmaz")
    with bot.runtime.db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name.startswith("meeting"):
                rows = session.execute(sa.select(table)).mappings().all()
                assert not [r for r in rows if any(elif_id in str(v) for v in r.values())], table.name
        assert session.get(Meeting, 1).participants == bot.user("bernd.mueller").id


def test_finished_meetings_are_deleted_after_the_retention_period(bot):
    bot.slash('/meeting neu "Einmalig" 30.11. 10:00')
    bot.slash('/meeting neu "Serie" 30.11. 11:00 wöchentlich')
    bot.click(announcement(bot), "Zusage", as_="bernd.mueller")
    bot.set_time("2027-03-05 12:00")  # 95 days after the one-off meeting
    with bot.runtime.db.write() as session:
        counts = purge(session, now=bot.clock.now(), retention_days=90, tz=BERLIN)
    assert counts["meeting"] == 1 and counts["meeting_rsvp"] == 1 and counts["meeting_announcement"] == 1
    with bot.runtime.db.read() as session:
        assert [m.title for m in session.exec(select(Meeting)).all()] == ["Serie"]
        # the series' announcement row stays to be edited; everything else delivered went after a week
        assert session.exec(select(OutboxItem.key)).all() == ["meeting:2:announce"]


# -- several replicas on PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg_url():
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL server: set TEST_DATABASE_URL to run the several-replica tests")
    name = "amtsbote_meeting_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def test_replicas_on_postgres_claiming_at_the_same_moment_queue_each_reminder_once(tmp_path, pg_url, monkeypatch):
    queued: list[str] = []  # every enqueue call: the ledger, not just the outbox key, must stop the others
    lock = threading.Lock()

    def counting(original):
        def enqueue(session, **kwargs):
            with lock:
                queued.append(kwargs["key"])
            return original(session, **kwargs)
        return enqueue

    monkeypatch.setattr(meeting_reminders, "enqueue_post", counting(meeting_reminders.enqueue_post))
    monkeypatch.setattr(meeting_reminders, "enqueue_dm", counting(meeting_reminders.enqueue_dm))
    bot = BotHarness(tmp_path, database_url=pg_url)  # runs the migrations on PostgreSQL too
    try:
        bot.slash('/meeting neu "Teamrunde" heute 10:00')
        bot.slash('/meeting neu "Hilfeplan" heute 10:00 @bernd.mueller @claudia.weber')
        bot.set_time("2026-11-23 09:52")
        replicas = [Runtime(bot.settings, mm=ConsoleMattermost(bot.clock, io.StringIO()), clock=bot.clock)
                    for _ in range(4)]
        start = threading.Barrier(len(replicas))

        def claim(runtime: Runtime) -> None:
            start.wait()
            asyncio.run(meeting_reminders.send_reminders(runtime.services))

        threads = [threading.Thread(target=claim, args=(r,)) for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        with bot.runtime.db.read() as session:
            keys = session.exec(select(OutboxItem.key).where(OutboxItem.key.like("meeting:%:remind:%"))).all()
        # one channel post for the team meeting, one DM each for Anna, Bernd and Claudia
        assert len(keys) == len(set(keys)) == 4
        assert sorted(k for k in queued if ":remind:" in k) == sorted(keys)
        for runtime in replicas:
            runtime.db.dispose()
    finally:
        bot.close()
