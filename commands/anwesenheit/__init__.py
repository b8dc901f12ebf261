"""/anwesenheit (/roster): the presence roster, on demand and every working morning (SPEC §2.2).

`texts` holds the words, `compose` builds one roster, `handlers` answers the typed command and
`morning` posts and edits the morning rosters (its ledger is explained there).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from commands.anwesenheit import menu
from commands.anwesenheit.morning import morning_job
from commands.anwesenheit.texts import help_text
from commands.base import Feature
from storage.db import rowcount
from storage.models import RosterPost


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: the ledger of posted rosters, for days before the cutoff."""
    return {"roster_post": rowcount(session.execute(sa.delete(RosterPost).where(col(RosterPost.day) < cutoff_day)))}


FEATURE = Feature(kind="roster", run=menu.run_or_menu, help=help_text, actions=menu.ACTIONS, jobs=(morning_job,),
                  purge=purge)
