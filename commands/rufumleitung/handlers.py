"""The command: help, status and the list here; every other subcommand is read into a typed request
(`requests.py`) and handled by `register_number`, `end_command` or `set_command`."""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select

from base.safetext import plain
from commands import parsing
from commands.base import Context, Reply, SlashRequest, user_locale
from commands.channels import trigger as command_trigger
from commands.duty_views import greeting_for, greeting_text
from commands.forward_views import ForwardView, active_forwards, describe_forward
from commands.help import did_you_mean, help_topic, usage_words
from commands.leads import audit, tell_subject
from commands.rufumleitung.requests import SUBCOMMANDS, EndRequest, NumberRequest, SetForward, read_request
from commands.rufumleitung.store import (
    announce_channels,
    describe_stored,
    end_forward,
    phone_numbers,
    split_channels,
    store_forward,
    where_text,
)
from commands.rufumleitung.texts import (
    ENDED_FOR_REPLY,
    ENDED_REPLY,
    HELP,
    LIST_EMPTY,
    LIST_TITLE,
    NOT_SET,
    NOTHING_TO_END,
    NOTHING_TO_END_FOR,
    NUMBER_SAVED,
    NUMBER_SAVED_FOR,
    NUMBER_SET_FOR_DM,
    NUMBERS_SHOW,
    REPLACED,
    SET_FOR_REPLY,
    SET_REPLY,
    STATUS_ACTIVE,
    STATUS_NONE,
    UNKNOWN_INPUT,
    UNKNOWN_SUB,
    help_text,
    name_of,
    sub_help_text,
)
from domain.phone import has_digits
from storage.models import CallForward, PhoneNumbers


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = command_trigger(ctx.settings, "forward", request)
    text = request.text.strip()
    end = ctx.settings.forward_default_end
    topic = help_topic(text, {**SUBCOMMANDS, **{w: "colleague" for w in text.lower().split()[:1] if w.startswith("@")}})
    if topic is not None:
        return Reply(sub_help_text(ctx.locale, trigger, topic, end) if topic else help_text(ctx.locale, trigger, end))
    if not text:
        return await status(ctx, trigger)
    tokens = parsing.tokenize(text)
    head = tokens[0].lower()
    if head.startswith("@"):
        action, args = "colleague", tokens
    else:
        action, args = SUBCOMMANDS.get(head, ""), tokens[1:]
    if not action:
        # a first word with digits may be a number typed without `handy`: not repeated
        unknown = (UNKNOWN_INPUT(ctx.locale) if has_digits(tokens[0])
                   else UNKNOWN_SUB(ctx.locale, word=plain(tokens[0], max_length=30))
                   + did_you_mean(tokens[0], usage_words(HELP, ctx.locale), ctx.locale))
        return Reply(unknown + "\n\n" + help_text(ctx.locale, trigger, ctx.settings.forward_default_end))
    if action == "list":
        return await list_forwards(ctx)
    command = await read_request(request, ctx, action, args, trigger)
    if isinstance(command, NumberRequest):
        return await register_number(ctx, command)
    if isinstance(command, EndRequest):
        return await end_command(ctx, command)
    return await set_command(ctx, command, trigger)


async def register_number(ctx: Context, command: NumberRequest) -> Reply:
    subject = command.subject
    if command.number is None:
        with ctx.db.read() as session:
            row = session.get(PhoneNumbers, subject.id)
        missing = NOT_SET(ctx.locale)
        return Reply(NUMBERS_SHOW(ctx.locale, office=(row.office if row else None) or missing,
                                  mobile=(row.mobile if row else None) or missing))
    with ctx.db.write() as session:
        row = session.get(PhoneNumbers, subject.id) or PhoneNumbers(user_id=subject.id)
        row.office = command.number
        session.add(row)
        entry = audit(session, actor_id=ctx.user.id, subject_id=subject.id, channel_id=ctx.channel_id,
                      action="number:office", now=ctx.now)
        tell_subject(session, entry, NUMBER_SET_FOR_DM(user_locale(subject, ctx.settings), lead=name_of(ctx.user),
                                                       number=command.number, trigger=command_trigger(ctx.settings, "forward")),
                     now=ctx.now)
    if entry is not None:
        ctx.services.notify_outbox()
    if subject.id != ctx.user.id:
        return Reply(NUMBER_SAVED_FOR(ctx.locale, name=name_of(subject), number=command.number))
    return Reply(NUMBER_SAVED(ctx.locale, number=command.number))


