"""`amtsbote db backup`, `db restore` and `db move`: the database from one place to another.

* backup (SQLite): SQLite's online backup API copies a consistent snapshot while `serve` goes
  on writing (WAL mode: the copy is one read transaction, writers are not held up). The copy is
  written to a temporary file 0600 beside the target, checked with `PRAGMA integrity_check`,
  switched to a self-contained file (no -wal beside it) and then renamed into place.
  PostgreSQL databases are backed up with `pg_dump`; the command says how and exits 1.
* restore (SQLite): the file is checked first (a SQLite database, `integrity_check`, an Amtsbote
  schema no newer than this version's), and refused while a serve uses the database
  (storage/inuse.py). It is copied in with the backup API, in one transaction.
* move: a SQLite deployment to an empty PostgreSQL database, every table, in one transaction
  (see `move`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from config.settings import Settings, redact_url
from storage import inuse
from storage.db import _private_sqlite_file, _sqlite_path, create_db_engine
from storage.migrate import alembic_config, upgrade

COPY_CHUNK = 1000  # rows per INSERT of `move`


class Refused(Exception):
    """The command did nothing, for the reason given (one line)."""


# -- backup ------------------------------------------------------------------------------------------


def pg_dump_hint(url: str) -> str:
    """How to back up a PostgreSQL database (its URL without the password)."""
    plain = redact_url(url.replace("postgresql+psycopg://", "postgresql://", 1))
    return (f"DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=FILE "
            f"'{plain}' (restore with pg_restore --clean --if-exists --dbname=… FILE); nothing was written")


def _sqlite_file(url: str, *, restoring: bool = False) -> Path:
    path = _sqlite_path(url) if url.startswith("sqlite") else None
    if path is None and url.startswith("postgresql"):
        raise Refused("DATABASE_URL is PostgreSQL: restore a pg_dump file with pg_restore --clean --if-exists "
                      "--dbname=… FILE (stop serve first); nothing was changed" if restoring else pg_dump_hint(url))
    if path is None:
        raise Refused("DATABASE_URL names no database file")
    return path


def _integrity(conn: sqlite3.Connection) -> str:
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    return "ok" if [r[0] for r in rows] == ["ok"] else "; ".join(str(r[0]) for r in rows[:3])


def backup(url: str, target: Path) -> str:
    """Write a consistent copy of the SQLite database to `target` (0600); the line to print."""
    source = _sqlite_file(url)
    if not source.exists():
        raise Refused(f"no database at {source}")
    if target.exists():
        raise Refused(f"{target} exists; choose a new file name (a backup never overwrites one)")
    folder = target.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)  # 0600
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)  # all pages in one step: one read transaction, one snapshot
                dst.execute("PRAGMA journal_mode=DELETE")  # a file of its own, no -wal beside it
                problem = _integrity(dst)
                revision = _revision(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if problem != "ok":
            raise Refused(f"the copy fails the integrity check ({problem}); the database itself may be damaged")
        os.chmod(tmp, 0o600)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        tmp.rename(target)
    finally:
        tmp.unlink(missing_ok=True)
    return f"backup written: {target} ({target.stat().st_size} bytes, integrity ok, schema {revision or 'none'})"


# -- restore -----------------------------------------------------------------------------------------


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])


@dataclass
class SchemaCheck:
    revision: str
    head: str

    @property
    def older(self) -> bool:
        return self.revision != self.head


def _check_schema(revision: str | None, url: str) -> SchemaCheck:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head() or ""
    if revision is None:
        raise Refused("not an Amtsbote database (it has no schema version)")
    known = {rev.revision for rev in scripts.walk_revisions()}
    if revision not in known:
        raise Refused(f"the file's schema ({revision}) is newer than this Amtsbote's ({head}): "
                      "restore it with the Amtsbote version that wrote it")
    return SchemaCheck(revision, head)


def _open_checked(path: Path, url: str) -> tuple[sqlite3.Connection, SchemaCheck]:
    if not path.is_file():
        raise Refused(f"no file {path}")
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise Refused(f"{path} is not a SQLite database")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problem = _integrity(conn)
        if problem != "ok":
            raise Refused(f"{path} fails the integrity check ({problem}); nothing was restored")
        return conn, _check_schema(_revision(conn), url)
    except BaseException:
        conn.close()
        raise


def restore(url: str, source: Path) -> list[str]:
    """Replace the SQLite database with the backup `source`; the lines to print."""
    target = _sqlite_file(url, restoring=True)
    src, schema = _open_checked(source, url)
    try:
        with inuse.exclusive(url):
            _private_sqlite_file(target)
            dst = sqlite3.connect(target, timeout=60)
            try:
                src.backup(dst)  # one write transaction: the old content or the new, nothing in between
                dst.execute("PRAGMA journal_mode=WAL")
                dst.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                problem = _integrity(dst)
            finally:
                dst.close()
    finally:
        src.close()
    if problem != "ok":
        raise Refused(f"the restored database fails the integrity check ({problem})")
    lines = [f"restored {source} into {target} (integrity ok, schema {schema.revision})"]
    if schema.older:
        lines.append(f"the backup's schema ({schema.revision}) is older than this version's ({schema.head}): "
                     "run amtsbote db upgrade now (serve also does it when it starts)")
    return lines


# -- move ----------------------------------------------------------------------------------------------


def _model_tables() -> dict[str, sa.Table]:
    """Every table the models declare (each `storage/*models.py` module registers its own)."""
    import storage

    for module in pkgutil.iter_modules(storage.__path__):
        if module.name.endswith("models"):
            importlib.import_module(f"storage.{module.name}")
    return {table.name: table for table in SQLModel.metadata.sorted_tables}


def move(source_url: str, target_url: str, *, out: list[str] | None = None) -> list[str]:
    """Copy every row of the SQLite database `source_url` into the empty PostgreSQL database
    `target_url`; the lines to print.

    Refused if a serve uses either database, or the target holds rows. Both are migrated to the
    newest schema first; then every table is copied in dependency order in one transaction on
    PostgreSQL, its sequences set past the copied ids, and each table's row count compared before
    the commit. The SQLite database is left as it was."""
    if not source_url.startswith("sqlite") or _sqlite_path(source_url) is None:
        raise Refused("DATABASE_URL must be the SQLite database to move (it is already "
                      f"{redact_url(source_url).split(':', 1)[0]})")
    if not target_url.startswith("postgresql"):
        raise Refused("--to must be a PostgreSQL URL (postgresql+psycopg://user:password@host:5432/name)")
    source_path = _sqlite_file(source_url)
    if not source_path.exists():
        raise Refused(f"no database at {source_path}")
    lines = out if out is not None else []
    tables = _model_tables()
    with inuse.exclusive(source_url):
        upgrade(source_url)
        upgrade(target_url)
        source = create_db_engine(source_url)
        target = create_db_engine(target_url)
        try:
            with source.connect() as src, target.connect() as dst, inuse.exclusive(target_url, connection=dst):
                dst.commit()  # the advisory lock is the session's; the copy is its own transaction
                _check_tables(src, tables)
                full = {name: n for name, n in _counts(dst, tables).items() if n}
                if full:
                    raise Refused("the target database is not empty ("
                                  + ", ".join(f"{name}: {n} rows" for name, n in sorted(full.items()))
                                  + "): give an empty database")
                # one transaction from the emptiness check to the commit; closing the connection
                # without the commit (any error below) leaves the target as empty as it was
                for table in tables.values():
                    _copy(src, dst, table)
                _reset_sequences(dst, tables)
                before, after = _counts(src, tables), _counts(dst, tables)
                if before != after:
                    wrong = [f"{t}: {before[t]} -> {after[t]}" for t in tables if before[t] != after[t]]
                    raise Refused("row counts differ after the copy, nothing was moved: " + ", ".join(wrong))
                dst.commit()
        finally:
            source.dispose()
            target.dispose()
    total = sum(before.values())
    lines.append(f"moved {total} rows in {len(tables)} tables to {redact_url(target_url)}:")
    lines += [f"  {name}: {n}" for name, n in before.items()]
    lines.append("next: set DATABASE_URL to the PostgreSQL URL and start serve; keep the SQLite file until "
                 "serve runs on PostgreSQL, then delete it (it holds personal data)")
    return lines


def _check_tables(src: sa.Connection, tables: dict[str, sa.Table]) -> None:
    """Every table and column of the SQLite database is one the models know: nothing is left behind."""
    inspector = sa.inspect(src)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        if name not in tables:
            raise Refused(f"the SQLite database has a table this version does not know ({name}); nothing was moved")
        unknown = {c["name"] for c in inspector.get_columns(name)} - set(tables[name].columns.keys())
        if unknown:
            raise Refused(f"table {name} has columns this version does not know ({', '.join(sorted(unknown))}); "
                          "nothing was moved")


def _counts(conn: sa.Connection, tables: dict[str, sa.Table]) -> dict[str, int]:
    return {name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
            for name, table in tables.items()}


def _copy(src: sa.Connection, dst: sa.Connection, table: sa.Table) -> None:
    order = list(table.primary_key.columns) or list(table.columns)
    result = src.execution_options(yield_per=COPY_CHUNK).execute(sa.select(table).order_by(*order))
    for chunk in result.mappings().partitions(COPY_CHUNK):
        dst.execute(table.insert(), [dict(row) for row in chunk])


def _reset_sequences(dst: sa.Connection, tables: dict[str, sa.Table]) -> None:
    """Set each serial or identity column's sequence past the largest copied value."""
    for name, table in tables.items():
        for column in table.columns:
            sequence = dst.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                   {"t": name, "c": column.name}).scalar()
            if sequence:
                dst.execute(sa.text(f'SELECT setval(:s, coalesce((SELECT max("{column.name}") FROM "{name}"), 0) + 1, '
                                    "false)"), {"s": sequence})


