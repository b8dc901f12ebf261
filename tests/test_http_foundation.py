"""The foundation over real HTTP: the bot's endpoint on loopback, mattermostautodriver against the stand-in."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from storage.models import OutboxItem, Rotation
from storage.outbox import enqueue_post


def test_register_creates_commands_once_and_stores_their_tokens(live, standin):
    commands = standin.commands("stadtverwaltung")
    assert sorted(c.trigger for c in commands) == ["anwesenheit", "dienst", "homeoffice", "meeting", "rufumleitung"]
    assert all(c.url == live.url + "/mattermost/command" for c in commands)
    again = live.register()
    assert all(line.startswith("updated") for line in again)
    assert len(standin.commands("stadtverwaltung")) == 5


def test_help_answers_in_german_and_english(live):
    german = live.slash("hilfe", user="anna.schmidt")
    english = live.slash("help", user="james.miller")
    assert german.status == 200 and german.text.startswith("#### /homeoffice — Home-Office-Gruppen")
    assert english.status == 200 and english.text.startswith("#### /homeoffice — Rotating home-office groups")


@pytest.mark.parametrize("command", ["/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"])
def test_unknown_subcommand_gets_localized_help_and_200(live, command):
    from tests.harness import assert_localized

    for user, locale in (("bernd.mueller", "de"), ("james.miller", "en")):
        result = live.slash("quatschbefehl 42", command=command, user=user)
        assert result.status == 200, (command, user, result.status)
        text = live.answer("quatschbefehl 42", command=command, user=user)  # at once, or after "one moment"
        assert "quatschbefehl" in text and f"#### {command}" in text, text[:200]
        assert_localized(text, locale, typed="quatschbefehl 42")


def test_a_command_registered_anew_works_without_restart_and_a_wrong_token_still_gets_401(live, standin, monkeypatch):
    from bot import dispatch
    from storage.models import SlashCommand, token_hash

    monkeypatch.setattr(dispatch, "TOKEN_RELOAD_INTERVAL", 0.3)
    assert live.slash("hilfe").status == 200  # the bot has its tokens in memory
    assert live.slash("", command="/anwesenheit").status == 200
    commands = {c.trigger: c for c in standin.commands("stadtverwaltung")}
    old = commands["homeoffice"].token

    # By hand, as in the System Console: a new token, typed into the database directly.
    new = "neuertoken0123456789abcdef"
    standin._commands[commands["homeoffice"].id].token = new
    with live.runtime.db.write() as session:
        session.exec(select(SlashCommand).where(SlashCommand.trigger == "homeoffice")).one().token_hash = token_hash(new)
    # With `amtsbote register` in another process (its own database connection): a regenerated token.
    standin._commands[commands["anwesenheit"].id].token = "regenerated0123456789abcde"
    live.register()
    time.sleep(0.35)

    assert live.slash("hilfe").status == 200  # Mattermost now sends the new token
    assert live.slash("", command="/anwesenheit").status == 200
    for token in (old, "x" * 26, "", commands["meeting"].token):
        assert live.slash("einrichten A,B woche", token=token).status == 401, token
        time.sleep(0.1)
    with live.runtime.db.read() as session:
        assert session.exec(select(Rotation)).first() is None


def test_wrong_empty_or_other_commands_token_gets_401_and_changes_nothing(live, standin):
    roster_token = next(c.token for c in standin.commands("stadtverwaltung") if c.trigger == "anwesenheit")
    for token in ("x" * 26, "", roster_token):
        result = live.slash("einrichten A,B woche", token=token)
        assert result.status == 401, token
    with live.runtime.db.read() as session:
        assert session.exec(select(Rotation)).first() is None
    assert live.channel_posts() == []


def test_forged_and_expired_button_contexts_are_refused(live, standin):
    signer = live.runtime.services.signer
    user = live.world["users"]["elif.yilmaz"]
    now = live.runtime.clock.now()
    base = {"user_id": user.id, "user_name": user.username, "channel_id": live.world["channel"].id,
            "team_id": live.world["team"].id, "post_id": "p" * 26, "type": "button"}
    forged = dict(signer.sign("homeoffice.forget", {"ok": True}, expires=now + timedelta(hours=1), user_id=user.id))
    forged["s"] = forged["s"][:-2] + ("AA" if not forged["s"].endswith("AA") else "BB")
    expired = signer.sign("homeoffice.forget", {"ok": True}, expires=now - timedelta(seconds=1), user_id=user.id)
    for context, word in ((forged, "ungültig"), (expired, "abgelaufen"), ({"p": "x"}, "ungültig"), (None, "ungültig")):
        response = httpx.post(live.url + "/mattermost/action", json={**base, "context": context})
        assert response.status_code == 200
        assert word in response.json()["ephemeral_text"]


def _enqueue(live, key: str, message: str) -> None:
    with live.runtime.db.write() as session:
        enqueue_post(session, key=key, channel_id=live.world["channel"].id, message=message,
                     now=live.runtime.clock.now())
    live.runtime.outbox.notify()


def test_post_during_503_is_delivered_exactly_once_even_across_a_restart(live, standin):
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=503, for_seconds=2.5)
    _enqueue(live, "test:503", "Hallo Team")
    time.sleep(0.8)
    live.restart()  # a restart while Mattermost still fails
    assert live.drain(timeout=30)
    posts = [p for p in live.channel_posts() if p.message == "Hallo Team"]
    assert len(posts) == 1
    failed = [r for r in standin.requests_to("POST", r"^/api/v4/posts$") if r.status == 503]
    assert failed, "the fault was never hit"


def test_post_whose_answer_was_lost_is_not_posted_twice(live, standin):
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", lose_response=True, times=1)
    live.runtime.mm._driver.client.client.timeout = httpx.Timeout(1.0)
    _enqueue(live, "test:lost", "Nur einmal")
    deadline = time.monotonic() + 10
    while not live.channel_posts():  # Mattermost took the post; its answer is lost
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # past Mattermost's 30-second pending_post_id window: only the bot's own look-up by key
    # can keep the retry from posting again
    standin.advance(31)
    assert live.drain(timeout=40)
    assert [p.message for p in live.channel_posts()].count("Nur einmal") == 1


def test_429_with_retry_after_2_is_not_retried_before_2_seconds(live, standin):
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=429, retry_after=2, times=1)
    _enqueue(live, "test:429", "Geduld")
    assert live.drain(timeout=30)
    attempts = standin.requests_to("POST", r"^/api/v4/posts$")
    limited = [r for r in attempts if r.status == 429]
    accepted = [r for r in attempts if r.status == 201]
    assert len(limited) == 1 and len(accepted) == 1
    assert accepted[0].time - limited[0].time >= 2.0


def test_a_restart_with_a_pending_post_delivers_it_once(live, standin):
    standin.outage()
    _enqueue(live, "test:restart", "Nach dem Neustart")
    time.sleep(0.5)
    live.stop()
    standin.recover()
    live.start()
    assert live.drain(timeout=30)
    assert [p.message for p in live.channel_posts()].count("Nach dem Neustart") == 1
    with live.runtime.db.read() as session:
        row = session.exec(select(OutboxItem).where(OutboxItem.key == "test:restart")).one()
    assert row.status == "done"


def test_healthz_readyz_metrics(live, standin, monkeypatch):
    from bot import http

    monkeypatch.setattr(http, "READY_CACHE_SECONDS", 0.0)  # the outage below must show at once
    assert httpx.get(live.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(live.url + "/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    live.slash("hilfe")
    metrics = httpx.get(live.url + "/metrics").text
    assert 'amtsbote_commands_total{kind="homeoffice",outcome="ok"}' in metrics
    standin.outage()
    not_ready = httpx.get(live.url + "/readyz")
    assert not_ready.status_code == 503 and not_ready.json()["mattermost"] is False
    standin.recover()


def test_malformed_bodies_get_4xx_never_5xx(live):
    for path, body, ctype in (
        ("/mattermost/command", b"%ZZ%%&&==token", "application/x-www-form-urlencoded"),
        ("/mattermost/command", b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
        ("/mattermost/action", b"{not json", "application/json"),
        ("/mattermost/action", b"[]", "application/json"),
        ("/mattermost/dialog", b"\x00", "application/json"),
        ("/mattermost/command", b"a=" + b"x" * 100_000, "application/x-www-form-urlencoded"),
        ("/mattermost/action", b"[" * 50_000, "application/json"),  # nests deeper than the JSON parser goes
        ("/mattermost/dialog", b'{"a":' * 10_000, "application/json"),
    ):
        response = httpx.post(live.url + path, content=body, headers={"Content-Type": ctype})
        assert 400 <= response.status_code < 500, (path, body[:20], response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_fuzzed_command_text_never_produces_a_5xx(live, text):
    for command in ("/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"):
        result = live.slash(text, command=command, user="bernd.mueller")
        assert result.status == 200, (command, text, result.status)
        assert result.text, (command, text)
