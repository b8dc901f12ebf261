"""/meeting over real HTTP against the Mattermost stand-in and local BigBlueButton and Zoom stand-ins."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from icalendar import Calendar

from commands import meeting as meeting_module
from tests.live import LiveBot, manual_clock, postgres_url, seed_world
from tests.provider_standins import provider_standin  # noqa: F401
from tests.test_roster_live import pg_url  # noqa: F401


def announcement(bot):
    return next(p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).endswith(":announce"))


def text_of(post) -> str:
    return post.props["attachments"][0]["text"]


@pytest.mark.parametrize("provider", ["jitsi", "bbb", "zoom"])
def test_weekly_meeting_is_announced_with_a_working_join_link(standin, tmp_path, provider, provider_standin,  # noqa: F811
                                                             monkeypatch):
    monkeypatch.setattr(meeting_module, "provider_config", lambda settings: provider_standin.config())
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"), **provider_standin.settings_changes())
    bot.register()
    bot.start()
    try:
        reply = bot.slash(f'neu "Teamrunde" 30.11. 10:00 wöchentlich über {provider}', command="/meeting")
        assert reply.status == 200 and "ID 1" in reply.text, reply.text
        bot.drain()
        post = announcement(bot)
        text = text_of(post)
        assert "jeden Montag" in text and "Mo, 30.11.2026, 10:00–10:30 Uhr" in text
        if provider == "jitsi":
            assert "[Beitreten](https://meet.example.org/Amtsbote-" in text
        elif provider == "zoom":
            (zoom_id,) = provider_standin.zoom_meetings
            assert f"(https://zoom.example/j/{zoom_id}" in text
        else:  # BigBlueButton: each person gets a personal, signed join link from the button
            join = next(a["id"] for a in post.actions() if a["name"] == "Beitreten")
            clicked = standin.click(bot.url, post_id=post.id, action_id=join, user=bot.world["users"]["elif.yilmaz"])
            assert clicked.client_status == 200
            url = clicked.ephemeral_text.split("[Jetzt beitreten](")[1].rstrip(")")
            assert httpx.get(url, follow_redirects=False).status_code == 302  # the checksum was accepted
            assert provider_standin.bbb_joins[-1]["fullName"] == "Elif Yılmaz"
    finally:
        bot.stop()


def test_rsvp_buttons_update_the_counts_through_mattermost(live, standin):
    live.slash('neu "Teamrunde" morgen 10:00', command="/meeting")
    live.drain()
    post = announcement(live)
    ids = {a["name"]: a["id"] for a in post.actions()}
    users = live.world["users"]
    standin.click(live.url, post_id=post.id, action_id=ids["Zusage"], user=users["bernd.mueller"])
    result = standin.click(live.url, post_id=post.id, action_id=ids["Absage"], user=users["claudia.weber"])
    assert result.client_status == 200
    assert "✅ Zusagen: 1 · ❌ Absagen: 1" in text_of(result.post)
    assert "Zusagen: 1" in text_of(standin.post(post.id))


def test_ics_file_is_uploaded_and_parses(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"))
    bot.register()
    bot.start()
    try:
        bot.slash('neu "Teamrunde" 30.11. 10:00 wöchentlich', command="/meeting")
        assert "Kalenderdatei" in bot.slash("ics 1", command="/meeting").text
        (post,) = [p for p in bot.channel_posts() if p.file_ids]
        calendar = Calendar.from_ical(standin.file_bytes(post.file_ids[0]))
        (event,) = calendar.walk("VEVENT")
        assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["MO"]
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
        assert event.decoded("DTSTART").hour == 10
    finally:
        bot.stop()


def test_two_bots_on_one_postgres_send_each_reminder_once(standin, tmp_path, pg_url):  # noqa: F811
    world = seed_world(standin)
    clock = manual_clock("2026-11-30 09:00")
    first = LiveBot(standin, tmp_path / "a", database_url=pg_url, clock=clock, world=world)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first.register()
    first.start()
    second = LiveBot(standin, tmp_path / "b", database_url=pg_url, clock=clock, world=world)
    second.start()
    try:
        first.slash('neu "Teamrunde" heute 10:00 täglich', command="/meeting")
        first.drain()
        for _ in range(3):  # through 09:50 (the reminder) to 10:05, both bots ticking
            clock.set(clock.now() + timedelta(minutes=25))
            first.tick()
            second.tick()
        first.drain()
        second.drain()
        reminders = [p for p in first.channel_posts() if ":remind:" in str((p.props or {}).get("amtsbote_key", ""))]
        assert len(reminders) == 1
    finally:
        second.stop()
        first.stop()


def test_postgres_is_available_in_ci():
    import os

    if os.environ.get("CI") == "true":
        assert postgres_url() is not None
