"""Composing a roster: a channel's roster settings, and the roster of one channel and day
(presence, forwards, meetings) as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.i18n import Text
from commands.anwesenheit.texts import DEFAULT_DAYS, HOLIDAY_PART, NOT_WORKING_DAY
from commands.base import Services
from commands.duty_views import duty_lines
from commands.duty_views import people_of as duty_people
from commands.forward_views import active_forwards, describe_forward
from domain import calendar as cal
from domain import roster as roster_view
from storage import presence
from storage.duties import duty_plans
from storage.models import (
    ChannelSettings,
    PhoneNumbers,
    Rotation,
)

# -- settings per channel -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRoster:
    channel_id: str
    enabled: bool
    at: time
    days: frozenset[int]
    region: str
    locale: str


def effective_settings(rotation: Rotation, row: ChannelSettings | None, services: Services) -> ChannelRoster:
    s = services.settings
    at = s.roster_time
    if row is not None and row.roster_time:
        hh, mm = row.roster_time.split(":")
        at = time(int(hh), int(mm))
    days = frozenset(int(d) for d in ((row.roster_days if row is not None and row.roster_days else DEFAULT_DAYS).split(",")))
    return ChannelRoster(
        channel_id=rotation.channel_id,
        enabled=row.roster_enabled if row is not None else True,
        at=at, days=days,
        region=cal.holiday_region(row.region if row is not None else None, rotation.region, s.bot_holiday_region),
        locale=(row.locale if row is not None and row.locale else s.bot_locale),
    )


# -- composing ------------------------------------------------------------------------------------


def _forward_views(session: Session, user_ids: list[str], now: datetime, tz: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Active forwards of these people, and the phone numbers their descriptions need."""
    if not user_ids:
        return {}, {}
    views = active_forwards(session, user_ids, now, tz=tz)
    if not views:
        return {}, {}
    wanted = list(views) + [v.colleague_id for v in views.values() if getattr(v, "colleague_id", None)]
    numbers = {n.user_id: n for n in session.exec(select(PhoneNumbers).where(col(PhoneNumbers.user_id).in_(wanted))).all()}
    return views, numbers


def _describe_forwards(views: dict[str, Any], numbers: dict[str, Any], user_ids: Any, locale: str,
                       names: dict[str, str]) -> dict[str, str]:
    """Roster text of the active forwards of `user_ids`."""
    return {uid: describe_forward(views[uid], locale, names, numbers) for uid in user_ids if uid in views}


def forwards_instant(services: Services, conf: ChannelRoster, day: date) -> datetime:
    """The moment whose active forwards a roster of `day` shows: now for today (and, for an
    explicit run, a past day), the channel's roster time for a later day, so that a forward
    ending before then is not listed."""
    now = services.clock.now()
    if day <= now.astimezone(services.tz).date():
        return now
    return datetime.combine(day, conf.at, tzinfo=services.tz)


def not_working_day_text(day: date, region: str, locale: str, template: Text = NOT_WORKING_DAY) -> str:
    """„Sa, 28.11.2026 ist kein Arbeitstag.“ / „… (Feiertag: Erster Weihnachtstag).“ in `locale`."""
    name = cal.holiday_name(day, region, locale)
    holiday = HOLIDAY_PART(locale, name=name) if name else ""
    return template(locale, day=cal.format_day(day, locale), holiday=holiday)


def _forwards(session: Session, user_ids: list[str], now: datetime, locale: str, names: dict[str, str],
              tz: Any = None) -> dict[str, str]:
    """Active forwards as roster text."""
    views, numbers = _forward_views(session, user_ids, now, tz)
    return _describe_forwards(views, numbers, views, locale, names)


def _meetings(session: Session, channel_id: str, day: date, services: Services) -> list[roster_view.RosterMeeting]:
    from commands.meeting_views import meetings_on

    return [roster_view.RosterMeeting(m.start, m.end, m.title)
            for m in meetings_on(session, channel_id, day, services.tz, default_region=services.settings.bot_holiday_region)]


def _channels_with_meetings(session: Session, channel_ids: list[str], day: date, services: Services) -> set[str]:
    """Which of these channels have a meeting that may occur on `day` (one query for many channels)."""
    from storage.meeting_models import Meeting

    start = datetime.combine(day, time(), tzinfo=services.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=services.tz).astimezone(UTC)
    found: set[str] = set()
    for at in range(0, len(channel_ids), 500):
        found.update(session.exec(select(Meeting.channel_id).distinct().where(
            col(Meeting.channel_id).in_(channel_ids[at:at + 500]), col(Meeting.cancelled_at).is_(None),
            Meeting.starts_at < end, sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > start))).all())
    return found


def channel_roster(session: Session, channel_id: str, services: Services) -> tuple[Rotation, ChannelRoster] | None:
    """The channel's rotation and its effective roster settings, or None without a rotation."""
    rotation = session.get(Rotation, channel_id)
    if rotation is None:
        return None
    return rotation, effective_settings(rotation, session.get(ChannelSettings, channel_id), services)


async def build_roster(services: Services, channel_id: str, day: date, *,
                       locale: str) -> roster_view.Roster | str | None:
    """The roster of one channel and day; on a weekend or a holiday of the channel's roster region
    the sentence saying so instead; None without a rotation."""
    with services.db.read() as session:
        loaded = channel_roster(session, channel_id, services)
        if loaded is None:
            return None
        _, conf = loaded
        if not cal.is_working_day(day, conf.region):
            return not_working_day_text(day, conf.region, locale)
        result = presence.channel_plan(session, channel_id, day, day, locale=locale, region=conf.region)
    if result is None:
        return None
    row, members, days = result.row, result.members, result.days
    names = {u.id: u.display_name for u in (await services.mm.users(list(members))).values()}
    try:
        channel_name = (await services.mm.channel(channel_id)).display_name
    except Exception:
        channel_name = ""
    day_plan = _day_plan(days, day)
    with services.db.read() as session:
        plans = duty_plans(session, channel_id, day, day, region=conf.region)
    missing = duty_people(plans) - names.keys()
    if missing:
        names.update({u.id: u.display_name for u in (await services.mm.users(sorted(missing))).values()})
    with services.db.read() as session:
        people = sorted(set(day_plan.entries) | duty_people(plans))
        views, numbers = _forward_views(session, people, forwards_instant(services, conf, day), services.tz)
        forwards = _describe_forwards(views, numbers, views, locale, names)
        meetings = _meetings(session, row.channel_id, day, services)
        if plans:
            numbers = {n.user_id: n for n in session.exec(select(PhoneNumbers).where(
                col(PhoneNumbers.user_id).in_(sorted(duty_people(plans))))).all()}
    duties = tuple(duty_lines(plans, day, locale, names, numbers, forwards))
    return roster_view.compose(day_plan, channel_name=channel_name, names=names, forwards=forwards,
                               meetings=meetings, min_office=row.min_office, foreign=result.foreign,
                               starts=row.start, duties=duties)


def _day_plan(days: list[Any], day: date) -> Any:
    if days:
        return days[0]
    from domain.rotation import DayPlan  # weekend: an empty plan

    return DayPlan(day, None, {}, 0, False)
