"""`amtsbote check`: every problem of the configuration, the database and the Mattermost
connection, one line each, and nothing changed: a missing SQLite file is reported, never created."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from dotenv import dotenv_values

from base.chat import MattermostError, PermanentError
from bot.mattermost import RestMattermost
from config.settings import ENV_VARIABLES, ConfigError, Settings, redact_url

SERVE_REQUIRES = ("MATTERMOST_URL", "MATTERMOST_TOKEN", "BOT_SECRET", "BOT_PUBLIC_URL")
# A check that fails on a variable the other check depends on: drop both to get past it.
_ALSO_DROP = {"BBB_URL": ("MEETING_PROVIDER",), "ZOOM_ACCOUNT_ID": ("MEETING_PROVIDER",),
              "ROSTER_LATEST": ("ROSTER_TIME",)}


def environment(env_file: str | Path = ".env") -> dict[str, str]:
    """What `Settings.from_env` reads: .env, overridden by the environment."""
    values: dict[str, str] = {}
    if Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def configuration(environ: Mapping[str, str], require: tuple[str, ...] = SERVE_REQUIRES) -> tuple[Settings | None, list[str]]:
    """The settings as far as they are usable (a bad value falls back to its default), and every
    problem found on the way. `Settings.from_env` stops at the first problem; this asks again
    without the variable it named until none is left."""
    values = dict(environ)
    problems = [f"{name}: missing; set it in the environment or in .env (see .env.example)"
                for name in require if not (values.get(name) or "").strip()]
    seen: set[str] = set()
    for _ in range(len(ENV_VARIABLES) + 3):
        try:
            return Settings.from_env(values, env_file=None), problems
        except ConfigError as e:
            message = str(e)
            if message in seen:
                break
            seen.add(message)
            problems.append(message)
            name = message.split(":", 1)[0].strip()
            for dropped in (name, *_ALSO_DROP.get(name, ())):
                values.pop(dropped, None)
    return None, problems


def _sqlite_path(url: str) -> Path:
    return Path(url.split(":///", 1)[1].split("?", 1)[0])


def _database_login_problem(url: str, error: Exception) -> str:
    """What a failed PostgreSQL connection means, in the operator's words (never the password)."""
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    if "connection refused" in lowered:
        return (f"DATABASE_URL: nothing accepts connections at {where} (connection refused): is PostgreSQL "
                "running there, and are host and port right?")
    if "password authentication failed" in lowered or "no password supplied" in lowered or (
            "role" in lowered and "does not exist" in lowered):
        return f"DATABASE_URL: PostgreSQL at {where} refused the login of user {parts.username!r}: check user and password"
    if "database" in lowered and "does not exist" in lowered:
        name = parts.path.lstrip("/")
        return f"DATABASE_URL: PostgreSQL at {where} has no database {name!r}: create it (createdb {name}) first"
    if "translate host name" in lowered or "name or service not known" in lowered:
        return f"DATABASE_URL: the host {parts.hostname!r} is unknown (no DNS entry)"
    if "timeout" in lowered or "timed out" in lowered:
        return f"DATABASE_URL: no answer from {where} (timeout): a firewall, or the wrong host?"
    first = redact_url(text.strip().splitlines()[0] if text.strip() else type(error).__name__)
    return f"DATABASE_URL: cannot connect to {where} ({first[:200]})"


def _schema_problems(tables: set[str], revision: str | None, commands: int | None) -> list[str]:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if "alembic_version" not in tables or revision is None:
        return ["DATABASE_URL: the database has no tables of Amtsbote yet: run `amtsbote db upgrade` "
                "(`serve` also does it at start)"]
    if revision != head:
        return [f"DATABASE_URL: the database is at revision {revision}, this version needs {head}: run "
                "`amtsbote db upgrade`"]
    if not commands:
        return ["no slash commands registered yet: run `amtsbote register` (or copy the tokens from the System Console)"]
    return []


def database_problems(url: str) -> list[str]:
    """Problems of the database; looks only, creates and changes nothing."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if not path.is_file():
            return [f"DATABASE_URL: the SQLite file {path.resolve()} does not exist (nothing was created): run "
                    "`amtsbote db upgrade` to create it, or correct the path"]
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                revision = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or [None])[0] \
                    if "alembic_version" in tables else None
                commands = conn.execute("SELECT count(*) FROM slash_command").fetchone()[0] \
                    if "slash_command" in tables else None
            finally:
                conn.close()
        except sqlite3.Error as e:
            return [f"DATABASE_URL: cannot read the SQLite file {path.resolve()} ({e}): is it a database, "
                    "and may this user read it?"]
        return _schema_problems(tables, revision, commands)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})
    try:
        try:
            connection = engine.connect()
        except sa.exc.SQLAlchemyError as e:
            return [_database_login_problem(url, e)]
        with connection:
            tables = set(sa.inspect(connection).get_table_names())
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
                if "alembic_version" in tables else None
            commands = connection.execute(sa.text("SELECT count(*) FROM slash_command")).scalar() \
                if "slash_command" in tables else None
        return _schema_problems(tables, revision, commands)
    finally:
        engine.dispose()


async def mattermost_problems(settings: Settings) -> list[str]:
    url, token = settings.mattermost_url, settings.mattermost_token
    if not (url and token):
        return []
    mm = RestMattermost(url, token)
    try:
        me = await mm.me()
        problems = []
        if not me.is_bot:
            problems.append("MATTERMOST_TOKEN: belongs to a regular user, not a bot account")
        if not await mm.bot_teams():
            problems.append("the bot account is in no team: add it to the teams that should use Amtsbote")
        return problems
    except PermanentError as e:
        if e.status == 401:
            return [f"MATTERMOST_TOKEN: Mattermost at {url} refused the token (401): copy the bot account's "
                    "access token again (System Console > Integrations > Bot Accounts)"]
        return [f"MATTERMOST_URL / MATTERMOST_TOKEN: Mattermost at {url} refused the request ({e})"]
    except MattermostError as e:
        return [f"MATTERMOST_URL: Mattermost at {url} is not reachable ({e}): is the URL right, and does "
                "Mattermost run?"]
    finally:
        await mm.close()


async def check(settings: Settings) -> list[str]:
    """The problems of the database and of Mattermost for `settings` (the configuration is fine)."""
    return database_problems(settings.database_url) + await mattermost_problems(settings)


class Fatal(Exception):
    """A reason to stop, told in one line (no traceback)."""


class UsageError(Exception):
    """A command-line argument that cannot be used: one line, exit status 2."""


def migrate(settings: Settings) -> tuple[str | None, str | None]:
    """Apply the migrations; (revision before, revision after). A database that cannot be reached
    stops the command with one line naming DATABASE_URL (never its password)."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext

    from storage.db import create_db_engine
    from storage.migrate import upgrade

    def revision() -> str | None:
        engine = create_db_engine(settings.database_url)
        try:
            with engine.connect() as conn:
                current: str | None = MigrationContext.configure(conn).get_current_revision()
                return current
        finally:
            engine.dispose()

    try:
        before = revision()
        upgrade(settings.database_url)
        return before, revision()
    except sa.exc.SQLAlchemyError as e:
        if settings.database_url.startswith("sqlite"):
            raise Fatal(f"DATABASE_URL: cannot use the SQLite database {redact_url(settings.database_url)} "
                        f"({redact_url(str(getattr(e, 'orig', e)))})") from None
        raise Fatal(_database_login_problem(settings.database_url, e)) from None
