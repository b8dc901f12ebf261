"""Hand-overs: `abgeben` (a request in the channel with an "Ich übernehme" button), `übernehmen`
(an uncovered day at once, a covered one by asking its holder) and `tausch` (asking a colleague).

A request is won by a conditional UPDATE of `duty_request.claimed_by` (`storage.duties.claim_request`),
so however many click at once, on however many replicas, exactly one gets the duty. The hand-over,
the DMs and the edit of the request post are written in the same transaction as the claim.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from base.chat import User
from base.i18n import LocalizedError
from base.safetext import plain
from commands import parsing
from commands.base import Context, Reply, SlashRequest, user_locale
from commands.channels import channel_locale
from commands.dienst.common import (
    display_names,
    duty_name,
    find_duty,
    partner_reason,
    plan_of,
    region,
    trigger,
    user_locale_of,
    why_not,
)
from commands.dienst.requests import parse_day_request
from commands.dienst.texts import (
    ACCEPT,
    ALREADY_DROPPED,
    ALREADY_TAKEN,
    CANNOT_TAKE,
    COVER_POST,
    DECLINE,
    DROPPED_FOR_DM,
    DROPPED_FOR_REPLY,
    DROPPED_REPLY,
    NOT_YOUR_DAY,
    NOT_YOURS_ANY,
    PARTNER_AWAY,
    PARTNER_CANNOT,
    PARTNER_HOLDS,
    PARTNER_NOT_OFFICE,
    PARTNER_NOT_PARTICIPANT,
    REASON_GIVER,
    REQUEST_GONE,
    REQUEST_POST,
    SWAP_ASKED,
    SWAP_DM,
    SWAP_SELF,
    TAKE_ASK_DM,
    TAKE_ASKED,
    TAKE_BUTTON,
    TAKEN_DM_GIVER,
    TAKEN_DM_LEAD,
    TAKEN_FROM,
    TAKEN_POST,
    TOOK_AT_ONCE,
    YOU,
    YOU_TOOK,
)
from commands.duty_views import hours_text, uncovered_text
from commands.leads import Reach, audit, channel_leads, require_may_act_for, tell_subject
from domain import calendar as cal
from storage import duties as duty_store
from storage.duty_models import Duty, DutyHandover, DutyRequest
from storage.outbox import URGENT, enqueue_dm, enqueue_patch, enqueue_post

PARTNER_TEXTS = {"participant": PARTNER_NOT_PARTICIPANT, "away": PARTNER_AWAY, "office": PARTNER_NOT_OFFICE,
                 "holds": PARTNER_HOLDS}


def request_key(request_id: int | None) -> str:
    return f"duty:req:{request_id}"


def request_expiry(day: date, ctx: Context) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ctx.tz)


def _hours(duty: Duty, locale: str) -> str:
    text = hours_text(duty.hours, locale)
    return f", {text}" if text else ""


def request_message(duty: Duty, request: DutyRequest, names: dict[str, str], locale: str, missing: int = 1) -> str:
    day, hours = cal.format_day(request.day, locale), _hours(duty, locale)
    if request.claimed_by:
        giver = TAKEN_FROM(locale, giver=plain(names.get(request.giver, "?"), max_length=60)) if request.giver else ""
        return TAKEN_POST(locale, name=duty_name(duty), day=day, hours=hours,
                          taker=plain(names.get(request.claimed_by, "?"), max_length=60), giver=giver)
    if request.kind == "cover":
        return COVER_POST(locale, name=duty_name(duty), day=day, hours=hours, missing=uncovered_text(missing, locale))
    return REQUEST_POST(locale, name=duty_name(duty), day=day, hours=hours,
                        who=plain(names.get(request.giver or "", "?"), max_length=60))


def request_props(ctx: Context, request: DutyRequest, locale: str) -> dict[str, Any]:
    if request.claimed_by or request.state != "open":
        return {}
    button = ctx.button(TAKE_BUTTON, "duty.claim", {"r": request.id}, user_id=None,
                        expires=request_expiry(request.day, ctx), style="primary", action_id="dutyclaim",
                        locale=locale)
    return {"attachments": [{"text": "", "actions": [button]}]}


def post_request(session: Session, ctx: Context, duty: Duty, request: DutyRequest, names: dict[str, str],
                 missing: int = 1) -> None:
    """Owe the request's post in the duty's channel (its key names the request)."""
    locale = channel_locale(session, duty.channel_id, ctx.settings.bot_locale)
    enqueue_post(session, key=request_key(request.id), channel_id=duty.channel_id,
                 message=request_message(duty, request, names, locale, missing), now=ctx.now,
                 props=request_props(ctx, request, locale), priority=URGENT)


def snapshot_after(session: Session, ctx: Context, duty: Duty, day: date) -> None:
    """The people in a hand-over were told: record the day's holders so no "gained/lost" DM follows."""
    session.flush()
    plans = duty_store.duty_plans(session, duty.channel_id, day, day, region=region(session, duty.channel_id, ctx),
                                  duties=[duty])
    if plans and day in plans[0].days:
        duty_store.set_snapshot(session, f"holders:{duty.id}:{day.isoformat()}", day,
                                ",".join(sorted(plans[0].days[day].holders)), ctx.now)


