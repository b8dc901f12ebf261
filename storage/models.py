"""Tables. Everything Amtsbote stores, and nothing more than its four jobs need.

Personal data kept here: group membership, one-off presence changes and absences
(with a private note) per person and day, office and work-mobile numbers, active
call forwards, meeting RSVPs, lead designations and the audit log of lead changes.
No online status, no history beyond `RETENTION_DAYS`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from domain.swap import SwapState


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


# --- runtime -----------------------------------------------------------------------------


def token_digest(token: str) -> bytes:
    """SHA-256 of a slash-command token. Tokens are long random strings, so a plain hash is
    enough: the database never holds a token that could be replayed."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def token_hash(token: str) -> str:
    """`token_digest` as the hex text stored in `slash_command.token_hash`."""
    return token_digest(token).hex()


class SlashCommand(SQLModel, table=True):
    """A registered slash command and the SHA-256 of its token (from `amtsbote register`)."""

    __tablename__ = "slash_command"
    __table_args__ = (sa.UniqueConstraint("team_id", "trigger"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=26)
    trigger: str = Field(max_length=128)
    kind: str = Field(max_length=20)
    token_hash: str = Field(max_length=64)  # token_hash(token), hex; the token itself is not kept
    command_id: str | None = Field(default=None, max_length=26)


class OutboxItem(SQLModel, table=True):
    """A post, edit or DM the bot owes Mattermost. Written in the same transaction as
    the change that caused it, delivered later, never twice (see bot/outbox.py)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_claim_order", "status", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=10)  # post | patch | dm
    channel_id: str | None = Field(default=None, max_length=26)
    user_id: str | None = Field(default=None, max_length=26)  # dm recipient
    target_key: str | None = Field(default=None, max_length=200)  # patch: the outbox key of the post
    message: str = Field(default="", sa_type=sa.Text)
    props: str | None = Field(default=None, sa_type=sa.Text)  # JSON
    pending_post_id: str = Field(max_length=80)
    status: str = Field(default="pending", max_length=10, index=True)  # pending | done | dead
    priority: int = Field(default=50, sa_column_kwargs={"server_default": "50"})  # lower is sent first
    attempts: int = 0
    unsure: bool = False  # an attempt may have reached the server
    next_attempt_at: datetime = Field(sa_column=utc_column(index=True))
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    post_id: str | None = Field(default=None, max_length=26)
    last_error: str | None = Field(default=None, max_length=200)


class AuditEntry(SQLModel, table=True):
    """A lead changed somebody else's data. Kept for the retention period."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=utc_column(index=True))
    actor_id: str = Field(max_length=26, index=True)
    subject_id: str = Field(max_length=26, index=True)
    channel_id: str | None = Field(default=None, max_length=26)
    action: str = Field(max_length=40)
    detail: str = Field(default="", max_length=200)


# --- /homeoffice ---------------------------------------------------------------------------


class Rotation(SQLModel, table=True):
    __tablename__ = "rotation"

    channel_id: str = Field(primary_key=True, max_length=26)
    team_id: str = Field(default="", max_length=26)
    groups: str = Field(max_length=120)  # "A,B"
    pattern: str = Field(max_length=10)  # weekly | daily | custom
    custom: str | None = Field(default=None, max_length=200)
    start: date
    min_office: int | None = None
    region: str = Field(max_length=8)
    forward_prompts: bool = False
    created_by: str = Field(max_length=26)
    created_at: datetime = Field(sa_column=utc_column())


class RotationMember(SQLModel, table=True):
    __tablename__ = "rotation_member"

    channel_id: str = Field(primary_key=True, max_length=26, foreign_key="rotation.channel_id", ondelete="CASCADE")
    user_id: str = Field(primary_key=True, max_length=26, index=True)
    group: str = Field(max_length=10)
    # One truth per person and day (SPEC §2.1): of the rotations a person is in, one sets their days,
    # their home rotation: the one marked `home` (`/homeoffice stammteam`), else the one joined first.
    joined_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    home: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class ChannelLead(SQLModel, table=True):
    __tablename__ = "channel_lead"

    channel_id: str = Field(primary_key=True, max_length=26)
    user_id: str = Field(primary_key=True, max_length=26, index=True)


class PresenceChange(SQLModel, table=True):
    """A one-off change of where a person works on a day (office, home, field)."""

    __tablename__ = "presence_change"

    user_id: str = Field(primary_key=True, max_length=26)
    day: date = Field(primary_key=True, index=True)
    where: str = Field(max_length=10)
    set_by: str = Field(max_length=26)


class Absence(SQLModel, table=True):
    """An absence on a day. The note is shown to its author only."""

    __tablename__ = "absence"

    user_id: str = Field(primary_key=True, max_length=26)
    day: date = Field(primary_key=True, index=True)
    note: str = Field(default="", max_length=200)
    set_by: str = Field(max_length=26)


class SwapProposal(SQLModel, table=True):
    __tablename__ = "swap_proposal"

    id: int | None = Field(default=None, primary_key=True)
    channel_id: str = Field(max_length=26)
    proposer_id: str = Field(max_length=26, index=True)
    partner_id: str = Field(max_length=26, index=True)
    day: date
    day2: date | None = None
    state: str = Field(default=SwapState.PROPOSED.value, max_length=10)  # domain.swap.SwapState
    created_at: datetime = Field(sa_column=utc_column())


# --- roster --------------------------------------------------------------------------------


class ChannelSettings(SQLModel, table=True):
    """Per-channel roster settings; absent row = defaults."""

    __tablename__ = "channel_settings"

    channel_id: str = Field(primary_key=True, max_length=26)
    roster_enabled: bool = True
    roster_time: str | None = Field(default=None, max_length=5)  # "07:30"
    roster_days: str | None = Field(default=None, max_length=20)  # "0,1,2,3,4"
    region: str | None = Field(default=None, max_length=8)
    locale: str | None = Field(default=None, max_length=2)


class RosterPost(SQLModel, table=True):
    """The ledger of morning rosters: one row per channel and local date, ever."""

    __tablename__ = "roster_post"

    channel_id: str = Field(primary_key=True, max_length=26)
    day: date = Field(primary_key=True)
    outbox_key: str = Field(max_length=200)
    content_hash: str = Field(default="", max_length=64)
    edits: int = 0
    claimed_at: datetime = Field(sa_column=utc_column())


# --- /rufumleitung -------------------------------------------------------------------------


class PhoneNumbers(SQLModel, table=True):
    """Work numbers only: the office number and the work mobile. Never a private number."""

    __tablename__ = "phone_numbers"

    user_id: str = Field(primary_key=True, max_length=26)
    office: str | None = Field(default=None, max_length=40)
    mobile: str | None = Field(default=None, max_length=40)


class CallForward(SQLModel, table=True):
    __tablename__ = "call_forward"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=26, index=True)
    target: str = Field(max_length=10)  # mobile | colleague | private | voicemail
    colleague_id: str | None = Field(default=None, max_length=26)
    until: datetime = Field(sa_column=utc_column(index=True))
    channels: str = Field(default="", sa_type=sa.Text)  # announced in, comma-separated
    created_at: datetime = Field(sa_column=utc_column())
    set_by: str = Field(max_length=26)
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