async def set_command(ctx: Context, command: SetForward, trigger: str) -> Reply:
    subject = command.subject
    channels, dm = await announce_channels(ctx, subject.id)
    replaced = await _replaced(ctx, subject.id, subject.display_name)
    with ctx.db.write() as session:
        forward = store_forward(session, ctx.services, command, channels=channels, actor=ctx.user, now=ctx.now,
                                trigger=trigger)
        described = describe_stored(session, forward, command, locale=ctx.locale, now=ctx.now, tz=ctx.tz)
        greeting = greeting_for(session, subject.id, ctx.channel_id) if command.target == "voicemail" else None
    ctx.services.notify_outbox()
    where = await where_text(ctx, channels, dm=dm)
    ended = "".join(" " + REPLACED(ctx.locale, forward=old) for old in replaced)
    if greeting:  # the team's answering-machine text, after everything else
        ended += "\n\n" + greeting_text(greeting, ctx.locale)
    if subject.id != ctx.user.id:
        return Reply(SET_FOR_REPLY(ctx.locale, name=name_of(subject), forward=described, where=where).strip() + ended)
    return Reply(SET_REPLY(ctx.locale, forward=described, where=where).strip() + ended)


async def _replaced(ctx: Context, user_id: str, display_name: str) -> list[str]:
    """The person's active forward, in words, that a new one is about to replace (and end)."""
    with ctx.db.read() as session:
        views = active_forwards(session, [user_id], ctx.now, tz=ctx.tz)
        numbers = phone_numbers(session, [user_id, *(getattr(v, "colleague_id", None) for v in views.values())])
    names = {user_id: display_name}
    for view in views.values():
        colleague_id = getattr(view, "colleague_id", None)
        if colleague_id:
            colleague = await ctx.mm.user(colleague_id)
            if colleague is not None:
                names[colleague.id] = colleague.display_name
    return [describe_forward(view, ctx.locale, names, numbers) for view in views.values()]


async def end_command(ctx: Context, command: EndRequest) -> Reply:
    subject = command.subject
    ended: list[str] = []
    with ctx.db.write() as session:
        # one that has run out but is not yet claimed is left to `expire_forwards`, which announces it
        rows = session.exec(select(CallForward).where(CallForward.user_id == subject.id, CallForward.until > ctx.now,
                                                      col(CallForward.ended_at).is_(None))).all()
        for row in rows:
            if end_forward(session, ctx.services, row, subject=subject, actor=ctx.user, now=ctx.now):
                ended += [c for c in split_channels(row.channels) if c not in ended]
    ctx.services.notify_outbox()
    if not rows:
        if subject.id != ctx.user.id:
            return Reply(NOTHING_TO_END_FOR(ctx.locale, name=name_of(subject)))
        return Reply(NOTHING_TO_END(ctx.locale))
    where = await where_text(ctx, ended, dm=False)
    if subject.id != ctx.user.id:
        return Reply(ENDED_FOR_REPLY(ctx.locale, name=name_of(subject), where=where).strip())
    return Reply(ENDED_REPLY(ctx.locale, where=where).strip())


async def _names_for(ctx: Context, views: Mapping[str, ForwardView], known: dict[str, str]) -> dict[str, str]:
    missing = [v.colleague_id for v in views.values() if v.colleague_id and v.colleague_id not in known]
    if missing:
        known.update({u.id: u.display_name for u in (await ctx.mm.users(missing)).values()})
    return known


async def list_forwards(ctx: Context) -> Reply:
    members = [u for u in await ctx.mm.channel_members(ctx.channel_id) if not u.is_bot]
    names = {u.id: u.display_name for u in members}
    with ctx.db.read() as session:
        views = active_forwards(session, list(names), ctx.now, tz=ctx.tz)
        numbers = phone_numbers(session, list(views) + [v.colleague_id for v in views.values()])
    if not views:
        return Reply(LIST_EMPTY(ctx.locale))
    names = await _names_for(ctx, views, names)
    lines = [LIST_TITLE(ctx.locale, count=len(views))]
    for user_id in sorted(views, key=lambda u: names.get(u, "").casefold()):
        lines.append(f"- {plain(names.get(user_id, '?'), max_length=60)} {describe_forward(views[user_id], ctx.locale, names, numbers)}")
    return Reply("\n".join(lines))


async def status(ctx: Context, trigger: str) -> Reply:
    """My current forward and my numbers, then the help."""
    return Reply(await status_text(ctx) + "\n\n" + help_text(ctx.locale, trigger, ctx.settings.forward_default_end))


async def status_text(ctx: Context) -> str:
    """My current forward and my numbers (the menu's card shows them too)."""
    with ctx.db.read() as session:
        view = active_forwards(session, [ctx.user.id], ctx.now, tz=ctx.tz).get(ctx.user.id)
        numbers = phone_numbers(session, [ctx.user.id, view.colleague_id if view else None])
    row = numbers.get(ctx.user.id)
    missing = NOT_SET(ctx.locale)
    lines = []
    if view is not None:
        names = await _names_for(ctx, {ctx.user.id: view}, {ctx.user.id: ctx.user.display_name})
        lines.append(STATUS_ACTIVE(ctx.locale, forward=describe_forward(view, ctx.locale, names, numbers)))
    else:
        lines.append(STATUS_NONE(ctx.locale))
    lines.append(NUMBERS_SHOW(ctx.locale, office=(row.office if row else None) or missing,
                              mobile=(row.mobile if row else None) or missing))
    return "\n".join(lines)