def hand_over(session: Session, ctx: Context, duty: Duty, day: date, giver: str | None, taker: str, kind: str) -> None:
    session.add(DutyHandover(duty_id=duty.id or 0, day=day, giver=giver, taker=taker, kind=kind, created_at=ctx.now))
    snapshot_after(session, ctx, duty, day)


async def claim(ctx: Context, request_id: int, *, from_post: bool) -> tuple[str, dict[str, Any] | None]:
    """`ctx.user` takes the request's duty day if eligible and first: (answer to them, the post's
    new content or None). `from_post`: the answer edits the post; else the outbox does."""
    with ctx.db.read() as session:
        request = session.get(DutyRequest, request_id)
        duty = session.get(Duty, request.duty_id) if request is not None else None
    if request is None or duty is None or request.state in ("gone", "declined") or request.day < ctx.today:
        return REQUEST_GONE(ctx.locale), None
    if request.claimed_by is None:
        with ctx.db.read() as session:
            plan = plan_of(session, ctx, duty, request.day)
            if request.kind == "cover" and plan.days[request.day].covered:
                return REQUEST_GONE(ctx.locale), None  # covered again meanwhile (the duty job edits the post)
            reason = why_not(session, plan, ctx.user.id, request.day, ctx.locale)
        if request.giver == ctx.user.id:
            reason = REASON_GIVER(ctx.locale)
        if reason is not None:
            return CANNOT_TAKE(ctx.locale, name=duty_name(duty), day=cal.format_day(request.day, ctx.locale),
                               reason=reason), None
    names = await display_names(ctx, [request.giver or "", request.claimed_by or "", ctx.user.id])
    leads = await channel_leads(ctx, duty.channel_id) if request.claimed_by is None else []
    giver = (await ctx.mm.users([request.giver])).get(request.giver) if request.giver else None
    channel = plain((await ctx.mm.channel(duty.channel_id)).display_name, max_length=60)
    won = False
    with ctx.db.write() as session:
        if request.claimed_by is None and duty_store.claim_request(session, request_id, ctx.user.id, ctx.now):
            won = True
            hand_over(session, ctx, duty, request.day, request.giver, ctx.user.id, request.kind)
            _tell_taken(session, ctx, duty, request, giver, leads, names, channel)
            locale = channel_locale(session, duty.channel_id, ctx.settings.bot_locale)
            request.claimed_by, request.state = ctx.user.id, "done"
            if not from_post:
                enqueue_patch(session, key=f"{request_key(request_id)}:taken", target_key=request_key(request_id),
                              message=request_message(duty, request, names, locale), props={}, now=ctx.now,
                              priority=URGENT)
    ctx.services.notify_outbox()
    with ctx.db.read() as session:
        current = session.get(DutyRequest, request_id) or request
        locale = channel_locale(session, duty.channel_id, ctx.settings.bot_locale)
    if current.claimed_by and current.claimed_by not in names:  # won on another replica, or earlier
        names.update(await display_names(ctx, [current.claimed_by]))
    update = {"message": request_message(duty, current, names, locale), "props": {}}
    day = cal.format_day(request.day, ctx.locale)
    if won:
        return YOU_TOOK(ctx.locale, name=duty_name(duty), day=day), update
    taker = plain(names.get(current.claimed_by or "", "?"), max_length=60)
    return ALREADY_TAKEN(ctx.locale, taker=taker, name=duty_name(duty), day=day), update


