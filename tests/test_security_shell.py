"""The shell's side of "who may do what": forged callbacks cost nothing, /readyz is cheap, a quota
per person, slow clients, secrets at rest, passwords never echoed, response_url checked exactly,
button and dialog contexts kept apart, erased rows gone from the files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import stat
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from base.clock import SystemClock
from storage.models import Absence
from tests.live import LiveBot

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Geheim-Passwort-4711"


def _settle(live: LiveBot) -> int:
    """Let the first tick and the outbox finish; then the bot asks Mattermost nothing by itself."""
    live.tick()
    assert live.drain(timeout=30)
    return len(live.standin.requests)


def _problems(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in records
            if r.levelno >= logging.WARNING or r.exc_info]


# -- 1. forged callbacks ------------------------------------------------------------------------


def test_thirty_forged_callbacks_are_refused_without_a_single_request_to_mattermost(live, caplog):
    caplog.set_level(logging.DEBUG, logger="amtsbote")
    user = live.world["users"]["elif.yilmaz"]
    channel, team = live.world["channel"].id, live.world["team"].id
    signer = live.runtime.services.signer
    now = live.runtime.clock.now()
    good = signer.sign("homeoffice.forget", {"ok": True}, expires=now + timedelta(hours=1), user_id=user.id)
    tampered = {**good, "s": good["s"][:-2] + ("AA" if not good["s"].endswith("AA") else "BB")}
    state = signer.sign_state("homeoffice.setup", {"c": channel}, expires=now + timedelta(hours=1), user_id=user.id)
    strangers = ["../../system/ping", "a" * 26, "z9" * 13, "", "ANNA" + "0" * 22, "../" * 9]
    contexts = [None, {}, {"p": "x"}, {"p": "eyJ4IjoxfQ", "s": "nope"}, tampered, {"p": good["p"], "s": ""},
                "kein Kontext", [1, 2]]
    bodies = []
    for i in range(30):
        uid = strangers[i % len(strangers)] if i % 3 else user.id
        context = contexts[i % len(contexts)]
        base = {"user_id": uid, "channel_id": channel, "team_id": team, "post_id": "p" * 26}
        if i % 2:
            bodies.append(("/mattermost/action", {**base, "context": context}))
        else:
            bad_state = json.dumps(context) if i % 4 else state[:-5] + 'xx"}'
            bodies.append(("/mattermost/dialog", {**base, "state": bad_state, "submission": {"groups": "A,B"}}))
    bodies[1] = ("/mattermost/action", {"user_id": user.id, "channel_id": "../../api/v4/system/ping",
                                        "team_id": team, "context": good})
    bodies[2] = ("/mattermost/action", {"user_id": user.id, "channel_id": channel, "team_id": team,
                                        "post_id": "../../posts", "context": good})
    before = _settle(live)
    caplog.clear()
    for path, body in bodies:
        response = httpx.post(live.url + path, json=body, timeout=10)
        assert response.status_code == 200, (path, body, response.status_code)
        answer = response.json()
        assert "ungültig" in (answer.get("ephemeral_text") or answer.get("error") or ""), (path, body, answer)
    assert live.standin.requests[before:] == []
    assert _problems(caplog.records) == []
    assert live.drain(timeout=10) and live.channel_posts() == []


def test_a_slash_command_naming_a_path_as_its_user_gets_400_and_reaches_no_url(live):
    token = next(c.token for c in live.standin.commands("stadtverwaltung") if c.trigger == "homeoffice")
    before = _settle(live)
    form = {"token": token, "team_id": live.world["team"].id, "channel_id": live.world["channel"].id,
            "user_id": "../../system/ping", "user_name": "x", "command": "/homeoffice", "text": "hilfe"}
    for field, value in (("user_id", "../../system/ping"), ("channel_id", "../../users/me"), ("channel_id", "")):
        response = httpx.post(live.url + "/mattermost/command", data={**form, "user_id": live.world["users"][
            "anna.schmidt"].id, field: value}, timeout=10)
        assert response.status_code == 400, (field, response.status_code, response.text)
    assert live.standin.requests[before:] == []


# -- 2. /readyz ---------------------------------------------------------------------------------


class SteppedClock(SystemClock):
    """Real wall time, but a monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def monotonic(self) -> float:
        return self.seconds


