"""What the operator reads in the log: dates survive the phone-number scrubber, and a skipped
roster names its true reason (issue: the first day, point 6)."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import ScrubFilter, scrub
from tests.factories import roster_posts, setup_ab


@pytest.mark.parametrize("text", [
    "roster for 1 channel(s) on 2026-11-23 skipped",
    "next run at 2026-11-23 07:30:00+01:00",
    "next run at 2026-11-23T07:30:00.123456+01:00",
    "between 2026-11-23 and 2026-11-27",
    "tick at 07:30 and 12:05:30",
    "outbox item 1234567 of 20 in 12.5 s",
    "created_at 1764930000000",
    "channel 4xq9kz3u5pdbtjz8mc8o1f3fwr",
    "listening on 127.0.0.1:8080",
])
def test_dates_times_and_ids_survive_the_scrubber(text):
    assert scrub(text) == text


@pytest.mark.parametrize("text", [
    "call 0391 540-1234 now",
    "call +49 391 5401234 now",
    "call 0049 391 5401234 now",
    "call (0391) 540 1234 now",
    "call 0170/1234567 now",
    "call 03915401234 now",
    "call +493915401234 now",
    "extension 540-1234 now",
    "on 2026-11-23 call 0391 540-1234",
])
def test_phone_numbers_are_still_masked(text):
    cleaned = scrub(text)
    assert "[number]" in cleaned
    assert "540" not in cleaned and "1234567" not in cleaned, cleaned


def _logged(bot_action) -> str:
    """What the operator's log shows for `bot_action` (through the scrubbing handler)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ScrubFilter())
    logger = logging.getLogger("amtsbote")
    logger.addHandler(handler)
    try:
        bot_action()
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def _skip_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "roster" in line and "skipped" in line]


@pytest.fixture
def friday(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    return bot


def test_a_roster_skipped_while_the_bot_was_down_says_so_with_its_date(friday):
    bot = friday
    bot.tick()

    def down_until_afternoon() -> None:
        bot.set_time("2026-11-23 13:00")  # not running from Friday until after ROSTER_LATEST on Monday
        bot.tick()

    (line,) = _skip_lines(_logged(down_until_afternoon))
    assert "2026-11-23" in line and "[number]" not in line
    assert "not running" in line
    assert roster_posts(bot) == []


def test_switched_off_and_on_again_is_not_reported_as_the_bot_being_down(friday):
    bot = friday
    assert bot.slash("/anwesenheit aus").startswith("Gespeichert")
    bot.advance("2026-11-23 13:00", step_minutes=30)  # the bot runs all morning; the post is off
    assert roster_posts(bot) == []

    def switched_on() -> None:
        assert bot.slash("/anwesenheit an").startswith("Gespeichert")
        bot.tick()

    (line,) = _skip_lines(_logged(switched_on))
    assert "2026-11-23" in line and "[number]" not in line
    assert "down" not in line and "not running" not in line
    assert "switched on" in line and "ROSTER_LATEST" in line


def test_days_changed_after_the_roster_time_is_not_reported_as_the_bot_being_down(friday):
    bot = friday
    assert bot.slash("/anwesenheit tage Di-Fr").startswith("Gespeichert")
    bot.advance("2026-11-23 13:00", step_minutes=30)
    assert roster_posts(bot) == []

    def days_changed() -> None:
        assert bot.slash("/anwesenheit tage Mo-Fr").startswith("Gespeichert")
        bot.tick()

    (line,) = _skip_lines(_logged(days_changed))
    assert "down" not in line and "not running" not in line
    assert "days" in line
