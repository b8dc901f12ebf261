"""Shared plumbing for the benchmarks: processes, readiness, seeding in bulk, statistics, tables.

Every measured server runs in a process of its own, started the way operators start it
(`python -m bot.cli serve`, i.e. `amtsbote serve`), with its settings in the environment and a
working directory of its own so that no stray `.env` leaks in. On a machine with two or more
cores the server is pinned to one core and the load generator to another, so the two do not
take turns on the same core and the figures are steadier.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "benchmark-secret-0123456789abcdef0123456789abcdef"
WORKDIR = Path(tempfile.mkdtemp(prefix="amtsbote-bench-"))

CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
SERVER_CPU = CPUS[0] if len(CPUS) >= 2 else None  # the measured server
CLIENT_CPU = CPUS[1] if len(CPUS) >= 2 else None  # the load generator (and this process)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def spawn(args: Sequence[str], *, env: dict[str, str] | None = None, cpu: int | None = None,
          stdin: Any = None, stdout: Any = None) -> subprocess.Popen[str]:
    """Start `python <args>` from the project, in a directory of its own, optionally pinned to a core."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, *args], cwd=WORKDIR, env=full_env, text=True, stdin=stdin,
                            stdout=stdout, preexec_fn=(lambda: pin(cpu)) if cpu is not None else None)


