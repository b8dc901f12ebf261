"""The /homeoffice menu (SPEC §2.6): my place today and on the next four working days, and buttons
for the everyday changes. Every button and dialog ends in the handler of the typed form, with the
text or the typed request that form would have."""

from __future__ import annotations

from datetime import date
from typing import Any

from base.i18n import LocalizedError, Text
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
from commands.homeoffice import changes, setup, swap, views
from commands.homeoffice.requests import SwapRequest
from commands.homeoffice.texts import (
    AWAY_DIALOG_TITLE,
    AWAY_FROM,
    AWAY_NOTE,
    AWAY_NOTE_HELP,
    AWAY_TO,
    AWAY_TO_BEFORE,
    AWAY_TO_HELP,
    IN_PAST,
    MENU_AWAY,
    MENU_FIELD,
    MENU_HOME,
    MENU_MY_PLAN,
    MENU_OFFICE,
    MENU_SETUP,
    MENU_SWAP,
    MENU_TEAM_PLAN,
    MENU_TITLE,
    MENU_TODAY,
    MENU_WEEKEND,
    NEED_DATE,
    NO_WORKING_DAY,
    NOT_SCHEDULED,
    NOTE_TOO_LONG,
    RANGE_TOO_LONG,
    SWAP_BACK_MISMATCH,
    SWAP_DAY,
    SWAP_DAY2,
    SWAP_DAY2_HELP,
    SWAP_DAY_HELP,
    SWAP_DIALOG_TITLE,
    SWAP_MISMATCH,
    SWAP_NOT_MEMBER,
    SWAP_PARTNER,
    SWAP_SELF,
    SWAP_SUBMIT,
    WHERE_ICON,
    WHERE_TEXT,
)
from commands.leads import is_lead
from domain import calendar as cal
from storage import presence

KIND = "homeoffice"
DIALOG_DAYS = 30  # the day selects offer this many working days
WORDS = {  # the subcommand each button stands for, as typed in each language
    "office": {"de": "büro", "en": "office"}, "home": {"de": "zuhause", "en": "home"},
    "field": {"de": "unterwegs", "en": "field"}, "away": {"de": "abwesend", "en": "away"},
    "swap": {"de": "tausch", "en": "swap"}, "me": {"de": "ich", "en": "me"}, "plan": {"de": "plan", "en": "plan"},
    "setup": {"de": "einrichten", "en": "setup"},
}
TODAY = {"de": "heute", "en": "today"}
RANGE = {"de": "bis", "en": "to"}


def _today(ctx: Context) -> str:
    return TODAY["en" if ctx.locale == "en" else "de"]


def _example(request: ActionRequest, ctx: Context, rest: str) -> str:
    return f"{menus.as_typed(request, ctx, KIND, '').command} {rest}"


def _word(ctx: Context, name: str) -> str:
    return WORDS[name]["en" if ctx.locale == "en" else "de"]


def _region(ctx: Context) -> str:
    """The person's holidays: those of their home rotation, else of their first, else the bot's."""
    with ctx.db.read() as session:
        rotations = presence.rotations_of(session, ctx.user.id)
        home = presence.homes(session, [ctx.user.id]).get(ctx.user.id)
    row = next((r for r in rotations if r.channel_id == home), rotations[0] if rotations else None)
    return row.region if row is not None else ctx.settings.bot_holiday_region


async def menu(request: SlashRequest, ctx: Context) -> Reply:
    """The card: where I work today and on the next four working days, as every view shows it."""
    region = _region(ctx)
    days = cal.next_working_days(ctx.today, 5 if cal.is_working_day(ctx.today, region) else 4, region)
    with ctx.db.read() as session:
        places = presence.person_days(session, ctx.user.id, days[0], days[-1])[1]
    lines = [MENU_TITLE(ctx.locale)]
    if days[0] != ctx.today:
        lines.append(f"- {MENU_TODAY(ctx.locale)}: {MENU_WEEKEND(ctx.locale)}")
    for day in days:
        where = places.get(day)
        label = f"{WHERE_ICON[where]} {WHERE_TEXT[where](ctx.locale)}" if where else NOT_SCHEDULED(ctx.locale)
        prefix = f"{MENU_TODAY(ctx.locale)}, " if day == ctx.today else ""
        lines.append(f"- {prefix}{cal.format_day(day, ctx.locale)}: {label}")
    buttons = [menus.MenuButton(MENU_OFFICE, "homeoffice.menuoffice"),
               menus.MenuButton(MENU_HOME, "homeoffice.menuhome"),
               menus.MenuButton(MENU_FIELD, "homeoffice.menufield"),
               menus.MenuButton(MENU_AWAY, "homeoffice.menuaway"),
               menus.MenuButton(MENU_SWAP, "homeoffice.menuswap"),
               menus.MenuButton(MENU_MY_PLAN, "homeoffice.menume"),
               menus.MenuButton(MENU_TEAM_PLAN, "homeoffice.menuplan")]
    if await is_lead(ctx):
        buttons.append(menus.MenuButton(MENU_SETUP, "homeoffice.menusetup"))
    return menus.card(ctx, "\n".join(lines), buttons)


async def _typed(request: ActionRequest, ctx: Context, name: str, rest: str = "") -> ActionResult:
    """Run the typed form `/homeoffice <word> <rest>` for the presser; its reply is the answer."""
    text = f"{_word(ctx, name)} {rest}".strip()
    slash = menus.as_typed(request, ctx, KIND, text)
    handler = {"office": changes.office, "home": changes.home, "field": changes.field, "me": views.me_view,
               "plan": views.plan_view}[name]
    return menus.answer(ctx, await handler(slash, ctx, rest), slash)


