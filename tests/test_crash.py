"""Crash safety: SIGKILL the serving process and the morning fan-out at random points.

Fifty times: start `amtsbote serve` and `amtsbote post-rosters`, fire slash commands at
the endpoint, kill both with SIGKILL after a random moment. Then: every command that
got a 200 is in the database, SQLite's integrity check passes, and every channel has
exactly one roster (no outbox key was ever posted twice).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

import httpx

from storage.db import Database
from storage.models import PresenceChange
from tests import scan
from tests.live import LiveBot, free_port
from tests.test_roster_live import ROOT, TUESDAY, env_for, make_world, seed_rotations

KILLS = int(os.environ.get("AMTSBOTE_CRASH_KILLS", "50"))
DAYS = [f"{d:02d}.03.2030" for d in (11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29)]


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=20)
    scan.add_log_text(err or "")


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve exited"
        try:
            if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("serve did not come up")


def test_sigkill_at_random_points_loses_nothing_and_posts_nothing_twice(standin, tmp_path):
    rng = random.Random(20261124)
    world = make_world(standin, channels=12)
    db_path = tmp_path / "crash.db"
    url = f"sqlite:///{db_path}"
    seed_rotations(url, world)
    port = free_port()
    bot_url = f"http://127.0.0.1:{port}"
    live = LiveBot(standin, tmp_path, database_url=url, world=world)
    live.settings = live.settings.replace(bot_public_url=bot_url)
    live.register()
    env = env_for(standin, world, url) | {"BOT_LISTEN": f"127.0.0.1:{port}", "BOT_PUBLIC_URL": bot_url}
    users = list(world["users"].values())
    pairs = [(u, d) for u in users for d in DAYS]
    rng.shuffle(pairs)
    acknowledged: list[tuple[str, str]] = []
    lock = threading.Lock()

    def fire(batch: list) -> None:
        for user, day in batch:
            try:
                result = standin.slash(bot_url, user=user, channel="jugendamt-asd", command="/homeoffice",
                                       text=f"büro {day}")
            except Exception:
                continue
            if result.status == 200 and "Büro am" in (result.text or ""):
                with lock:
                    acknowledged.append((user.id, day))

    for _ in range(KILLS):
        serve = _spawn(["serve"], env)
        _wait_healthy(bot_url, serve)
        fanout = _spawn(["post-rosters", "--date", TUESDAY, "--timeout", "20"], env)
        batch, pairs = pairs[:6], pairs[6:] + pairs[:6]
        threads = [threading.Thread(target=fire, args=(batch[i::3],)) for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.0, 0.5))
        _kill(serve)
        if rng.random() < 0.8:
            _kill(fanout)
        else:
            fanout.wait(30)
            _kill(fanout)
        for t in threads:
            t.join(30)

    # Recovery: one clean run of each; leases of killed deliveries run out after 30 s.
    serve = _spawn(["serve"], env)
    _wait_healthy(bot_url, serve)
    final = _spawn(["post-rosters", "--date", TUESDAY, "--timeout", "90"], env)
    assert final.wait(120) == 0
    _, err = final.communicate()
    scan.add_log_text(err)
    _kill(serve)

    assert len(acknowledged) > KILLS  # the test did exercise the write path
    db = Database(url)
    with db.read() as session:
        stored = {(c.user_id, c.day.strftime("%d.%m.%Y")) for c in session.query(PresenceChange).all()}
    db.dispose()
    missing = [pair for pair in acknowledged if pair not in stored]
    assert missing == []

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    keys = Counter()
    for cid in world["channel_ids"]:
        for post in standin.posts_in(cid):
            key = (post.props or {}).get("amtsbote_key")
            if key:
                keys[key] += 1
    assert [k for k, n in keys.items() if n > 1] == []
    for cid in world["channel_ids"]:
        assert keys[f"roster:{cid}:{TUESDAY}"] == 1
