"""/homeoffice: rotating home-office groups (SPEC §2.1) and the data-protection commands (§3).

The rotation belongs to the channel. Leads set it up and assign people; everyone
records their own one-off changes and absences. Where someone works on a day:
absence > one-off change > rotation (computed by the pure `domain.rotation`).

Where things are: `texts` (every text, the help), `requests` (a subcommand's text as a typed
request), `setup` (einrichten, typed and as a dialog), `membership` (gruppe, entfernen,
aufteilen), `changes` (büro, zuhause, unterwegs, abwesend, zurücksetzen), `swap` (tausch),
`views` (plan, ich), `admin` (leitung, erinnerung, löschen), `mydata` (meine-daten, vergessen),
`jobs` (expiring swaps, retention), `common` (what several of them share). The plan table that
/anwesenheit shows too lives in `commands.plan_views`, the swap's states in `domain.swap`.
"""

from __future__ import annotations

from base.safetext import plain
from commands.base import Context, Feature, Reply, SlashRequest, split_subcommand
from commands.help import did_you_mean, help_topic, usage_words
from commands.homeoffice import admin, changes, membership, menu, mydata, setup, swap, undo, views
from commands.homeoffice.common import trigger
from commands.homeoffice.jobs import expire_swaps, purge
from commands.homeoffice.texts import HELP, UNKNOWN_SUB, help_text, sub_help_text

SUBCOMMANDS = {
    "einrichten": "setup", "setup": "setup",
    "gruppe": "assign", "assign": "assign",
    "entfernen": "remove", "remove": "remove",
    "aufteilen": "split", "split": "split",
    "plan": "plan",
    "ich": "me", "me": "me",
    "büro": "office", "buero": "office", "office": "office",
    "zuhause": "home", "home": "home",
    "unterwegs": "field", "field": "field",
    "abwesend": "away", "away": "away",
    "tausch": "swap", "swap": "swap",
    "zurücksetzen": "clear", "zuruecksetzen": "clear", "clear": "clear",
    "leitung": "lead", "lead": "lead",
    "löschen": "delete", "loeschen": "delete", "delete": "delete",
    "meine-daten": "mydata", "my-data": "mydata",
    "vergessen": "forget", "forget-me": "forget",
    "erinnerung": "prompts", "reminder": "prompts",
    "stammteam": "hometeam", "home-team": "hometeam", "hometeam": "hometeam",
}

HANDLERS = {
    "setup": setup.setup, "assign": membership.assign, "remove": membership.remove, "split": membership.split,
    "plan": views.plan_view, "me": views.me_view, "hometeam": membership.home_team,
    "office": changes.office, "home": changes.home, "field": changes.field, "away": changes.away,
    "clear": changes.clear, "swap": swap.swap,
    "lead": admin.leads, "delete": admin.delete, "prompts": admin.prompts,
    "mydata": mydata.my_data, "forget": mydata.forget,
}


async def run(request: SlashRequest, ctx: Context) -> Reply:
    typed = trigger(ctx, request)
    text = request.text.strip()
    if not text:
        return await menu.menu(request, ctx)
    topic = help_topic(text, SUBCOMMANDS)
    if topic == "":
        return Reply(help_text(ctx.locale, typed))
    if topic is not None:
        return Reply(sub_help_text(ctx.locale, typed, topic))
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None:
        word = plain(text.split()[0], max_length=30)
        hint = did_you_mean(text.split()[0], usage_words(HELP, ctx.locale), ctx.locale)
        return Reply(UNKNOWN_SUB(ctx.locale, word=word) + hint + "\n\n" + help_text(ctx.locale, typed))
    return await HANDLERS[name](request, ctx, rest)


FEATURE = Feature(
    kind="homeoffice", run=run, help=help_text,
    actions={"swap": swap.swap_action, "delete": admin.delete_action, "forget": mydata.forget_action,
             "split": membership.split_action, "undoswap": undo.undo_swap_action, **menu.ACTIONS},
    dialogs={"setup": setup.setup_dialog, **menu.DIALOGS},
    jobs=(expire_swaps,), purge=purge,
)

__all__ = ["FEATURE"]
