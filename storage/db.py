"""Database engine and transactions for SQLite (default) and PostgreSQL (several replicas).

SQLite is opened in WAL mode with `synchronous=FULL`: a transaction that returned
is on disk, so a power loss costs nothing that was acknowledged. Write
transactions start with `BEGIN IMMEDIATE`, so two writers queue on the busy
timeout instead of failing with "database is locked" when a reader upgrades.

The SQLite file holds personal data: its folder is created 0700, the file and its
-wal and -shm files are 0600, and `secure_delete` overwrites what is deleted.
`Database.checkpoint()` empties the WAL, so that erased rows are gone from both files.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel

from config.settings import redact_url

log = logging.getLogger("amtsbote.db")

BUSY_TIMEOUT_MS = 60_000
VIEWS_MAX = 4096  # entries of `Database.views`; more empty it
T = TypeVar("T")


def _sqlite_path(url: str) -> Path | None:
    path = sa.engine.make_url(url).database
    return None if path in (None, "", ":memory:") else Path(path)


def _private_sqlite_file(path: Path) -> None:
    """Create the data folder 0700 and the database file 0600 before SQLite opens it (SQLite
    gives the -wal and -shm files the database file's mode); tighten files that exist already."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # whatever the umask
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # an empty file is an empty SQLite database
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)
        except OSError as e:  # someone else's file: it works, but say so
            log.warning("cannot make %s private (0600): %s", file.name, type(e).__name__)


def create_db_engine(url: str) -> Engine:
    try:
        return _create_db_engine(url)
    except (sa.exc.ArgumentError, ValueError) as e:
        # The URL's own text may carry its password: say what is wrong without it.
        raise ValueError(f"DATABASE_URL cannot be used ({type(e).__name__}): {redact_url(url)}") from None


