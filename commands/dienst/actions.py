"""The buttons of /dienst: "Ich übernehme" on a request post, accept/decline of a swap or of a
request to take over (in a DM). Deleting a duty's confirm button lives with `löschen` in `admin`."""

from __future__ import annotations

from base.safetext import plain
from commands.base import ActionRequest, ActionResult, Context
from commands.dienst.common import duty_name, plan_of, user_locale_of, why_not
from commands.dienst.handover import claim, hand_over, request_key
from commands.dienst.texts import (
    ANSWER_ACCEPTED,
    ANSWER_DECLINED,
    CANNOT_TAKE,
    NOT_FOR_YOU,
    REQUEST_GONE,
    TOLD_ACCEPTED,
    TOLD_DECLINED,
)
from domain import calendar as cal
from storage import duties as duty_store
from storage.duty_models import Duty, DutyRequest
from storage.outbox import enqueue_dm


async def claim_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """"Ich übernehme": the first eligible click wins; the post is edited in place to name who took it."""
    answer, update = await claim(ctx, int(request.data.get("r") or 0), from_post=True)
    return ActionResult(update=update, ephemeral_text=answer)


async def answer_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """Accept or decline a swap (`tausch`) or a request to take over (`übernehmen`)."""
    request_id = int(request.data.get("r") or 0)
    accept = bool(request.data.get("ok"))
    with ctx.db.read() as session:
        row = session.get(DutyRequest, request_id)
        duty = session.get(Duty, row.duty_id) if row is not None else None
    if row is None or duty is None or row.claimed_by is not None or row.state != "open" or row.day < ctx.today:
        return ActionResult(ephemeral_text=REQUEST_GONE(ctx.locale))
    if row.asked != ctx.user.id:
        return ActionResult(ephemeral_text=NOT_FOR_YOU(ctx.locale))
    taker_id = row.taker or ctx.user.id
    if accept:
        with ctx.db.read() as session:
            plan = plan_of(session, ctx, duty, row.day)
            holds = row.giver in plan.days[row.day].holders
            reason = why_not(session, plan, taker_id, row.day, ctx.locale)
        if not holds or reason is not None:
            reason = reason or REQUEST_GONE(ctx.locale)
            return ActionResult(ephemeral_text=CANNOT_TAKE(ctx.locale, name=duty_name(duty),
                                                           day=cal.format_day(row.day, ctx.locale), reason=reason))
    users = await ctx.mm.users(sorted({row.created_by, taker_id}))
    creator = users.get(row.created_by)
    taker = plain(users[taker_id].display_name if taker_id in users else "?", max_length=60)
    with ctx.db.write() as session:
        won = (duty_store.claim_request(session, request_id, ctx.user.id, ctx.now) if accept
               else duty_store.decline_request(session, request_id, ctx.now))
        if not won:
            return ActionResult(ephemeral_text=REQUEST_GONE(ctx.locale))
        if accept:
            hand_over(session, ctx, duty, row.day, row.giver, taker_id, row.kind)
        if creator is not None and creator.id != ctx.user.id:
            locale = user_locale_of(creator, ctx)
            told = (TOLD_ACCEPTED if accept else TOLD_DECLINED)(
                locale, who=plain(ctx.user.display_name, max_length=60), name=duty_name(duty),
                day=cal.format_day(row.day, locale), taker=taker)
            enqueue_dm(session, key=f"{request_key(request_id)}:answer", user_id=creator.id, message=told, now=ctx.now)
    ctx.services.notify_outbox()
    day = cal.format_day(row.day, ctx.locale)
    text = (ANSWER_ACCEPTED(ctx.locale, name=duty_name(duty), day=day, taker=taker) if accept
            else ANSWER_DECLINED(ctx.locale, name=duty_name(duty), day=day))
    return ActionResult(update={"message": text, "props": {}})
