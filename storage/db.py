"""Database engine and transactions for SQLite (default) and PostgreSQL (several replicas).

SQLite is opened in WAL mode with `synchronous=FULL`: a transaction that returned
is on disk, so a power loss costs nothing that was acknowledged. Write
transactions start with `BEGIN IMMEDIATE`, so two writers queue on the busy
timeout instead of failing with "database is locked" when a reader upgrades.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

BUSY_TIMEOUT_MS = 60_000


def _sqlite_path(url: str) -> Path | None:
    path = sa.engine.make_url(url).database
    return None if path in (None, "", ":memory:") else Path(path)


def create_db_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            max_overflow=16,
        )

        @event.listens_for(engine, "connect")
        def _configure(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # transactions are begun explicitly below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _note_changes(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
    """Mark the connection's transaction as having changed rows (an unknown count counts)."""
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") and cursor.rowcount != 0:
        conn.info["changed"] = True


def insert_for(session: Session, table: sa.Table) -> Any:
    """An INSERT of the session's dialect, so it can take ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


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
        self.version = 0  # goes up with every committed write of this process (for caches of read views)
        self.views: dict[Any, Any] = {}  # such caches, so they live and die with this database
        event.listen(self.engine, "after_cursor_execute", _note_changes)

    @contextmanager
    def write(self, *, changes_views: bool = True) -> Iterator[Session]:
        """A write transaction. `changes_views=False` for bookkeeping no view shows (the outbox's
        delivery state), so that cached views stay good."""
        changed: list[bool] = []
        try:
            if self._write_lock is not None:
                with self._write_lock, self._session(write=True, changed=changed) as session:
                    yield session
            else:
                with self._session(write=True, changed=changed) as session:
                    yield session
        finally:
            if changes_views and any(changed):
                self.version = next(self._versions)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._session(write=False) as session:
            yield session

    @contextmanager
    def _session(self, *, write: bool, changed: list[bool] | None = None) -> Iterator[Session]:
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

    def dispose(self) -> None:
        self.engine.dispose()
