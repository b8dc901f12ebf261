"""Run Alembic migrations programmatically (`amtsbote db upgrade`, and `serve` at start).

On PostgreSQL an advisory lock makes replicas that start together migrate one after
the other.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import create_db_engine

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 727_274_201


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            conn.info["write"] = True
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
                conn.commit()
            try:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
                    conn.commit()
        if engine.dialect.name == "sqlite":
            # A migration may have rewritten rows that must not stay readable (0004 hashes the
            # slash-command tokens): move the WAL into the file, where secure_delete zeroed them.
            raw = engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            finally:
                raw.close()
    finally:
        engine.dispose()
