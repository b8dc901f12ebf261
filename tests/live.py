"""The real bot, served over loopback, talking to the Mattermost stand-in.

`LiveBot` runs `Runtime` (real HTTP endpoint under uvicorn, real mattermostautodriver
client, outbox, scheduler) in a thread of its own. The demo world in the stand-in:
team "stadtverwaltung", channel "jugendamt-asd", a lead (channel admin) and staff.
The slash commands are registered the real way (`amtsbote register` against the
stand-in), so the bot holds the tokens the stand-in issued.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from base.clock import Clock, ManualClock
from bot.register import register
from bot.runtime import Runtime
from bot.server import uvicorn_config
from config.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Rotation, RotationMember
from tests import scan
from tests.harness import TEST_SECRET
from tests.standin import MattermostStandin

STAFF = [
    ("anna.schmidt", "Anna", "Schmidt", "de"),
    ("bernd.mueller", "Bernd", "Müller", "de"),
    ("claudia.weber", "Claudia", "Weber", "de"),
    ("dieter.fischer", "Dieter", "Fischer", "de"),
    ("elif.yilmaz", "Elif", "Yılmaz", "de"),
    ("frank.hoffmann", "Frank", "Hoffmann", "de"),
    ("james.miller", "James", "Miller", "en"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_world(standin: MattermostStandin, *, channel_display_name: str = "Jugendamt – ASD Team 3") -> dict[str, Any]:
    team = standin.add_team("stadtverwaltung", "Stadtverwaltung")
    bot_user, token = standin.add_bot("amtsbote", roles="system_user system_post_all")
    standin.add_team_member(team, bot_user, admin=True)  # may manage slash commands
    channel = standin.add_channel(team, "jugendamt-asd", channel_display_name)
    standin.add_member(channel, bot_user)
    users = {}
    for username, first, last, locale in STAFF:
        user = standin.add_user(username, first_name=first, last_name=last, locale=locale)
        standin.add_member(channel, user, admin=(username == "anna.schmidt"))
        users[username] = user
    return {"team": team, "bot": bot_user, "token": token, "channel": channel, "users": users}


class LiveBot:
    def __init__(self, standin: MattermostStandin, tmp_path: Path, *, database_url: str | None = None,
                 clock: Clock | None = None, world: dict[str, Any] | None = None,
                 server_options: dict[str, Any] | None = None, **settings: Any) -> None:
        self.standin = standin
        self.world = world or seed_world(standin)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or f"sqlite:///{tmp_path / 'live.db'}"
        upgrade(self.database_url)
        self.settings = Settings(
            mattermost_url=standin.url, mattermost_token=self.world["token"], bot_public_url=self.url,
            bot_listen=("127.0.0.1", self.port), database_url=self.database_url, bot_secret=TEST_SECRET,
            outbox_max_rate=1000.0, outbox_burst=1000, commands_per_minute=100_000, jitsi_url="https://meet.jit.si",
        ).replace(**settings)
        self.clock = clock
        self._read_dms: set[str] = set()
        self.server_options = server_options or {}  # e.g. header_timeout for the slow-client tests
        self.runtime: Runtime | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def register(self) -> list[str]:
        return asyncio.run(register(self.settings))

    def start(self) -> LiveBot:
        runtime = Runtime(self.settings, clock=self.clock, tick_seconds=3600)
        self.runtime = runtime
        # The settings `amtsbote serve` uses (connection limit, head and keep-alive timeouts).
        config = uvicorn_config(runtime.app(), "127.0.0.1", self.port, lifespan="on", timeout_graceful_shutdown=2,
                                **self.server_options)
        server = uvicorn.Server(config)
        self._server = server

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            loop.run_until_complete(server.serve())
            loop.close()

        self._thread = threading.Thread(target=serve, name="amtsbote-live", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the bot did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(20)
        self._server = self._thread = self._loop = None
        if self.runtime is not None:
            self.runtime.db.dispose()

    def restart(self) -> None:
        self.stop()
        self.start()

    def call(self, coro_fn: Any, *args: Any, timeout: float = 30, **kwargs: Any) -> Any:
        """Run a coroutine function on the bot's own loop (e.g. a scheduler tick)."""
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro_fn(*args, **kwargs), self._loop)
        return future.result(timeout)

    def tick(self) -> None:
        assert self.runtime is not None
        self.call(self.runtime.tick)

    def drain(self, timeout: float = 30) -> bool:
        """Wait until the outbox is empty. With a manual clock, retries wait for simulated time:
        the clock is moved on a minute at a time while something is still owed."""
        assert self.runtime is not None
        drain = self.runtime.outbox.drain
        if not isinstance(self.clock, ManualClock):
            return self.call(lambda: drain(timeout=timeout), timeout=timeout + 10)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.call(lambda: drain(timeout=2), timeout=15):
                return True
            self.clock.advance(timedelta(minutes=1))
        return False

    # -- acting as Mattermost ------------------------------------------------------------------

    def slash(self, text: str, *, user: str = "anna.schmidt", channel: str = "jugendamt-asd",
              command: str = "/homeoffice", token: str | None = None) -> Any:
        return self.standin.slash(self.url, user=self.world["users"].get(user, user), channel=channel,
                                  command=command, text=text, token=token)

    def answer(self, text: str, *, user: str = "anna.schmidt", **kwargs: Any) -> str:
        """A slash command's answer, however it came: at once, or - on a busy machine - after
        "one moment" through `response_url` (bounded wait, no assumption about speed)."""
        person = self.world["users"].get(user, user)
        before = {p.id for p in self.standin.ephemerals_for(person)}
        reply = self.slash(text, user=user, **kwargs)
        if not reply.text.startswith("⏳"):
            return str(reply.text)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            later = [p for p in self.standin.ephemerals_for(person) if p.id not in before and not p.message.startswith("⏳")]
            if later:
                return str(later[-1].message)
            time.sleep(0.05)
        raise AssertionError(f"no answer to {text!r} within 60 s")

    def channel_posts(self, channel: str = "jugendamt-asd") -> list[Any]:
        return self.standin.posts_in(self.standin.channel(channel))

    def dms(self, username: str) -> list[Any]:
        """The bot's DMs to the person since `mark_dms_read` (all of them if it was never called)."""
        return [p for p in self.standin.dms_for(self.world["users"][username]) if p.id not in self._read_dms]

    def mark_dms_read(self) -> None:
        """What was delivered so far counts as read: a test's set-up stays out of what it then checks."""
        self.drain()
        self._read_dms = {p.id for user in self.world["users"].values() for p in self.standin.dms_for(user)}


