"""Quotas and caps, over real HTTP against the Mattermost stand-in: one person cannot flood a channel,
and no answer grows beyond what Mattermost accepts (SPEC §2, MATTERMOST-FACTS §4.5)."""

from __future__ import annotations

from sqlmodel import select

from base.safetext import MAX_MESSAGE
from storage.db import Database
from storage.meeting_models import Meeting
from tests.live import LiveBot, manual_clock


def meetings(bot) -> list[Meeting]:
    db = Database(bot.database_url)
    try:
        with db.read() as session:
            return list(session.exec(select(Meeting)).all())
    finally:
        db.dispose()


def test_one_person_reaches_the_meeting_quota_and_the_list_stays_within_mattermosts_limit(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"), commands_per_minute=1000,
                  meetings_per_person=25)
    bot.register()
    bot.start()
    try:
        replies = [bot.slash(f'neu "Serie {i} {"x" * 150}" 24.11. 10:00 täglich', command="/meeting")
                   for i in range(120)]
        assert all(r.status == 200 for r in replies)
        assert sum("ID " in r.text for r in replies) == 25
        refused = replies[-1].text
        assert "schon 25 laufende Besprechungen" in refused and "Es wurde nichts geändert" in refused
        assert len(meetings(bot)) == 25
        # someone else in the channel is not held back by Anna's quota
        assert "ID 26" in bot.slash('neu "Fallbesprechung" 25.11. 14:00', user="bernd.mueller", command="/meeting").text
        listing = bot.slash("liste", command="/meeting").text
        assert len(listing) < MAX_MESSAGE and "weitere" in listing
        bot.drain()
        assert len([p for p in bot.channel_posts() if ":announce" in str((p.props or {}).get("amtsbote_key"))]) == 26
    finally:
        bot.stop()
