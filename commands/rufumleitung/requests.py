"""The text of a /rufumleitung subcommand turned into a typed request, before anything is stored.

`parse` takes the words apart (`für @name`, `bis …`, the rest); `read_request` then looks up the
people named and checks the rest, in this order: whose forward it is (only a lead may name someone
else), the subcommand's own words, a colleague standing in, the end (`resolve_until`). The
colleague dialog and the morning prompt's buttons build the same `SetForward` directly.

Errors never repeat what was typed if it might be a phone number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from base.chat import User
from base.i18n import LocalizedError
from commands import parsing
from commands.base import Context, SlashRequest
from commands.leads import NOT_A_LEAD, Reach, require_may_act_for
from commands.rufumleitung.texts import (
    BOT_COLLEAGUE,
    DEFAULT_END_PASSED,
    FOR_USAGE,
    NUMBER_USAGE,
    OFF_USAGE,
    PRIVATE_NO_NUMBER,
    SELF_COLLEAGUE,
    TARGET_USAGE,
    UNTIL_PAST,
    UNTIL_TOO_FAR,
    UNTIL_USAGE,
)
from domain.phone import has_digits, normalize_number

KINDS = ("mobile", "colleague", "private", "voicemail")
SUBCOMMANDS = {
    "nummer": "number", "number": "number", "büronummer": "number", "bueronummer": "number",
    "handy": "mobile", "mobile": "mobile", "diensthandy": "mobile", "mobil": "mobile",
    "kollegin": "colleague", "kollege": "colleague", "colleague": "colleague", "vertretung": "colleague",
    "privat": "private", "private": "private",
    "ab": "voicemail", "voicemail": "voicemail", "mailbox": "voicemail", "anrufbeantworter": "voicemail",
    "aus": "off", "off": "off", "ende": "off", "end": "off", "stop": "off", "stopp": "off",
    "liste": "list", "list": "list",
}
UNTIL_WORDS = {"bis", "until", "till"}
FOR_WORDS = {"für", "fuer", "for"}
MAX_AHEAD = timedelta(days=366)


# -- the typed requests ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumberRequest:
    """`nummer [NUMMER]`: show the person's numbers (`number` None) or register their office number."""

    subject: User
    number: str | None  # in its display form (`domain.phone.normalize_number`)


@dataclass(frozen=True, slots=True)
class EndRequest:
    """`aus`: end the person's active forward."""

    subject: User


@dataclass(frozen=True, slots=True)
class SetForward:
    """`handy`, `@kollegin`, `privat`, `ab`: forward the person's office line until `until`."""

    subject: User
    target: str  # mobile | colleague | private | voicemail
    until: datetime  # aware, local, ahead
    colleague: User | None = None  # the one standing in (target colleague)
    mobile: str | None = None  # a work mobile typed with `handy`, remembered for next time


ForwardRequest = NumberRequest | EndRequest | SetForward


# -- taking the words apart --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parsed:
    """A forwarding command taken apart, before anything is looked up."""

    action: str  # number | mobile | colleague | private | voicemail | off
    rest: list[str]  # the tokens that are neither `bis …` nor `für @…`
    until: list[str]  # the tokens after `bis`
    subject: str | None  # the `@name` after `für`, if any


def parse(action: str, tokens: list[str], *, end_text: str) -> Parsed:
    tokens = list(tokens)
    subject = None
    for i, token in enumerate(tokens):
        if token.lower() in FOR_WORDS:
            if i + 1 >= len(tokens) or not tokens[i + 1].startswith("@"):
                raise LocalizedError(FOR_USAGE)
            subject = tokens[i + 1]
            del tokens[i:i + 2]
            break
    until: list[str] = []
    for i, token in enumerate(tokens):
        if token.lower() in UNTIL_WORDS:
            until = tokens[i + 1:]
            tokens = tokens[:i]
            if not until:
                raise LocalizedError(UNTIL_USAGE, end=end_text)
            break
    return Parsed(action, tokens, until, subject)


def _number_like(token: str) -> bool:
    """A token that may be (part of) a phone number rather than a date or time."""
    return sum(ch.isdigit() for ch in token) >= 3 and all(ch.isdigit() or ch in "+()/-" for ch in token)


