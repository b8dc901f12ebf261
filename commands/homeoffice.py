"""/homeoffice: placeholder until its issue fills it in; answers help for every input."""

from __future__ import annotations

from bot.i18n import Text
from commands.base import Command, Context, Reply, SlashRequest
from commands.help import render_help

TITLE = Text(de='Home-Office-Gruppen', en='Rotating home-office groups')
ENTRIES = [
    ('einrichten A,B woche|tag|muster "AB/BA" [ab DATUM] [min N] [region DE-XX]', 'setup A,B weekly|daily|custom "AB/BA" [from DATE] [min N] [region DE-XX]', Text(de='Rotation des Kanals anlegen (Leitung)', en="create the channel's rotation (lead)")),
    ('gruppe A @name …', 'assign A @name …', Text(de='Personen einer Gruppe zuordnen (Leitung)', en='put people into a group (lead)')),
    ('plan [diese Woche|nächste Woche|DATUM]', 'plan [this week|next week|DATE]', Text(de='Wer ist wann im Büro', en='who is in the office when')),
    ('ich', 'me', Text(de='meine nächsten 10 Arbeitstage', en='my next 10 working days')),
    ('büro|zuhause|unterwegs DATUM', 'office|home|field DATE', Text(de='einmalige Änderung', en='one-off change')),
    ('abwesend DATUM [Notiz]', 'away DATE [note]', Text(de='Abwesenheit (Notiz nur für dich)', en='absence (note visible only to you)')),
]


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, ENTRIES, locale, trigger)


async def run(request: SlashRequest, ctx: Context) -> Reply:
    return Reply(help_text(ctx.locale, request.command.lstrip("/")))


COMMAND = Command(kind='homeoffice', run=run, help=help_text)
