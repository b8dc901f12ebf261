"""Whether a running bot uses a database: `serve` holds a shared claim on it for as long as it
runs; `db restore` and `db move` take it exclusively, and are refused while any serve holds it.

SQLite: an advisory file lock (`flock`) on `<database>-serve.lock` next to the database file.
PostgreSQL: a session-level advisory lock, held on a connection of its own. Both end with the
process that holds them (the kernel closes its files; PostgreSQL ends the session of a dropped
connection), so a serve that crashed, even with SIGKILL, never blocks a restore: there is no
lease to wait out and no row to clean up. While a restore or move holds the claim, a serve that
starts waits for it (see `ServeClaim.wait`).

The file lock works for processes on one machine (and for containers sharing the volume on one
host); SQLite itself must not be used over a network file system anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from storage.db import _sqlite_path

log = logging.getLogger("amtsbote.db")

SERVE_LOCK_KEY = 727_274_202  # PostgreSQL advisory lock key (the migration lock is ...201)
WAIT_POLL_SECONDS = 0.5


class InUse(Exception):
    """A serve uses the database (or a restore or move is under way)."""


def lock_path(url: str) -> Path | None:
    """The lock file of a SQLite database (None for an in-memory one or PostgreSQL)."""
    if not url.startswith("sqlite"):
        return None
    path = _sqlite_path(url)
    return None if path is None else path.with_name(path.name + "-serve.lock")


def _open_lock_file(path: Path) -> int:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


class ServeClaim:
    """The shared claim a running bot holds on its database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._fd: int | None = None
        self._conn: sa.Connection | None = None
        self._engine: sa.Engine | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None or self._conn is not None

    def try_acquire(self) -> bool:
        """Take the shared claim if no restore or move holds the database; True if held now."""
        if self.held:
            return True
        path = lock_path(self.url)
        if path is not None:
            fd = _open_lock_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._fd = fd
            return True
        if self.url.startswith("postgresql"):
            engine = sa.create_engine(self.url, poolclass=NullPool)
            conn = engine.connect()
            got = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock_shared(:k)"), {"k": SERVE_LOCK_KEY}).scalar())
            conn.commit()
            if not got:
                conn.close()
                engine.dispose()
                return False
            self._engine, self._conn = engine, conn
            return True
        return True  # an in-memory database: nobody else can use it

    async def wait(self) -> None:
        """Take the shared claim, waiting (with one log line) while a restore or move holds it."""
        said = False
        while not await asyncio.to_thread(self.try_acquire):
            if not said:
                log.warning("database is being restored or moved (amtsbote db restore/move); waiting until it is done")
                said = True
            await asyncio.sleep(WAIT_POLL_SECONDS)
        if said:
            log.info("database restore or move is done; starting")

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            with contextlib.suppress(Exception):  # the connection may be gone, and the lock with it
                self._conn.close()
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@contextlib.contextmanager
def exclusive(url: str, *, connection: sa.Connection | None = None) -> Iterator[None]:
    """Hold the database exclusively (no serve may use it meanwhile); raise `InUse` if one does.

    PostgreSQL: the advisory lock is taken on `connection` (the one the caller works on) and
    released when it is closed or at the end of this block."""
    path = lock_path(url)
    if path is not None:
        fd = _open_lock_file(path)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InUse("a running Amtsbote (serve) uses this database: stop it first") from None
            yield
        finally:
            os.close(fd)  # closing the file releases the lock
        return
    if connection is not None and connection.dialect.name == "postgresql":
        got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": SERVE_LOCK_KEY}).scalar()
        if not got:
            raise InUse("a running Amtsbote (serve) uses this database: stop it first")
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": SERVE_LOCK_KEY})
        return
    yield