def postgres_url() -> str | None:
    """TEST_DATABASE_URL, or the local server if it answers; None if there is none."""
    url = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3):
            return url
    except Exception:
        return None


def manual_clock(spec: str) -> ManualClock:
    from tests.harness import berlin

    return ManualClock(berlin(spec))


__all__ = ["LiveBot", "datetime", "manual_clock", "postgres_url", "seed_world"]


# -- the morning roster as its own process (`amtsbote post-rosters`), as cron runs it ----------


ROOT = Path(__file__).resolve().parents[1]


TUESDAY = "2026-11-24"


def make_world(standin, channels: int = 3):
    world = seed_world(standin)
    team, bot_user = world["team"], world["bot"]
    names = ["jugendamt-asd"] + [f"team-{i}" for i in range(1, channels)]
    ids = [world["channel"].id]
    for name in names[1:]:
        channel = standin.add_channel(team, name, name.replace("-", " ").title())
        standin.add_member(channel, bot_user)
        for user in world["users"].values():
            standin.add_member(channel, user)
        ids.append(channel.id)
    world["channel_ids"] = ids
    return world


def seed_rotations(url: str, world) -> None:
    upgrade(url)
    db = Database(url)
    created = datetime(2026, 11, 1, tzinfo=UTC)
    with db.write() as session:
        for cid in world["channel_ids"]:
            session.add(Rotation(channel_id=cid, team_id=world["team"].id, groups="A,B", pattern="weekly",
                                 start=date(2026, 11, 23), region="DE", created_by=world["users"]["anna.schmidt"].id,
                                 created_at=created))
            for i, user in enumerate(world["users"].values()):
                session.add(RotationMember(channel_id=cid, user_id=user.id, group="AB"[i % 2]))
    db.dispose()


def env_for(standin, world, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATTERMOST_", "BOT_", "DATABASE_"))}
    env.update(MATTERMOST_URL=standin.url, MATTERMOST_TOKEN=world["token"], DATABASE_URL=url,
               BOT_SECRET=TEST_SECRET, BOT_PUBLIC_URL="http://127.0.0.1:9", LOG_LEVEL="INFO", JITSI_URL="https://meet.example.org",
               OUTBOX_MAX_RATE="1000", OUTBOX_BURST="1000", PYTHONPATH=str(ROOT))
    return env


def post_rosters(env, *extra: str, day: str = TUESDAY) -> subprocess.Popen:
    """`amtsbote post-rosters --date DAY` as its own process, as cron would run it."""
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "post-rosters", "--date", day, *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    """Wait for a bot subprocess; its log output (stderr) joins the suite-wide log scan."""
    out, err = proc.communicate(timeout=timeout)
    scan.add_log_text(err)
    return out, err


def roster_posts(standin, world) -> dict[str, int]:
    counts = {}
    for cid in world["channel_ids"]:
        counts[cid] = sum(1 for p in standin.posts_in(cid) if (p.props or {}).get("amtsbote_key", "").startswith("roster:"))
    return counts
