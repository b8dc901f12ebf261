"""Operator commands: `amtsbote plan` (export) and `amtsbote post-rosters` (cron-driven morning job)."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.check import UsageError
from config.settings import Settings

if TYPE_CHECKING:
    from storage.db import Database

MM_REQUIRES = ("MATTERMOST_URL", "MATTERMOST_TOKEN")


def _date(value: str) -> str:
    """An argparse type: the date as typed, checked for its form. Words like "heute" are resolved
    later by `day_of`, in BOT_TIMEZONE, not in the server's own time zone."""
    from base.i18n import LocalizedError
    from commands import parsing

    try:
        parsing.parse_date(value, today=date.today())
    except LocalizedError as e:
        raise argparse.ArgumentTypeError(e.render("en")) from None
    return value


def day_of(value: str | None, settings: Settings) -> date | None:
    """The day a command-line date means, "today" being today in BOT_TIMEZONE."""
    from commands import parsing

    if value is None:
        return None
    return parsing.parse_date(value, today=datetime.now(settings.tz).date())


async def _resolve_channel(mm, spec: str) -> str:  # type: ignore[no-untyped-def]
    """A channel id, or a channel name looked up in the bot's teams."""
    from base.chat import PermanentError

    if len(spec) == 26 and spec.isalnum():
        return spec
    for team in await mm.bot_teams():
        try:
            data = await mm._call("get", f"/api/v4/teams/{team['id']}/channels/name/{spec.lstrip('~')}")
            channel_id: str = data["id"]
            return channel_id
        except PermanentError:
            continue
    raise UsageError(f"--channel: no channel named {spec!r} in the bot's teams")


def export_rows(settings: Settings, channel_id: str, start: date, end: date, usernames: dict[str, str] | None,
                db: Database | None = None, *, label: str | None = None) -> list[dict[str, Any]]:
    """One row per rotation member and working day: date, user (username), where, and the names of
    the channel's duties the person has that day (`duties`, SPEC §2.5). No notes.

    Weekends and the rotation region's holidays have no rows. Like `/homeoffice plan`, days
    before the rotation's start schedule nobody: on those days only members with a one-off
    change or an absence have a row."""
    from commands.channels import channel_region
    from commands.duty_views import duties_by_person
    from storage import presence
    from storage.db import Database

    db = db or Database(settings.database_url)
    with db.read() as session:
        result = presence.channel_plan(session, channel_id, start, end)
        duties = duties_by_person(session, channel_id, start, end,
                                  channel_region(session, channel_id, settings.bot_holiday_region))
    if result is None:
        raise UsageError(f"--channel: {label or 'channel ' + channel_id} has no rotation")
    days = result.days
    rows = []
    for day in days:
        if day.holiday:
            continue
        for user_id in sorted(day.entries, key=lambda u: (usernames or {}).get(u, u)):
            rows.append({"date": day.day.isoformat(), "user": (usernames or {}).get(user_id, user_id),
                         "where": day.entries[user_id].value, "duties": sorted(duties.get((user_id, day.day), []))})
    return rows


def format_rows(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["date", "user", "where", "duties"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "duties": ";".join(r.get("duties", []))} for r in rows)
        return out.getvalue().rstrip("\n")
    width = max([len(r["user"]) for r in rows] + [4])
    if not any(r.get("duties") for r in rows):  # the table shows a duties column only when there are some
        lines = [f"{'date':10}  {'user':{width}}  where"]
        lines += [f"{r['date']:10}  {r['user']:{width}}  {r['where']}" for r in rows]
        return "\n".join(lines)
    lines = [f"{'date':10}  {'user':{width}}  {'where':6}  duties"]
    lines += [f"{r['date']:10}  {r['user']:{width}}  {r['where']:6}  {', '.join(r.get('duties', []))}".rstrip()
              for r in rows]
    return "\n".join(lines)


def cmd_plan(args: argparse.Namespace) -> int:
    from bot.mattermost import RestMattermost

    settings = Settings.from_env(require=MM_REQUIRES)
    start, end = day_of(args.from_, settings), day_of(args.to, settings)
    assert start is not None and end is not None
    if end < start:
        raise UsageError("--to: must not be before --from")
    if (end - start).days > 400:
        raise UsageError("--to: at most 400 days per export")
    today = datetime.now(settings.tz).date()
    if start < today:
        raise UsageError("--from: past days are not exported (presence is not a record); use today or later")

    async def resolve() -> tuple[str, dict[str, str]]:
        mm = RestMattermost(settings.mattermost_url or "", settings.mattermost_token or "")
        try:
            channel_id = await _resolve_channel(mm, args.channel)
            from storage import presence
            from storage.db import Database

            db = Database(settings.database_url)
            with db.read() as session:
                loaded = presence.load_rotation(session, channel_id)
            members = list(loaded[1]) if loaded else []
            users = await mm.users(members) if members else {}
            return channel_id, {uid: u.username for uid, u in users.items()}
        finally:
            await mm.close()

    channel_id, usernames = asyncio.run(resolve())
    print(format_rows(export_rows(settings, channel_id, start, end, usernames, label=args.channel), args.format))
    return 0


def cmd_post_rosters(args: argparse.Namespace) -> int:
    from bot import post_rosters
    from bot.check import migrate
    from bot.logs import setup_logging
    from bot.runtime import Runtime

    settings = Settings.from_env(require=MM_REQUIRES)
    setup_logging(settings.log_level)
    migrate(settings)

    async def main() -> int:
        runtime = Runtime(settings)
        # Like serve, it holds the claim on the database while it runs: `db restore` and `db move`
        # are refused meanwhile, and while one of them runs, this waits (storage/inuse.py).
        await runtime.claim.wait()
        try:
            return await post_rosters.run(runtime, day=day_of(args.date, settings), channel=args.channel,
                                          timeout=args.timeout,
                                          url=settings.mattermost_url or "", resolve_channel=_resolve_channel)
        finally:
            await runtime.mm.close()
            runtime.db.dispose()
            runtime.claim.release()

    return asyncio.run(main())


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    plan = sub.add_parser(
        "plan", help="export where each person works each day (table, json or csv)",
        description="One row per rotation member and working day (none for weekends and holidays, no notes). "
                    "Days before the rotation starts list only members with a one-off change or absence. "
                    "Only today and later: presence is not a record.")
    plan.add_argument("--channel", required=True, help="channel name or id")
    plan.add_argument("--from", dest="from_", metavar="DATE", required=True, type=_date,
                      help="first day (e.g. 2026-11-23, 23.11.2026, heute, morgen; in BOT_TIMEZONE)")
    plan.add_argument("--to", metavar="DATE", required=True, type=_date, help="last day")
    plan.add_argument("--format", choices=("table", "json", "csv"), default="table")
    plan.set_defaults(func=cmd_plan)
    post = sub.add_parser("post-rosters", help="post the roster now, ignoring each channel's time and ROSTER_LATEST; "
                          "switched-off channels, days outside its days, weekends, holidays and days already "
                          "posted or skipped are left out (idempotent)")
    post.add_argument("--date", metavar="DATE", type=_date, default=None,
                      help="day to post for (default today in BOT_TIMEZONE)")
    post.add_argument("--channel", default=None, help="only this channel (name or id)")
    post.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                      help="how long to wait for Mattermost (an outage is ridden out until then) and for delivery; "
                           "then the run exits 1 and says which channels and day are still owed (default 120)")
    post.set_defaults(func=cmd_post_rosters)


if __name__ == "__main__":
    sys.exit(1)
