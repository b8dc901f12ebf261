"""What a meeting provider is told and who may do what there, by default (security review, SPEC §3)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from commands.meeting import rooms
from storage.meeting_models import Meeting
from tests.harness import BotHarness
from tests.provider_standins import provider_standin  # noqa: F401


def announcement(bot):
    return next(p for p in bot.posts() if str(p.props.get("amtsbote_key", "")).endswith(":announce"))


def test_without_a_jitsi_server_of_its_own_nothing_goes_to_a_public_one(tmp_path):
    bot = BotHarness(tmp_path, jitsi_url=None)
    try:
        refused = bot.slash('/meeting neu "Fallbesprechung Kinderschutz" 30.11. 10:00')
        assert "kein Server eingerichtet (JITSI_URL)" in refused and "Es wurde keine Besprechung angelegt" in refused
        assert "meet.jit.si" not in refused
        with bot.runtime.db.read() as session:
            assert session.exec(select(Meeting)).all() == []
        # a link of one's own still works
        assert "ID 1" in bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über https://meet.stadt.example/teamrunde')
    finally:
        bot.close()


def test_bigbluebutton_makes_only_the_organizer_and_leads_moderators(tmp_path, provider_standin, monkeypatch):  # noqa: F811
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über bbb', as_="bernd.mueller")
        post = announcement(bot)
        roles = []
        for person in ("claudia.weber", "bernd.mueller", "anna.schmidt"):  # staff, the organizer, a lead
            link = bot.click(post, "Beitreten", as_=person)["ephemeral_text"].split("[Jetzt beitreten](")[1][:-1]
            query = parse_qs(urlsplit(link.replace("%28", "(").replace("%29", ")")).query)
            roles.append((query["fullName"][0], query["role"][0]))
        assert roles == [("Claudia Weber", "VIEWER"), ("Bernd Müller", "MODERATOR"), ("Anna Schmidt", "MODERATOR")]
    finally:
        bot.close()


def test_zoom_meetings_have_a_waiting_room_and_nobody_joins_before_the_host(tmp_path, provider_standin,  # noqa: F811
                                                                          monkeypatch):
    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    bot = BotHarness(tmp_path, **provider_standin.settings_changes())
    try:
        bot.slash('/meeting neu "Teamrunde" 30.11. 10:00 über zoom')
        (created,) = provider_standin.zoom_meetings.values()
        assert created["settings"] == {"join_before_host": False, "waiting_room": True}
    finally:
        bot.close()
