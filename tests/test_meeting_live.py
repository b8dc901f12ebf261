"""/meeting over real HTTP against the Mattermost stand-in and local BigBlueButton and Zoom stand-ins."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest
from icalendar import Calendar
from sqlmodel import col, select

from commands.meeting import reminders as meeting_reminders
from commands.meeting import rooms
from storage.db import Database
from storage.meeting_models import ReminderLedger
from storage.models import OutboxItem
from tests.harness import berlin
from tests.live import LiveBot, manual_clock, postgres_url, seed_world
from tests.provider_standins import provider_standin  # noqa: F401


def announcement(bot):
    return next(p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).endswith(":announce"))


def text_of(post) -> str:
    return post.props["attachments"][0]["text"]


@pytest.mark.parametrize("provider", ["jitsi", "bbb", "zoom"])
def test_weekly_meeting_is_announced_with_a_working_join_link(standin, tmp_path, provider, provider_standin,  # noqa: F811
                                                             monkeypatch):
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
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


def test_two_bots_on_one_postgres_claiming_at_the_same_moment_send_each_reminder_once(
        standin, tmp_path, pg_url, monkeypatch):  # noqa: F811
    queued: list[str] = []  # every enqueue: the ledger, not the outbox key, must stop the second bot
    lock = threading.Lock()
    original = meeting_reminders.enqueue_post

    def counting(session, **kwargs):
        with lock:
            queued.append(kwargs["key"])
        return original(session, **kwargs)

    monkeypatch.setattr(meeting_reminders, "enqueue_post", counting)
    world = seed_world(standin)
    clock = manual_clock("2026-11-30 09:00")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = LiveBot(standin, tmp_path / "a", database_url=pg_url, clock=clock, world=world)
    first.register()
    first.start()
    second = LiveBot(standin, tmp_path / "b", database_url=pg_url, clock=clock, world=world)
    second.start()
    try:
        first.slash('neu "Teamrunde" heute 10:00 täglich', command="/meeting")
        first.drain()
        clock.set(berlin("2026-11-30 09:52"))
        barrier = threading.Barrier(2, timeout=20)

        async def claim(services) -> None:
            barrier.wait()  # blocks this bot's loop on purpose: both claim in the same instant
            await meeting_reminders.send_reminders(services)

        threads = [threading.Thread(target=bot.call, args=(claim, bot.runtime.services)) for bot in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for _ in range(3):  # then on to 10:05, both bots ticking
            clock.set(clock.now() + timedelta(minutes=5))
            first.tick()
            second.tick()
        first.drain()
        second.drain()
        occurrence = berlin("2026-11-30 10:00")
        db = Database(pg_url)
        with db.read() as session:
            ledger = session.exec(select(ReminderLedger)).all()
            keys = session.exec(select(OutboxItem.key).where(col(OutboxItem.key).like("meeting:%:remind:%"))).all()
        db.dispose()
        assert [(row.meeting_id, row.occurrence_start) for row in ledger] == [(1, occurrence)]
        assert keys == [f"meeting:1:remind:{int(occurrence.timestamp())}"]
        assert [k for k in queued if ":remind:" in k] == keys  # queued by one bot only
        reminders = [p for p in first.channel_posts() if ":remind:" in str((p.props or {}).get("amtsbote_key", ""))]
        assert len(reminders) == 1
    finally:
        second.stop()
        first.stop()


def test_postgres_is_available_in_ci():
    import os

    if os.environ.get("CI") == "true":
        assert postgres_url() is not None
