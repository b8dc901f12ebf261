"""What a channel has set for every feature: the language of its posts, its holiday region, and
the trigger a command goes by. One rule each, used by every command."""

from __future__ import annotations

from sqlmodel import Session

from commands.base import SlashRequest
from config.settings import Settings
from domain import calendar as cal
from storage.models import ChannelSettings, Rotation


def channel_locale(session: Session, channel_id: str, default: str) -> str:
    """The language of the channel's posts: its own setting, else the bot's."""
    row = session.get(ChannelSettings, channel_id)
    return row.locale if row is not None and row.locale else default


def channel_region(session: Session, channel_id: str, default: str) -> str:
    """The channel's holiday region (`domain.calendar.holiday_region`)."""
    row = session.get(ChannelSettings, channel_id)
    rotation = session.get(Rotation, channel_id)
    return cal.holiday_region(row.region if row is not None else None,
                              rotation.region if rotation is not None else None, default)


def trigger(settings: Settings, kind: str, request: SlashRequest | None = None) -> str:
    """The trigger word of a command, as the person typed it, else as configured."""
    typed = request.command.strip().lstrip("/") if request is not None else ""
    return typed or settings.command_triggers.get(kind, kind)