def _tell_taken(session: Session, ctx: Context, duty: Duty, request: DutyRequest, giver: User | None,
                leads: list[User], names: dict[str, str], channel: str) -> None:
    taker = plain(ctx.user.display_name, max_length=60)
    key = request_key(request.id)
    if request.giver and request.giver != ctx.user.id:
        locale = user_locale(giver, ctx.settings) if giver is not None else ctx.settings.bot_locale
        enqueue_dm(session, key=f"{key}:giver", user_id=request.giver, now=ctx.now,
                   message=TAKEN_DM_GIVER(locale, taker=taker, name=duty_name(duty),
                                          day=cal.format_day(request.day, locale)))
    giver_name = names.get(request.giver or "", "")
    for lead in leads:
        if lead.id in (ctx.user.id, request.giver):
            continue
        locale = user_locale(lead, ctx.settings)
        instead = TAKEN_FROM(locale, giver=plain(giver_name, max_length=60)) if request.giver else ""
        enqueue_dm(session, key=f"{key}:lead:{lead.id}", user_id=lead.id, now=ctx.now,
                   message=TAKEN_DM_LEAD(locale, channel=channel, taker=taker, name=duty_name(duty),
                                         day=cal.format_day(request.day, locale), giver=instead))


# -- abgeben -----------------------------------------------------------------------------------------------


