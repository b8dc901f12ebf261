"""The person's data in /dienst: what `meine-daten` shows, what `vergessen` erases (they leave
every duty's cycle; the rota closes the gap), and the retention purge of past duty days."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.safetext import plain
from commands.dienst.texts import (
    MYDATA_ADDED,
    MYDATA_CREATED,
    MYDATA_EXCLUDED,
    MYDATA_GREETING,
    MYDATA_HANDOVER_GAVE,
    MYDATA_HANDOVER_TOOK,
    MYDATA_LINE,
    MYDATA_REQUEST,
    MYDATA_SECTION,
    STATE_WORDS,
)
from commands.privacy import FORGOTTEN_ACTOR
from domain import calendar as cal
from storage import duties as duty_store
from storage.db import rowcount
from storage.duty_models import Duty, DutyGreeting, DutyHandover, DutyLedger, DutyParticipant, DutyRequest


def my_data(session: Session, user_id: str, locale: str) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    section = MYDATA_SECTION(locale)
    duties = {d.id: d for d in session.exec(select(Duty)).all()}

    def name(duty_id: int) -> str:
        duty = duties.get(duty_id)
        return plain(duty.name, max_length=40) if duty else "?"

    def channel(duty_id: int) -> str | None:
        duty = duties.get(duty_id)
        return duty.channel_id if duty else None

    for duty in duties.values():
        if duty.created_by == user_id:
            out.append((section, MYDATA_CREATED(locale, name=plain(duty.name, max_length=40)), duty.channel_id))
    for duty in duties.values():
        carry = duty_store.carry_of(duty)
        if carry is not None and user_id in carry.people:
            out.append((section, MYDATA_LINE(locale, name=plain(duty.name, max_length=40),
                                             day=cal.format_day(carry.day, locale)), duty.channel_id))
    for entry in session.exec(select(DutyParticipant).where(DutyParticipant.user_id == user_id)).all():
        text = (MYDATA_EXCLUDED if entry.excluded else MYDATA_ADDED)(locale, name=name(entry.duty_id))
        out.append((section, text, channel(entry.duty_id)))
    for h in session.exec(select(DutyHandover).where(sa.or_(col(DutyHandover.taker) == user_id,
                                                            col(DutyHandover.giver) == user_id))
                          .order_by(col(DutyHandover.day))).all():
        text = (MYDATA_HANDOVER_TOOK if h.taker == user_id else MYDATA_HANDOVER_GAVE)(
            locale, day=cal.format_day(h.day, locale), name=name(h.duty_id))
        out.append((section, text, channel(h.duty_id)))
    for r in session.exec(select(DutyRequest).where(sa.or_(col(DutyRequest.giver) == user_id,
                                                           col(DutyRequest.taker) == user_id,
                                                           col(DutyRequest.asked) == user_id,
                                                           col(DutyRequest.created_by) == user_id,
                                                           col(DutyRequest.claimed_by) == user_id))
                          .order_by(col(DutyRequest.day))).all():
        state = STATE_WORDS.get(r.state)
        out.append((section, MYDATA_REQUEST(locale, day=cal.format_day(r.day, locale), name=name(r.duty_id),
                                            state=state(locale) if state else r.state), channel(r.duty_id)))
    for g in session.exec(select(DutyGreeting).where(DutyGreeting.set_by == user_id)).all():
        out.append((section, MYDATA_GREETING(locale), g.channel_id))
    return out


def forget(session: Session, user_id: str) -> None:
    """Out of every cycle; their hand-overs and requests go; where they acted for others, the
    row stays without their name."""
    session.execute(sa.delete(DutyParticipant).where(col(DutyParticipant.user_id) == user_id))
    session.execute(sa.delete(DutyHandover).where(sa.or_(col(DutyHandover.taker) == user_id,
                                                         col(DutyHandover.giver) == user_id)))
    session.execute(sa.delete(DutyRequest).where(sa.or_(col(DutyRequest.giver) == user_id,
                                                        col(DutyRequest.taker) == user_id,
                                                        col(DutyRequest.asked) == user_id)))
    for column in ("created_by", "claimed_by"):
        session.execute(sa.update(DutyRequest).where(getattr(DutyRequest, column) == user_id)
                        .values({column: FORGOTTEN_ACTOR}))
    session.execute(sa.update(Duty).where(col(Duty.created_by) == user_id).values(created_by=FORGOTTEN_ACTOR))
    duty_store.drop_from_carries(session, user_id)
    session.execute(sa.update(DutyGreeting).where(col(DutyGreeting.set_by) == user_id).values(set_by=FORGOTTEN_ACTOR))
    # who held a duty day when it was last told: rows naming the person go (they are made afresh)
    session.execute(sa.delete(DutyLedger).where(col(DutyLedger.value).contains(user_id)))
    session.execute(sa.delete(DutyLedger).where(col(DutyLedger.key).contains(user_id)))


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: past duty days (hand-overs, requests, the notice ledger) older than the cutoff."""
    counts = {}
    for name, model in (("duty_handover", DutyHandover), ("duty_request", DutyRequest), ("duty_ledger", DutyLedger)):
        counts[name] = rowcount(session.execute(sa.delete(model).where(col(model.day) < cutoff_day)))
    return counts