# -- the command line --------------------------------------------------------------------------------------


def _print_refused(prog: str, e: Exception) -> int:
    print(f"amtsbote db {prog}: {e}", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        print(backup(settings.database_url, Path(args.file)))
    except Refused as e:
        return _print_refused("backup", e)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    try:
        for line in restore(settings.database_url, Path(args.file)):
            print(line)
    except (Refused, inuse.InUse) as e:
        return _print_refused("restore", e)
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    target = args.to.strip()
    if target.startswith("postgresql://"):
        target = "postgresql+psycopg://" + target.removeprefix("postgresql://")
    try:
        for line in move(settings.database_url, target):
            print(line)
    except (Refused, inuse.InUse) as e:
        return _print_refused("move", e)
    return 0


def add_commands(db_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`db backup`, `db restore`, `db move` under `amtsbote db`."""
    backup_cmd = db_sub.add_parser(
        "backup", help="write a consistent copy of the SQLite database to FILE (0600), also while serve runs",
        description="SQLite only; for PostgreSQL the command names the pg_dump call and exits 1.")
    backup_cmd.add_argument("file", help="the new backup file (an existing file is never overwritten)")
    backup_cmd.set_defaults(func=cmd_backup)
    restore_cmd = db_sub.add_parser(
        "restore", help="replace the SQLite database with the backup FILE (stop serve first)",
        description="Checks the file's integrity and schema version first; refused while serve runs.")
    restore_cmd.add_argument("file")
    restore_cmd.set_defaults(func=cmd_restore)
    move_cmd = db_sub.add_parser(
        "move", help="copy the SQLite database (DATABASE_URL) into an empty PostgreSQL database (stop serve first)")
    move_cmd.add_argument("--to", required=True, metavar="POSTGRESQL_URL", help="the empty target database")
    move_cmd.set_defaults(func=cmd_move)


__all__ = ["Refused", "add_commands", "backup", "move", "restore"]