async def drop(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    wanted = parse_day_request(parsing.tokenize(rest), today=ctx.today, trigger=typed,
                               example='abgeben morgen "Telefondienst"')
    subject = ctx.user
    if wanted.person is not None:
        (subject,) = await ctx.users_by_mention([wanted.person], request.user_mentions)
        await require_may_act_for(ctx, subject, Reach.CHANNEL)
    who = YOU(ctx.locale) if subject.id == ctx.user.id else plain(subject.display_name, max_length=60)
    with ctx.db.read() as session:
        duty = _held_duty(session, ctx, wanted.name, wanted.day, subject.id, who, typed)
        plan = plan_of(session, ctx, duty, wanted.day)
        if subject.id not in plan.days[wanted.day].holders:
            raise LocalizedError(NOT_YOUR_DAY, who=who, day=cal.format_day(wanted.day, ctx.locale), name=duty_name(duty))
        if any(r.giver == subject.id for r in plan.open_drops.get(wanted.day, ())):
            raise LocalizedError(ALREADY_DROPPED, name=duty_name(duty), day=cal.format_day(wanted.day, ctx.locale))
    channel = plain((await ctx.mm.channel(duty.channel_id)).display_name, max_length=60)
    names = {subject.id: subject.display_name}
    with ctx.db.write() as session:
        row = DutyRequest(duty_id=duty.id or 0, day=wanted.day, kind="drop", giver=subject.id, created_by=ctx.user.id,
                          created_at=ctx.now)
        session.add(row)
        session.flush()
        post_request(session, ctx, duty, row, names)
        entry = audit(session, actor_id=ctx.user.id, subject_id=subject.id, channel_id=ctx.channel_id,
                      action="duty:drop", now=ctx.now, detail={"duty": duty.name, "days": [wanted.day.isoformat()]})
        locale = user_locale(subject, ctx.settings)
        tell_subject(session, entry, DROPPED_FOR_DM(locale, lead=plain(ctx.user.display_name, max_length=60),
                                                    name=duty_name(duty), day=cal.format_day(wanted.day, locale),
                                                    channel=channel), now=ctx.now)
    ctx.services.notify_outbox()
    day = cal.format_day(wanted.day, ctx.locale)
    if subject.id != ctx.user.id:
        return Reply(DROPPED_FOR_REPLY(ctx.locale, who=who, name=duty_name(duty), day=day))
    return Reply(DROPPED_REPLY(ctx.locale, name=duty_name(duty), day=day))


def _held_duty(session: Session, ctx: Context, name: str | None, day: date, user_id: str, who: str,
               typed: str) -> Duty:
    """The named duty; without a name, the one duty the person holds that day."""
    if name is not None:
        return find_duty(session, ctx, name, typed)
    duties = duty_store.duties_of(session, [ctx.channel_id]).get(ctx.channel_id, [])
    if len(duties) <= 1:
        return find_duty(session, ctx, None, typed)
    plans = duty_store.duty_plans(session, ctx.channel_id, day, day, region=region(session, ctx.channel_id, ctx))
    held = [p.duty for p in plans if day in p.days and user_id in p.days[day].holders]
    if len(held) == 1:
        return held[0]
    if not held:
        raise LocalizedError(NOT_YOURS_ANY, who=who, day=cal.format_day(day, ctx.locale))
    return find_duty(session, ctx, None, typed)  # several: asks which


# -- übernehmen --------------------------------------------------------------------------------------------


async def take(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    wanted = parse_day_request(parsing.tokenize(rest), today=ctx.today, trigger=typed,
                               example='übernehmen morgen "Telefondienst"')
    with ctx.db.read() as session:
        duty = find_duty(session, ctx, wanted.name, typed)
        plan = plan_of(session, ctx, duty, wanted.day)
        reason = why_not(session, plan, ctx.user.id, wanted.day, ctx.locale)
        if reason is not None:
            raise LocalizedError(CANNOT_TAKE, name=duty_name(duty), day=cal.format_day(wanted.day, ctx.locale),
                                 reason=reason)
        dd = plan.days[wanted.day]
        open_requests = plan.open_drops.get(wanted.day, [])
    day = cal.format_day(wanted.day, ctx.locale)
    if open_requests:  # someone dropped it, or it is uncovered and asked for: the same claim as the button
        answer, _ = await claim(ctx, open_requests[0].id or 0, from_post=False)
        return Reply(answer)
    if dd.missing:
        with ctx.db.write() as session:
            hand_over(session, ctx, duty, wanted.day, None, ctx.user.id, "take")
        return Reply(TOOK_AT_ONCE(ctx.locale, name=duty_name(duty), day=day))
    holder = (await ctx.mm.users([dd.holders[0]]))[dd.holders[0]]
    return Reply(await _ask(ctx, duty, wanted.day, kind="take", giver=holder.id, taker=ctx.user.id, asked=holder,
                            reply=TAKE_ASKED(ctx.locale, holder=plain(holder.display_name, max_length=60),
                                             name=duty_name(duty), day=day)))


async def _ask(ctx: Context, duty: Duty, day: date, *, kind: str, giver: str, taker: str, asked: User, reply: str) -> str:
    """A request to one person, with accept/decline buttons in a DM."""
    locale = user_locale_of(asked, ctx)
    with ctx.db.write() as session:
        row = DutyRequest(duty_id=duty.id or 0, day=day, kind=kind, giver=giver, taker=taker, asked=asked.id,
                          created_by=ctx.user.id, created_at=ctx.now)
        session.add(row)
        session.flush()
        expires = request_expiry(day, ctx)
        buttons = [ctx.button(ACCEPT, "duty.answer", {"r": row.id, "ok": True}, user_id=asked.id, expires=expires,
                              style="primary", action_id="dutyaccept", locale=locale),
                   ctx.button(DECLINE, "duty.answer", {"r": row.id, "ok": False}, user_id=asked.id, expires=expires,
                              style="danger", action_id="dutydecline", locale=locale)]
        text = (SWAP_DM if kind == "swap" else TAKE_ASK_DM)(locale, who=plain(ctx.user.display_name, max_length=60),
                                                             name=duty_name(duty), day=cal.format_day(day, locale))
        enqueue_dm(session, key=request_key(row.id), user_id=asked.id, message=text, now=ctx.now,
                   props={"attachments": [{"text": "", "actions": buttons}]})
    ctx.services.notify_outbox()
    return reply


# -- tausch ------------------------------------------------------------------------------------------------


async def swap(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    wanted = parse_day_request(parsing.tokenize(rest), today=ctx.today, trigger=typed,
                               example='tausch @bernd.mueller morgen "Telefondienst"', partner_first=True)
    assert wanted.person is not None
    (partner,) = await ctx.users_by_mention([wanted.person], request.user_mentions)
    if partner.id == ctx.user.id:
        raise LocalizedError(SWAP_SELF)
    who = YOU(ctx.locale)
    with ctx.db.read() as session:
        duty = _held_duty(session, ctx, wanted.name, wanted.day, ctx.user.id, who, typed)
        plan = plan_of(session, ctx, duty, wanted.day)
        if ctx.user.id not in plan.days[wanted.day].holders:
            raise LocalizedError(NOT_YOUR_DAY, who=who, day=cal.format_day(wanted.day, ctx.locale), name=duty_name(duty))
        reason = partner_reason(why_not(session, plan, partner.id, wanted.day, ctx.locale), plan, session, partner.id,
                                wanted.day, PARTNER_TEXTS, ctx.locale)
    name = plain(partner.display_name, max_length=60)
    day = cal.format_day(wanted.day, ctx.locale)
    if reason is not None:
        raise LocalizedError(PARTNER_CANNOT, who=name, name=duty_name(duty), day=day, reason=reason)
    return Reply(await _ask(ctx, duty, wanted.day, kind="swap", giver=ctx.user.id, taker=partner.id, asked=partner,
                            reply=SWAP_ASKED(ctx.locale, who=name, name=duty_name(duty), day=day)))
