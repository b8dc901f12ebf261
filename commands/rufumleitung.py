"""/rufumleitung: placeholder until its issue fills it in; answers help for every input."""

from __future__ import annotations

from bot.i18n import Text
from commands.base import Command, Context, Reply, SlashRequest
from commands.help import render_help

TITLE = Text(de='Rufumleitung', en='Call forwarding')
ENTRIES = [
    ('nummer 0391 540-1234', 'number 0391 540-1234', Text(de='meine Büronummer hinterlegen', en='register my office number')),
    ('handy [NUMMER] [bis ZEIT|DATUM]', 'mobile [NUMBER] [until TIME|DATE]', Text(de='Umleitung auf das Diensthandy', en='forward to the work mobile')),
    ('aus', 'off', Text(de='Umleitung beenden', en='end the forward')),
    ('liste', 'list', Text(de='aktive Umleitungen im Kanal', en='active forwards in this channel')),
]


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, ENTRIES, locale, trigger)


async def run(request: SlashRequest, ctx: Context) -> Reply:
    return Reply(help_text(ctx.locale, request.command.lstrip("/")))


COMMAND = Command(kind='forward', run=run, help=help_text)