def bot_env(*, standin_url: str, token: str, port: int, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like `amtsbote serve` against the stand-in."""
    return {"MATTERMOST_URL": standin_url, "MATTERMOST_TOKEN": token, "BOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "BOT_LISTEN": f"127.0.0.1:{port}", "DATABASE_URL": database_url, "BOT_SECRET": SECRET,
            "LOG_LEVEL": "WARNING", **extra}


def wait_ready(url: str, proc: subprocess.Popen[str], *, path: str = "/readyz", timeout: float = 60.0) -> float:
    """Poll until `url + path` answers 200; seconds waited. Raises if the process died or it took too long."""
    started = time.perf_counter()
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode} before it was ready")
            try:
                if client.get(url + path).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise RuntimeError(f"{url}{path} not ready after {timeout:.0f} s")


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """VmHWM (peak resident set) and VmRSS of a process, in MB (Linux /proc)."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- statistics and tables --------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


# -- the world, seeded in bulk -------------------------------------------------------------------------

FIRST = ["Anna", "Bernd", "Claudia", "Dieter", "Elif", "Frank", "Gül", "Heike", "Ivan", "Jana", "Kai", "Lena"]
LAST = ["Schmidt", "Müller", "Weber", "Fischer", "Yılmaz", "Hoffmann", "Wagner", "Becker", "Schulz", "Koch"]


def seed_standin_bulk(standin: Any, *, channels: int, per_channel: int) -> dict[str, Any]:
    """A team with `channels` channels of `per_channel` people each, straight into the stand-in's
    tables. (`add_user` checks names by scanning every user and publishes an event per member;
    for 20,000 people that would take minutes, so the records are written directly.)"""
    from tests.standin import Channel, ChannelMember, TeamMember, User, new_id

    team = standin.add_team("stadtverwaltung", "Stadtverwaltung")
    bot, token = standin.add_bot("amtsbote", roles="system_user system_post_all")
    standin.add_team_member(team, bot, admin=True)
    rng = random.Random(7)
    world: dict[str, Any] = {"team": team, "bot": bot, "token": token, "channels": {}}
    with standin._lock:
        for c in range(channels):
            chan = Channel(id=new_id(), team_id=team.id, name=f"team-{c:04d}", display_name=f"Sachgebiet {c:04d}")
            standin._channels[chan.id] = chan
            standin._channel_members[(chan.id, bot.id)] = ChannelMember(channel_id=chan.id, user_id=bot.id)
            people = []
            for p in range(per_channel):
                user = User(id=new_id(), username=f"u{c:04d}.{p:02d}", first_name=rng.choice(FIRST),
                            last_name=rng.choice(LAST), email=f"u{c:04d}.{p:02d}@example.test",
                            locale="en" if p % 9 == 8 else "de")
                standin._users[user.id] = user
                standin._team_members[(team.id, user.id)] = TeamMember(team_id=team.id, user_id=user.id)
                standin._channel_members[(chan.id, user.id)] = ChannelMember(channel_id=chan.id, user_id=user.id,
                                                                             scheme_admin=p == 0)
                people.append(user.id)
            world["channels"][chan.id] = people
    return world


def next_working_day(after: date, region: str = "DE") -> date:
    from domain import calendar as cal

    day = after + timedelta(days=1)
    while not cal.is_working_day(day, region):
        day += timedelta(days=1)
    return day


def seed_db_bulk(database_url: str, world: dict[str, Any], *, day: date, skip_today: date | None = None,
                 duties: int = 0) -> None:
    """Rotations, members and the day's presence data for the bulk world, in a few executemany inserts.

    Per channel: A/B weekly with minimum staffing 3; about 5 % of people away on `day`, 5 % with a
    one-off change, 3 % with an active call forward and office numbers for everyone; every tenth
    channel has its own roster settings (English, 07:45). `skip_today` marks that day's morning
    roster as already handled ("skipped" ledger rows), so the serving process's own scheduler tick
    stays out of the measurement. With `duties` (at most 2), each channel has "Telefondienst"
    (anywhere, with its own number) and "Postdienst" (on site), defined eight weeks before and with
    their line written down two weeks before the roster day, as the duty job keeps it: the rota of
    every duty is computed over the two weeks before the roster day."""
    import sqlalchemy as sa

    from storage.db import Database
    from storage.duty_models import Duty
    from storage.models import (
        Absence,
        CallForward,
        ChannelSettings,
        PhoneNumbers,
        PresenceChange,
        RosterPost,
        Rotation,
        RotationMember,
    )

    rng = random.Random(11)
    now = datetime.now(UTC)
    start = day - timedelta(days=day.weekday() + 14)
    rotations, members, absences, changes, phones, forwards, settings, ledger = [], [], [], [], [], [], [], []
    duty_rows: list[dict[str, Any]] = []
    kinds = [("Telefondienst", False, "0391 540-2000"), ("Postdienst", True, None)][:duties]
    for i, (cid, people) in enumerate(world["channels"].items()):
        rotations.append(dict(channel_id=cid, team_id=world["team"].id, groups="A,B", pattern="weekly", custom=None,
                              start=start, min_office=3, region="DE", forward_prompts=False, created_by=people[0],
                              created_at=now - timedelta(days=30)))
        carry = json.dumps([[uid, j, 11] for j, uid in enumerate(people)], separators=(",", ":"))
        for name, on_site, number in kinds:
            duty_rows.append(dict(channel_id=cid, name=name, name_key=name.casefold(), on_site=on_site, min_holders=1,
                                  weekdays="0,1,2,3,4", hours=None, number=number, start=day - timedelta(weeks=8),
                                  carry_day=day - timedelta(days=14), carry=carry, created_by=people[0],
                                  created_at=now - timedelta(days=56)))
        if i % 10 == 0:
            settings.append(dict(channel_id=cid, roster_enabled=True, roster_time="07:45", roster_days="0,1,2,3,4",
                                 region=None, locale="en"))
        if skip_today is not None:
            ledger.append(dict(channel_id=cid, day=skip_today, outbox_key="skipped", content_hash="", edits=0,
                               claimed_at=now))
        for j, uid in enumerate(people):
            members.append(dict(channel_id=cid, user_id=uid, group="AB"[j % 2]))
            phones.append(dict(user_id=uid, office=f"+49 345 221-{1000 + j}", mobile=None))
            roll = rng.random()
            if roll < 0.05:
                absences.append(dict(user_id=uid, day=day, note="Urlaub", set_by=uid))
            elif roll < 0.10:
                changes.append(dict(user_id=uid, day=day, where=rng.choice(["office", "home", "field"]), set_by=uid))
            elif roll < 0.13:
                forwards.append(dict(user_id=uid, target="mobile", colleague_id=None, until=now + timedelta(days=3),
                                     channels=cid, created_at=now, set_by=uid, ended_at=None))
    db = Database(database_url)
    try:
        with db.write() as session:
            for model, rows in ((Rotation, rotations), (RotationMember, members), (Absence, absences),
                                (PresenceChange, changes), (PhoneNumbers, phones), (CallForward, forwards),
                                (ChannelSettings, settings), (RosterPost, ledger), (Duty, duty_rows)):
                if rows:
                    session.execute(sa.insert(model.__table__), rows)
    finally:
        db.dispose()
