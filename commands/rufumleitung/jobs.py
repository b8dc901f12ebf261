"""The feature's scheduler jobs: forwards that have run out are ended and announced
(`expire_forwards`), and on a working morning people at home are asked whether to forward their
office phone, people back in the office reminded of a forward still running (`morning_prompts`)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlmodel import col, select

from base.i18n import pick_locale
from commands.base import Context, Services
from commands.forward_views import active_forwards, describe_forward
from commands.rufumleitung.store import announce_end, claim_end, phone_numbers, split_channels
from commands.rufumleitung.texts import (
    BUTTON_COLLEAGUE,
    BUTTON_END,
    BUTTON_MOBILE,
    BUTTON_SKIP,
    PROMPT_DM,
    REMIND_DM,
)
from domain import calendar as cal
from domain.rotation import Where
from storage import presence
from storage.models import CallForward, ChannelSettings, OutboxItem, Rotation
from storage.outbox import enqueue_dm

log = logging.getLogger("amtsbote.forward")

# -- expiry ------------------------------------------------------------------------------------------


async def expire_forwards(services: Services) -> int:
    """End every forward whose `until` has passed and announce it, once. A forward whose end fell
    into a downtime is ended on the first tick after it; the claim (`ended_at IS NULL`) and the
    outbox keys make a repeated or concurrent run a no-op. Returns how many were ended."""
    now = services.clock.now()
    with services.db.read() as session:
        due = session.exec(select(CallForward).where(col(CallForward.ended_at).is_(None), CallForward.until <= now)
                           .order_by(col(CallForward.until)).limit(500)).all()
    if not due:
        return 0
    users = await services.mm.users(sorted({f.user_id for f in due}))
    ended = 0
    with services.db.write() as session:
        numbers = phone_numbers(session, [f.user_id for f in due])
        for forward in due:
            if forward.id is None or not claim_end(session, forward.id, forward.until):
                continue  # ended meanwhile (a replica, a button, `aus`)
            announce_end(session, services, forward, split_channels(forward.channels), subject=users.get(forward.user_id),
                         numbers=numbers, now=now, actor=None, expired=True)
            ended += 1
    if ended:
        services.notify_outbox()
        log.info("call forwarding: %s forward(s) expired", ended)
    return ended


# -- morning prompts ---------------------------------------------------------------------------------


def _roster_time(row: ChannelSettings | None, default: time) -> time:
    if row is not None and row.roster_time:
        hour, minute = row.roster_time.split(":")
        return time(int(hour), int(minute))
    return default


def prompt_key(user_id: str, day: date) -> str:
    """The outbox key of the day's prompt DM (the dialog edits it through its key)."""
    return f"fwd:prompt:{user_id}:{day.isoformat()}"


def remind_key(user_id: str, day: date) -> str:
    """The outbox key of the day's reminder DM."""
    return f"fwd:remind:{user_id}:{day.isoformat()}"


def _end_of_day(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


async def morning_prompts(services: Services) -> int:
    """On a working morning, after the channel's roster time and before ROSTER_LATEST, in rotations
    that enabled it: DM each member working from home without an active forward a prompt, and each
    member back in the office whose forward is still active a reminder. Once per person and day
    (the outbox keys); people already asked today are filtered out before Mattermost is asked."""
    now = services.clock.now()
    tz = services.tz
    local = now.astimezone(tz)
    today = local.date()
    if local.weekday() >= 5 or local.time() >= services.settings.roster_latest:
        return 0
    with services.db.read() as session:
        rotations = session.exec(select(Rotation).where(Rotation.forward_prompts == sa.true())).all()
        if not rotations:
            return 0
        settings_rows = {r.channel_id: r for r in session.exec(select(ChannelSettings).where(
            col(ChannelSettings.channel_id).in_([r.channel_id for r in rotations]))).all()}
        home: set[str] = set()
        office: set[str] = set()
        for rotation in rotations:
            if local.time() < _roster_time(settings_rows.get(rotation.channel_id), services.settings.roster_time):
                continue
            result = presence.channel_plan(session, rotation.channel_id, today, today)
            if not result or not result[2]:
                continue
            entries = result[2][0].entries
            home.update(u for u, where in entries.items() if where is Where.HOME)
            office.update(u for u, where in entries.items() if where is Where.OFFICE)
        office -= home
        active = active_forwards(session, sorted(home | office), now, tz=tz)
        wanted = {prompt_key(u, today): u for u in home if u not in active}
        wanted.update({remind_key(u, today): u for u in office if u in active})
        if not wanted:
            return 0
        done = set(session.exec(select(OutboxItem.key).where(col(OutboxItem.key).in_(list(wanted)))).all())
        wanted = {k: u for k, u in wanted.items() if k not in done}
        numbers = phone_numbers(session, [active[u].colleague_id for u in wanted.values() if u in active])
    if not wanted:
        return 0
    users = await services.mm.users(sorted(set(wanted.values())))
    colleague_ids = [c for u in wanted.values() if u in active and (c := active[u].colleague_id)]
    names = {u.id: u.display_name for u in (await services.mm.users(colleague_ids)).values()} if colleague_ids else {}
    expires = _end_of_day(today, tz)
    sent = 0
    with services.db.write() as session:
        numbers.update(phone_numbers(session, wanted.values()))
        for key, user_id in sorted(wanted.items()):
            user = users.get(user_id)
            if user is None or user.is_bot or user.deleted:
                continue
            locale = pick_locale(user.locale, services.settings.bot_locale)
            ctx = Context(services=services, user=user, channel_id="", team_id="", locale=locale, now=now)
            day = cal.format_day(today, locale)
            if key.startswith("fwd:prompt:"):
                data = {"day": today.isoformat()}
                buttons = [ctx.button(BUTTON_MOBILE, "forward.mobile", data, user_id=user_id, expires=expires,
                                      style="primary", action_id="fwdmobile"),
                           ctx.button(BUTTON_COLLEAGUE, "forward.colleague", data, user_id=user_id, expires=expires,
                                      action_id="fwdcolleague"),
                           ctx.button(BUTTON_SKIP, "forward.skip", data, user_id=user_id, expires=expires,
                                      action_id="fwdskip")]
                message = PROMPT_DM(locale, day=day)
            else:
                view = active[user_id]
                buttons = [ctx.button(BUTTON_END, "forward.end", {"f": view.forward_id}, user_id=user_id,
                                      expires=min(expires, view.until), style="danger", action_id="fwdend")]
                message = REMIND_DM(locale, day=day, forward=describe_forward(view, locale, names, numbers))
            enqueue_dm(session, key=key, user_id=user_id, message=message, now=now,
                       props={"attachments": [{"text": "", "actions": buttons}]})
            sent += 1
    if sent:
        services.notify_outbox()
    return sent
