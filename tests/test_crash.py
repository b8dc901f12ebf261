"""Crash safety: SIGKILL the serving process and the morning fan-out at random points.

Fifty times: start `amtsbote serve` and `amtsbote post-rosters`, fire slash commands at
the endpoint (one-off changes, and meetings whose reminder is due at once), kill both
with SIGKILL after a random moment. Each new `serve` ticks at start, so reminders are
claimed, queued and delivered while the kills go on. Then: every command that got a 200
is in the database, SQLite's integrity check passes, every channel has exactly one
roster, every stored meeting exactly one announcement and exactly one reminder (in its
channel, or one DM to each person for a meeting with named participants), and no
outbox key was ever posted twice.
"""

from __future__ import annotations

import ctypes
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from storage.db import Database
from storage.meeting_models import Meeting, ReminderLedger
from storage.models import OutboxItem, PresenceChange
from tests import scan
from tests.harness import BERLIN
from tests.live import ROOT, TUESDAY, LiveBot, env_for, free_port, make_world, seed_rotations

KILLS = int(os.environ.get("AMTSBOTE_CRASH_KILLS", "50"))
DAYS = [f"{d:02d}.03.2030" for d in (11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29)]
# A meeting typed during the run starts this much later; its reminder is due at once and stays due
# until the run is over, so a reminder that is not there at the end was lost, not skipped.
MEETING_EVERY = 4  # one meeting every few rounds: enough claims at random points, little extra load
MEETING_AHEAD = timedelta(minutes=40)
MEETING_REMIND = "erinnerung 60m"
INVITED = ("bernd.mueller", "claudia.weber")


_SPAWNED: list[subprocess.Popen] = []