def test_readyz_is_answered_from_a_short_cache_and_takes_no_token_a_post_waits_for(standin, tmp_path):
    from bot import http

    clock = SteppedClock()
    live = LiveBot(standin, tmp_path, clock=clock, outbox_max_rate=10.0, outbox_burst=50)
    live.register()
    live.start()
    try:
        pings = lambda: len(standin.requests_to("GET", r"^/api/v4/system/ping$"))  # noqa: E731
        bucket = live.runtime.outbox.bucket
        _settle(live)
        before, tokens = pings(), bucket.tokens
        for _ in range(40):
            response = httpx.get(live.url + "/readyz", timeout=10)
            assert response.status_code == 200 and response.json()["ready"] is True
        assert pings() - before == 1
        assert bucket.tokens == tokens  # the ping was not counted against the posts' budget

        clock.seconds += http.READY_CACHE_SECONDS  # the cached answer is now too old
        tokens = bucket.tokens  # (the bucket refilled meanwhile: it counts on the same clock)

        async def many() -> list[int]:
            async with httpx.AsyncClient(timeout=10) as client:
                answers = await asyncio.gather(*(client.get(live.url + "/readyz") for _ in range(20)))
            return [a.status_code for a in answers]

        assert asyncio.run(many()) == [200] * 20
        assert pings() - before == 2  # twenty at once share one check
        assert bucket.tokens == tokens
    finally:
        live.stop()


# -- 3. commands per person per minute --------------------------------------------------------------


def test_commands_beyond_the_quota_are_refused_in_the_persons_language_and_nothing_runs(tmp_path):
    from tests.harness import BotHarness

    bot = BotHarness(tmp_path, commands_per_minute=3)
    try:
        seconds = [500.0]
        bot.runtime.dispatcher.quota.monotonic = lambda: seconds[0]
        for person in ("bernd.mueller", "james.miller"):
            for _ in range(3):
                assert bot.slash("/homeoffice hilfe", as_=person).startswith("#### /homeoffice")
        over = bot.slash("/homeoffice abwesend 24.11. Arzt", as_="bernd.mueller")
        assert over == "Zu viele Befehle in kurzer Zeit. Es wurde nichts ausgeführt. Bitte in einer Minute noch einmal versuchen."
        assert bot.slash("/homeoffice away 24.11.", as_="james.miller").startswith("Too many commands in a short time.")
        with bot.runtime.db.read() as session:
            assert session.exec(select(Absence)).all() == []
        assert bot.slash("/homeoffice hilfe", as_="anna.schmidt").startswith("#### /homeoffice")  # her own quota

        seconds[0] += 59.0
        assert bot.slash("/homeoffice hilfe", as_="bernd.mueller").startswith("Zu viele Befehle")
        seconds[0] += 1.0  # a minute after the first of the three
        assert "Arzt" in bot.slash("/homeoffice abwesend 24.11. Arzt", as_="bernd.mueller")
        with bot.runtime.db.read() as session:
            assert len(session.exec(select(Absence)).all()) == 1
    finally:
        bot.close()


def test_commands_per_minute_defaults_to_30_and_is_validated():
    from config.settings import ConfigError, Settings

    assert Settings.from_env({}, env_file=None).commands_per_minute == 30
    assert Settings.from_env({"COMMANDS_PER_MINUTE": "120"}, env_file=None).commands_per_minute == 120
    for raw in ("0", "-3", "viele", "2.5"):
        with pytest.raises(ConfigError) as info:
            Settings.from_env({"COMMANDS_PER_MINUTE": raw}, env_file=None)
        assert str(info.value).startswith("COMMANDS_PER_MINUTE") and "\n" not in str(info.value)
    assert "COMMANDS_PER_MINUTE=" in (ROOT / ".env.example").read_text()
    assert "`COMMANDS_PER_MINUTE`" in (ROOT / "README.md").read_text()


# -- 5. slow clients ----------------------------------------------------------------------------


