"""Storing a forward and owing its announcements, in the caller's transaction.

Every change and its posts are written together (the durable outbox), with keys deterministic
per forward, channel and event, so a replay never posts twice. An end is claimed with a
conditional UPDATE (`ended_at IS NULL`), so two replicas cannot both announce it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.chat import User
from base.i18n import LocalizedError, Text, pick_locale
from base.safetext import plain
from commands.base import Context, Services
from commands.channels import channel_locale
from commands.duty_views import GREETING_BACK, greeting_for
from commands.forward_views import describe_forward, number_of, view_of
from commands.leads import audit
from commands.rufumleitung.requests import SetForward
from commands.rufumleitung.texts import (
    ANNOUNCED_IN,
    ANNOUNCED_NOWHERE,
    AT_TIME,
    DIRECT_OFFICE,
    END_POST,
    ENDED_BY,
    ENDED_FOR_DM,
    EXPIRED_POST,
    NEED_MOBILE,
    NEED_MOBILE_FOR,
    OFFICE_PART,
    SET_BY,
    SET_FOR_DM,
    START_POST,
    name_of,
)
from domain import calendar as cal
from storage.db import rowcount
from storage.models import CallForward, PhoneNumbers, RotationMember
from storage.outbox import URGENT, enqueue_dm, enqueue_post


def phone_numbers(session: Session, user_ids: Iterable[str | None]) -> dict[str, PhoneNumbers]:
    """user id -> the person's registered work numbers, for those who have any."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return {}
    return {n.user_id: n for n in session.exec(select(PhoneNumbers).where(col(PhoneNumbers.user_id).in_(ids))).all()}


def rotation_channels(session: Session, user_id: str) -> list[str]:
    """The channels whose rotation has the person: where a forward typed in a DM is announced."""
    return sorted(session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)).all())


def split_channels(value: str) -> list[str]:
    """The channels a stored forward was announced in."""
    return [c for c in value.split(",") if c]


def _office_part(numbers: Mapping[str, PhoneNumbers], user_id: str, text: Text, locale: str) -> str:
    office = number_of(numbers, user_id, "office")
    return text(locale, number=office) if office else ""


def store_forward(session: Session, services: Services, request: SetForward, *, channels: list[str], actor: User,
                  now: datetime, trigger: str) -> CallForward:
    """Replace the person's active forward with `request` and owe its announcements in `channels`,
    in the caller's transaction. A work mobile typed with the request is remembered; a forward to
    the mobile without one registered is refused. Channels the old forward was announced in and
    the new one is not get its end."""
    subject = request.subject
    numbers_row = session.get(PhoneNumbers, subject.id)
    if request.target == "mobile":
        if request.mobile is not None:
            numbers_row = numbers_row or PhoneNumbers(user_id=subject.id)
            numbers_row.mobile = request.mobile
            session.add(numbers_row)
        elif numbers_row is None or not numbers_row.mobile:
            if subject.id != actor.id:
                raise LocalizedError(NEED_MOBILE_FOR, name=name_of(subject), trigger=trigger)
            raise LocalizedError(NEED_MOBILE, trigger=trigger)
    previous = session.exec(select(CallForward).where(CallForward.user_id == subject.id,
                                                      col(CallForward.ended_at).is_(None))).all()
    # claimed like the expiry job does, so a concurrent expiry and this replacement announce one end
    ended = [old for old in previous if old.id is not None and claim_end(session, old.id, min(now, old.until))]
    forward = CallForward(user_id=subject.id, target=request.target,
                          colleague_id=request.colleague.id if request.colleague else None,
                          until=request.until, channels=",".join(channels), created_at=now, set_by=actor.id)
    session.add(forward)
    session.flush()
    names = {subject.id: subject.display_name}
    if request.colleague:
        names[request.colleague.id] = request.colleague.display_name
    numbers = phone_numbers(session, [subject.id, forward.colleague_id])
    view = view_of(forward, now, services.tz)
    by_lead = actor.id != subject.id
    default_locale = services.settings.bot_locale
    for channel_id in channels:
        locale = channel_locale(session, channel_id, default_locale)
        by = SET_BY(locale, name=name_of(actor)) if by_lead else ""
        enqueue_post(session, key=f"fwd:{forward.id}:start:{channel_id}", channel_id=channel_id, now=now, priority=URGENT,
                     message=START_POST(locale, name=name_of(subject), forward=describe_forward(view, locale, names, numbers),
                                        office=_office_part(numbers, subject.id, OFFICE_PART, locale), by=by))
    for old in ended:
        stale = [c for c in split_channels(old.channels) if c not in channels]
        announce_end(session, services, old, stale, subject=subject, numbers=numbers, now=now, actor=None,
                     expired=old.until <= now)
    if by_lead:
        locale = pick_locale(subject.locale, default_locale)
        audit(session, actor_id=actor.id, subject_id=subject.id, channel_id=channels[0] if channels else None,
              action="forward:set", detail={"target": request.target, "until": request.until.isoformat(timespec="minutes")},
              now=now)
        enqueue_dm(session, key=f"fwd:{forward.id}:setby", user_id=subject.id, now=now,
                   message=SET_FOR_DM(locale, lead=name_of(actor), trigger=trigger,
                                      forward=describe_forward(view, locale, names, numbers)))
    return forward


