"""/dienst (/duty): duties — the phone line, incoming post, on-site presence (SPEC §2.5).

A lead defines a channel's duties; the rota is computed from the plan by the pure rule in
`domain.duty` (who is available that day, one truth per person and day), never stored. What is
stored is what people decided: hand-overs (`tausch`, `abgeben`, `übernehmen`), the requests behind
them, a duty's explicit members and exclusions, the team's greeting. Design choices, and why:

* `abgeben` posts a request with an "Ich übernehme" button; the first eligible click wins by a
  conditional UPDATE in the database (`storage.duties.claim_request`), so exactly one person gets
  the duty however many click at once, on SQLite and on PostgreSQL with several replicas.
* Coverage alerts and "you gained/lost a duty day" DMs are claimed in a ledger (`duty_ledger`)
  in the transaction that owes them: once, across restarts and replicas (`jobs`).
* The roster's "Dienste" section, `/anwesenheit @name`, the plan export and `/rufumleitung ab`
  read duties through `commands/duty_views.py`.

Where things are: `texts` (every word), `requests` (typed requests), `admin` (anlegen, ändern,
löschen, mitglieder, ohne, ansage), `views` (plan, ich, what the menu card reads), `menu` (the
command without arguments: the card, its buttons and dialogs, SPEC §2.6), `handover` (abgeben,
übernehmen, tausch), `actions` (buttons), `jobs` (coverage and changes), `mydata` (meine-daten,
vergessen, retention).
"""

from __future__ import annotations

from base.safetext import plain
from commands import menus
from commands.base import Context, Feature, Reply, SlashRequest, split_subcommand
from commands.dienst import admin, handover, menu, views
from commands.dienst.actions import answer_action, claim_action
from commands.dienst.common import trigger
from commands.dienst.jobs import carry_job, duty_job, keep
from commands.dienst.mydata import forget, my_data, purge
from commands.dienst.texts import HELP, UNKNOWN_SUB, help_text, sub_help
from commands.help import did_you_mean, help_topic, usage_words

SUBCOMMANDS = {
    "anlegen": "add", "add": "add", "neu": "add", "new": "add",
    "ändern": "edit", "aendern": "edit", "edit": "edit",
    "löschen": "delete", "loeschen": "delete", "delete": "delete",
    "mitglieder": "members", "members": "members",
    "ohne": "without", "without": "without",
    "plan": "plan",
    "ich": "me", "me": "me",
    "tausch": "swap", "tauschen": "swap", "swap": "swap",
    "abgeben": "drop", "drop": "drop",
    "übernehmen": "take", "uebernehmen": "take", "take": "take",
    "ansage": "greeting", "greeting": "greeting",
}

HANDLERS = {
    "add": admin.add, "edit": admin.edit, "delete": admin.delete, "members": admin.members,
    "without": admin.without, "greeting": admin.greeting,
    "plan": views.plan_view, "me": views.me_view,
    "swap": handover.swap, "drop": handover.drop, "take": handover.take,
}


async def run(request: SlashRequest, ctx: Context) -> Reply:
    """The typed command (the command alone opens the menu: `menu.menu`)."""
    typed = trigger(ctx, request)
    text = request.text.strip()
    topic = help_topic(text, SUBCOMMANDS)
    if topic is not None:
        return Reply(sub_help(ctx.locale, typed, topic) if topic else help_text(ctx.locale, typed))
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None:
        word = plain(text.split()[0], max_length=30)
        hint = did_you_mean(text.split()[0], usage_words(HELP, ctx.locale), ctx.locale)
        return Reply(UNKNOWN_SUB(ctx.locale, word=word) + hint + "\n\n" + help_text(ctx.locale, typed))
    return await HANDLERS[name](request, ctx, rest)


FEATURE = Feature(
    kind="duty", run=menus.with_menu(run, menu.menu), help=help_text,
    actions={"claim": claim_action, "answer": answer_action, "delete": admin.delete_action, **menu.ACTIONS},
    dialogs=menu.DIALOGS,
    jobs=(duty_job, carry_job), my_data=my_data, forget=forget, keep=keep, purge=purge,
)

__all__ = ["FEATURE"]
