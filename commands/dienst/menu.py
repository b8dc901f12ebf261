"""The /dienst menu (SPEC §2.6): my duties today and on the next working days, with the number to
reach each, this channel's duties today and on the next working day, and buttons `Abgeben …`,
`Tausch …` and `Dienstplan`. Every button and dialog ends in the handler of the typed form
(`handover.drop`, `handover.swap`, `views.plan_view`) with the text that form would have, so the
menu and the typed command make the same checks and store the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import menus
from commands.base import (
    ActionHandler,
    ActionRequest,
    ActionResult,
    Context,
    DialogHandler,
    DialogRequest,
    Reply,
    SlashRequest,
)
from commands.dienst import handover, views
from commands.dienst.texts import (
    DROP_DAY,
    DROP_DAY_HELP,
    DROP_DIALOG_TITLE,
    DROP_SUBMIT,
    DUTY_OPTION,
    MENU_DROP,
    MENU_HERE,
    MENU_LINE,
    MENU_NO_DAYS,
    MENU_NONE,
    MENU_PLAN,
    MENU_SWAP,
    MENU_TITLE,
    MENU_TODAY,
    PARTNER_CANNOT,
    SWAP_DAY,
    SWAP_DIALOG_TITLE,
    SWAP_PARTNER,
    SWAP_PARTNER_HELP,
    SWAP_SELF,
    SWAP_SUBMIT,
)
from domain import calendar as cal
from storage import duties as duty_store
from storage.duty_models import Duty
from storage.models import PhoneNumbers

KIND = "duty"
CARD_DAYS = 5  # the card shows my duties on this many working days, today included
DIALOG_DAYS = 10  # the dialogs offer my duty days in this many working days (as `ich` shows them)
WORDS = {"drop": {"de": "abgeben", "en": "drop"}, "swap": {"de": "tausch", "en": "swap"},
         "plan": {"de": "plan", "en": "plan"}}


def _word(ctx: Context, name: str) -> str:
    return WORDS[name]["en" if ctx.locale == "en" else "de"]


def _example(request: ActionRequest, ctx: Context, rest: str) -> str:
    return f"{menus.as_typed(request, ctx, KIND, '').command} {rest}"


def _dotted(day: date) -> str:
    """A day as typed ("08.12.2026")."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def _quoted(duty: Duty) -> str:
    """A duty's name as typed (quoted, so a name of several words stays one)."""
    return '"' + duty.name.replace('"', "") + '"'


async def menu(request: SlashRequest, ctx: Context) -> Reply:
    """The card: my duty days (with the number that reaches the duty), then this channel's duties
    today and on the next working day, as the roster shows them."""
    mine = views.my_duties(ctx, ctx.user.id, CARD_DAYS)
    lines = [MENU_TITLE(ctx.locale)]
    if mine:
        with ctx.db.read() as session:
            phone = session.get(PhoneNumbers, ctx.user.id)
        channels = {cid for _, _, cid in mine}
        names = await views.channel_names(ctx, channels) if len(channels) > 1 else {}
        for day, duty, cid in mine:
            number = duty.number or (phone.office if phone is not None else None)
            shown = cal.format_day(day, ctx.locale)
            lines.append(MENU_LINE(ctx.locale, day=f"{MENU_TODAY(ctx.locale)}, {shown}" if day == ctx.today else shown,
                                   name=plain(duty.name, max_length=40), reach=f" · ☎️ {number}" if number else "",
                                   channel=f" ({plain(names[cid], max_length=60)})" if cid in names else ""))
    else:
        lines.append(MENU_NONE(ctx.locale, days=CARD_DAYS))
    lines += ["", MENU_HERE(ctx.locale), *await views.channel_today(request, ctx)]
    buttons = [menus.MenuButton(MENU_DROP, "duty.menudrop"), menus.MenuButton(MENU_SWAP, "duty.menuswap"),
               menus.MenuButton(MENU_PLAN, "duty.menuplan")]
    return menus.card(ctx, "\n".join(lines), buttons)


async def plan_button(request: ActionRequest, ctx: Context) -> ActionResult:
    """`Dienstplan`: what `/dienst plan` shows, for the channel of the card."""
    slash = menus.as_typed(request, ctx, KIND, _word(ctx, "plan"))
    return menus.answer(ctx, await views.plan_view(slash, ctx, ""), slash)


# -- the duty-day select ---------------------------------------------------------------------------------


async def _day_options(ctx: Context) -> list[dict[str, str]]:
    """My duty days in the next working days: "Di, 08.12.: Telefondienst"; values "<duty id>:<ISO day>"."""
    mine = views.my_duties(ctx, ctx.user.id, DIALOG_DAYS)
    channels = {cid for _, _, cid in mine}
    names = await views.channel_names(ctx, channels) if len(channels) > 1 else {}
    return [{"text": DUTY_OPTION(ctx.locale, day=menus.day_label(day, ctx.locale), name=plain(duty.name, max_length=40),
                                 channel=f" ({plain(names[cid], max_length=40)})" if cid in names else ""),
             "value": f"{duty.id}:{day.isoformat()}"} for day, duty, cid in mine]


