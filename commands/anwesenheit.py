"""/anwesenheit: placeholder until its issue fills it in; answers help for every input."""

from __future__ import annotations

from bot.i18n import Text
from commands.base import Command, Context, Reply, SlashRequest
from commands.help import render_help

TITLE = Text(de='Anwesenheit', en='Presence roster')
ENTRIES = [
    ('[heute|morgen|DATUM|woche]', '[today|tomorrow|DATE|week]', Text(de='Anwesenheit anzeigen', en='show the roster')),
    ('@name', '@name', Text(de='Wie erreiche ich diese Person?', en='how to reach this person')),
    ('posten', 'post', Text(de='Anwesenheit jetzt im Kanal posten (Leitung)', en="post today's roster now (lead)")),
]


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, ENTRIES, locale, trigger)


async def run(request: SlashRequest, ctx: Context) -> Reply:
    return Reply(help_text(ctx.locale, request.command.lstrip("/")))


COMMAND = Command(kind='roster', run=run, help=help_text)
