"""`amtsbote db backup`, `db restore` and `db move`: against the running bot and the stand-in.

Backup: taken while `serve` answers commands, it passes SQLite's integrity check and holds every
write that was acknowledged before it began. Restore: refused while a serve uses the database
(also one that started it and was then killed: then it is accepted), checked for integrity and
schema version first, and a round trip (backup, fresh directory, restore, serve) shows the same
plans. Move: a SQLite deployment moved to PostgreSQL keeps every row, and serve on PostgreSQL
goes on where the SQLite one stopped (no second roster, owed posts delivered once).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from collections import Counter
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command

from bot import cli
from domain.calendar import format_day, working_days
from storage.migrate import alembic_config, upgrade
from tests import scan
from tests.live import ROOT, LiveBot, env_for, free_port

DAYS = working_days(date(2031, 1, 6), date(2033, 12, 16), "DE")
PLAN_FROM, PLAN_TO = "2031-03-10", "2031-03-21"


def _team(standin, path: Path, **kwargs) -> LiveBot:
    path.mkdir(parents=True, exist_ok=True)
    bot = LiveBot(standin, path, **kwargs)
    if "world" not in kwargs:
        bot.register()
    bot.start()
    return bot


def _set_up_rotation(bot: LiveBot) -> None:
    assert bot.slash("einrichten A,B woche ab 23.11.2026").text.startswith("Rotation eingerichtet")
    assert bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber").text.startswith("Gruppe A")
    assert bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann").text.startswith("Gruppe B")


@pytest.fixture
def env(monkeypatch, tmp_path):
    """The command line's environment: no .env of the developer's; `env(url, bot)` points it at a bot."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("MATTERMOST_", "DATABASE_", "BOT_")):
            monkeypatch.delenv(name)

    def point(url: str, bot: LiveBot | None = None) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        if bot is not None:
            monkeypatch.setenv("MATTERMOST_URL", bot.standin.url)
            monkeypatch.setenv("MATTERMOST_TOKEN", bot.world["token"])

    return point


