"""The `amtsbote` command line: serve, console, register, check, db upgrade/backup/restore/move, plan,
post-rosters, datenschutz."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import socket
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bot.check import Fatal, UsageError, migrate
from config.settings import ConfigError, Settings

log = logging.getLogger("amtsbote.cli")

SERVE_REQUIRES = ("MATTERMOST_URL", "MATTERMOST_TOKEN", "BOT_SECRET", "BOT_PUBLIC_URL")
CONSOLE_DATABASE = "sqlite:///./data/console.db"


def _settings(require: tuple[str, ...] = ()) -> Settings:
    return Settings.from_env(require=require)


def freeze_startup_objects(settings: Settings) -> None:
    """What start-up loaded (modules, migrations, compiled queries, the OpenAPI and holiday
    tables) lives as long as the process. Keeping it out of the collector's full passes removes
    pauses of about 100 ms that would otherwise hit every answer in flight (the p99 of commands)."""
    import gc
    from datetime import date

    from domain import calendar as cal

    cal.is_working_day(date.today(), settings.bot_holiday_region)  # loads the holiday tables
    gc.collect()
    gc.freeze()


def configuration_summary(settings: Settings) -> str:
    """One line saying how this process is configured; secrets only as "set" or "missing"."""
    from config.settings import redact_url

    host, port = settings.bot_listen
    shown = {
        "MATTERMOST_URL": settings.mattermost_url, "BOT_PUBLIC_URL": settings.bot_public_url,
        "BOT_LISTEN": f"{host}:{port}", "DATABASE_URL": redact_url(settings.database_url),
        "BOT_LOCALE": settings.bot_locale, "BOT_TIMEZONE": settings.bot_timezone,
        "BOT_HOLIDAY_REGION": settings.bot_holiday_region, "ROSTER_TIME": settings.roster_time.strftime("%H:%M"),
        "ROSTER_LATEST": settings.roster_latest.strftime("%H:%M"), "RETENTION_DAYS": settings.retention_days,
        "MEETING_PROVIDER": settings.meeting_provider, "JITSI_URL": settings.jitsi_url or "-",
        "COMMAND_TRIGGERS": ",".join(f"{k}={v}" for k, v in settings.command_triggers.items()),
        "OUTBOX_MAX_RATE": settings.outbox_max_rate, "OUTBOX_BURST": settings.outbox_burst,
        "LOG_LEVEL": settings.log_level,
    }
    secrets = {"MATTERMOST_TOKEN": settings.mattermost_token, "BOT_SECRET": settings.bot_secret,
               "BBB_SECRET": settings.bbb_secret, "ZOOM_CLIENT_SECRET": settings.zoom_client_secret}
    return "configuration: " + ", ".join(
        [f"{k}={v}" for k, v in shown.items()] + [f"{k} {'set' if v else 'not set'}" for k, v in secrets.items()])


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything else starts: a port in use stops `serve` at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as e:
        raise Fatal(f"BOT_LISTEN: cannot listen on {host}:{port} ({e.strerror or e}): another process uses "
                    "the port, or the address is not one of this machine's") from None
    sock.set_inheritable(True)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.logs import setup_logging
    from bot.runtime import Runtime
    from bot.server import uvicorn_config

    settings = _settings(SERVE_REQUIRES)
    setup_logging(settings.log_level)
    before, after = migrate(settings)
    if before != after:
        log.info("database upgraded from revision %s to %s", before or "(empty)", after)
    log.info(configuration_summary(settings))
    host, port = settings.bot_listen
    sock = bind(host, port)
    runtime = Runtime(settings)
    log.info("Amtsbote listening on %s:%s", host, port)
    freeze_startup_objects(settings)
    # Connection limit, keep-alive and request-head timeouts against slow clients: bot/server.py.
    # The scheduler, the outbox and the websocket start only now, on the socket bound above.
    uvicorn.Server(uvicorn_config(runtime.app(), host, port)).run(sockets=[sock])
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from datetime import datetime

    from bot.console import run_console
    from bot.logs import setup_logging
    from storage.migrate import upgrade

    settings = _settings()
    database = args.database or CONSOLE_DATABASE
    if "://" not in database:  # a plain file name: an SQLite file
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        database = f"sqlite:///{Path(database).expanduser().resolve()}"
    settings = settings.replace(database_url=database, mattermost_url=None,
                                mattermost_token=None, bot_public_url="http://console.invalid",
                                outbox_max_rate=1000.0, outbox_burst=1000,
                                # a demo server name: the console never opens a link
                                jitsi_url=settings.jitsi_url or "https://jitsi.example.org")
    setup_logging("WARNING")
    upgrade(settings.database_url)
    start = None
    if args.start:
        start = datetime.strptime(args.start, "%Y-%m-%d %H:%M").replace(tzinfo=settings.tz)
    asyncio.run(run_console(settings, start=start))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings()
    before, after = migrate(settings)
    if before == after:
        print(f"database is up to date (revision {after})")
    elif before is None:
        print(f"database schema created (revision {after})")
    else:
        print(f"database upgraded from revision {before} to {after}")
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from bot.register import register

    settings = _settings(("MATTERMOST_URL", "MATTERMOST_TOKEN", "BOT_PUBLIC_URL"))
    migrate(settings)
    for line in asyncio.run(register(settings)):
        print(line)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bot import check

    settings, problems = check.configuration(check.environment())
    if settings is not None:
        problems += asyncio.run(check.check(settings))
    for line in problems:
        print(f"problem: {line}")
    if settings is not None and settings.meeting_provider == "jitsi" and not settings.jitsi_url:
        print("note: JITSI_URL is not set: /meeting only takes links people type (über https://…) until it names "
              "your Jitsi server")
    if not problems:
        print("ok: configuration, database and Mattermost look good")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="amtsbote", description="Amtsbote, the Mattermost bot for public administration teams.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the HTTP endpoint and the scheduler").set_defaults(func=cmd_serve)
    console = sub.add_parser("console", help="try Amtsbote locally with a demo team, no Mattermost needed")
    console.add_argument("--database", help=f"an SQLite file or a database URL (default {CONSOLE_DATABASE})")
    console.add_argument("--start", help='start the simulated clock at "YYYY-MM-DD HH:MM"')
    console.set_defaults(func=cmd_console)
    sub.add_parser("register", help="create or update the slash commands in every team of the bot").set_defaults(func=cmd_register)
    sub.add_parser("check", help="check configuration and connectivity").set_defaults(func=cmd_check)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db)
    from bot import dbtools

    dbtools.add_commands(db_sub)  # backup, restore, move
    try:
        from bot import cli_ops

        cli_ops.add_commands(sub)
    except ImportError:
        pass
    from bot import datenschutz

    datenschutz.add_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"amtsbote: configuration error: {e}", file=sys.stderr)
        return 2
    except Fatal as e:
        print(f"amtsbote: {e}", file=sys.stderr)
        return 1
    except UsageError as e:
        print(f"amtsbote {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - a database or connection error may quote DATABASE_URL
        trace = "".join(traceback.format_exception(e))
        print(_without_passwords(trace).rstrip(), file=sys.stderr)
        print(f"amtsbote: {type(e).__name__}: {_without_passwords(str(e))}", file=sys.stderr)
        return 1


_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:)[^\s@]*@")


def _without_passwords(text: str) -> str:
    """`text` with every URL's password, and DATABASE_URL's password wherever it appears, replaced."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    try:
        password = urlsplit(os.environ.get("DATABASE_URL", "").strip()).password
    except ValueError:
        password = None
    for secret in {password or "", unquote(password or "")} - {""}:
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


if __name__ == "__main__":
    sys.exit(main())