def describe_stored(session: Session, forward: CallForward, request: SetForward, *, locale: str, now: datetime,
                    tz: tzinfo) -> str:
    """The line describing a forward `store_forward` just stored, for the reply to who set it."""
    names = {u.id: u.display_name for u in (request.subject, request.colleague) if u is not None}
    return describe_forward(view_of(forward, now, tz), locale, names,
                            phone_numbers(session, [request.subject.id, forward.colleague_id]))


def announce_end(session: Session, services: Services, forward: CallForward, channels: list[str], *, subject: User | None,
                 numbers: Mapping[str, PhoneNumbers], now: datetime, actor: User | None, expired: bool = False) -> None:
    """Owe the end posts of `forward` in `channels`: ended (by `actor`) or run out (`expired`)."""
    default_locale = services.settings.bot_locale
    for channel_id in channels:
        locale = channel_locale(session, channel_id, default_locale)
        office = _office_part(numbers, forward.user_id, DIRECT_OFFICE, locale)
        if expired:
            local_end = forward.until.astimezone(services.tz)
            at = AT_TIME(locale, time=local_end.strftime("%H:%M"))
            if local_end.date() != now.astimezone(services.tz).date():
                at = f"{cal.format_day(local_end.date(), locale)}, {at}"
            message = EXPIRED_POST(locale, name=name_of(subject), time=at, office=office)
        else:
            by = ENDED_BY(locale, name=name_of(actor)) if actor is not None and actor.id != forward.user_id else ""
            message = END_POST(locale, name=name_of(subject), office=office, by=by)
        enqueue_post(session, key=f"fwd:{forward.id}:end:{channel_id}", channel_id=channel_id, message=message, now=now,
                     priority=URGENT)
    if forward.target == "voicemail" and greeting_for(session, forward.user_id, channels[0] if channels else None):
        # the team's greeting was shown when it was set (/dienst ansage): now it should be switched back
        locale = pick_locale(subject.locale, default_locale) if subject is not None else default_locale
        enqueue_dm(session, key=f"fwd:{forward.id}:greetingback", user_id=forward.user_id, now=now,
                   message=GREETING_BACK(locale))


def claim_end(session: Session, forward_id: int, ended_at: datetime) -> bool:
    """Mark a forward ended unless someone else (another replica, a button) already did."""
    result = session.execute(sa.update(CallForward).where(col(CallForward.id) == forward_id,
                                                          col(CallForward.ended_at).is_(None))
                             .values(ended_at=ended_at))
    return rowcount(result) == 1


def end_forward(session: Session, services: Services, forward: CallForward, *, subject: User, actor: User,
                now: datetime) -> bool:
    """End `forward` now and owe its end announcements; False if it had already ended."""
    if forward.id is None or not claim_end(session, forward.id, now):
        return False
    numbers = phone_numbers(session, [forward.user_id])
    announce_end(session, services, forward, split_channels(forward.channels), subject=subject, numbers=numbers,
                 now=now, actor=actor)
    if actor.id != subject.id:
        audit(session, actor_id=actor.id, subject_id=subject.id, channel_id=split_channels(forward.channels)[0]
              if forward.channels else None, action="forward:end", detail={"target": forward.target}, now=now)
        enqueue_dm(session, key=f"fwd:{forward.id}:endby", user_id=subject.id, now=now,
                   message=ENDED_FOR_DM(pick_locale(subject.locale, services.settings.bot_locale), lead=name_of(actor)))
    return True


async def where_text(ctx: Context, channels: list[str], *, dm: bool) -> str:
    """"Angekündigt in: …" for the reply (typed in a DM and announced nowhere: why not)."""
    if not channels:
        return ANNOUNCED_NOWHERE(ctx.locale) if dm else ""
    names = []
    for channel_id in channels:
        try:
            names.append(plain((await ctx.mm.channel(channel_id)).display_name, max_length=60))
        except Exception:  # a channel we can no longer see: the post is owed all the same
            names.append("?")
    return ANNOUNCED_IN(ctx.locale, channels=", ".join(names))


async def announce_channels(ctx: Context, subject_id: str) -> tuple[list[str], bool]:
    """(channels, typed in a DM): the current channel, or in a DM the person's rotation channels."""
    is_direct = not ctx.channel_id or (await ctx.channel()).is_direct
    if not is_direct:
        return [ctx.channel_id], False
    with ctx.db.read() as session:
        return rotation_channels(session, subject_id), True
