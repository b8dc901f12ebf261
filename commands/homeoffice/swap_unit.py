"""An accepted swap is one unit (SPEC §2.1 "Edits stay whole"): a change that would clear or
override one of its days is held back until the person confirms undoing the whole swap, both halves,
and both partners are told."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from base.safetext import plain
from commands.base import Context, Reply, SlashRequest
from commands.homeoffice.texts import CANCEL, SWAP_UNDO_ASK, SWAP_UNDO_YES
from domain import calendar as cal
from domain.swap import SwapState
from storage.db import table_of
from storage.models import PresenceChange, SwapProposal


class SwapInTheWay(Exception):
    """A change touches a day of an accepted swap; nothing was written."""

    def __init__(self, swap: SwapProposal) -> None:
        super().__init__(f"swap {swap.id}")
        self.swap = swap


_swap = table_of(SwapProposal)
# Every change runs this: built once (SQLAlchemy caches its compiled form), and it reads the
# days of the person's accepted swaps as plain rows; only a swap in the way is loaded as a model.
_ACCEPTED_SWAP_DAYS = (
    sa.select(_swap.c.id, _swap.c.day, _swap.c.day2)
    .where(_swap.c.state == SwapState.ACCEPTED.value,
           sa.or_(_swap.c.proposer_id == sa.bindparam("user_id"), _swap.c.partner_id == sa.bindparam("user_id"))))


def check(session: Session, user_id: str, days: Iterable[date]) -> None:
    """Raise SwapInTheWay if one of `days` is a day of an accepted swap of the person."""
    wanted = set(days)
    if not wanted:
        return
    for swap_id, day, day2 in session.execute(_ACCEPTED_SWAP_DAYS, {"user_id": user_id}).all():
        if day in wanted or (day2 is not None and day2 in wanted):
            swap = session.get(SwapProposal, swap_id)
            assert swap is not None  # read in this transaction a moment ago
            raise SwapInTheWay(swap)


def undo(session: Session, swap: SwapProposal) -> None:
    """Both halves go: the changes the swap made for both partners on its days."""
    days = [d for d in (swap.day, swap.day2) if d is not None]
    session.execute(sa.delete(PresenceChange).where(
        col(PresenceChange.user_id).in_([swap.proposer_id, swap.partner_id]), col(PresenceChange.day).in_(days)))
    swap.state = SwapState.UNDONE.value
    session.add(swap)


async def ask(request: SlashRequest, ctx: Context, swap: SwapProposal, kind: str, rest: str) -> Reply:
    """The question: undo the whole swap and then make the change? Its answer is private."""
    # the partner of whoever asks (a lead acting for one of the two is shown the partner)
    other_id = swap.proposer_id if ctx.user.id == swap.partner_id else swap.partner_id
    other = await ctx.mm.user(other_id)
    days = cal.format_days([d for d in (swap.day, swap.day2) if d is not None], ctx.locale)
    data = {"p": swap.id, "k": kind, "t": rest, "c": ctx.channel_id, "m": dict(request.user_mentions)}
    expires = ctx.now + timedelta(minutes=15)
    buttons = [ctx.button(SWAP_UNDO_YES, "homeoffice.undoswap", {**data, "ok": True}, user_id=ctx.user.id,
                          expires=expires, style="danger", action_id="undoswapyes"),
               ctx.button(CANCEL, "homeoffice.undoswap", {**data, "ok": False}, user_id=ctx.user.id,
                          expires=expires, action_id="undoswapno")]
    return Reply(SWAP_UNDO_ASK(ctx.locale, days=days, name=plain(other.display_name, max_length=60)),
                 [{"actions": buttons}])
