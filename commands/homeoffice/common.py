"""What several /homeoffice subcommands share: the trigger, the rotation they need, names and
day lists as text, and the yes/cancel question before deleting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from base.chat import User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import channels
from commands.base import Context, Reply, SlashRequest
from commands.homeoffice.texts import CANCEL, HOLIDAY_PART, NO_ROTATION, NO_WORKING_DAY, NO_WORKING_DAYS
from domain import calendar as cal
from storage import presence
from storage.models import Rotation


def trigger(ctx: Context, request: SlashRequest) -> str:
    """The trigger word as typed, for the usage texts."""
    return channels.trigger(ctx.settings, "homeoffice", request)


def names(users: list[User]) -> str:
    return ", ".join(plain(u.display_name, max_length=60) for u in users)


def days_text(days: list[date], locale: str) -> str:
    """The days with their preposition: "am Do, 10.12. und Fr, 11.12.2026", "vom … bis … (5 Arbeitstage)"."""
    return cal.days_phrase(days, locale)


def no_working_day(start: date, end: date, region: str, locale: str) -> LocalizedError:
    """"Sa, 12.12.2026 ist kein Arbeitstag." naming a holiday; for several days "Vom … bis … ist kein Arbeitstag."."""
    if start == end:
        name = cal.holiday_name(start, region, locale)
        return LocalizedError(NO_WORKING_DAY, day=cal.format_day(start, locale),
                              holiday=HOLIDAY_PART(locale, name=name) if name else "")
    first, last = cal.span_ends(start, end, locale)
    return LocalizedError(NO_WORKING_DAYS, first=first, last=last)


def require_rotation(ctx: Context, request: SlashRequest) -> tuple[Rotation, dict[str, str]]:
    """The channel's rotation and its members (user id -> group), or NO_ROTATION."""
    with ctx.db.read() as session:
        loaded = presence.load_rotation(session, ctx.channel_id)
    if loaded is None:
        raise LocalizedError(NO_ROTATION, trigger=trigger(ctx, request))
    return loaded


def confirm(ctx: Context, question: Text, yes: Text, action: str, data: dict[str, Any]) -> Reply:
    """The question with a danger button `yes` and a cancel button, for 15 minutes and only its asker.

    The question is the command's ephemeral reply, so its action answers with `ephemeral_text`."""
    expires = ctx.now + timedelta(minutes=15)
    buttons = [ctx.button(yes, action, {**data, "ok": True}, user_id=ctx.user.id, expires=expires, style="danger",
                          action_id="confirmyes"),
               ctx.button(CANCEL, action, {**data, "ok": False}, user_id=ctx.user.id, expires=expires,
                          action_id="confirmno")]
    return Reply(question(ctx.locale), attachments=[{"text": "", "actions": buttons}])
