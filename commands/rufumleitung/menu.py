"""The /rufumleitung menu (SPEC §2.6): my current forward and my numbers, with a button for each
kind of forward and one to end it. Each builds the typed request of the typed form
(`read_request`) and goes to the same handler; a press that would store what is already stored
changes nothing (no second announcement)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from base.chat import User
from base.i18n import LocalizedError, Text
from commands import menus
from commands.base import (
    UNKNOWN_USER,
    ActionHandler,
    ActionRequest,
    ActionResult,
    Context,
    DialogHandler,
    DialogRequest,
    Reply,
    SlashRequest,
)
from commands.channels import trigger as command_trigger
from commands.rufumleitung.handlers import end_command, run, set_command, status_text
from commands.rufumleitung.requests import EndRequest, SetForward, read_request
from commands.rufumleitung.texts import (
    BOT_COLLEAGUE,
    DEFAULT_END_PASSED,
    DIALOG_SUBMIT,
    DIALOG_TITLE,
    DIALOG_WHO,
    MENU_COLLEAGUE,
    MENU_END,
    MENU_MOBILE,
    MENU_PRIVATE,
    MENU_UNCHANGED,
    MENU_UNTIL,
    MENU_UNTIL_HELP,
    MENU_VOICEMAIL,
    SELF_COLLEAGUE,
    UNTIL_PAST,
    UNTIL_TOO_FAR,
    UNTIL_USAGE,
)
from storage.models import CallForward

KIND = "forward"
WORDS = {"mobile": {"de": "handy", "en": "mobile"}, "voicemail": {"de": "ab", "en": "voicemail"},
         "private": {"de": "privat", "en": "private"}, "off": {"de": "aus", "en": "off"},
         "until": {"de": "bis", "en": "until"}}


def _word(ctx: Context, name: str) -> str:
    return WORDS[name]["en" if ctx.locale == "en" else "de"]


async def menu(request: SlashRequest, ctx: Context) -> Reply:
    """The card, for the command typed without anything after it."""
    return menus.card(ctx, await status_text(ctx), [
        menus.MenuButton(MENU_MOBILE, "forward.menumobile"),
        menus.MenuButton(MENU_COLLEAGUE, "forward.menucolleague"),
        menus.MenuButton(MENU_VOICEMAIL, "forward.menuvoicemail"),
        menus.MenuButton(MENU_PRIVATE, "forward.menuprivate"),
        menus.MenuButton(MENU_END, "forward.menuend", style="danger"),
    ])


def _unchanged(ctx: Context, command: SetForward) -> bool:
    """The person's running forward is already exactly this one."""
    with ctx.db.read() as session:
        rows = session.exec(select(CallForward).where(CallForward.user_id == command.subject.id,
                                                      CallForward.until > ctx.now,
                                                      col(CallForward.ended_at).is_(None))).all()
    wanted = (command.target, command.colleague.id if command.colleague else None, menus.as_utc(command.until))
    return command.mobile is None and any((r.target, r.colleague_id, menus.as_utc(r.until)) == wanted for r in rows)


async def _apply(request: ActionRequest | DialogRequest, ctx: Context, action: str, args: list[str],
                 colleague: User | None = None) -> tuple[Reply, SlashRequest]:
    """`/rufumleitung <action> <args>` for the presser, through the typed request."""
    trigger = command_trigger(ctx.settings, KIND)
    words = args if action == "colleague" else [_word(ctx, action), *args]
    slash = menus.as_typed(request, ctx, KIND, " ".join(words),
                           {colleague.username: colleague.id} if colleague else None)
    command = await read_request(slash, ctx, action, args, trigger)
    if isinstance(command, EndRequest):
        return await end_command(ctx, command), slash
    assert isinstance(command, SetForward)
    if _unchanged(ctx, command):
        return Reply(MENU_UNCHANGED(ctx.locale, status=await status_text(ctx))), slash
    return await set_command(ctx, command, trigger), slash


async def _press(request: ActionRequest, ctx: Context, action: str) -> ActionResult:
    reply, slash = await _apply(request, ctx, action, [])
    return menus.answer(ctx, reply, slash)


async def mobile(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _press(request, ctx, "mobile")


async def voicemail(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _press(request, ctx, "voicemail")


async def private(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _press(request, ctx, "private")


async def end(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _press(request, ctx, "off")


# -- Kollegin/Kollege … --------------------------------------------------------------------------------


def _until_options(ctx: Context) -> list[dict[str, str]]:
    """Today's quarter hours still ahead, until late evening."""
    local = ctx.local_now
    return menus.time_options(after=local.time().replace(second=0, microsecond=0), last=local.time().replace(
        hour=23, minute=45, second=0, microsecond=0))


async def colleague_button(request: ActionRequest, ctx: Context) -> ActionResult:
    end_text = ctx.settings.forward_default_end.strftime("%H:%M")
    elements = [menus.users_select("colleague", DIALOG_WHO, ctx.locale),
                menus.select("until", MENU_UNTIL, ctx.locale, _until_options(ctx), optional=True,
                             help_text=Text(de=MENU_UNTIL_HELP.de.format(end=end_text),
                                            en=MENU_UNTIL_HELP.en.format(end=end_text)))]
    example = f"/{command_trigger(ctx.settings, KIND)} @name {_word(ctx, 'until')} 16:00"
    await menus.open_dialog(request, ctx, "forward.menucolleague", DIALOG_TITLE, elements, example=example,
                            submit=DIALOG_SUBMIT)
    return ActionResult()


FIELDS: dict[Text, str] = {SELF_COLLEAGUE: "colleague", BOT_COLLEAGUE: "colleague", UNKNOWN_USER: "colleague",
                           UNTIL_PAST: "until", UNTIL_TOO_FAR: "until", UNTIL_USAGE: "until",
                           DEFAULT_END_PASSED: "until"}


async def colleague_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    """The same `/rufumleitung @name bis ZEIT` the typed form is."""
    if request.cancelled:
        return {}
    menus.dialog_channel(request, ctx)
    try:
        colleague_id = menus.value(request, "colleague")
        if not colleague_id:
            raise menus.FieldError("colleague", menus.REQUIRED)
        try:
            colleague = await ctx.mm.user(colleague_id)
        except Exception:
            raise menus.FieldError("colleague", menus.NOT_AN_OPTION) from None
        until = menus.chosen(request, "until", _until_options(ctx), optional=True)
        args = ["@" + colleague.username] + ([_word(ctx, "until"), until] if until else [])
        reply, _ = await _apply(request, ctx, "colleague", args, colleague)
    except LocalizedError as e:
        return menus.field_error(ctx, e, FIELDS, "colleague")
    menus.tell(ctx, reply.text)
    return {}


ACTIONS: dict[str, ActionHandler] = {"menumobile": mobile, "menucolleague": colleague_button, "menuvoicemail": voicemail,
           "menuprivate": private, "menuend": end}
DIALOGS: dict[str, DialogHandler] = {"menucolleague": colleague_dialog}

run_or_menu = menus.with_menu(run, menu)
