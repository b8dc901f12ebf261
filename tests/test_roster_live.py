"""The morning roster against the Mattermost stand-in: separate bot processes, PostgreSQL, kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxItem, Rotation, RotationMember
from tests import scan
from tests.harness import TEST_SECRET
from tests.live import postgres_url, seed_world

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
               BOT_SECRET=TEST_SECRET, BOT_PUBLIC_URL="http://127.0.0.1:9", LOG_LEVEL="INFO",
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


@pytest.fixture
def pg_url():
    base = postgres_url()
    if base is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required in CI (TEST_DATABASE_URL or 127.0.0.1:5432)")
        pytest.skip("no PostgreSQL server: set TEST_DATABASE_URL to run the several-replica tests")
    name = "amtsbote_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def test_post_rosters_twice_gives_one_post_per_channel(standin, tmp_path):
    world = make_world(standin)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    for _ in range(2):
        proc = post_rosters(env_for(standin, world, url))
        out, err = finish(proc)
        assert proc.returncode == 0, err
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)
    assert "rosters queued: 0" in out  # the second run found the ledger rows


def test_two_processes_on_one_postgres_started_together_post_once_per_channel(standin, pg_url):
    world = make_world(standin, channels=6)
    seed_rotations(pg_url, world)
    env = env_for(standin, world, pg_url)
    procs = [post_rosters(env) for _ in range(2)]
    results = [finish(p, 90) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)
    queued = sorted(int(out.split("rosters queued: ")[1].split(";")[0]) for out, _ in results)
    assert sum(queued) == 6


def test_killed_after_mattermost_accepted_the_post_gives_no_second_post(standin, tmp_path):
    world = make_world(standin, channels=1)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", lose_response=True, times=1)
    proc = post_rosters(env_for(standin, world, url))
    deadline = time.monotonic() + 30
    while not roster_posts(standin, world)[world["channel_ids"][0]]:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # accepted by Mattermost, answer not yet received nor recorded
    proc.wait(10)
    db = Database(url)
    with db.write() as session:  # the dead process's delivery lease runs out (as 30 s of waiting would)
        session.execute(sa.update(OutboxItem).values(claimed_until=None))
        row = session.execute(sa.select(OutboxItem.unsure, OutboxItem.status)).one()
    db.dispose()
    assert tuple(row) == (True, "pending")
    # Past Mattermost's 30-second pending_post_id window: only our own look-up by outbox key
    # (the post carries it in props.amtsbote_key) can now keep the second attempt from posting.
    standin.advance(31)
    again = post_rosters(env_for(standin, world, url))
    out, err = finish(again)
    assert again.returncode == 0, err
    assert roster_posts(standin, world) == {world["channel_ids"][0]: 1}
