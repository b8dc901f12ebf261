"""`amtsbote check` as a city's IT admin runs it on the first day (issue: the first day, point 10):
every problem on a line of its own, each database failure named for what it is, no file created,
a Mattermost under a subpath kept, nothing stray on stderr."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys

import httpx
import pytest

from bot.mattermost import RestMattermost
from tests.live import ROOT, env_for, finish, seed_world
from tests.standin import MattermostStandin


def _check(env: dict[str, str]) -> tuple[int, list[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "check"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = finish(proc)
    return proc.returncode, out.splitlines(), err


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def world(standin: MattermostStandin):
    return seed_world(standin)


@pytest.fixture
def migrated(tmp_path) -> str:
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    return url


def test_every_configuration_problem_is_printed_on_a_line_of_its_own(standin, world, migrated):
    env = env_for(standin, world, migrated) | {"ROSTER_TIME": "25:00", "BOT_LOCALE": "fr", "RETENTION_DAYS": "-1"}
    del env["BOT_SECRET"]
    code, lines, err = _check(env)
    assert code == 1
    problems = [line for line in lines if line.startswith("problem:")]
    for name in ("ROSTER_TIME", "BOT_LOCALE", "RETENTION_DAYS", "BOT_SECRET"):
        assert sum(name in line for line in problems) == 1, (name, lines)
    assert "Traceback" not in err


def test_a_refused_database_port_is_named_as_such(standin, world):
    port = _closed_port()
    env = env_for(standin, world, f"postgresql://amtsbote:geheim123@127.0.0.1:{port}/amtsbote")
    code, lines, err = _check(env)
    assert code == 1
    (line,) = [line for line in lines if "DATABASE_URL" in line]
    assert "refused" in line and f"127.0.0.1:{port}" in line and "db upgrade" not in line
    assert "geheim123" not in "\n".join(lines) + err


def test_a_missing_sqlite_file_is_named_and_not_created(standin, world, tmp_path):
    path = tmp_path / "data" / "amtsbote.db"
    code, lines, err = _check(env_for(standin, world, f"sqlite:///{path}"))
    assert code == 1
    (line,) = [line for line in lines if "DATABASE_URL" in line]
    assert str(path) in line and "does not exist" in line
    assert not path.exists() and not path.parent.exists()


def test_an_unmigrated_database_says_to_run_db_upgrade(standin, world, tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # a file without the schema
    code, lines, err = _check(env_for(standin, world, f"sqlite:///{path}"))
    assert code == 1
    (line,) = [line for line in lines if "DATABASE_URL" in line]
    assert "no tables" in line and "amtsbote db upgrade" in line


def test_a_wrong_token_is_one_line_and_nothing_stray_on_stderr(standin, world, migrated):
    env = env_for(standin, world, migrated) | {"MATTERMOST_TOKEN": "wrongtoken0123456789abcdef"}
    code, lines, err = _check(env)
    assert code == 1
    assert any("MATTERMOST_TOKEN" in line and "401" in line for line in lines), lines
    assert "Invalid or expired session" not in err, err


def test_a_good_setup_is_ok(standin, world, migrated):
    from bot.register import register
    from config.settings import Settings

    env = env_for(standin, world, migrated)
    import asyncio

    asyncio.run(register(Settings(mattermost_url=standin.url, mattermost_token=world["token"],
                                  bot_public_url="http://127.0.0.1:9", database_url=migrated)))
    code, lines, err = _check(env)
    assert code == 0, lines
    assert lines[-1].startswith("ok:")


async def _paths_of(url: str) -> list[str]:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/users/me"):
            return httpx.Response(200, json={"id": "b" * 26, "username": "amtsbote", "is_bot": True})
        if request.url.path.endswith("/teams"):
            return httpx.Response(200, json=[{"id": "t" * 26, "name": "stadt"}])
        if request.url.path.endswith("/posts"):
            return httpx.Response(201, json={"id": "p" * 26})
        return httpx.Response(200, json=[])

    mm = RestMattermost(url, "token0123456789", transport=httpx.MockTransport(answer))
    try:
        await mm.me()
        await mm.bot_teams()
        await mm.team_commands("t" * 26)
        await mm.create_post(channel_id="c" * 26, message="x", props=None, pending_post_id="x")
        await mm.ping()
    finally:
        await mm.close()
    return seen


def test_a_mattermost_under_a_subpath_keeps_its_path_in_every_request():
    import asyncio

    paths = asyncio.run(_paths_of("https://intranet.example.org/mattermost/"))
    assert paths and all(p.startswith("/mattermost/api/v4/") for p in paths), paths
    mm = RestMattermost("https://intranet.example.org/mattermost", "token0123456789")
    assert mm.websocket_url() == "wss://intranet.example.org:443/mattermost/api/v4/websocket"
    asyncio.run(mm.close())
