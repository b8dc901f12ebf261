"""The /anwesenheit menu (SPEC §2.6): today's roster, with `Morgen`, `Diese Woche` and
`Erreichbarkeit …` (a menu of the team's people). Each runs the typed command for the presser."""

from __future__ import annotations

from base.chat import User
from base.i18n import LocalizedError
from commands import menus
from commands.anwesenheit.handlers import run, show_day
from commands.anwesenheit.texts import MENU_NOBODY, MENU_REACH, MENU_TOMORROW, MENU_WEEK
from commands.base import ActionHandler, ActionRequest, ActionResult, Context, Reply, SlashRequest

KIND = "roster"
WORDS = {"tomorrow": {"de": "morgen", "en": "tomorrow"}, "week": {"de": "woche", "en": "week"}}


def _lang(ctx: Context) -> str:
    return "en" if ctx.locale == "en" else "de"


async def menu(request: SlashRequest, ctx: Context) -> Reply:
    """The card, for the command typed without anything after it."""
    try:
        body = (await show_day(ctx, ctx.today)).text
    except LocalizedError as e:  # no rotation here: the card says so, its buttons say it again
        body = e.render(ctx.locale)
    return menus.card(ctx, body, [menus.MenuButton(MENU_TOMORROW, "roster.menutomorrow"),
                                  menus.MenuButton(MENU_WEEK, "roster.menuweek"),
                                  menus.MenuButton(MENU_REACH, "roster.menureach", users=True)])


async def _typed(request: ActionRequest, ctx: Context, text: str, person: User | None = None) -> ActionResult:
    slash = menus.as_typed(request, ctx, KIND, text, {person.username: person.id} if person else None)
    return menus.answer(ctx, await run(slash, ctx), slash)


async def tomorrow(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, WORDS["tomorrow"][_lang(ctx)])


async def week(request: ActionRequest, ctx: Context) -> ActionResult:
    return await _typed(request, ctx, WORDS["week"][_lang(ctx)])


async def reach(request: ActionRequest, ctx: Context) -> ActionResult:
    """`Erreichbarkeit …`: the person chosen in the menu, as `/anwesenheit @name` shows them."""
    if not request.selected_option:
        return ActionResult(ephemeral_text=MENU_NOBODY(ctx.locale))
    person = await ctx.mm.user(request.selected_option)
    return await _typed(request, ctx, "@" + person.username, person)


ACTIONS: dict[str, ActionHandler] = {"menutomorrow": tomorrow, "menuweek": week, "menureach": reach}

run_or_menu = menus.with_menu(run, menu)
