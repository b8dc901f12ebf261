"""Tables of `/dienst`: duties, who takes part, hand-overs, requests, the greeting and the ledger.

The rota itself is not stored: it is computed from the plan (`domain.duty.rota`). What is stored
is what people decided: the duty's definition, explicit members and exclusions of its cycle, the
hand-overs (`tausch`, `abgeben`, `übernehmen`) and the open requests behind them.

Personal data here: participation in a duty's cycle, each participant's place in its line (the
carry), hand-overs and requests per person and day
(deleted after `RETENTION_DAYS`), the greeting's author. The duty's own number is a public
office number (e.g. a hotline), not a person's.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models import utc_column

NAME_MAX = 40
GREETING_MAX = 500


class Duty(SQLModel, table=True):
    __tablename__ = "duty"
    __table_args__ = (sa.UniqueConstraint("channel_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=26, index=True)
    name: str = Field(max_length=NAME_MAX)  # as typed, made safe wherever it is shown
    name_key: str = Field(max_length=NAME_MAX)  # casefolded: one duty of a name per channel
    on_site: bool = True
    min_holders: int = 1
    weekdays: str = Field(default="0,1,2,3,4", max_length=20)
    hours: str | None = Field(default=None, max_length=11)  # "08:00-12:00"; None: all day
    number: str | None = Field(default=None, max_length=40)  # the duty's own (public) number
    start: date  # the rota counts from here (defined, or last changed by a lead)
    # Where the rota's line stood at the start of `carry_day` (domain.duty.Carry, as JSON: per
    # participant [user id, next turn, duty days since last unavailable]): the rota goes on from
    # there and needs no older presence data, so that data can be deleted.
    carry_day: date | None = None
    carry: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_by: str = Field(max_length=26)
    created_at: datetime = Field(sa_column=utc_column())


class DutyParticipant(SQLModel, table=True):
    """An explicit entry in a duty's cycle: someone added (`mitglieder`) or left out (`ohne`).
    Without entries the cycle is the channel's rotation members in the order they joined."""

    __tablename__ = "duty_participant"

    duty_id: int = Field(primary_key=True, foreign_key="duty.id", ondelete="CASCADE")
    user_id: str = Field(primary_key=True, max_length=26, index=True)
    position: int = 0  # order of the added ones, after the rotation's members
    excluded: bool = False


class DutyHandover(SQLModel, table=True):
    """A duty day handed from one person to another (giver None: an uncovered day taken)."""

    __tablename__ = "duty_handover"

    id: int | None = Field(default=None, primary_key=True)
    duty_id: int = Field(foreign_key="duty.id", ondelete="CASCADE", index=True)
    day: date = Field(index=True)
    giver: str | None = Field(default=None, max_length=26, index=True)
    taker: str = Field(max_length=26, index=True)
    kind: str = Field(max_length=10)  # swap | drop | take | cover
    created_at: datetime = Field(sa_column=utc_column())


class DutyRequest(SQLModel, table=True):
    """A request about one duty day: `drop` and `cover` are open to every eligible colleague (the
    channel post's button), `swap` and `take` ask one person (`asked`). Exactly one answer wins:
    it is claimed with a conditional UPDATE on `claimed_by IS NULL`."""

    __tablename__ = "duty_request"

    id: int | None = Field(default=None, primary_key=True)
    duty_id: int = Field(foreign_key="duty.id", ondelete="CASCADE", index=True)
    day: date = Field(index=True)
    kind: str = Field(max_length=10)  # drop | cover | swap | take
    giver: str | None = Field(default=None, max_length=26, index=True)  # who hands the day over
    taker: str | None = Field(default=None, max_length=26, index=True)  # set for swap and take
    asked: str | None = Field(default=None, max_length=26, index=True)  # who decides; None: anyone eligible
    created_by: str = Field(max_length=26)
    created_at: datetime = Field(sa_column=utc_column())
    claimed_by: str | None = Field(default=None, max_length=26)
    claimed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    state: str = Field(default="open", max_length=10)  # open | done | declined | gone


class DutyGreeting(SQLModel, table=True):
    """The team's approved answering-machine text, shown to whoever forwards to voicemail."""

    __tablename__ = "duty_greeting"

    channel_id: str = Field(primary_key=True, max_length=26)
    text: str = Field(max_length=GREETING_MAX)
    set_by: str = Field(max_length=26)
    set_at: datetime = Field(sa_column=utc_column())


class DutyLedger(SQLModel, table=True):
    """Once-only notices (coverage alerts, "you gained/lost a duty day"): one row per key, ever;
    whoever inserts it sends. The key names what it is about (duty, day, person). A `holders:` row
keeps who held a duty day when its holders were last told, for the next two working days only."""

    __tablename__ = "duty_ledger"

    key: str = Field(primary_key=True, max_length=120)
    day: date = Field(index=True)
    value: str = Field(default="", max_length=400)  # the holders last told about (holders:* rows)
    created_at: datetime = Field(sa_column=utc_column())
