"""/meeting: placeholder until its issue fills it in; answers help for every input."""

from __future__ import annotations

from bot.i18n import Text
from commands.base import Command, Context, Reply, SlashRequest
from commands.help import render_help

TITLE = Text(de='Videokonferenzen', en='Video meetings')
ENTRIES = [
    ('neu "Titel" DATUM ZEIT [DAUER]', 'new "Title" DATE TIME [DURATION]', Text(de='Besprechung planen', en='schedule a meeting')),
    ('jetzt ["Titel"]', 'now ["Title"]', Text(de='Sofort-Besprechung', en='instant meeting')),
    ('liste', 'list', Text(de='kommende Besprechungen', en='upcoming meetings')),
]


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, ENTRIES, locale, trigger)


async def run(request: SlashRequest, ctx: Context) -> Reply:
    return Reply(help_text(ctx.locale, request.command.lstrip("/")))


COMMAND = Command(kind='meeting', run=run, help=help_text)
