"""What the roster and `/anwesenheit @user` read of call forwards: the active ones, and one line
describing each. Shared by /rufumleitung (its announcements and lists) and /anwesenheit.

A `ForwardView` holds no phone number at all: numbers come from `PhoneNumbers` (work numbers
only), and a forward to a private line has none anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from base.i18n import Text
from base.safetext import plain
from config.settings import Settings
from domain import calendar as cal
from domain.phone import TARGET_LABEL
from storage.models import CallForward

# Only used when a caller does not pass the bot's zone (BOT_TIMEZONE); the default deployment's zone.
FALLBACK_TZ = ZoneInfo(Settings.bot_timezone)

UNTIL_TODAY = Text(de="bis {time} Uhr", en="until {time}")
UNTIL_DAY = Text(de="bis {day}, {time} Uhr", en="until {day}, {time}")


@dataclass(frozen=True, slots=True)
class ForwardView:
    """An active forward as others may see it. Holds no phone number at all: numbers come from
    `PhoneNumbers` (work numbers only); a private line has none anywhere."""

    user_id: str
    target: str  # mobile | colleague | private | voicemail
    colleague_id: str | None
    until: datetime  # aware, in the bot's time zone
    today: date  # the local day the view was made on: `until` shows its date only if it is another day
    forward_id: int = 0


def view_of(row: CallForward, now: datetime, tz: tzinfo) -> ForwardView:
    """The view of a stored forward, made at `now` in the zone `tz`."""
    return ForwardView(user_id=row.user_id, target=row.target, colleague_id=row.colleague_id,
                       until=row.until.astimezone(tz), today=now.astimezone(tz).date(), forward_id=row.id or 0)


def active_forwards(session: Session, user_ids: list[str], now: datetime, *,
                    tz: tzinfo | None = None) -> dict[str, ForwardView]:
    """user id -> the person's active forward (not ended, `until` still ahead). Pass the bot's
    zone (`services.tz`) as `tz`; without it BOT_TIMEZONE's default is assumed."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    zone = tz or FALLBACK_TZ
    found: dict[str, ForwardView] = {}
    for start in range(0, len(ids), 500):
        rows = session.exec(
            select(CallForward)
            .where(col(CallForward.user_id).in_(ids[start:start + 500]), col(CallForward.ended_at).is_(None),
                   CallForward.until > now)
            .order_by(col(CallForward.created_at), col(CallForward.id))
        ).all()
        for row in rows:  # newest last, so it wins
            found[row.user_id] = view_of(row, now, zone)
    return found


def number_of(numbers: Mapping[str, Any], user_id: str | None, attribute: str) -> str | None:
    """The person's `office` or `mobile` number from `numbers` (user id -> `PhoneNumbers`), if any."""
    entry = numbers.get(user_id) if user_id else None
    return getattr(entry, attribute, None) or None


def until_text(until: datetime, today: date, locale: str) -> str:
    """"bis 18:00 Uhr" today, "bis Fr, 27.11.2026, 18:00 Uhr" on another day (en: "until …")."""
    clock = until.strftime("%H:%M")
    if until.date() == today:
        return UNTIL_TODAY(locale, time=clock)
    return UNTIL_DAY(locale, day=cal.format_day(until.date(), locale), time=clock)


def describe_forward(view: ForwardView, locale: str, names: Mapping[str, str], numbers: Mapping[str, Any]) -> str:
    """One line for the roster and for announcements, e.g. "→ Diensthandy 0171 2345678 bis 18:00 Uhr",
    "→ Claudia Weber (0391 540-2000) bis Fr, 27.11.2026, 18:00 Uhr", "→ Privatanschluss bis 18:00 Uhr".

    `numbers` maps user id -> a `PhoneNumbers` row (or anything with `office`/`mobile`). The mobile
    shown is the person's registered work mobile; a colleague is shown with their office number."""
    label = TARGET_LABEL.get(view.target, TARGET_LABEL["voicemail"])(locale)
    if view.target == "mobile":
        number = number_of(numbers, view.user_id, "mobile")
        target = f"{label} {number}" if number else label
    elif view.target == "colleague":
        name = names.get(view.colleague_id or "")
        target = plain(name, max_length=60) if name else label
        office = number_of(numbers, view.colleague_id, "office")
        if office:
            target += f" ({office})"
    else:  # private and voicemail: never a number
        target = label
    return f"→ {target} {until_text(view.until, view.today, locale)}"
