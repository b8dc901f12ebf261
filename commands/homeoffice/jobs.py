"""What runs without a command: swap proposals expire, and old days are purged (retention)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from domain.swap import SwapState, move
from storage.db import rowcount
from storage.models import Absence, PresenceChange, SwapProposal


async def expire_swaps(services: Any) -> None:
    """Proposals not answered by the swapped day's ROSTER_LATEST expire (their buttons already have)."""
    local = services.clock.now().astimezone(services.tz)
    cutoff = local.date() if local.time() >= services.settings.roster_latest else local.date() - timedelta(days=1)
    expired = move(SwapState.PROPOSED, SwapState.EXPIRED)
    with services.db.write() as session:
        session.execute(sa.update(SwapProposal).where(col(SwapProposal.state) == SwapState.PROPOSED.value,
                                                      col(SwapProposal.day) <= cutoff)
                        .values(state=expired.value))


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: one-off changes, absences and swap proposals for days before the cutoff."""
    return {name: rowcount(session.execute(sa.delete(model).where(col(model.day) < cutoff_day)))
            for name, model in (("presence_change", PresenceChange), ("absence", Absence),
                                ("swap_proposal", SwapProposal))}