def _connect(live: LiveBot) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=20)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Read until the server closes the connection (True) or 20 s pass without that (False)."""
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _wait_for_no_connections(live: LiveBot) -> None:
    assert live._server is not None
    deadline = time.monotonic() + 20
    while live._server.server_state.connections:
        assert time.monotonic() < deadline, "the server kept the connection"
        time.sleep(0.05)


@pytest.fixture
def guarded(standin, tmp_path):
    live_bot = LiveBot(standin, tmp_path, server_options={"header_timeout": 1.0})
    live_bot.register()
    live_bot.start()
    yield live_bot
    live_bot.stop()


def test_a_client_that_goes_away_mid_body_leaves_a_debug_line_and_no_traceback(guarded, caplog):
    caplog.set_level(logging.DEBUG, logger="amtsbote")
    for path in ("/mattermost/command", "/mattermost/action", "/mattermost/dialog"):
        caplog.clear()
        with _connect(guarded) as sock:
            sock.sendall(f"POST {path} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                         "Content-Length: 5000\r\n\r\n{\"user_id\": ".encode())
            time.sleep(0.2)  # the endpoint is reading the body
        _wait_for_no_connections(guarded)
        assert _problems(caplog.records) == [], path
        assert any("went away" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records), path
        assert httpx.get(guarded.url + "/healthz", timeout=10).json() == {"status": "ok"}


def test_a_body_that_does_not_arrive_in_time_gets_408(guarded, monkeypatch, caplog):
    from bot import http

    monkeypatch.setattr(http, "BODY_TIMEOUT", 0.5)
    with _connect(guarded) as sock:
        sock.sendall(b"POST /mattermost/action HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n{\"user_id\": ")
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            assert chunk, "closed without an answer"
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert _problems(caplog.records) == []


def test_many_half_open_connections_neither_stop_healthz_nor_stay_open(guarded):
    from bot.server import LIMIT_CONCURRENCY

    sockets = []
    try:
        for i in range(60):  # well below the connection limit; loopback only
            sock = _connect(guarded)
            if i % 3 == 0:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")  # a head that never ends
            elif i % 3 == 1:
                sock.sendall(b"POST /mattermost/comm")
            sockets.append(sock)  # and a third that says nothing at all
        assert len(sockets) < LIMIT_CONCURRENCY
        for _ in range(5):
            assert httpx.get(guarded.url + "/healthz", timeout=10).json() == {"status": "ok"}
        # The server closes every one of them after the head timeout (1 s here, 10 s in serve).
        assert all(_closed_by_server(sock) for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
    assert httpx.get(guarded.url + "/healthz", timeout=10).json() == {"status": "ok"}


def test_a_request_head_larger_than_the_cap_closes_the_connection(guarded):
    from bot.server import MAX_HEADER_BYTES

    with _connect(guarded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: bot\r\n")
        filler = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        try:
            for _ in range(MAX_HEADER_BYTES // len(filler) + 2):
                sock.sendall(filler)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert _closed_by_server(sock)
    assert httpx.get(guarded.url + "/healthz", timeout=10).json() == {"status": "ok"}


def test_serve_runs_uvicorn_with_a_connection_limit_and_timeouts():
    from bot.server import HEADER_TIMEOUT, LIMIT_CONCURRENCY, GuardedHTTPProtocol, uvicorn_config

    config = uvicorn_config(object(), "127.0.0.1", 8080)
    assert config.limit_concurrency == LIMIT_CONCURRENCY and config.timeout_keep_alive == 5
    assert config.http is GuardedHTTPProtocol and GuardedHTTPProtocol.header_timeout == HEADER_TIMEOUT
    assert "uvicorn_config(" in (ROOT / "bot" / "cli.py").read_text()


# -- 6. secrets at rest ---------------------------------------------------------------------------


def _file_bytes(db_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists())


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_is_private_and_holds_no_slash_token_in_plain_text(standin, tmp_path):
    db_path = tmp_path / "data" / "amtsbote.db"
    live = LiveBot(standin, tmp_path, database_url=f"sqlite:///{db_path}")
    live.register()
    live.start()
    try:
        assert live.slash("hilfe").status == 200  # the stored hash lets the real token in
        tokens = [c.token for c in standin.commands("stadtverwaltung")]
        assert len(tokens) == 5  # one per command, /dienst included
        assert _mode(db_path.parent) == 0o700
        for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            assert path.exists() and _mode(path) == 0o600, (path.name, oct(_mode(path)))
        content = _file_bytes(db_path)
        for token in tokens:
            assert token.encode() not in content
            assert hashlib.sha256(token.encode()).hexdigest().encode() in content
    finally:
        live.stop()


def test_the_migration_hashes_tokens_stored_in_plain_text_and_leaves_none_in_the_files(tmp_path):
    import sqlalchemy as sa
    from alembic import command

    from storage.db import create_db_engine
    from storage.migrate import alembic_config, upgrade

    db_path = tmp_path / "old.db"
    url = f"sqlite:///{db_path}"
    engine = create_db_engine(url)
    with engine.connect() as conn:
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.commit()
        token = "oldplaintexttoken0123456789"
        conn.execute(sa.text("INSERT INTO slash_command (team_id, \"trigger\", kind, token) "
                             "VALUES ('t', 'homeoffice', 'homeoffice', :token)"), {"token": token})
        conn.commit()
    engine.dispose()
    assert token.encode() in _file_bytes(db_path)

    upgrade(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM slash_command")).scalar_one()
    engine.dispose()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token.encode() not in _file_bytes(db_path)
    assert _mode(db_path) == 0o600


# -- 7. passwords are never echoed ------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"mysql://amtsbote:{PASSWORD}@db/amtsbote",
    f"postgresql://amtsbote:{PASSWORD}@db:fünf/amtsbote",
    f"postgresql://amtsbote:{PASSWORD}@db:99999/amtsbote",
    f"postgres://a:{PASSWORD}/x@db/amtsbote",
    f"sqlite://amtsbote:{PASSWORD}@/x",
    f"postgresql+psycopg://amtsbote:{PASSWORD}@db:port/amtsbote",
])
def test_a_malformed_database_url_is_named_without_its_password(url, tmp_path, monkeypatch):
    from config.settings import ConfigError, Settings
    from storage.db import create_db_engine

    monkeypatch.chdir(tmp_path)  # a relative SQLite path would land here
    try:
        settings = Settings.from_env({"DATABASE_URL": url}, env_file=None)
    except ConfigError as e:
        assert str(e).startswith("DATABASE_URL") and PASSWORD not in str(e), str(e)
        return
    with pytest.raises(Exception) as info:  # noqa: B017 - whichever error, it must not quote the password
        create_db_engine(settings.database_url)
    assert PASSWORD not in str(info.value) and PASSWORD not in repr(info.value)


@pytest.mark.parametrize("url", [
    f"postgresql://amtsbote:{PASSWORD}@db:port/amtsbote",  # stopped by the settings
    f"postgresql://amtsbote:{PASSWORD}@127.0.0.1:1/amtsbote",  # nobody listens there
])
def test_the_command_line_never_prints_the_database_password(tmp_path, url):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert PASSWORD not in out.stdout + out.stderr, out.stderr[-2000:]
    assert "amtsbote: " in out.stderr and "Traceback" not in out.stderr.split("amtsbote: ")[-1], out.stderr[-500:]


# -- 8. response_url --------------------------------------------------------------------------------


def test_only_a_command_hook_of_our_mattermost_is_followed(standin):
    from base.chat import PermanentError
    from bot.mattermost import RestMattermost
    from tests.live import seed_world

    world = seed_world(standin)
    command = standin.add_command(world["team"], "probe", "http://127.0.0.1:9/x", creator=world["bot"])
    hook = standin.new_command_hook(command, user_id=world["users"]["anna.schmidt"].id,
                                    channel_id=world["channel"].id)
    base = standin.url
    host, port = base.removeprefix("http://").split(":")
    bad = [
        f"{base}/hooks/commands/../../api/v4/users/me",
        f"{base}/hooks/commands/%2e%2e/%2e%2e/api/v4/users/me",
        f"{base}/hooks/commands/{hook.id}/../../../api/v4/users/me",
        f"{base}/hooks/commands/{hook.id}?x=1",
        f"{base}/hooks/commands/{hook.id}#x",
        f"{base}/hooks/commands/{hook.id.upper()}",
        f"{base}/hooks/commands/",
        f"{base}/hooks/commandsx/{hook.id}",
        f"https://{host}:{port}/hooks/commands/{hook.id}",
        f"http://{host}:{int(port) + 1}/hooks/commands/{hook.id}",
        f"http://localhost:{port}/hooks/commands/{hook.id}",
        f"http://user:pw@{host}:{port}/hooks/commands/{hook.id}",
        f"http://{host}:{port}.evil.example/hooks/commands/{hook.id}",
        f"{base}/hooks/commands/{hook.id}\n",
        f"{base}//hooks/commands/{hook.id}",
    ]

    async def run() -> list[str]:
        mm = RestMattermost(base, world["token"])
        refused = []
        try:
            for url in bad:
                with pytest.raises(PermanentError):
                    await mm.post_response_url(url, {"text": "x"})
                refused.append(url)
            before = len(standin.requests)
            await mm.post_response_url(f"{base}/hooks/commands/{hook.id}", {"text": "Antwort", "response_type": "ephemeral"})
            assert len(standin.requests) == before + 1
        finally:
            await mm.close()
        return refused

    before = len(standin.requests)
    assert len(asyncio.run(run())) == len(bad)
    assert [r.path for r in standin.requests[before:]] == [f"/hooks/commands/{hook.id}"]


# -- 9. a button's context is no dialog's state ------------------------------------------------------


def test_a_button_context_is_refused_as_a_dialog_state_and_the_other_way_round(live):
    from base.i18n import LocalizedError

    signer = live.runtime.services.signer
    anna = live.world["users"]["anna.schmidt"]
    now = live.runtime.clock.now()
    button = signer.sign("homeoffice.setup", {"c": live.world["channel"].id}, expires=now + timedelta(hours=1),
                         user_id=anna.id)
    state = signer.sign_state("homeoffice.forget", {"ok": True}, expires=now + timedelta(hours=1), user_id=anna.id)
    assert signer.verify(button, now=now, user_id=anna.id)[0] == "homeoffice.setup"
    assert signer.verify_state(state, now=now, user_id=anna.id)[0] == "homeoffice.forget"
    with pytest.raises(LocalizedError):
        signer.verify_state(json.dumps(button), now=now, user_id=anna.id)
    with pytest.raises(LocalizedError):
        signer.verify(json.loads(state), now=now, user_id=anna.id)

    body = {"user_id": anna.id, "channel_id": live.world["channel"].id, "team_id": live.world["team"].id}
    as_dialog = httpx.post(live.url + "/mattermost/dialog", timeout=10, json={
        **body, "state": json.dumps(button), "submission": {"groups": "A,B", "pattern": "woche",
                                                            "start": "24.11.2026"}}).json()
    as_button = httpx.post(live.url + "/mattermost/action", timeout=10,
                           json={**body, "post_id": "p" * 26, "context": json.loads(state)}).json()
    assert "ungültig" in as_dialog["error"] and "ungültig" in as_button["ephemeral_text"]
    assert live.drain(timeout=10) and live.channel_posts() == []
    from storage.models import Rotation

    with live.runtime.db.read() as session:
        assert session.exec(select(Rotation)).first() is None


# -- 10. erased rows are gone from the files ------------------------------------------------------


def test_after_a_delete_and_a_checkpoint_the_row_is_in_neither_the_database_nor_the_wal(tmp_path):
    import sqlalchemy as sa

    from storage.db import Database
    from storage.migrate import upgrade

    db_path = tmp_path / "erase.db"
    url = f"sqlite:///{db_path}"
    upgrade(url)
    db = Database(url)
    secret = "Kur-Aufenthalt-Vertraulich-8841"
    try:
        with db.write() as session:
            for day in range(1, 29):
                session.add(Absence(user_id="u" * 26, day=date(2026, 2, day), note=f"{secret} {day}", set_by="u" * 26))
        assert db.checkpoint()  # the rows are in the database file now, as after any long run
        assert secret.encode() in _file_bytes(db_path)
        with db.write() as session:
            session.execute(sa.delete(Absence).where(Absence.user_id == "u" * 26))
        assert db.checkpoint()
        assert secret.encode() not in db_path.read_bytes()
        wal = Path(f"{db_path}-wal")
        assert not wal.exists() or secret.encode() not in wal.read_bytes()
        with db.read() as session:
            assert session.exec(select(Absence)).all() == []
    finally:
        db.dispose()