def _die_with_parent() -> None:
    """In the child: be killed when the test process ends, however it ends (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@pytest.fixture(autouse=True)
def _no_process_outlives_the_test():
    yield
    while _SPAWNED:
        proc = _SPAWNED.pop()
        if proc.poll() is None:  # the test failed or timed out while it ran
            proc.kill()
            proc.wait(20)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    # The log goes to a file, not a pipe: a process that logs more than a pipe holds must not block.
    log_file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=log_file, text=True, preexec_fn=_die_with_parent)
    proc.log_file = log_file  # type: ignore[attr-defined]
    _SPAWNED.append(proc)
    return proc


def _log_of(proc: subprocess.Popen) -> str:
    """The process's log output (once it has ended); it joins the suite-wide log scan."""
    log_file = proc.log_file  # type: ignore[attr-defined]
    log_file.seek(0)
    text = log_file.read()
    log_file.close()
    scan.add_log_text(text)
    proc.log_file_text = text  # type: ignore[attr-defined]
    return text


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(20)
    _log_of(proc)


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    # One client for all polls: a new one per poll loads the CA bundle each time, and on a busy
    # machine that starves the stand-in's thread the starting bot is talking to.
    with httpx.Client(timeout=0.5) as client:
        while time.monotonic() < deadline:
            assert proc.poll() is None, "serve exited"
            try:
                if client.get(url + "/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(20)
    raise AssertionError("serve did not come up:\n" + "\n".join(_log_of(proc).splitlines()[-20:]))


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

    organizer = world["users"]["anna.schmidt"]
    channel_names = [standin.channel(cid).name for cid in world["channel_ids"]]
    meetings_acknowledged: list[int] = []

    def schedule(k: int) -> None:
        when = (datetime.now(BERLIN) + MEETING_AHEAD).strftime("%d.%m.%Y %H:%M")
        people = " " + " ".join("@" + name for name in INVITED) if k % (3 * MEETING_EVERY) == MEETING_EVERY else ""
        text = f'neu "Runde {k}" {when} {MEETING_REMIND}{people}'
        try:
            result = standin.slash(bot_url, user=organizer, channel=channel_names[k // MEETING_EVERY % len(channel_names)],
                                   command="/meeting", text=text)
        except Exception:
            return
        found = re.search(r"geplant \(ID (\d+)\)", result.text or "") if result.status == 200 else None
        if found:
            with lock:
                meetings_acknowledged.append(int(found.group(1)))

    for k in range(KILLS):
        serve = _spawn(["serve"], env)
        _wait_healthy(bot_url, serve)
        fanout = _spawn(["post-rosters", "--date", TUESDAY, "--timeout", "20"], env)
        batch, pairs = pairs[:6], pairs[6:] + pairs[:6]
        threads = [threading.Thread(target=fire, args=(batch[i::3],)) for i in range(3)]
        if k % MEETING_EVERY == 0:
            threads.append(threading.Thread(target=schedule, args=(k,)))
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.0, 0.5))
        _kill(serve)
        if rng.random() < 0.8:
            _kill(fanout)
        else:
            try:
                fanout.wait(30)
            except subprocess.TimeoutExpired:
                _kill(fanout)
                raise AssertionError("post-rosters --timeout 20 did not end:\n"
                                     + "\n".join(fanout.log_file_text.splitlines()[-30:])) from None
            _kill(fanout)
        for t in threads:
            t.join(30)

    recovery_started = datetime.now(UTC)
    # Recovery: one clean run of each; leases of killed deliveries run out after 30 s.
    serve = _spawn(["serve"], env)
    _wait_healthy(bot_url, serve)
    final = _spawn(["post-rosters", "--date", TUESDAY, "--timeout", "90"], env)
    assert final.wait(120) == 0, _log_of(final)[-3000:]
    _log_of(final)
    _wait_for_reminders(url, serve)  # serve's first tick claims what is left, its outbox delivers it
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
    dm_channels = [standin.dms_for(world["users"][name]) for name in ("anna.schmidt", *INVITED)]
    for posts in [standin.posts_in(cid) for cid in world["channel_ids"]] + dm_channels:
        for post in posts:
            key = (post.props or {}).get("amtsbote_key")
            if key:
                keys[key] += 1
    assert [k for k, n in keys.items() if n > 1] == []
    for cid in world["channel_ids"]:
        assert keys[f"roster:{cid}:{TUESDAY}"] == 1

    # Meetings: every acknowledged one is stored; every stored one was announced once and reminded once.
    db = Database(url)
    with db.read() as session:
        meetings = session.query(Meeting).all()
        ledger = session.query(ReminderLedger).all()
    db.dispose()
    assert len(meetings_acknowledged) >= KILLS // MEETING_EVERY // 4  # the test did exercise the meeting path
    assert set(meetings_acknowledged) <= {m.id for m in meetings}
    assert sorted(row.meeting_id for row in ledger) == sorted(m.id for m in meetings)
    # most reminders were claimed while the kills went on, not only by the recovery run
    assert sum(row.claimed_at < recovery_started for row in ledger) >= len(ledger) // 2
    missing = []
    for meeting in meetings:
        assert keys[f"meeting:{meeting.id}:announce"] == 1, meeting.id
        key = f"meeting:{meeting.id}:remind:{int(meeting.starts_at.timestamp())}"
        if meeting.audience == "people":
            wanted = [f"{key}:{world['users'][name].id}" for name in ("anna.schmidt", *INVITED)]
        else:
            wanted = [key]
        missing += [k for k in wanted if keys[k] != 1]
    assert missing == []


def _wait_for_reminders(url: str, serve: subprocess.Popen, timeout: float = 90) -> None:
    """Until every stored meeting's reminder is claimed and the outbox has nothing left to send."""
    db = Database(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert serve.poll() is None, "serve exited"
            with db.read() as session:
                unclaimed = session.execute(sa.select(sa.func.count()).select_from(Meeting).where(
                    ~sa.exists().where(ReminderLedger.meeting_id == Meeting.id))).scalar_one()
                pending = session.execute(sa.select(sa.func.count()).select_from(OutboxItem).where(
                    OutboxItem.status == "pending")).scalar_one()
            if unclaimed == 0 and pending == 0:
                return
            time.sleep(0.2)
    finally:
        db.dispose()
    raise AssertionError(f"reminders not done: {unclaimed} unclaimed, {pending} pending")
