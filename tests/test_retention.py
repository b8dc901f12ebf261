"""Retention (SPEC §3): past presence data goes after RETENTION_DAYS, by the scheduler alone.

A day's data is kept for RETENTION_DAYS full days after that day and is gone the day after.

No test here calls `purge()`: the clock moves and the bot ticks, as in the console or
after a weekend of uptime. The purge is throttled by the bot's clock, so a clock that
jumps ahead (the console's `:time`, a test, a machine that was suspended) still gets
the purge that is due at the next tick.
"""

from __future__ import annotations

from sqlmodel import select

from storage.meeting_models import Meeting, MeetingRsvp
from storage.models import Absence, CallForward, PresenceChange
from tests.factories import setup_ab
from tests.harness import BotHarness


def rows(bot, model) -> list:
    with bot.runtime.db.read() as session:
        return list(session.exec(select(model)).all())


def presence(bot) -> tuple[int, int]:
    return len(rows(bot, Absence)), len(rows(bot, PresenceChange))


def test_past_presence_is_deleted_after_the_default_retention_by_ticks_alone(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Urlaub", as_="bernd.mueller")
    bot.slash("/homeoffice büro 25.11.", as_="dieter.fischer")
    bot.tick()  # the first tick purges (nothing is old yet)
    assert presence(bot) == (1, 1)
    bot.set_time("2027-02-22 10:00")  # 90 days after 24.11.: still kept
    bot.tick()
    assert presence(bot) == (1, 1)
    bot.set_time("2027-02-23 08:00")  # 91 days after 24.11., 90 after 25.11.
    bot.tick()
    assert presence(bot) == (0, 1)
    bot.set_time("2027-02-24 07:00")  # 91 days after 25.11.
    bot.tick()
    assert presence(bot) == (0, 0)


def test_a_shorter_retention_setting_is_honoured(tmp_path):
    bot = BotHarness(tmp_path, retention_days=30)
    try:
        setup_ab(bot)
        bot.slash("/homeoffice abwesend 24.11. Urlaub", as_="bernd.mueller")
        bot.slash("/homeoffice zuhause 24.11.", as_="claudia.weber")
        bot.slash('/meeting neu "Fallbesprechung" 24.11. 10:00', as_="anna.schmidt")
        bot.slash('/meeting neu "Teamrunde" 24.11. 11:00 wöchentlich', as_="anna.schmidt")
        announce = [p for p in bot.posts() if p.props.get("amtsbote_key") == "meeting:1:announce"][0]
        bot.click(announce, "Zusage", as_="bernd.mueller")
        bot.tick()
        bot.set_time("2026-12-24 10:00")  # 30 days after: kept
        bot.tick()
        assert presence(bot) == (1, 1) and len(rows(bot, Meeting)) == 2
        bot.set_time("2026-12-25 12:00")  # 31 days after: gone, where the default would keep it two more months
        bot.tick()
        assert presence(bot) == (0, 0)
        assert [m.title for m in rows(bot, Meeting)] == ["Teamrunde"]  # the series goes on
        assert rows(bot, MeetingRsvp) == []  # the answer to the one-off meeting went with it
    finally:
        bot.close()


def test_an_hour_of_bot_time_on_the_same_day_is_enough_for_the_next_purge(bot):
    bot.set_time("2026-11-24 09:00")
    assert "→ Anrufbeantworter bis 14:00 Uhr" in bot.slash("/rufumleitung ab bis 14:00", as_="elif.yilmaz")
    bot.set_time("2027-02-22 09:00")  # 90 days later, 5 hours before the forward's end plus 90 days
    bot.tick()
    assert len(rows(bot, CallForward)) == 1
    bot.set_time("2027-02-22 14:30")  # the same local day: the forward ended more than 90 days ago
    bot.tick()
    assert rows(bot, CallForward) == []