def _create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=16,
        )
        path = _sqlite_path(url)
        if path is not None:  # the URL is good (create_engine parsed it): make the file before SQLite does
            _private_sqlite_file(path)

        @event.listens_for(engine, "connect")
        def _configure(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # transactions are begun explicitly below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


_WRITTEN_TABLE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def _note_changes(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
    """Mark the connection's transaction as having changed rows (an unknown count counts), and
    in which tables."""
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and cursor.rowcount != 0:
        conn.info["changed"] = True
        written = _WRITTEN_TABLE.match(statement)
        conn.info.setdefault("tables", set()).add(written.group(1).lower() if written else "")


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table a table model maps to (SQLModel does not declare `__table__` to type checkers)."""
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]  # set by SQLAlchemy's declarative mapping


def rowcount(result: sa.Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE touched, 0 where the driver does not say. `Session.execute`
    is typed to return a `Result`; for such a statement it is a `CursorResult`, which has the count."""
    return cast("sa.CursorResult[Any]", result).rowcount or 0


def insert_for(session: Session, table: sa.Table) -> Any:
    """An INSERT of the session's dialect, so it can take ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@dataclass(eq=False)
class _Group:
    """The open transaction of a group commit and the future its writers wait on."""

    conn: Connection
    session: Session
    done: asyncio.Future[None]
    thread: int
    in_body: bool = False
    broken: bool = False


class Database:
    """Hands out sessions. `write()` is a transaction that commits on success;
    `read()` never writes. Neither may be held across an `await`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self.is_sqlite = url.startswith("sqlite")
        # One writer at a time per process on SQLite: threads queue here instead of on the file lock.
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._versions = itertools.count(1)
        self._versions_lock = threading.Lock()
        self.version = 0  # goes up with every committed write of this process (for caches of read views)
        self._table_versions: dict[str, int] = {}  # the same per table (for caches of rarely written tables)
        self.views: dict[Any, Any] = {}  # such caches, so they live and die with this database
        self._group: _Group | None = None  # the open group commit of `grouped_write`
        # A group's COMMIT (its fsync) runs on this thread, so the event loop serves other requests
        # meanwhile; the next group opens when it is done (`_committing`).
        self._committer: concurrent.futures.ThreadPoolExecutor | None = None
        self._committing: asyncio.Future[None] | None = None
        event.listen(self.engine, "after_cursor_execute", _note_changes)

    @contextmanager
    def write(self, *, changes_views: bool = True) -> Iterator[Session]:
        """A write transaction. `changes_views=False` for bookkeeping no view shows (the outbox's
        delivery state), so that cached views stay good."""
        group = self._group
        if group is not None and group.thread == threading.get_ident():
            if group.in_body:
                raise RuntimeError("a write transaction inside a grouped write")
            self._commit_group(group)  # it holds the writer's lock on this thread: commit it first
        changed: list[bool] = []
        tables: set[str] = set()
        try:
            if self._write_lock is not None:
                with self._write_lock, self._session(write=True, changed=changed, tables=tables) as session:
                    yield session
            else:
                with self._session(write=True, changed=changed, tables=tables) as session:
                    yield session
        finally:
            self._note_commit(any(changed), tables, changes_views=changes_views)

    def _note_commit(self, changed: bool, tables: set[str], *, changes_views: bool = True) -> None:
        """Move `version` (if the write changed rows a view shows) and the written tables' versions.
        (The committer thread does this too: the lock keeps the numbers going up.)"""
        with self._versions_lock:
            if changes_views and changed:
                self.version = next(self._versions)
            for name in tables:
                self._table_versions[name] = self.version if changes_views else next(self._versions)

    @asynccontextmanager
    async def grouped_write(self) -> AsyncIterator[Session]:
        """A write transaction that commits together with the other grouped writes of the same
        turn of the event loop (group commit): on SQLite one fsync serves them all. Its body must
        not await; the exit waits for the commit, so whoever answers after it answers durably.
        The COMMIT runs on a thread of its own while the loop serves other requests; the next
        group begins when it is done (entering waits for that, without blocking the loop).
        A body that raises is rolled back to its savepoint and leaves the others' writes alone.
        On PostgreSQL this is `write()` (the server groups commits itself)."""
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        while self._group is None and self._committing is not None:
            if self._committing.get_loop() is not asyncio.get_running_loop():
                self._committing = None  # begun by a loop that has ended: it gives the lock back by itself
                break
            await asyncio.shield(self._committing)  # the previous group's commit; it never raises
        group = self._group or self._open_group()
        conn, session = group.conn, group.session
        conn.exec_driver_sql("SAVEPOINT grouped_write")
        group.in_body = True
        try:
            yield session
            session.flush()
        except BaseException:
            group.in_body = False
            try:
                conn.exec_driver_sql("ROLLBACK TO grouped_write")
                conn.exec_driver_sql("RELEASE grouped_write")
            except Exception:  # the transaction itself is gone: the whole group fails
                group.broken = True
            session.expunge_all()  # nothing of this body may be flushed by the group's commit
            raise
        group.in_body = False
        conn.exec_driver_sql("RELEASE grouped_write")
        await asyncio.shield(group.done)

    def _open_group(self) -> _Group:
        assert self._write_lock is not None
        self._write_lock.acquire()
        try:
            conn = self.engine.connect()
            conn.info["write"] = True
            conn.info["changed"] = False
            session = Session(bind=conn, expire_on_commit=False)
            session.connection()  # BEGIN IMMEDIATE: the group holds the database's write lock
        except BaseException:
            self._write_lock.release()
            raise
        loop = asyncio.get_running_loop()
        group = self._group = _Group(conn, session, loop.create_future(), threading.get_ident())
        # Two turns of the loop later: the writers of requests read in this turn, whose tasks
        # start in the next one, join first.
        loop.call_soon(loop.call_soon, self._commit_group_off_loop, group)
        return group

    def _commit_group_off_loop(self, group: _Group) -> None:
        """Commit the group on the committer thread; its writers hear the outcome on the loop.
        The writer's lock is held until the commit is done, so nothing else writes meanwhile."""
        if self._group is not group:
            return  # committed already (a plain write() came first)
        self._group = None
        if self._committer is None:
            self._committer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="amtsbote-commit")
        loop = asyncio.get_running_loop()
        committing = self._committing = loop.create_future()
        work = loop.run_in_executor(self._committer, self._finish_group, group)

        def done(work: asyncio.Future[BaseException | None]) -> None:
            self._committing = None
            committing.set_result(None)
            try:
                outcome = work.result()
            except BaseException as e:  # noqa: BLE001 - giving the connection back failed: nobody hears "done"
                outcome = e
            self._tell_group(group, outcome)

        work.add_done_callback(done)

    def _commit_group(self, group: _Group) -> None:
        """Commit the group now, on this thread (before a plain write, a checkpoint, the end)."""
        if self._group is not group:
            return  # committed already (a plain write() came first)
        self._group = None
        self._tell_group(group, self._finish_group(group))

    def _finish_group(self, group: _Group) -> BaseException | None:
        """COMMIT, note the written tables (before any other writer can write), give the
        connection and the writer's lock back; what failed, if anything."""
        conn, session = group.conn, group.session
        failure: BaseException | None = None
        try:
            if group.broken:
                raise sa.exc.InvalidRequestError("a grouped write lost its transaction")
            session.commit()
        except Exception as e:  # every writer of the group learns it; none of them answers "done"
            failure = e
        finally:
            changed = bool(conn.info.pop("changed", True))
            tables = conn.info.pop("tables", set())
            conn.info["write"] = False
            try:
                if failure is None:
                    self._note_commit(changed, tables)
                session.close()
                conn.close()
            finally:
                assert self._write_lock is not None
                self._write_lock.release()
        return failure

    def _tell_group(self, group: _Group, failure: BaseException | None) -> None:
        if failure is None:
            group.done.set_result(None)
        else:
            group.done.set_exception(failure)
            group.done.exception()  # retrieved: the writers that wait raise it themselves

    def table_version(self, *names: str) -> int:
        """A number that changes whenever this process commits a write to one of these tables
        (or one it could not name). Caches keyed on it still need a time bound for other replicas."""
        versions = self._table_versions
        return max(versions.get(name, 0) for name in (*names, ""))

    def cached_view(self, key: Any, version: int, now: datetime, seconds: float, make: Callable[[], T]) -> T:
        """`make()`, kept in `views` under `key` while `version` stays and for `seconds` of `now`'s clock."""
        found = self.view(key, version, now)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        self.keep_view(key, version, now + timedelta(seconds=seconds), value)
        return value

    def view(self, key: Any, version: int, now: datetime) -> Any:
        """What `keep_view` kept under `key`, if `version` is still the same and `now` before its end."""
        cached = self.views.get(key)
        if cached is not None and cached[0] == version and now < cached[1]:
            return cached[2]
        return None

    def keep_view(self, key: Any, version: int, until: datetime, value: Any) -> None:
        if len(self.views) >= VIEWS_MAX:
            self.views.clear()
        self.views[key] = (version, until, value)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._session(write=False) as session:
            yield session

    @contextmanager
    def _session(self, *, write: bool, changed: list[bool] | None = None,
                 tables: set[str] | None = None) -> Iterator[Session]:
        with self.engine.connect() as conn:
            conn.info["write"] = write
            conn.info["changed"] = False
            try:
                with Session(bind=conn, expire_on_commit=False) as session:
                    yield session
                    if write:
                        session.commit()
                    # a read transaction ends when the connection returns to the pool
            finally:
                conn.info["write"] = False
                if changed is not None:
                    changed.append(bool(conn.info.pop("changed", True)))
                written = conn.info.pop("tables", set())
                if tables is not None:
                    tables.update(written)

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and truncate the WAL to nothing (SQLite; a no-op
        on PostgreSQL). After an erasure, with `secure_delete` on, the erased rows are then in
        neither file. True if the checkpoint completed (False: a reader kept it from finishing)."""
        if not self.is_sqlite:
            return True
        group = self._group
        if group is not None and group.thread == threading.get_ident():
            self._commit_group(group)
        assert self._write_lock is not None
        with self._write_lock:
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                busy: int
                busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                cursor.close()
            finally:
                raw.close()
        return busy == 0

    def dispose(self) -> None:
        if self._group is not None and self._group.thread == threading.get_ident():
            self._commit_group(self._group)
        if self._committer is not None:
            self._committer.shutdown(wait=True)  # a commit under way ends first
            self._committer = None
        self.engine.dispose()
