"""`amtsbote serve` on the operator's first day (issue: the first day, point 10): start-up lines,
an unreachable database, a port clash, log levels, Mattermost outages, refused requests."""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import time

import httpx
from prometheus_client import REGISTRY

from tests.live import ROOT, LiveBot, env_for, finish, free_port, seed_world

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} ")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_ready(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited"
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("serve did not answer within 60 s")


def test_an_unreachable_database_is_one_line_naming_database_url(standin, tmp_path):
    world = seed_world(standin)
    port = _closed_port()
    env = env_for(standin, world, f"postgresql://amtsbote:geheim123@127.0.0.1:{port}/amtsbote")
    out, err = finish(_serve(env))
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "DATABASE_URL" in lines[0] and f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0]
    assert "geheim123" not in err and "Traceback" not in err


def test_a_port_clash_stops_before_anything_starts(standin, tmp_path):
    world = seed_world(standin)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = env_for(standin, world, f"sqlite:///{tmp_path / 'bot.db'}") | {"BOT_LISTEN": f"127.0.0.1:{port}"}
        proc = _serve(env)
        out, err = finish(proc)
    assert proc.returncode != 0
    assert "listening" not in err and "Traceback" not in err
    assert any("BOT_LISTEN" in line and f"127.0.0.1:{port}" in line for line in err.splitlines()), err
    assert standin.requests_to(path="/api/v4/") == []  # no scheduler, outbox or websocket started


def test_start_up_logs_its_configuration_once_with_offsets_and_no_secrets(standin, tmp_path):
    world = seed_world(standin)
    port = free_port()
    env = env_for(standin, world, f"sqlite:///{tmp_path / 'bot.db'}") | {
        "BOT_LISTEN": f"127.0.0.1:{port}", "LOG_LEVEL": "DEBUG"}
    proc = _serve(env)
    try:
        _wait_ready(f"http://127.0.0.1:{port}", proc)
        httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
    finally:
        proc.terminate()
        out, err = finish(proc)
    lines = err.splitlines()
    summary = [line for line in lines if "configuration:" in line]
    assert len(summary) == 1, err
    for shown in (f"MATTERMOST_URL={standin.url}", f"BOT_LISTEN=127.0.0.1:{port}", "DATABASE_URL=sqlite:///",
                  "BOT_TIMEZONE=Europe/Berlin", "LOG_LEVEL=DEBUG"):
        assert shown in summary[0], (shown, summary[0])
    assert world["token"] not in err and env["BOT_SECRET"] not in err
    listening = [i for i, line in enumerate(lines) if f"listening on 127.0.0.1:{port}" in line]
    assert len(listening) == 1
    assert all(TIMESTAMP.match(line) for line in lines if line.strip()), lines[:5]
    assert any(" DEBUG amtsbote." in line for line in lines), "LOG_LEVEL=DEBUG adds nothing"


def test_info_level_has_no_debug_lines(standin, tmp_path):
    world = seed_world(standin)
    port = free_port()
    env = env_for(standin, world, f"sqlite:///{tmp_path / 'bot.db'}") | {"BOT_LISTEN": f"127.0.0.1:{port}"}
    proc = _serve(env)
    try:
        _wait_ready(f"http://127.0.0.1:{port}", proc)
        httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
    finally:
        proc.terminate()
        out, err = finish(proc)
    assert " DEBUG " not in err


def _wait(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)


def test_a_mattermost_outage_is_one_line_down_and_one_line_back(standin, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    live = LiveBot(standin, tmp_path)
    live.register()
    live.start()
    try:
        mm = live.runtime.mm
        _wait(lambda: mm.websocket_connects >= 1, "the websocket connected")
        caplog.clear()
        failures = mm.websocket_failures
        standin.outage()
        live.slash("hilfe")  # a command while Mattermost is away (the stand-in posts it, the bot cannot answer it)
        _wait(lambda: mm.websocket_failures >= failures + 2, "two websocket reconnects failed")
        standin.faults.add(path="/api/v4/users/", status=503, times=2)
        standin.recover()
        _wait(lambda: any("answers again" in r.getMessage() for r in caplog.records), "the back-up line")
    finally:
        live.stop()
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    down = [r.getMessage() for r in records if "does not answer" in r.getMessage()]
    up = [r.getMessage() for r in records if "answers again" in r.getMessage()]
    assert len(down) == 1 and len(up) == 1, [r.getMessage() for r in records]
    assert standin.url in down[0] and "MATTERMOST_URL" in down[0]
    assert not [r for r in caplog.records if r.exc_info], "tracebacks in the log"
    assert not [r for r in records if r.name.startswith("mattermostautodriver")]


def _refused(reason: str) -> float:
    return REGISTRY.get_sample_value("amtsbote_requests_refused_total", {"reason": reason}) or 0.0


def test_refused_tokens_and_signatures_are_counted_by_reason(live, standin, caplog):
    caplog.set_level(logging.INFO)
    tokens, signatures = _refused("token"), _refused("signature")
    wrong = "wrongtoken0123456789abcdef"
    assert live.slash("hilfe", token=wrong).status == 401
    assert _refused("token") == tokens + 1
    assert wrong not in caplog.text
    user = live.world["users"]["anna.schmidt"]
    answer = httpx.post(live.url + "/mattermost/action", json={
        "user_id": user.id, "channel_id": live.world["channel"].id, "team_id": live.world["team"].id,
        "post_id": "", "context": {"a": "homeoffice.x", "sig": "forged"}}, timeout=10)
    assert answer.status_code == 200
    assert _refused("signature") == signatures + 1


def test_a_lookup_that_meets_a_short_429_waits_it_out_and_answers(live, standin):
    standin.faults.add(method="GET", path=r"^/api/v4/users/[a-z0-9]{26}$", retry_after=1, times=1)
    answer = live.answer("hilfe", user="bernd.mueller")
    assert [r for r in standin.requests if r.outcome == "fault"], "the 429 was not met"
    assert "antwortet gerade nicht" not in answer and "/homeoffice" in answer, answer
