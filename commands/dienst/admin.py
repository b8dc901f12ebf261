"""A lead's subcommands: `anlegen`, `ändern`, `löschen` (with a confirm button), `mitglieder`,
`ohne` and `ansage`. A change to a duty restarts its order from today (SPEC §2.5)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col

from base.i18n import LocalizedError
from base.safetext import plain
from commands import parsing
from commands.base import ActionRequest, ActionResult, Context, Reply, SlashRequest, user_locale
from commands.dienst.common import duty_name, find_duty, trigger
from commands.dienst.requests import UNSET, DutyOptions, parse_options, parse_people, take_name
from commands.dienst.texts import (
    ADDED,
    DELETE_ASK,
    DELETE_BUTTON,
    DELETED,
    EDITED,
    GONE,
    GREETING_NONE,
    GREETING_OFF,
    GREETING_SET,
    GREETING_SHOW,
    GREETING_TOO_LONG,
    MEMBER_DM_ADDED,
    MEMBER_DM_REMOVED,
    MEMBERS_ADDED,
    MEMBERS_LIST,
    MEMBERS_NONE,
    MEMBERS_REMOVED,
    NAME_TAKEN,
    NOT_CHANNEL_MEMBER,
    NOTHING_TO_CHANGE,
    PERSONS,
    SUMMARY_ALL_DAY,
    SUMMARY_ANYWHERE,
    SUMMARY_NUMBER,
    SUMMARY_ON_SITE,
)
from commands.duty_views import hours_text
from commands.leads import NOT_A_LEAD, audit, is_lead, require_lead, tell_subject
from storage import duties as duty_store
from storage.duty_models import GREETING_MAX, Duty, DutyGreeting, DutyHandover, DutyParticipant, DutyRequest

WEEKDAY_NAMES = {"de": ("Mo", "Di", "Mi", "Do", "Fr"), "en": ("Mon", "Tue", "Wed", "Thu", "Fri")}


def days_text(weekdays: frozenset[int], locale: str) -> str:
    names = WEEKDAY_NAMES["en" if locale == "en" else "de"]
    ordered = sorted(weekdays)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{names[ordered[0]]}–{names[ordered[-1]]}"
    return ", ".join(names[d] for d in ordered)


def summary(duty: Duty, locale: str) -> str:
    parts = [(SUMMARY_ON_SITE if duty.on_site else SUMMARY_ANYWHERE)(locale),
             PERSONS(locale, duty.min_holders),
             days_text(duty_store.weekdays_of(duty), locale),
             hours_text(duty.hours, locale) or SUMMARY_ALL_DAY(locale)]
    if duty.number:
        parts.append(SUMMARY_NUMBER(locale, number=duty.number))
    return ", ".join(parts)


def _apply(duty: Duty, options: DutyOptions) -> None:
    if options.on_site is not None:
        duty.on_site = options.on_site
    if options.min_holders is not None:
        duty.min_holders = options.min_holders
    if options.weekdays is not None:
        duty.weekdays = ",".join(str(d) for d in sorted(options.weekdays))
    if options.hours is not UNSET:
        duty.hours = options.hours if isinstance(options.hours, str) else None
    if options.number is not UNSET:
        duty.number = options.number if isinstance(options.number, str) else None


async def add(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    name, tail = take_name(parsing.tokenize(rest), typed, 'anlegen "Telefondienst" überall')
    options = parse_options(tail)
    await require_lead(ctx)
    with ctx.db.write() as session:
        if duty_store.duty_by_name(session, ctx.channel_id, name) is not None:
            raise LocalizedError(NAME_TAKEN, name=plain(name, max_length=40), trigger=typed)
        duty = Duty(channel_id=ctx.channel_id, name=name, name_key=name.casefold(), start=ctx.today,
                    created_by=ctx.user.id, created_at=ctx.now)
        _apply(duty, options)
        session.add(duty)
        session.flush()
        text = ADDED(ctx.locale, name=duty_name(duty), summary=summary(duty, ctx.locale))
    return Reply(text)


async def edit(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    name, tail = take_name(parsing.tokenize(rest), typed, 'ändern "Telefondienst" min 2')
    options = parse_options(tail)
    if options.empty:
        raise LocalizedError(NOTHING_TO_CHANGE, trigger=typed, name=plain(name, max_length=40))
    await require_lead(ctx)
    with ctx.db.write() as session:
        duty = find_duty(session, ctx, name, typed)
        _apply(duty, options)
        duty.start = ctx.today
        session.add(duty)
        text = EDITED(ctx.locale, name=duty_name(duty), summary=summary(duty, ctx.locale))
    return Reply(text)


async def delete(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    typed = trigger(ctx, request)
    name, _ = take_name(parsing.tokenize(rest), typed, 'löschen "Telefondienst"')
    await require_lead(ctx)
    with ctx.db.read() as session:
        duty = find_duty(session, ctx, name, typed)
    expires = ctx.now + timedelta(minutes=15)
    button = ctx.button(DELETE_BUTTON, "duty.delete", {"d": duty.id}, user_id=ctx.user.id, expires=expires,
                        style="danger", action_id="dutydelete")
    return Reply(DELETE_ASK(ctx.locale, name=duty_name(duty)), attachments=[{"text": "", "actions": [button]}])


async def delete_action(request: ActionRequest, ctx: Context) -> ActionResult:
    with ctx.db.read() as session:
        found = session.get(Duty, int(request.data.get("d") or 0))
    if found is None:
        return ActionResult(ephemeral_text=GONE(ctx.locale))
    if not await is_lead(ctx, channel_id=found.channel_id):  # the duty's channel, whatever the click says
        raise LocalizedError(NOT_A_LEAD)
    with ctx.db.write() as session:
        duty = session.get(Duty, found.id)
        if duty is None:
            return ActionResult(ephemeral_text=GONE(ctx.locale))
        name = duty_name(duty)
        for model in (DutyRequest, DutyHandover, DutyParticipant):
            session.execute(sa.delete(model).where(col(model.duty_id) == duty.id))
        session.delete(duty)
    return ActionResult(ephemeral_text=DELETED(ctx.locale, name=name))


async def _members_change(request: SlashRequest, ctx: Context, rest: str, *, add_them: bool) -> Reply:
    typed = trigger(ctx, request)
    example = 'mitglieder "Telefondienst" @anna.schmidt' if add_them else 'ohne "Telefondienst" @anna.schmidt'
    name, tail = take_name(parsing.tokenize(rest), typed, example)
    if add_them and not tail:
        return await _show_members(ctx, name, typed)
    people = await ctx.users_by_mention(parse_people(tail, typed, example), request.user_mentions)
    await require_lead(ctx)
    for person in people:
        if not await ctx.mm.is_channel_member(ctx.channel_id, person.id):
            raise LocalizedError(NOT_CHANNEL_MEMBER, name=plain(person.display_name, max_length=60))
    channel = plain((await ctx.channel()).display_name, max_length=60)
    with ctx.db.write() as session:
        duty = find_duty(session, ctx, name, typed)
        assert duty.id is not None
        entries = {e.user_id: e for e in duty_store.entries_of(session, [duty.id]).get(duty.id, [])}
        position = max((e.position for e in entries.values()), default=0)
        for person in people:
            entry = entries.get(person.id) or DutyParticipant(duty_id=duty.id, user_id=person.id)
            if add_them and entry.position == 0:
                position += 1
                entry.position = position
            entry.excluded = not add_them
            session.add(entry)
            audit_entry = audit(session, actor_id=ctx.user.id, subject_id=person.id, channel_id=ctx.channel_id,
                                action="duty:member" if add_them else "duty:without", now=ctx.now,
                                detail={"duty": duty.name})
            locale = user_locale(person, ctx.settings)
            tell_subject(session, audit_entry, (MEMBER_DM_ADDED if add_them else MEMBER_DM_REMOVED)(
                locale, lead=plain(ctx.user.display_name, max_length=60), name=duty_name(duty), channel=channel),
                now=ctx.now)
        duty.start = ctx.today
        session.add(duty)
        shown = duty_name(duty)
    ctx.services.notify_outbox()
    listed = ", ".join(plain(p.display_name, max_length=60) for p in people)
    return Reply((MEMBERS_ADDED if add_them else MEMBERS_REMOVED)(ctx.locale, name=shown, people=listed))


async def _show_members(ctx: Context, name: str, typed: str) -> Reply:
    with ctx.db.read() as session:
        duty = find_duty(session, ctx, name, typed)
        order = duty_store.rotation_order(session, [ctx.channel_id]).get(ctx.channel_id, [])
        people = duty_store.cycle(order, duty_store.entries_of(session, [duty.id or 0]).get(duty.id or 0, []))
    if not people:
        return Reply(MEMBERS_NONE(ctx.locale, name=duty_name(duty)))
    users = await ctx.mm.users(list(people))
    listed = ", ".join(f"{i}. {plain(users[p].display_name if p in users else '?', max_length=60)}"
                       for i, p in enumerate(people, 1))
    return Reply(MEMBERS_LIST(ctx.locale, name=duty_name(duty), people=listed))


async def members(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _members_change(request, ctx, rest, add_them=True)


async def without(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return await _members_change(request, ctx, rest, add_them=False)


async def greeting(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    tokens = parsing.tokenize(rest)
    if not tokens:
        with ctx.db.read() as session:
            row = session.get(DutyGreeting, ctx.channel_id)
        if row is None:
            return Reply(GREETING_NONE(ctx.locale))
        return Reply(GREETING_SHOW(ctx.locale, text=plain(row.text, max_length=GREETING_MAX)))
    await require_lead(ctx)
    if len(tokens) == 1 and tokens[0].lower() in ("aus", "off", "löschen", "delete"):
        with ctx.db.write() as session:
            session.execute(sa.delete(DutyGreeting).where(col(DutyGreeting.channel_id) == ctx.channel_id))
        return Reply(GREETING_OFF(ctx.locale))
    text = " ".join(rest.strip().strip('"„“”').split())
    if len(text) > GREETING_MAX:
        raise LocalizedError(GREETING_TOO_LONG, limit=GREETING_MAX, length=len(text))
    with ctx.db.write() as session:
        row = session.get(DutyGreeting, ctx.channel_id) or DutyGreeting(channel_id=ctx.channel_id, text=text,
                                                                         set_by=ctx.user.id, set_at=ctx.now)
        row.text, row.set_by, row.set_at = text, ctx.user.id, ctx.now
        session.add(row)
    return Reply(GREETING_SET(ctx.locale, text=plain(text, max_length=GREETING_MAX)))
