"""Reliability under load, faults and bad input (issue: reliability, security, data protection)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.outbox import enqueue_post
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEntry, OutboxItem, PresenceChange
from tests.live import LiveBot, manual_clock
from tests.provider_standins import provider_standin  # noqa: F401

NASTY = st.sampled_from([
    "@channel", "@all", "@here", "<!channel>", "<!here|x>", "@everyone", "[klick](https://evil.example/x)",
    "![img](https://evil.example/i.png)", "\u202eevil\u202c", "\u200b@\u200ball", "\x00", "'; DROP TABLE rotation; --",
    "$(rm -rf /)", "`rm -rf`", "%00%ff", "**fett** _kursiv_ # Titel", "<script>alert(1)</script>", "\n\n| a | b |",
    "a" * 10_000, "für @bernd.mueller", "bis 31.02.", "25:00", "0391 540-1234",
])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=40)), max_size=5).map(" ".join)


def test_fifty_concurrent_writers_on_sqlite_never_see_database_is_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    databases = [Database(url) for _ in range(5)]  # five "processes" worth of engines
    errors: list[BaseException] = []
    written = []
    deadline = time.monotonic() + 3.0

    def writer(n: int) -> None:
        db = databases[n % len(databases)]
        i = 0
        while time.monotonic() < deadline:
            try:
                with db.write() as session:
                    session.merge(PresenceChange(user_id=f"user{n:02d}", day=date(2027, 1, 1) + timedelta(days=i),
                                                 where="office", set_by=f"user{n:02d}"))
                    session.add(AuditEntry(at=__import__("datetime").datetime.now(__import__("datetime").UTC),
                                           actor_id="x", subject_id=f"user{n:02d}", action="load", detail=""))
                written.append((n, i))
                i += 1
            except BaseException as e:  # noqa: BLE001 - any error is a failure here
                errors.append(e)
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with databases[0].read() as session:
        count = session.execute(sa.select(sa.func.count()).select_from(PresenceChange.__table__)).scalar_one()
    assert count == len(written) and count > 50
    for db in databases:
        db.dispose()


def test_fifty_concurrent_slash_commands_all_answered(live):
    live.slash("einrichten A,B woche")
    live.slash("aufteilen")
    users = list(live.world["users"])
    days = ["11.03.2030", "12.03.2030", "13.03.2030", "14.03.2030", "15.03.2030", "18.03.2030", "19.03.2030"]

    def one(i: int):
        return live.slash(f"büro {days[i % len(days)]}", user=users[(i // len(days)) % len(users)])

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert all(r.status == 200 and ("Büro am" in r.text or "Office on" in r.text) for r in results), \
        [r.text for r in results if "Büro am" not in r.text and "Office on" not in r.text][:3]
    with live.runtime.db.read() as session:
        stored = len(session.exec(select(PresenceChange)).all())
    assert stored == len({(i % len(days), (i // len(days)) % len(users)) for i in range(50)})


def test_slow_mattermost_still_answers_within_a_second_and_follows_up(live, standin):
    live.slash("hilfe", user="claudia.weber")  # warm the user cache for the others
    standin.faults.add(method="GET", path=r"^/api/v4/users/", latency=2.0)
    live.runtime.mm.forget_user(live.world["users"]["elif.yilmaz"].id)
    started = time.monotonic()
    result = live.slash("hilfe", user="elif.yilmaz")
    assert time.monotonic() - started < 1.0
    assert result.status == 200 and "Einen Moment" in result.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        follow = [p for p in standin.ephemerals_for(live.world["users"]["elif.yilmaz"]) if "#### /homeoffice" in p.message]
        if follow:
            break
        time.sleep(0.1)
    assert follow, "the real answer never arrived through response_url"


def test_outage_across_roster_time_posts_once_when_mattermost_returns(standin, tmp_path):
    clock = manual_clock("2026-11-23 07:00")
    bot = LiveBot(standin, tmp_path, clock=clock)
    bot.register()
    bot.start()
    try:
        bot.slash("einrichten A,B woche ab 16.11.2026")
        bot.slash("aufteilen")
        bot.drain()
        clock.set(clock.now() + timedelta(minutes=25))  # 07:25
        standin.outage()
        for minutes in (5, 15, 30):  # 07:30 .. 08:20, Mattermost down
            clock.set(clock.now() + timedelta(minutes=minutes))
            bot.tick()
        standin.recover()
        clock.set(clock.now() + timedelta(minutes=40))  # 09:00, before ROSTER_LATEST
        bot.tick()
        assert bot.drain(timeout=60)
        bot.tick()
        bot.drain()
        rosters = [p for p in bot.channel_posts() if (p.props or {}).get("amtsbote_key", "").startswith("roster:")]
        assert len(rosters) == 1 and "Mo, 23.11.2026" in rosters[0].props["attachments"][0]["text"]
    finally:
        bot.stop()


def test_429_storm_never_retries_a_post_before_retry_after_and_own_rate_is_capped(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, outbox_max_rate=5.0, outbox_burst=5)
    bot.register()
    bot.start()
    try:
        standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=429, retry_after=1, times=6)
        with bot.runtime.db.write() as session:
            for i in range(20):
                enqueue_post(session, key=f"storm:{i}", channel_id=bot.world["channel"].id, message=f"Nachricht {i}",
                             now=bot.runtime.clock.now())
        started = time.monotonic()
        bot.runtime.outbox.notify()
        assert bot.drain(timeout=90)
        elapsed = time.monotonic() - started
        attempts = standin.requests_to("POST", r"^/api/v4/posts$")
        by_post: dict[str, list] = {}
        for r in attempts:
            by_post.setdefault(r.json["pending_post_id"], []).append(r)
        for tries in by_post.values():
            for before, after in zip(tries, tries[1:], strict=False):
                if before.status == 429:
                    assert after.time - before.time >= 1.0
        messages = [p.message for p in bot.channel_posts()]
        assert sorted(messages) == sorted(f"Nachricht {i}" for i in range(20))
        assert elapsed >= (20 - 5) / 5.0 * 0.9  # never faster than our own cap of 5/s after a burst of 5
    finally:
        bot.stop()


def test_outbound_requests_go_only_to_mattermost_and_the_meeting_providers(standin, tmp_path, monkeypatch,
                                                                          provider_standin):  # noqa: F811
    from commands import meeting as meeting_module

    monkeypatch.setattr(meeting_module, "provider_config", lambda settings: provider_standin.config())
    allowed = {urlsplit(standin.url).netloc, urlsplit(provider_standin.url).netloc}
    seen: list[str] = []
    original = httpx.AsyncHTTPTransport.handle_async_request

    async def guarded(self, request):
        seen.append(request.url.netloc.decode() if isinstance(request.url.netloc, bytes) else request.url.netloc)
        if seen[-1] not in allowed:
            raise AssertionError(f"outbound request to {request.url.host}")
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded)
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"), **provider_standin.settings_changes())
    allowed.add(urlsplit(bot.url).netloc)
    bot.register()
    bot.start()
    try:
        for text in ("einrichten A,B woche min 3", "aufteilen", "abwesend morgen https://evil.example/x",
                     "plan", "tausch @elif.yilmaz 24.11."):
            bot.slash(text)
        bot.slash("", command="/anwesenheit")
        bot.slash("posten", command="/anwesenheit")
        for via in ("bbb", "zoom", "jitsi", "https://evil.example/raum"):
            assert "ID" in bot.slash(f'neu "Runde" morgen 10:00 über {via}', command="/meeting").text
        bot.slash("handy 0171 2345678", command="/rufumleitung", user="dieter.fischer")
        bot.drain()
    finally:
        bot.stop()
    assert seen and set(seen) <= allowed
    assert urlsplit(provider_standin.url).netloc in seen  # the providers were really used


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_hostile_command_text_is_answered_changes_nothing_and_echoes_nothing_live(live, text):
    before = _state(live)
    for command in ("/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"):
        result = live.slash(text, command=command, user="bernd.mueller")
        assert result.status == 200 and result.text
    # a non-lead's garbage never changes shared state (own changes need a valid date form)
    after = _state(live)
    assert after["rotation"] == before["rotation"]


def _state(live) -> dict:
    with live.runtime.db.read() as session:
        return {"rotation": session.execute(sa.text("SELECT count(*) FROM rotation")).scalar_one()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode),
                      st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=8).map(
                          lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode())))
def test_random_form_bodies_never_give_5xx(live, body):
    response = httpx.post(live.url + "/mattermost/command", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 401, 413)


JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
                       lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                       max_leaves=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.sampled_from(["user_id", "channel_id", "team_id", "post_id", "context", "type",
                                                "state", "submission", "cancelled", "callback_id"]), JSONISH, max_size=8))
def test_random_action_and_dialog_payloads_never_give_5xx_or_change_anything(live, payload):
    before = _state(live)
    for path in ("/mattermost/action", "/mattermost/dialog"):
        response = httpx.post(live.url + path, content=json.dumps(payload), headers={"Content-Type": "application/json"})
        assert response.status_code == 200, (path, response.status_code)
        body = response.json()
        assert body.get("ephemeral_text") or body.get("error")
    assert _state(live) == before


@pytest.mark.parametrize("attack", ["@channel", "@all", "@here", "<!channel>", "[klick](https://evil.example/x)"])
def test_echoed_text_cannot_notify_or_link(bot, attack):
    from tests.test_homeoffice import setup_ab

    setup_ab(bot)
    reply = bot.slash(f"/homeoffice abwesend 24.11. {attack} Notiz", as_="bernd.mueller")
    assert "Notiz" in reply
    bot.slash(f"/homeoffice tausch @elif.yilmaz 25.11. {attack}", as_="bernd.mueller")
    bot.slash(f"/homeoffice gruppe {attack} @bernd.mueller")
    # the suite-wide scan (tests/conftest.py) checks every reply and post of this test
    with bot.runtime.db.read() as session:
        assert session.exec(select(OutboxItem)).all() is not None