async def office_today(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "office", _today(ctx))


async def home_today(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "home", _today(ctx))


async def field_today(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "field", _today(ctx))


async def my_plan(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "me")


async def team_plan(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, "plan")


async def setup_button(request: ActionRequest, ctx: Context) -> ActionResult:
    """`Rotation einrichten …`: the setup dialog, for a presser who is a lead (checked there)."""
    slash = menus.as_typed(request, ctx, KIND, _word(ctx, "setup"))
    return menus.answer(ctx, await setup.setup(slash, ctx, ""), slash)


# -- Abwesend … ----------------------------------------------------------------------------------------


def _day_options(ctx: Context) -> list[dict[str, str]]:
    return menus.day_options(ctx.today, DIALOG_DAYS, _region(ctx), ctx.locale)


async def away_button(request: ActionRequest, ctx: Context) -> ActionResult:
    days = _day_options(ctx)
    elements = [
        menus.select("from", AWAY_FROM, ctx.locale, days, default=days[0]["value"]),
        menus.select("to", AWAY_TO, ctx.locale, days, optional=True, help_text=AWAY_TO_HELP),
        menus.text_field("note", AWAY_NOTE, ctx.locale, max_length=changes.NOTE_LIMIT, optional=True, area=True,
                         help_text=AWAY_NOTE_HELP),
    ]
    await menus.open_dialog(request, ctx, "homeoffice.menuaway", AWAY_DIALOG_TITLE, elements,
                            example=_example(request, ctx, f"{_word(ctx, 'away')} 08.12.–10.12."))
    return ActionResult()


AWAY_FIELDS: dict[Text, str] = {NOTE_TOO_LONG: "note", IN_PAST: "from", NO_WORKING_DAY: "from", NEED_DATE: "from",
                                RANGE_TOO_LONG: "to"}


async def away_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    """The same `/homeoffice abwesend VON bis BIS NOTIZ` the typed form is."""
    if request.cancelled:
        return {}
    menus.dialog_channel(request, ctx)
    try:
        days = _day_options(ctx)
        first = menus.chosen(request, "from", days)
        last = menus.chosen(request, "to", days, optional=True) or first
        if last < first:
            raise menus.FieldError("to", AWAY_TO_BEFORE, day=menus.day_label(date.fromisoformat(first), ctx.locale))
        words = [_dotted(first)] + ([RANGE["en" if ctx.locale == "en" else "de"], _dotted(last)] if last != first else [])
        note = menus.value(request, "note")
        rest = " ".join(words + ([note] if note else []))
        slash = menus.as_typed(request, ctx, KIND, f"{_word(ctx, 'away')} {rest}")
        reply = await changes.away(slash, ctx, rest)
    except LocalizedError as e:
        return menus.field_error(ctx, e, AWAY_FIELDS, "from")
    menus.tell(ctx, menus.answer(ctx, reply, slash).ephemeral_text or "")
    return {}


def _dotted(iso: str) -> str:
    """An ISO day as typed ("08.12.2026")."""
    day = date.fromisoformat(iso)
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


# -- Tausch … -----------------------------------------------------------------------------------------


async def swap_button(request: ActionRequest, ctx: Context) -> ActionResult:
    days = _day_options(ctx)
    elements = [
        menus.users_select("partner", SWAP_PARTNER, ctx.locale),
        menus.select("day", SWAP_DAY, ctx.locale, days, help_text=SWAP_DAY_HELP),
        menus.select("day2", SWAP_DAY2, ctx.locale, days, optional=True, help_text=SWAP_DAY2_HELP),
    ]
    await menus.open_dialog(request, ctx, "homeoffice.menuswap", SWAP_DIALOG_TITLE, elements, submit=SWAP_SUBMIT,
                            example=_example(request, ctx, f"{_word(ctx, 'swap')} @name 08.12."))
    return ActionResult()


SWAP_FIELDS: dict[Text, str] = {SWAP_SELF: "partner", SWAP_NOT_MEMBER: "partner", SWAP_MISMATCH: "day",
                                IN_PAST: "day", NO_WORKING_DAY: "day", NEED_DATE: "day", SWAP_BACK_MISMATCH: "day2"}


async def swap_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    """The same `SwapRequest` `/homeoffice tausch @name TAG [TAG2]` is."""
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
        days = _day_options(ctx)
        day = menus.chosen(request, "day", days)
        day2 = menus.chosen(request, "day2", days, optional=True)
        wanted = SwapRequest("@" + partner.username, tuple(_dotted(d) for d in (day, day2) if d))
        slash = menus.as_typed(request, ctx, KIND, f"{_word(ctx, 'swap')} {wanted.partner} {' '.join(wanted.days)}",
                               {partner.username: partner.id})
        reply = await swap.propose(slash, ctx, wanted)
    except LocalizedError as e:
        return menus.field_error(ctx, e, SWAP_FIELDS, "partner")
    menus.tell(ctx, reply.text)
    return {}


ACTIONS: dict[str, ActionHandler] = {"menuoffice": office_today, "menuhome": home_today, "menufield": field_today, "menuaway": away_button,
           "menuswap": swap_button, "menume": my_plan, "menuplan": team_plan, "menusetup": setup_button}
DIALOGS: dict[str, DialogHandler] = {"menuaway": away_dialog, "menuswap": swap_dialog}
