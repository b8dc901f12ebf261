"""`tausch`: propose swapping a day (and, optionally, swapping back on another) with someone in
the rotation; they accept or decline by button. The proposal's states: `domain.swap`."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from base.i18n import LocalizedError
from base.safetext import plain
from commands import parsing
from commands.base import ActionRequest, ActionResult, Context, Reply, SlashRequest
from commands.homeoffice.common import no_working_day, require_rotation, trigger
from commands.homeoffice.requests import SwapRequest, parse_swap
from commands.homeoffice.texts import (
    ACCEPT,
    DECLINE,
    IN_PAST,
    NEED_DATE,
    SWAP_ACCEPTED,
    SWAP_BACK,
    SWAP_BACK_MISMATCH,
    SWAP_BOTH,
    SWAP_DECLINED,
    SWAP_DM,
    SWAP_GONE,
    SWAP_MISMATCH,
    SWAP_NOT_MEMBER,
    SWAP_PROPOSED,
    SWAP_SELF,
    SWAP_TOLD,
    SWAP_TOLD_BACK,
    SWAP_USAGE,
    VERB_ACCEPTED,
    VERB_DECLINED,
    WHERE_PHRASE,
)
from domain import calendar as cal
from domain.rotation import Where
from domain.swap import SwapState, move
from storage import presence
from storage.models import PresenceChange, SwapProposal
from storage.outbox import enqueue_dm


def _where_on(session: Session, channel_id: str, user_id: str, day: date) -> Where | None:
    result = presence.channel_plan(session, channel_id, day, day)
    if result is None or not result[2]:
        return None
    return result[2][0].entries.get(user_id)


async def swap(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await propose(request, ctx, parse_swap(rest, trigger=trigger(ctx, request)))


async def propose(request: SlashRequest, ctx: Context, wanted: SwapRequest) -> Reply:
    row, members = require_rotation(ctx, request)
    (partner,) = await ctx.users_by_mention([wanted.partner], request.user_mentions)
    if partner.id == ctx.user.id:
        raise LocalizedError(SWAP_SELF)
    for person in (ctx.user, partner):
        if person.id not in members:
            raise LocalizedError(SWAP_NOT_MEMBER, name=plain(person.display_name, max_length=60))
    words = list(wanted.days)
    first = parsing.take_date(words, 0, today=ctx.today)
    if first is None:
        raise LocalizedError(NEED_DATE)
    day, i = first
    day2 = None
    if i < len(words):
        second = parsing.take_date(words, i, today=ctx.today)
        if second is None or second[1] != len(words):
            raise LocalizedError(SWAP_USAGE, trigger=trigger(ctx, request))
        day2 = second[0]
    for d in filter(None, (day, day2)):
        if d < ctx.today:
            raise LocalizedError(IN_PAST, range=cal.format_day(d, ctx.locale))
        if not cal.is_working_day(d, row.region):
            raise no_working_day(d, d, row.region, ctx.locale)
    def phrase(where: Where | None) -> str:
        return WHERE_PHRASE[where](ctx.locale) if where else "–"

    with ctx.db.read() as session:
        mine, theirs = _where_on(session, ctx.channel_id, ctx.user.id, day), _where_on(session, ctx.channel_id, partner.id, day)
        if mine == theirs and mine is not None:
            raise LocalizedError(SWAP_BOTH, day=cal.format_day(day, ctx.locale), where=phrase(mine))
        if {mine, theirs} != {Where.OFFICE, Where.HOME}:
            raise LocalizedError(SWAP_MISMATCH, day=cal.format_day(day, ctx.locale),
                                 a=plain(ctx.user.display_name, max_length=60), b=plain(partner.display_name, max_length=60),
                                 wa=phrase(mine), wb=phrase(theirs))
        assert mine is not None and theirs is not None  # one in the office, the other at home
        their_where, your_where = theirs, mine  # the partner's where and the proposer's on the first day
        if day2 is not None:
            # Swapping back means the other way round: the proposer where the partner was on the first day.
            mine2, theirs2 = (_where_on(session, ctx.channel_id, ctx.user.id, day2),
                              _where_on(session, ctx.channel_id, partner.id, day2))
            if (mine2, theirs2) != (theirs, mine):
                raise LocalizedError(SWAP_BACK_MISMATCH, day=cal.format_day(day2, ctx.locale),
                                     name=plain(partner.display_name, max_length=60), your=phrase(theirs),
                                     their=phrase(mine), wa=phrase(mine2), wb=phrase(theirs2))
    partner_locale = partner.locale if partner.locale in ("de", "en") else ctx.settings.bot_locale
    expires = datetime.combine(day, ctx.settings.roster_latest, tzinfo=ctx.tz)
    with ctx.db.write() as session:
        proposal = SwapProposal(channel_id=ctx.channel_id, proposer_id=ctx.user.id, partner_id=partner.id,
                                day=day, day2=day2, created_at=ctx.now, state=SwapState.PROPOSED.value)
        session.add(proposal)
        session.flush()
        data = {"p": proposal.id}
        buttons = [ctx.button(ACCEPT, "homeoffice.swap", {**data, "ok": True}, user_id=partner.id, expires=expires,
                              style="primary", action_id="swapaccept", locale=partner_locale),
                   ctx.button(DECLINE, "homeoffice.swap", {**data, "ok": False}, user_id=partner.id, expires=expires,
                              style="danger", action_id="swapdecline", locale=partner_locale)]
        back = SWAP_BACK(partner_locale, day=cal.format_day(day2, partner_locale)) if day2 else ""
        message = SWAP_DM(partner_locale, who=plain(ctx.user.display_name, max_length=60),
                          day=cal.format_day(day, partner_locale), your=WHERE_PHRASE[your_where](partner_locale),
                          their=WHERE_PHRASE[their_where](partner_locale), back=back)
        enqueue_dm(session, key=f"ho:swap:{proposal.id}", user_id=partner.id, now=ctx.now, message=message,
                   props={"attachments": [{"text": "", "actions": buttons}]})
    ctx.services.notify_outbox()
    return Reply(SWAP_PROPOSED(ctx.locale, name=plain(partner.display_name, max_length=60),
                               day=cal.format_day(day, ctx.locale), your=WHERE_PHRASE[their_where](ctx.locale),
                               their=WHERE_PHRASE[your_where](ctx.locale),
                               back=SWAP_BACK(ctx.locale, day=cal.format_day(day2, ctx.locale)) if day2 else ""))


async def swap_action(request: ActionRequest, ctx: Context) -> ActionResult:
    accept = bool(request.data.get("ok"))
    answer = SwapState.ACCEPTED if accept else SwapState.DECLINED
    with ctx.db.read() as session:
        proposal = session.get(SwapProposal, int(request.data.get("p") or 0))
    if proposal is None or proposal.state != SwapState.PROPOSED or proposal.partner_id != ctx.user.id:
        raise LocalizedError(SWAP_GONE)
    proposer = await ctx.mm.user(proposal.proposer_id)
    proposer_locale = proposer.locale if proposer.locale in ("de", "en") else ctx.settings.bot_locale
    summary_parts = []
    with ctx.db.write() as session:
        proposal = session.get(SwapProposal, proposal.id)
        if proposal is None or proposal.state != SwapState.PROPOSED:
            raise LocalizedError(SWAP_GONE)
        proposal.state = move(proposal.state, answer).value
        session.add(proposal)
        if accept:
            wheres = [(d, _where_on(session, proposal.channel_id, proposal.partner_id, d),
                       _where_on(session, proposal.channel_id, proposal.proposer_id, d))
                      for d in filter(None, (proposal.day, proposal.day2))]
            for d, mine, theirs in wheres:
                if {mine, theirs} != {Where.OFFICE, Where.HOME} or d < ctx.today:
                    raise LocalizedError(SWAP_GONE)  # rolls back: things changed since the proposal
            if len(wheres) == 2 and wheres[1][1:] != (wheres[0][2], wheres[0][1]):
                raise LocalizedError(SWAP_GONE)  # the day to swap back on is no longer the other way round
            for d, mine, theirs in wheres:
                assert mine is not None and theirs is not None  # one in the office, the other at home (above)
                session.merge(PresenceChange(user_id=proposal.partner_id, day=d, where=theirs.value, set_by=ctx.user.id))
                session.merge(PresenceChange(user_id=proposal.proposer_id, day=d, where=mine.value, set_by=ctx.user.id))
                summary_parts.append(f"{cal.format_day(d, ctx.locale)} {WHERE_PHRASE[theirs](ctx.locale)}")
        enqueue_dm(session, key=f"ho:swap:{proposal.id}:answer", user_id=proposal.proposer_id, now=ctx.now,
                   message=SWAP_TOLD(proposer_locale, name=plain(ctx.user.display_name, max_length=60),
                                     day=cal.format_day(proposal.day, proposer_locale)
                                     + (SWAP_TOLD_BACK(proposer_locale, day=cal.format_day(proposal.day2, proposer_locale))
                                        if proposal.day2 else ""),
                                     verb=(VERB_ACCEPTED if accept else VERB_DECLINED)(proposer_locale)))
    ctx.services.notify_outbox()
    text = (SWAP_ACCEPTED(ctx.locale, summary="; ".join(summary_parts)) if accept
            else SWAP_DECLINED(ctx.locale, day=cal.format_day(proposal.day, ctx.locale)))
    return ActionResult(update={"message": text, "props": {}})
