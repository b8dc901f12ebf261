"""The metrics an operator alerts on, read from the running bot's /metrics while the stand-in misbehaves.

Counters are the process's (the tests look at how much they moved); the outbox and roster gauges
are read from the database when /metrics is scraped.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.live import LiveBot, manual_clock

POSTS = r"^/api/v4/posts(/[a-z0-9]+/patch)?$"


def scrape(bot: LiveBot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    response = httpx.get(bot.url + "/metrics", timeout=30)
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def start(standin, tmp_path, spec: str = "2026-11-24 07:00") -> LiveBot:
    bot = LiveBot(standin, tmp_path, clock=manual_clock(spec))
    bot.register()
    bot.start()
    assert bot.slash("einrichten A,B woche ab 23.11.2026").text.startswith("Rotation eingerichtet")
    assert bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber").text.startswith("Gruppe A")
    assert bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann").text.startswith("Gruppe B")
    assert bot.drain()
    return bot


@pytest.fixture
def team(standin, tmp_path):
    bot = start(standin, tmp_path)
    yield bot
    bot.stop()


def test_no_created_series_and_every_new_series_is_exposed(team):
    text = httpx.get(team.url + "/metrics", timeout=30).text
    assert "_created" not in text
    for name in ("amtsbote_outbox_pending", "amtsbote_outbox_oldest_pending_seconds", "amtsbote_rosters_posted_today",
                 "amtsbote_scheduler_last_tick_timestamp_seconds", "amtsbote_mattermost_up",
                 "amtsbote_mattermost_rate_limited_total"):
        assert f"\n{name} " in text, name
    assert '\namtsbote_rosters_total{result="skipped"} ' in text  # at 0 from the start
    for kind in ("post", "patch", "dm"):
        for result in ("ok", "retry", "failed"):
            assert f'\namtsbote_deliveries_total{{kind="{kind}",result="{result}"}} ' in text


def test_outbox_backlog_its_age_and_mattermost_up_follow_an_outage(team, standin):
    team.tick()
    before = scrape(team)
    assert value(before, "amtsbote_mattermost_up") == 1
    assert value(before, "amtsbote_outbox_pending") == 0
    assert value(before, "amtsbote_outbox_oldest_pending_seconds") == 0

    down = [standin.faults.add(path=POSTS, status=503), standin.faults.add(path=r"^/api/v4/system/ping$", status=503)]
    assert team.slash("ab bis 27.11.", user="elif.yilmaz", command="/rufumleitung").status == 200
    assert team.slash("ab bis 27.11.", user="frank.hoffmann", command="/rufumleitung").status == 200
    team.clock.advance(timedelta(minutes=10))
    team.tick()
    during = scrape(team)
    assert value(during, "amtsbote_mattermost_up") == 0
    assert value(during, "amtsbote_outbox_pending") == 2
    assert value(during, "amtsbote_outbox_oldest_pending_seconds") >= 600
    retries = value(during, "amtsbote_deliveries_total", kind="post", result="retry")
    assert retries - value(before, "amtsbote_deliveries_total", kind="post", result="retry") >= 2

    for fault in down:
        standin.faults.remove(fault)
    team.tick()
    assert team.drain()
    after = scrape(team)
    assert value(after, "amtsbote_mattermost_up") == 1
    assert value(after, "amtsbote_outbox_pending") == 0
    assert value(after, "amtsbote_outbox_oldest_pending_seconds") == 0
    ok = value(after, "amtsbote_deliveries_total", kind="post", result="ok")
    assert ok - value(during, "amtsbote_deliveries_total", kind="post", result="ok") == 2


def test_429s_are_counted_and_a_refused_post_is_a_failed_delivery(team, standin):
    before = scrape(team)
    standin.faults.add(path=POSTS, method="POST", status=429, retry_after=1, times=1)
    assert team.slash("ab bis 27.11.", user="elif.yilmaz", command="/rufumleitung").status == 200
    assert team.drain()
    standin.faults.add(path=POSTS, method="POST", status=400, times=1)
    assert team.slash("ab bis 27.11.", user="frank.hoffmann", command="/rufumleitung").status == 200
    team.drain()
    after = scrape(team)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("amtsbote_mattermost_rate_limited_total") == 1
    assert moved("amtsbote_deliveries_total", kind="post", result="retry") == 1
    assert moved("amtsbote_deliveries_total", kind="post", result="failed") == 1
    assert moved("amtsbote_deliveries_total", kind="post", result="ok") == 1
    assert value(after, "amtsbote_mattermost_up") == 1  # a 429 or a 400 is an answer: it is up


def test_rosters_posted_and_skipped_and_the_scheduler_tick(team, standin):
    before = scrape(team)
    team.tick()
    first_tick = value(scrape(team), "amtsbote_scheduler_last_tick_timestamp_seconds")
    assert first_tick > value(before, "amtsbote_scheduler_last_tick_timestamp_seconds")
    assert value(scrape(team), "amtsbote_rosters_posted_today") == 0

    team.clock.set(team.clock.now().replace(hour=7, minute=45))
    team.tick()
    assert team.drain()
    posted = scrape(team)
    assert value(posted, "amtsbote_rosters_posted_today") == 1
    assert value(posted, "amtsbote_rosters_total", result="posted") - value(before, "amtsbote_rosters_total",
                                                                             result="posted") == 1
    assert value(posted, "amtsbote_scheduler_last_tick_timestamp_seconds") > first_tick
    team.tick()  # nothing more to post
    assert value(scrape(team), "amtsbote_rosters_total", result="posted") == value(posted, "amtsbote_rosters_total",
                                                                                  result="posted")

    # Wednesday: the bot was down until after ROSTER_LATEST, the day is skipped
    team.clock.set(team.clock.now().replace(hour=13, minute=0) + timedelta(days=1))
    team.tick()
    skipped = scrape(team)
    assert value(skipped, "amtsbote_rosters_total", result="skipped") - value(
        posted, "amtsbote_rosters_total", result="skipped") == 1
    assert value(skipped, "amtsbote_rosters_posted_today") == 0  # a new day