def resolve_until(tokens: list[str], *, now: datetime, tz: tzinfo, default_end: time) -> datetime:
    """The end of a forward from the words after `bis` (none: today at `default_end`), as an aware
    local datetime that lies ahead. A time alone means today; a day alone means that day at
    `default_end`; both may be given in either order."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    end_text = default_end.strftime("%H:%M")
    if not tokens:
        until = datetime.combine(today, default_end, tzinfo=tz)
        if until <= now:
            raise LocalizedError(DEFAULT_END_PASSED, end=end_text)
        return until
    day: date | None = None
    at: time | None = None
    i = 0
    try:
        while i < len(tokens):
            if at is None and (taken_time := parsing.take_time(tokens, i)) is not None:
                at, i = taken_time
            elif day is None and (taken_day := parsing.take_date(tokens, i, today=today)) is not None:
                day, i = taken_day
            else:
                raise LocalizedError(UNTIL_USAGE, end=end_text)
    except LocalizedError as error:
        if any(_number_like(t) for t in tokens):  # never repeat what may be a phone number
            raise LocalizedError(UNTIL_USAGE, end=end_text) from None
        raise error from None
    until = datetime.combine(day or today, at or default_end, tzinfo=tz)
    if until <= now:
        raise LocalizedError(UNTIL_PAST, until=_past_label(until, today))
    if until - now > MAX_AHEAD:
        raise LocalizedError(UNTIL_TOO_FAR)
    return until


def _past_label(until: datetime, today: date) -> str:
    """The refused end, written language-neutrally ("24.11.2026 14:00")."""
    return until.strftime("%H:%M") if until.date() == today else until.strftime("%d.%m.%Y %H:%M")


# -- the typed request -------------------------------------------------------------------------------


async def read_request(request: SlashRequest, ctx: Context, action: str, args: list[str],
                       trigger: str) -> ForwardRequest:
    """The subcommand `action` with its words `args` as a typed request (`action` is neither
    `list` nor a help word)."""
    parsed = parse(action, args, end_text=ctx.settings.forward_default_end.strftime("%H:%M"))
    if action == "private" and any(has_digits(t) for t in parsed.rest):
        raise LocalizedError(PRIVATE_NO_NUMBER, trigger=trigger)
    subject = await _subject(request, ctx, parsed)
    if action == "number":
        if parsed.until:
            raise LocalizedError(NUMBER_USAGE, trigger=trigger)
        return NumberRequest(subject, normalize_number(" ".join(parsed.rest)) if parsed.rest else None)
    if action == "off":
        if parsed.rest or parsed.until:
            raise LocalizedError(OFF_USAGE, trigger=trigger)
        return EndRequest(subject)
    return await _set_forward(request, ctx, parsed, subject, trigger)


async def _subject(request: SlashRequest, ctx: Context, parsed: Parsed) -> User:
    """Whose forward this is: the caller, or with `für @name` someone else (leads only)."""
    if parsed.subject is None:
        return ctx.user
    (subject,) = await ctx.users_by_mention([parsed.subject], request.user_mentions)
    await require_may_act_for(ctx, subject, Reach.CHANNEL, not_a_lead=NOT_A_LEAD)
    return subject


async def _set_forward(request: SlashRequest, ctx: Context, parsed: Parsed, subject: User, trigger: str) -> SetForward:
    colleague = None
    mobile = None
    if parsed.action == "colleague":
        if len(parsed.rest) != 1 or not parsed.rest[0].startswith("@"):
            raise LocalizedError(TARGET_USAGE, trigger=trigger, example="@claudia.weber")
        (colleague,) = await ctx.users_by_mention(parsed.rest, request.user_mentions)
        if colleague.id == subject.id:
            raise LocalizedError(SELF_COLLEAGUE)
        if colleague.is_bot:
            raise LocalizedError(BOT_COLLEAGUE)
    elif parsed.action == "mobile":
        if parsed.rest:
            mobile = normalize_number(" ".join(parsed.rest))
    elif parsed.rest:  # private has been refused above if it held digits; voicemail takes nothing
        example = {"private": "privat", "voicemail": "ab"}[parsed.action] if ctx.locale != "en" else parsed.action
        raise LocalizedError(TARGET_USAGE, trigger=trigger, example=example)
    try:
        until = resolve_until(parsed.until, now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    except LocalizedError:
        if parsed.action == "private" and any(_number_like(t) for t in parsed.until):
            raise LocalizedError(PRIVATE_NO_NUMBER, trigger=trigger) from None
        raise
    return SetForward(subject=subject, target=parsed.action, until=until, colleague=colleague, mobile=mobile)
