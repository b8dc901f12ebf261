"""The morning roster against the Mattermost stand-in: separate bot processes, PostgreSQL, kills."""

from __future__ import annotations

import signal
import time

import sqlalchemy as sa

from storage.db import Database
from storage.models import OutboxItem
from tests.live import (
    env_for,
    finish,
    make_world,
    post_rosters,
    roster_posts,
    seed_rotations,
)


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
