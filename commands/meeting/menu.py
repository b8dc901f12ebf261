"""The /meeting menu (SPEC §2.6): `Jetzt treffen`, `Neue Besprechung …` (a dialog with title, day,
time in 15-minute steps, duration, recurrence, reminder and provider) and `Liste`. Each builds the
typed request of the typed form and goes to its handler."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from sqlmodel import col, select

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
from commands.channels import trigger as command_trigger
from commands.meeting.handlers import HANDLERS, new_meeting, run
from commands.meeting.requests import NewMeeting, parse_options, parse_request
from commands.meeting.texts import (
    BAD_PROVIDER,
    CLOCK_GAP,
    CLOCK_OVERLAP,
    DIALOG_DAY,
    DIALOG_DURATION,
    DIALOG_NAME,
    DIALOG_PROVIDER,
    DIALOG_REMINDER,
    DIALOG_REPEAT,
    DIALOG_SUBMIT,
    DIALOG_TIME,
    DIALOG_TITLE,
    IN_PAST,
    MENU_ALREADY,
    MENU_INTRO,
    MENU_LIST,
    MENU_NEW,
    MENU_NOW,
    MENU_TITLE,
    NEED_TITLE,
    TITLE_TOO_LONG,
)
from storage.meeting_models import Meeting

KIND = "meeting"
DIALOG_DAYS = 30
WORDS = {"now": {"de": "jetzt", "en": "now"}, "list": {"de": "liste", "en": "list"}, "new": {"de": "neu", "en": "new"},
         "remind": {"de": "erinnerung", "en": "remind"}, "via": {"de": "über", "en": "via"}}


def _word(ctx: Context, name: str) -> str:
    return WORDS[name]["en" if ctx.locale == "en" else "de"]


async def menu(request: SlashRequest, ctx: Context) -> Reply:
    """The card, for the command typed without anything after it."""
    return menus.card(ctx, "\n".join([MENU_TITLE(ctx.locale), MENU_INTRO(ctx.locale)]), [
        menus.MenuButton(MENU_NOW, "meeting.menunow", style="primary"),
        menus.MenuButton(MENU_NEW, "meeting.menunew"),
        menus.MenuButton(MENU_LIST, "meeting.menulist"),
    ])


async def _typed(request: ActionRequest, ctx: Context, name: str) -> ActionResult:
    trigger = command_trigger(ctx.settings, KIND)
    slash = menus.as_typed(request, ctx, KIND, _word(ctx, name))
    parsed = parse_request(name, "", today=ctx.today, trigger=trigger, locale=ctx.locale)
    return menus.answer(ctx, await HANDLERS[type(parsed)](slash, ctx, parsed, trigger), slash)


async def meet_now(request: ActionRequest, ctx: Context) -> ActionResult:
    """`Jetzt treffen`; pressed again on the same card while its meeting runs, that meeting."""
    shown = menus.card_time(request)
    if shown is not None:
        with ctx.db.read() as session:
            earlier = session.exec(select(Meeting).where(
                Meeting.channel_id == ctx.channel_id, Meeting.organizer_id == ctx.user.id,
                Meeting.created_at >= shown, col(Meeting.cancelled_at).is_(None), Meeting.reminder_minutes == 0,
                col(Meeting.repeat).is_(None)).order_by(col(Meeting.id))).all()
        running = [m for m in earlier if m.ends_at is not None and menus.as_utc(m.ends_at) > ctx.now]
        if running:
            return ActionResult(ephemeral_text=MENU_ALREADY(ctx.locale, title=plain(running[0].title), id=running[0].id))
    return await _typed(request, ctx, "now")


async def meeting_list(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "list")


# -- Neue Besprechung … --------------------------------------------------------------------------------


def _options(ctx: Context) -> dict[str, list[dict[str, str]]]:
    return {"day": menus.day_options(ctx.today, DIALOG_DAYS, ctx.settings.bot_holiday_region, ctx.locale),
            "time": menus.time_options(time(7, 0), time(19, 45)),
            "duration": menus.duration_options(ctx.locale), "repeat": menus.recurrence_options(ctx.locale),
            "reminder": menus.reminder_options(ctx.locale), "provider": menus.provider_options(ctx.settings)}


async def new_button(request: ActionRequest, ctx: Context) -> ActionResult:
    options = _options(ctx)
    elements = [
        menus.text_field("title", DIALOG_NAME, ctx.locale, max_length=200),
        menus.select("day", DIALOG_DAY, ctx.locale, options["day"], default=options["day"][0]["value"]),
        menus.select("time", DIALOG_TIME, ctx.locale, options["time"]),
        menus.select("duration", DIALOG_DURATION, ctx.locale, options["duration"], default="30m"),
        menus.select("repeat", DIALOG_REPEAT, ctx.locale, options["repeat"], default="none"),
        menus.select("reminder", DIALOG_REMINDER, ctx.locale, options["reminder"], default="10m"),
    ]
    if options["provider"]:
        elements.append(menus.select("provider", DIALOG_PROVIDER, ctx.locale, options["provider"],
                                     default=options["provider"][0]["value"]))
    example = f'/{command_trigger(ctx.settings, KIND)} {_word(ctx, "new")} "Teamrunde" Mo 10:00'
    await menus.open_dialog(request, ctx, "meeting.menunew", DIALOG_TITLE, elements, example=example,
                            submit=DIALOG_SUBMIT)
    return ActionResult()


FIELDS: dict[Text, str] = {NEED_TITLE: "title", TITLE_TOO_LONG: "title", IN_PAST: "time", CLOCK_GAP: "time",
                           CLOCK_OVERLAP: "time", BAD_PROVIDER: "provider"}


def read_dialog(request: DialogRequest, ctx: Context, trigger: str) -> NewMeeting:
    """The dialog's fields as the `NewMeeting` the typed `neu` makes of the same choices; the options
    are read by the typed form's own option parser."""
    options = _options(ctx)
    title = menus.value(request, "title")
    if not title:
        raise menus.FieldError("title", NEED_TITLE, trigger=trigger)
    if len(title) > 200:
        raise menus.FieldError("title", TITLE_TOO_LONG)
    day = date.fromisoformat(menus.chosen(request, "day", options["day"]))
    start = time.fromisoformat(menus.chosen(request, "time", options["time"]))
    words = [menus.chosen(request, "duration", options["duration"])]
    repeat = menus.chosen(request, "repeat", options["repeat"])
    if repeat != "none":
        words.append(repeat)
    words += [_word(ctx, "remind"), menus.chosen(request, "reminder", options["reminder"])]
    provider = menus.chosen(request, "provider", options["provider"], optional=True) if options["provider"] else ""
    if provider:
        words += [_word(ctx, "via"), provider]
    found = parse_options(words, 0, allow=frozenset({"repeat", "reminder", "duration"}))
    assert found.duration is not None and found.reminder is not None  # both are always chosen
    return NewMeeting(title=title, day=day, start=start, duration=found.duration, repeat=found.repeat,
                      reminder=found.reminder, provider=found.provider)


async def new_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    if request.cancelled:
        return {}
    menus.dialog_channel(request, ctx)
    trigger = command_trigger(ctx.settings, KIND)
    try:
        parsed = read_dialog(request, ctx, trigger)
        await new_meeting(menus.as_typed(request, ctx, KIND, _word(ctx, "new")), ctx, parsed, trigger)
    except LocalizedError as e:
        return menus.field_error(ctx, e, FIELDS, "title")
    return {}


ACTIONS: dict[str, ActionHandler] = {"menunow": meet_now, "menunew": new_button, "menulist": meeting_list}
DIALOGS: dict[str, DialogHandler] = {"menunew": new_dialog}

run_or_menu = menus.with_menu(run, menu)
