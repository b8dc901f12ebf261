"""Data protection: what `meine-daten` lists of call forwards, and the retention purge. (The
person's phone numbers are listed by `commands/privacy.py` itself.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from commands.forward_views import FALLBACK_TZ, describe_forward, until_text, view_of
from commands.rufumleitung.store import phone_numbers
from commands.rufumleitung.texts import (
    MY_FORWARD_LINE,
    MY_FORWARDS,
    MY_STANDIN_LINE,
    STATE_ACTIVE,
    STATE_ENDED,
)
from storage.db import rowcount
from storage.models import CallForward


def my_data(session: Session, user_id: str, locale: str) -> list[tuple[str, str, str | None]]:
    """For `meine-daten`: the person's forwards and the forwards naming them as stand-in (their
    numbers are listed by the privacy module itself). Dates are always shown in full."""
    out: list[tuple[str, str, str | None]] = []
    title = MY_FORWARDS(locale)
    own = session.exec(select(CallForward).where(CallForward.user_id == user_id).order_by(col(CallForward.created_at))).all()
    numbers = phone_numbers(session, [user_id])
    for row in own:
        view = replace(view_of(row, row.created_at, FALLBACK_TZ), today=date.min)
        state = (STATE_ACTIVE if row.ended_at is None else STATE_ENDED)(locale)
        out.append((title, MY_FORWARD_LINE(locale, forward=describe_forward(view, locale, {}, numbers), state=state), None))
    for row in session.exec(select(CallForward).where(CallForward.colleague_id == user_id)).all():
        until = until_text(row.until.astimezone(FALLBACK_TZ), date.min, locale)
        state = (STATE_ACTIVE if row.ended_at is None else STATE_ENDED)(locale)
        out.append((title, MY_STANDIN_LINE(locale, until=until, state=state), None))
    return out


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: forwards that ended before the cutoff."""
    return {"call_forward": rowcount(session.execute(sa.delete(CallForward).where(col(CallForward.until) < cutoff)))}