def _picked(request: DialogRequest, ctx: Context, name: str) -> tuple[Duty, date]:
    """The chosen duty day. Any day of a duty of the presser's channels is read (the typed form's
    checks then say whether it is theirs); anything else is no option."""
    picked = menus.value(request, name)
    if not picked:
        raise menus.FieldError(name, menus.REQUIRED)
    duty_id, _, iso = picked.partition(":")
    try:
        day = date.fromisoformat(iso)
        wanted = int(duty_id)
    except ValueError:
        raise menus.FieldError(name, menus.NOT_AN_OPTION) from None
    with ctx.db.read() as session:
        duty = session.get(Duty, wanted)
        mine = set(duty_store.participant_channels(session, ctx.user.id))
    if duty is None or duty.channel_id not in mine:
        raise menus.FieldError(name, menus.NOT_AN_OPTION)
    return duty, day


async def _open(request: ActionRequest, ctx: Context, callback: str, title: Text, submit: Text,
                elements: list[dict[str, Any]], example: str) -> ActionResult:
    await menus.open_dialog(request, ctx, callback, title, elements, submit=submit,
                            example=_example(request, ctx, example))
    return ActionResult()


# -- Abgeben … ---------------------------------------------------------------------------------------------


async def drop_button(request: ActionRequest, ctx: Context) -> ActionResult:
    days = await _day_options(ctx)
    if not days:
        return ActionResult(ephemeral_text=MENU_NO_DAYS(ctx.locale, days=DIALOG_DAYS))
    elements = [menus.select("day", DROP_DAY, ctx.locale, days, default=days[0]["value"], help_text=DROP_DAY_HELP)]
    return await _open(request, ctx, "duty.menudrop", DROP_DIALOG_TITLE, DROP_SUBMIT, elements,
                       f"{_word(ctx, 'drop')} {days[0]['value'].partition(':')[2]}")


async def drop_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    """The same `/dienst abgeben TAG "Name"` the typed form is, typed in the duty's channel."""
    if request.cancelled:
        return {}
    menus.dialog_channel(request, ctx)
    try:
        duty, day = _picked(request, ctx, "day")
        ctx.channel_id = duty.channel_id
        rest = f"{_dotted(day)} {_quoted(duty)}"
        slash = menus.as_typed(request, ctx, KIND, f"{_word(ctx, 'drop')} {rest}")
        reply = await handover.drop(slash, ctx, rest)
    except LocalizedError as e:
        return menus.field_error(ctx, e, {}, "day")
    menus.tell(ctx, reply.text)
    return {}


# -- Tausch … ----------------------------------------------------------------------------------------------


async def swap_button(request: ActionRequest, ctx: Context) -> ActionResult:
    days = await _day_options(ctx)
    if not days:
        return ActionResult(ephemeral_text=MENU_NO_DAYS(ctx.locale, days=DIALOG_DAYS))
    elements = [menus.users_select("partner", SWAP_PARTNER, ctx.locale, help_text=SWAP_PARTNER_HELP),
                menus.select("day", SWAP_DAY, ctx.locale, days, default=days[0]["value"])]
    return await _open(request, ctx, "duty.menuswap", SWAP_DIALOG_TITLE, SWAP_SUBMIT, elements,
                       f"{_word(ctx, 'swap')} @name {days[0]['value'].partition(':')[2]}")


SWAP_FIELDS: dict[Text, str] = {SWAP_SELF: "partner", PARTNER_CANNOT: "partner"}


async def swap_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    """The same `/dienst tausch @name TAG "Name"` the typed form is, typed in the duty's channel."""
    if request.cancelled:
        return {}
    menus.dialog_channel(request, ctx)
    try:
        partner_id = menus.value(request, "partner")
        if not partner_id:
            raise menus.FieldError("partner", menus.REQUIRED)
        try:
            partner = await ctx.mm.user(partner_id)
        except Exception:
            raise menus.FieldError("partner", menus.NOT_AN_OPTION) from None
        duty, day = _picked(request, ctx, "day")
        ctx.channel_id = duty.channel_id
        rest = f"@{partner.username} {_dotted(day)} {_quoted(duty)}"
        slash = menus.as_typed(request, ctx, KIND, f"{_word(ctx, 'swap')} {rest}", {partner.username: partner.id})
        reply = await handover.swap(slash, ctx, rest)
    except LocalizedError as e:
        return menus.field_error(ctx, e, SWAP_FIELDS, "day")
    menus.tell(ctx, reply.text)
    return {}


ACTIONS: dict[str, ActionHandler] = {"menudrop": drop_button, "menuswap": swap_button, "menuplan": plan_button}
DIALOGS: dict[str, DialogHandler] = {"menudrop": drop_dialog, "menuswap": swap_dialog}
