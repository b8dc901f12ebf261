"""The answer to "undo the whole swap?": both halves go, both partners are told, then the change
that was held back is made. The button sits on a private reply: it answers privately."""

from __future__ import annotations

from base.i18n import LocalizedError
from base.safetext import plain
from commands import channels
from commands.base import ActionRequest, ActionResult, Context, SlashRequest, user_locale
from commands.homeoffice import changes, swap_unit
from commands.homeoffice.texts import (
    CANCELLED,
    SWAP_GONE,
    SWAP_UNDONE,
    SWAP_UNDONE_BY_LEAD_DM,
    SWAP_UNDONE_DM,
)
from domain import calendar as cal
from domain.swap import SwapState, move
from storage.models import SwapProposal
from storage.outbox import enqueue_dm

RERUN = {"office": changes.office, "home": changes.home, "field": changes.field, "away": changes.away,
         "clear": changes.clear}


async def undo_swap_action(request: ActionRequest, ctx: Context) -> ActionResult:
    if not request.data.get("ok"):
        return ActionResult(ephemeral_text=CANCELLED(ctx.locale))
    ctx.channel_id = str(request.data.get("c") or ctx.channel_id)
    rerun = RERUN.get(str(request.data.get("k")))
    with ctx.db.read() as session:
        swap = session.get(SwapProposal, int(request.data.get("p") or 0))
    if swap is None or swap.state != SwapState.ACCEPTED or rerun is None:
        raise LocalizedError(SWAP_GONE)
    people = {uid: await ctx.mm.user(uid) for uid in (swap.proposer_id, swap.partner_id)}
    days_of = [d for d in (swap.day, swap.day2) if d is not None]
    with ctx.db.write() as session:
        swap = session.get(SwapProposal, swap.id)
        if swap is None or swap.state != SwapState.ACCEPTED:
            raise LocalizedError(SWAP_GONE)
        move(swap.state, SwapState.UNDONE)
        swap_unit.undo(session, swap)
        for uid, person in people.items():  # both partners are told (whoever pressed sees the answer)
            if uid == ctx.user.id:
                continue
            locale = user_locale(person, ctx.settings)
            other = people[swap.partner_id if uid == swap.proposer_id else swap.proposer_id]
            text = SWAP_UNDONE_DM if other.id == ctx.user.id else SWAP_UNDONE_BY_LEAD_DM
            enqueue_dm(session, key=f"ho:swap:{swap.id}:undone:{uid}", user_id=uid, now=ctx.now,
                       message=text(locale, who=plain(ctx.user.display_name, max_length=60),
                                    name=plain(other.display_name, max_length=60),
                                    days=cal.format_days(list(days_of), locale),
                                    trigger=channels.trigger(ctx.settings, "homeoffice")))
    ctx.services.notify_outbox()
    # the change that was held back, exactly as typed
    again = SlashRequest(command="/" + channels.trigger(ctx.settings, "homeoffice"), text=str(request.data.get("t")),
                         user_id=ctx.user.id, user_name=ctx.user.username, channel_id=ctx.channel_id,
                         channel_name="", team_id=ctx.team_id, team_domain="",
                         user_mentions={str(k): str(v) for k, v in dict(request.data.get("m") or {}).items()})
    reply = await rerun(again, ctx, str(request.data.get("t")))
    return ActionResult(ephemeral_text=SWAP_UNDONE(ctx.locale) + "\n" + reply.text)
