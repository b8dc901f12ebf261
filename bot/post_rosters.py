"""`amtsbote post-rosters`: the morning job run once, as cron runs it, riding out an outage.

Mattermost may be down when cron starts the job (a restart, an update, a 503 from a proxy).
The run then waits for it, until `--timeout`: it asks again with a growing pause, composes and
queues the rosters once Mattermost answers, and delivers them. What is queued stays owed in
the outbox (a later run or `serve` delivers it, once: the ledger row and the outbox key see to
that); what could not even be queued is owed too (a later run queues it). If the time runs out,
the run says which channels and which day are still owed and exits non-zero.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from base.chat import MattermostError, PermanentError, TransientError
from commands.anwesenheit.compose import effective_settings
from commands.anwesenheit.morning import post_rosters
from domain import calendar as cal
from storage.models import ChannelSettings, OutboxItem, RosterPost, Rotation

log = logging.getLogger("amtsbote.post_rosters")

FIRST_PAUSE = 0.5  # seconds before asking a Mattermost that did not answer again; doubled each time
LONGEST_PAUSE = 5.0


class Unreachable(Exception):
    """Mattermost did not answer before the deadline; the last error says why."""


async def until_reachable(runtime: Any, deadline: float, url: str) -> None:
    """Return once Mattermost answers; raise Unreachable at the deadline. The port logs one line
    when it is down and one when it is back (not one per attempt)."""
    pause = FIRST_PAUSE
    down: TransientError | None = None
    while True:
        try:
            await runtime.mm.me()
        except TransientError as e:
            if down is None:  # the port said so in its one line; this says how long the run waits
                log.debug("Mattermost at %s does not answer (%s); asking again until --timeout runs out "
                          "(%.0f s left)", url, e, max(0.0, deadline - time.monotonic()))
            down = e
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unreachable(str(e)) from None
            await asyncio.sleep(min(pause, left))
            pause = min(LONGEST_PAUSE, pause * 2)
            continue
        return


async def queue_rosters(runtime: Any, deadline: float, url: str, *, day: date | None,
                        resolve_channel: Any, channel: str | None) -> int:
    """Compose and queue the rosters, waiting out an outage until the deadline. Safe to repeat after
    a failure half-way: what was claimed and queued is in the ledger and not composed again."""
    queued = 0
    pause = FIRST_PAUSE
    while True:
        await until_reachable(runtime, deadline, url)
        try:
            channel_id = await resolve_channel(runtime.mm, channel) if channel else None
            queued += await post_rosters(runtime.services, day=day, channel_id=channel_id, ignore_time=True)
            return queued
        except PermanentError:
            raise
        except MattermostError as e:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unreachable(str(e)) from None
            log.info("Mattermost failed while the rosters were being composed (%s); trying again", e)
            await asyncio.sleep(min(pause, left))
            pause = min(LONGEST_PAUSE, pause * 2)


def make_owed_due(runtime: Any, day: date) -> None:
    """Rosters of `day` a previous run queued but could not deliver: due now, not after their backoff."""
    now = runtime.clock.now()
    with runtime.db.write(changes_views=False) as session:
        session.execute(sa.update(OutboxItem).where(
            col(OutboxItem.key).like(f"roster:%:{day.isoformat()}"), col(OutboxItem.status) == "pending",
            sa.or_(col(OutboxItem.claimed_until).is_(None), col(OutboxItem.claimed_until) < now),
        ).values(next_attempt_at=now))


def not_queued(runtime: Any, day: date, channel_id: str | None) -> list[str]:
    """Channels whose roster of `day` this run would have queued and that no run has queued yet."""
    services = runtime.services
    with runtime.db.read() as session:
        query = select(Rotation).order_by(col(Rotation.channel_id))
        if channel_id:
            query = query.where(Rotation.channel_id == channel_id)
        rotations = list(session.exec(query).all())
        rows = {s.channel_id: s for s in session.exec(select(ChannelSettings)).all()}
        ledger = set(session.exec(select(RosterPost.channel_id).where(RosterPost.day == day)).all())
    owed = []
    for rotation in rotations:
        conf = effective_settings(rotation, rows.get(rotation.channel_id), services)
        if (rotation.channel_id not in ledger and cal.is_working_day(day, conf.region) and conf.enabled
                and day.weekday() in conf.days):
            owed.append(rotation.channel_id)
    return owed


def not_delivered(runtime: Any, day: date) -> list[str]:
    """Channels whose roster of `day` is queued and not yet delivered."""
    with runtime.db.read() as session:
        return sorted(set(session.exec(select(OutboxItem.channel_id).where(
            col(OutboxItem.key).like(f"roster:%:{day.isoformat()}"), OutboxItem.status == "pending")).all()) - {None})


def channel_names(runtime: Any, channel_ids: list[str]) -> str:
    """The channels as Mattermost named them when it last answered; by id where it never did."""
    known = getattr(runtime.mm, "_channels", None)
    shown = []
    for cid in channel_ids:
        channel = known.get(cid) if known is not None else None
        shown.append(f"~{channel.name} ({channel.display_name})" if channel is not None else f"channel id {cid}")
    return ", ".join(shown)


async def run(runtime: Any, *, day: date | None, channel: str | None, timeout: float, url: str,
              resolve_channel: Any) -> int:
    """The whole `post-rosters` run; prints what it did and what is still owed. Exit status 0 when
    nothing of the day is owed any more, 1 otherwise."""
    deadline = time.monotonic() + timeout
    day = day or datetime.now(runtime.services.tz).date()
    make_owed_due(runtime, day)
    queued = 0
    reason = ""
    try:
        queued = await queue_rosters(runtime, deadline, url, day=day, resolve_channel=resolve_channel,
                                     channel=channel)
    except Unreachable as e:
        reason = f"Mattermost at {url} did not answer within --timeout {timeout:g} s ({e})"
    except PermanentError as e:
        reason = (f"Mattermost at {url} refused a request ({e}): check MATTERMOST_TOKEN and that the bot "
                  "is a member of the channels")
    delivered = await runtime.outbox.drain(timeout=max(0.0, deadline - time.monotonic()))
    if not reason and not delivered:
        reason = f"Mattermost at {url} did not take every post within --timeout {timeout:g} s"
    print(f"rosters queued: {queued}; outbox "
          f"{'empty' if delivered else 'still has pending posts (they are kept and sent later)'}")
    if not reason:
        return 0
    channel_id = None
    if channel:
        channel_id = channel if len(channel) == 26 and channel.isalnum() else None
    waiting = not_delivered(runtime, day)
    unqueued = not_queued(runtime, day, channel_id) if channel_id or not channel else []
    lines = [f"amtsbote post-rosters: {reason}."]
    if waiting:
        lines.append(f"still owed for {day.isoformat()}, queued and not yet delivered: "
                     f"{channel_names(runtime, waiting)}")
    if unqueued:
        lines.append(f"still owed for {day.isoformat()}, not yet queued: {channel_names(runtime, unqueued)}")
    if channel and not channel_id and not waiting:
        lines.append(f"still owed for {day.isoformat()}: the roster of {channel}, if it is due")
    lines.append("Run `amtsbote post-rosters` again (same --date) once Mattermost answers, or let `serve` "
                 "deliver what is queued; nothing is posted twice.")
    print("\n".join(lines), file=sys.stderr)
    return 1
