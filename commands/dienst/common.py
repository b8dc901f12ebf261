"""What several /dienst subcommands share: the trigger, the channel's region, finding a duty by
name, names of people, and whether someone may take a duty day (and why not)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import Session

from base.chat import User
from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import channels
from commands.base import Context, SlashRequest
from commands.dienst.texts import (
    IN_PAST,
    NO_DUTIES,
    NO_SUCH_DUTY,
    NOT_A_DUTY_DAY,
    REASON_AWAY,
    REASON_HOLDS,
    REASON_NOT_OFFICE,
    REASON_NOT_PARTICIPANT,
    WHICH_DUTY,
)
from domain import calendar as cal
from domain.rotation import Where
from storage import duties as duty_store
from storage.duty_models import Duty


def trigger(ctx: Context, request: SlashRequest | None = None) -> str:
    return channels.trigger(ctx.settings, "duty", request)


def region(session: Session, channel_id: str, ctx: Context) -> str:
    return channels.channel_region(session, channel_id, ctx.settings.bot_holiday_region)


def duty_name(duty: Duty) -> str:
    return plain(duty.name, max_length=40)


def known_names(duties: Sequence[Duty]) -> str:
    return ", ".join(f"„{duty_name(d)}“" for d in duties)


def find_duty(session: Session, ctx: Context, name: str | None, trigger_word: str) -> Duty:
    """The channel's duty of that name; without a name, its only duty."""
    duties = duty_store.duties_of(session, [ctx.channel_id]).get(ctx.channel_id, [])
    if not duties:
        raise LocalizedError(NO_DUTIES, trigger=trigger_word)
    if name is None:
        if len(duties) == 1:
            return duties[0]
        raise LocalizedError(WHICH_DUTY, known=known_names(duties))
    for duty in duties:
        if duty.name_key == name.casefold():
            return duty
    raise LocalizedError(NO_SUCH_DUTY, name=plain(name, max_length=40), known=known_names(duties))


def plan_of(session: Session, ctx: Context, duty: Duty, day: date) -> duty_store.DutyPlan:
    """The duty's plan of one day; a day that is no duty day (or in the past) is an error."""
    if day < ctx.today:
        raise LocalizedError(IN_PAST, day=cal.format_day(day, ctx.locale))
    plans = duty_store.duty_plans(session, duty.channel_id, day, day, region=region(session, duty.channel_id, ctx),
                                  duties=[duty])
    if not plans or day not in plans[0].days:
        raise LocalizedError(NOT_A_DUTY_DAY, day=cal.format_day(day, ctx.locale), name=duty_name(duty))
    return plans[0]


def place_of(session: Session, duty: Duty, user_id: str, day: date) -> Where:
    return duty_store.places(session, duty.channel_id, [user_id], day, day)(user_id, day)


def why_not(session: Session, plan: duty_store.DutyPlan, user_id: str, day: date, locale: str) -> str | None:
    """Why the person cannot take the duty that day (None: they can)."""
    duty, name, shown = plan.duty, duty_name(plan.duty), cal.format_day(day, locale)
    if user_id not in plan.participants:
        return REASON_NOT_PARTICIPANT(locale, name=name)
    where = place_of(session, duty, user_id, day)
    if where is Where.AWAY:
        return REASON_AWAY(locale, day=shown)
    if duty.on_site and where is not Where.OFFICE:
        return REASON_NOT_OFFICE(locale, name=name, day=shown)
    held = plan.days.get(day)
    if held is not None and user_id in held.holders:
        return REASON_HOLDS(locale, name=name, day=shown)
    return None


def partner_reason(reason_for_you: str | None, plan: duty_store.DutyPlan, session: Session, user_id: str,
                   day: date, texts: dict[str, Text], locale: str) -> str | None:
    """The same check, worded about a third person (`texts` by reason)."""
    if reason_for_you is None:
        return None
    if user_id not in plan.participants:
        return texts["participant"](locale)
    where = place_of(session, plan.duty, user_id, day)
    if where is Where.AWAY:
        return texts["away"](locale)
    if plan.duty.on_site and where is not Where.OFFICE:
        return texts["office"](locale)
    return texts["holds"](locale)


def names_of(users: Iterable[User]) -> str:
    return ", ".join(plain(u.display_name, max_length=60) for u in users)


async def display_names(ctx: Context, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {uid: u.display_name for uid, u in (await ctx.mm.users(wanted)).items()}


def user_locale_of(user: User, ctx: Context) -> str:
    return user.locale if user.locale in ("de", "en") else ctx.settings.bot_locale