def _run(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def _plan(capsys) -> list[dict[str, str]]:
    code, out = _run(capsys, "plan", "--channel", "jugendamt-asd", "--from", PLAN_FROM, "--to", PLAN_TO,
                     "--format", "json")
    assert code == 0, out
    return json.loads(out)


def _office_days(path: Path) -> set[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn, conn:
        return set(conn.execute("SELECT user_id, day FROM presence_change WHERE \"where\" = 'office'").fetchall())


# -- backup ----------------------------------------------------------------------------------------------


def test_backup_while_serve_answers_commands_holds_every_acknowledged_write(standin, tmp_path, env, capsys):
    bot = _team(standin, tmp_path / "live")
    try:
        _set_up_rotation(bot)
        users = [u for name, u in bot.world["users"].items() if name != "james.miller"]
        pairs = [(u, d) for d in DAYS for u in users]
        fired: list[tuple[str, str]] = []
        acknowledged: list[tuple[str, str]] = []
        backup_started = threading.Event()
        backup_done = threading.Event()
        after_backup: list[int] = [0]
        lock = threading.Lock()

        def fire(mine: list) -> None:
            for user, day in mine:
                if backup_done.is_set() and after_backup[0] >= 6:
                    return
                with lock:
                    fired.append((user.id, day.isoformat()))
                reply = bot.slash(f"büro {day:%d.%m.%Y}", user=user.username)
                wanted = f"Office on {format_day(day, 'en')}" if user.locale == "en" else \
                    f"im Büro am {format_day(day, 'de')}"
                if reply.status == 200 and wanted in (reply.text or ""):
                    with lock:
                        acknowledged.append((user.id, day.isoformat()))
                        if backup_done.is_set():
                            after_backup[0] += 1

        threads = [threading.Thread(target=fire, args=(pairs[i::3],)) for i in range(3)]
        for t in threads:
            t.start()
        # the backup starts once the load is under way, and the load goes on while it runs and after
        while len(acknowledged) < 12:
            assert any(t.is_alive() for t in threads), "the commands stopped before the backup"
            threading.Event().wait(0.01)
        with lock:
            before = set(acknowledged)
        backup_started.set()
        env(bot.database_url)
        target = tmp_path / "backups" / "amtsbote.db"
        code, out = _run(capsys, "db", "backup", str(target))
        backup_done.set()
        for t in threads:
            t.join(120)
        assert code == 0, out
        assert after_backup[0] >= 6, "the bot stopped answering after the backup"
    finally:
        bot.stop()
    assert "integrity ok" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with closing(sqlite3.connect(target)) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, nothing beside it
    stored = _office_days(target)
    assert before <= stored, f"acknowledged before the backup but not in it: {sorted(before - stored)[:5]}"
    assert stored <= set(fired)
    assert len(stored) > len(before) or len(acknowledged) > len(before)


def test_backup_refuses_to_overwrite_a_file(tmp_path, env, capsys):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    env(url)
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    code, out = _run(capsys, "db", "backup", str(target))
    assert code == 1 and "exists" in out
    assert target.read_text() == "keep me"


def test_backup_of_postgresql_points_to_pg_dump_and_writes_nothing(pg_url, tmp_path, env, capsys):
    env(pg_url.replace("postgres@", "postgres:geheim123@"))
    target = tmp_path / "pg.db"
    code, out = _run(capsys, "db", "backup", str(target))
    assert code == 1
    assert "pg_dump" in out and "geheim123" not in out
    assert not target.exists()


# -- restore ---------------------------------------------------------------------------------------------


def test_restore_is_refused_while_serve_runs_and_accepted_after(standin, tmp_path, env, capsys):
    bot = _team(standin, tmp_path / "live")
    _set_up_rotation(bot)
    env(bot.database_url)
    backup = tmp_path / "backup.db"
    assert _run(capsys, "db", "backup", str(backup))[0] == 0
    day = DAYS[3]
    assert "im Büro am" in bot.slash(f"büro {day:%d.%m.%Y}", user="bernd.mueller").text  # after the backup
    try:
        code, out = _run(capsys, "db", "restore", str(backup))
        assert code == 1 and "serve" in out and "stop it first" in out
        assert len(_office_days(tmp_path / "live" / "live.db")) == 1  # nothing was changed
    finally:
        bot.stop()
    code, out = _run(capsys, "db", "restore", str(backup))
    assert code == 0, out
    assert "restored" in out
    assert _office_days(tmp_path / "live" / "live.db") == set()  # the database is the backup's again


def test_a_killed_serve_does_not_keep_the_database_from_being_restored(standin, tmp_path, env, capsys):
    bot = LiveBot(standin, tmp_path)  # registers and migrates; `serve` below runs in a process of its own
    bot.register()
    env(bot.database_url)
    backup = tmp_path / "backup.db"
    assert _run(capsys, "db", "backup", str(backup))[0] == 0
    port = free_port()
    process_env = env_for(standin, bot.world, bot.database_url) | {
        "BOT_LISTEN": f"127.0.0.1:{port}", "BOT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    serve = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=process_env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        import httpx

        deadline = 600
        while deadline:
            assert serve.poll() is None, serve.stderr.read() if serve.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            threading.Event().wait(0.1)
            deadline -= 1
        code, out = _run(capsys, "db", "restore", str(backup))
        assert code == 1 and "stop it first" in out
    finally:
        serve.send_signal(signal.SIGKILL)
        serve.wait(20)
        scan.add_log_text(serve.stderr.read() if serve.stderr else "")
    code, out = _run(capsys, "db", "restore", str(backup))  # killed, not stopped: its lock went with it
    assert code == 0, out


def test_restore_checks_integrity_and_schema_version_first(tmp_path, env, capsys):
    live = tmp_path / "live.db"
    url = f"sqlite:///{live}"
    upgrade(url)
    env(url)
    with closing(sqlite3.connect(live)) as conn, conn:
        conn.execute("INSERT INTO channel_lead (channel_id, user_id) VALUES ('c' , 'u')")
    before = _dump(live)

    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("this is not a database\n" * 200)
    code, out = _run(capsys, "db", "restore", str(not_a_database))
    assert code == 1 and "not a SQLite database" in out

    damaged = tmp_path / "damaged.db"
    _backup_of(url, damaged, capsys)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for at in range(page * 2, len(data) - 16, page):  # scribble over every page but the first two
        data[at + 8:at + 40] = b"\xff" * 32
    damaged.write_bytes(bytes(data))
    code, out = _run(capsys, "db", "restore", str(damaged))
    assert code == 1 and "integrity" in out

    newer = tmp_path / "newer.db"
    _backup_of(url, newer, capsys)
    with closing(sqlite3.connect(newer)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    code, out = _run(capsys, "db", "restore", str(newer))
    assert code == 1 and "newer" in out

    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn, conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    code, out = _run(capsys, "db", "restore", str(foreign))
    assert code == 1 and "not an Amtsbote database" in out
    assert _dump(live) == before  # none of them touched the database

    older = tmp_path / "older.db"
    older_url = f"sqlite:///{older}"
    cfg = alembic_config(older_url)
    command.upgrade(cfg, "0005_rsvp_day")
    code, out = _run(capsys, "db", "restore", str(older))
    assert code == 0, out
    assert "amtsbote db upgrade" in out
    with closing(sqlite3.connect(live)) as conn, conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005_rsvp_day"
    assert stat.S_IMODE(live.stat().st_mode) == 0o600


def _dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def _backup_of(url: str, target: Path, capsys) -> None:
    code, out = _run(capsys, "db", "backup", str(target))
    assert code == 0, out


def test_round_trip_backup_fresh_directory_restore_serve_shows_the_same_plans(standin, tmp_path, env, capsys):
    first = _team(standin, tmp_path / "first")
    try:
        _set_up_rotation(first)
        assert "im Büro" in first.slash("büro 12.03.2031", user="dieter.fischer").text
        assert first.slash("abwesend 13.03.2031 Urlaub", user="bernd.mueller").status == 200
        env(first.database_url, first)
        plan = _plan(capsys)
        backup = tmp_path / "carried" / "amtsbote-backup.db"
        assert _run(capsys, "db", "backup", str(backup))[0] == 0
    finally:
        first.stop()
    assert {"date": "2031-03-12", "user": "dieter.fischer", "where": "office", "duties": []} in plan

    fresh = tmp_path / "elsewhere" / "data"
    url = f"sqlite:///{fresh / 'amtsbote.db'}"
    env(url, first)
    code, out = _run(capsys, "db", "restore", str(backup))
    assert code == 0, out
    assert stat.S_IMODE((fresh / "amtsbote.db").stat().st_mode) == 0o600
    assert _plan(capsys) == plan
    second = _team(standin, tmp_path / "second", database_url=url, world=first.world)
    try:  # the restored tokens are the ones Mattermost sends: serve answers
        reply = second.slash("büro 18.03.2031", user="elif.yilmaz")
        assert reply.status == 200 and "im Büro am" in reply.text
    finally:
        second.stop()
    changed = _plan(capsys)
    assert {"date": "2031-03-18", "user": "elif.yilmaz", "where": "office", "duties": []} in changed
    assert [r for r in changed if r["date"] != "2031-03-18"] == [r for r in plan if r["date"] != "2031-03-18"]
    assert Counter(r["date"] for r in changed) == Counter(r["date"] for r in plan)


# -- move to PostgreSQL ------------------------------------------------------------------------------------


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table the models declare, in a stable order (values as the models read them)."""
    import sqlalchemy as sa

    from bot.dbtools import _model_tables
    from storage.db import create_db_engine

    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return {name: sorted(tuple(row) for row in conn.execute(sa.select(table)).all())
                    for name, table in _model_tables().items()}
    finally:
        engine.dispose()


def _keys(standin, world) -> Counter:
    keys: Counter = Counter()
    channels = [world["channel"].id]
    posts = [p for cid in channels for p in standin.posts_in(cid)]
    posts += [p for user in world["users"].values() for p in standin.dms_for(user)]
    for post in posts:
        key = (post.props or {}).get("amtsbote_key")
        if key:
            keys[key] += 1
    return keys


def test_move_to_postgresql_keeps_everything_and_serve_goes_on_where_sqlite_stopped(standin, tmp_path, pg_url,
                                                                                      env, capsys):
    from tests.live import manual_clock

    clock = manual_clock("2026-11-24 07:00")  # a Tuesday
    first = _team(standin, tmp_path / "sqlite", clock=clock)
    try:
        _set_up_rotation(first)
        assert first.slash("büro 12.03.2031", user="dieter.fischer").status == 200
        assert first.slash("abwesend 13.03.2031 Urlaub", user="bernd.mueller").status == 200
        assert "Gespeichert" in first.slash("nummer 0391 540-2000", user="claudia.weber", command="/rufumleitung").text
        assert first.slash("handy 0171 2345678 bis 14:00", user="dieter.fischer", command="/rufumleitung").status == 200
        # a lead changes someone else's data: an audit entry, and a DM to the person
        assert first.slash("nummer 0391 540-2001 für @bernd.mueller", command="/rufumleitung").status == 200
        assert "geplant" in first.slash('neu "Teamrunde" 30.11. 10:00 wöchentlich', command="/meeting").text
        clock.set(clock.now().replace(hour=7, minute=45))
        first.tick()  # the morning roster
        assert first.drain()
        assert sum(k.startswith("roster:") for k in _keys(standin, first.world)) == 1
        # Mattermost refuses posts for a while: what is typed now is owed, not delivered
        refusing = standin.faults.add(path=r"^/api/v4/posts(/[a-z0-9]+/patch)?$", status=503)
        assert first.slash("ab bis 27.11.", user="elif.yilmaz", command="/rufumleitung").status == 200
        assert first.slash("zuhause heute", user="anna.schmidt").status == 200  # the roster is edited
        first.tick()
        env(first.database_url, first)
        plan = _plan(capsys)
    finally:
        first.stop()
    standin.faults.remove(refusing)
    before = _rows(first.database_url)
    from storage.models import OutboxItem

    columns = list(OutboxItem.__table__.columns.keys())
    status, key = columns.index("status"), columns.index("key")
    pending = [row for row in before["outbox"] if row[status] == "pending"]
    assert len(pending) >= 2 and before["audit_log"] and before["roster_post"] and before["meeting"]
    assert before["call_forward"] and before["phone_numbers"] and before["presence_change"] and before["absence"]
    delivered = _keys(standin, first.world)

    # serve is running on the SQLite database: refused
    blocker = _team(standin, tmp_path / "sqlite", database_url=first.database_url, world=first.world, clock=clock)
    try:
        code, out = _run(capsys, "db", "move", "--to", pg_url)
        assert code == 1 and "stop it first" in out
    finally:
        blocker.stop()

    code, out = _run(capsys, "db", "move", "--to", pg_url)
    assert code == 0, out
    assert "outbox: " in out and "roster_post: 1" in out
    after = _rows(pg_url)
    assert after == before  # every row of every table, as it was

    code, out = _run(capsys, "db", "move", "--to", pg_url)  # a second move finds the target full
    assert code == 1 and "not empty" in out
    assert _rows(pg_url) == before

    second = _team(standin, tmp_path / "pg", database_url=pg_url, world=first.world, clock=clock)
    try:
        clock.advance(timedelta(minutes=5))
        second.tick()  # the morning job again: the day's roster is in the ledger, nothing new is posted
        assert second.drain()
        # a new meeting gets an id after the copied ones (the sequences were set past them)
        assert "geplant (ID 2)" in second.slash('neu "Abstimmung" 01.12. 14:00', command="/meeting").text
        assert second.drain()
        env(pg_url, second)
        assert _plan(capsys) == plan
    finally:
        second.stop()
    keys = _keys(standin, first.world)
    assert [k for k, n in keys.items() if n > 1] == []  # nothing posted twice
    assert sum(k.startswith("roster:") and ":edit:" not in k for k in keys) == 1
    kind = columns.index("kind")
    owed = {row[key] for row in pending if row[kind] != "patch"}
    assert owed and owed <= set(keys) and not owed & set(delivered)  # each owed post delivered once, by the new serve
    done = {row[key]: row[status] for row in _rows(pg_url)["outbox"]}
    assert {row[key]: done[row[key]] for row in pending} == {row[key]: "done" for row in pending}  # the edit too


def test_move_is_refused_while_a_serve_holds_the_postgresql_target_and_without_a_sqlite_source(tmp_path, pg_url, env,
                                                                                                capsys):
    from storage.inuse import ServeClaim

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    env(url)
    claim = ServeClaim(pg_url)  # what serve holds on PostgreSQL
    assert claim.try_acquire()
    try:
        code, out = _run(capsys, "db", "move", "--to", pg_url)
        assert code == 1 and "stop it first" in out
    finally:
        claim.release()
    env(pg_url)
    code, out = _run(capsys, "db", "move", "--to", pg_url)
    assert code == 1 and "must be the SQLite database" in out
    code, out = _run(capsys, "db", "restore", str(tmp_path / "bot.db"))
    assert code == 1 and "pg_restore" in out
