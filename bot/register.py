"""`amtsbote register`: idempotent slash-command registration."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from base.i18n import Text
from bot.check import check  # noqa: F401  (`amtsbote check` lives in bot/check.py)
from bot.mattermost import RestMattermost
from config.settings import Settings
from storage.db import Database
from storage.models import SlashCommand, token_hash

DESCRIPTIONS = {
    "homeoffice": Text(de="Home-Office-Gruppen und Wochenplan", en="Home-office groups and weekly plan"),
    "roster": Text(de="Wer ist heute wo? Anwesenheit", en="Who is where today? Presence roster"),
    "forward": Text(de="Rufumleitungen ankündigen", en="Announce call forwarding"),
    "meeting": Text(de="Videokonferenzen planen", en="Schedule video meetings"),
    "duty": Text(de="Dienste: Telefon, Post, Präsenz – wer ist dran, wer übernimmt?",
                 en="Duties: phone line, post, on-site presence – whose turn, who steps in?"),
}
HINTS = {
    "homeoffice": Text(de="hilfe | plan | ich | büro DATUM | abwesend DATUM", en="help | plan | me | office DATE | away DATE"),
    "roster": Text(de="[heute|morgen|DATUM|woche|@name]", en="[today|tomorrow|DATE|week|@name]"),
    "forward": Text(de="nummer | handy | @kollegin | privat | ab | aus | liste",
                    en="number | mobile | @colleague | private | voicemail | off | list"),
    "meeting": Text(de='neu "Titel" DATUM ZEIT | jetzt | liste', en='new "Title" DATE TIME | now | list'),
    "duty": Text(de="plan | ich | abgeben DATUM | übernehmen DATUM | tausch @name DATUM",
                 en="plan | me | drop DATE | take DATE | swap @name DATE"),
}


def _command_body(settings: Settings, team_id: str, kind: str, trigger: str) -> dict[str, object]:
    locale = settings.bot_locale
    return {
        "team_id": team_id, "trigger": trigger, "method": "P",
        "url": f"{settings.bot_public_url}/mattermost/command",
        "username": "amtsbote", "display_name": "Amtsbote",
        "description": DESCRIPTIONS[kind](locale), "auto_complete": True,
        "auto_complete_desc": DESCRIPTIONS[kind](locale), "auto_complete_hint": HINTS[kind](locale),
    }


async def register(settings: Settings, *, mm: RestMattermost | None = None, db: Database | None = None) -> list[str]:
    assert settings.mattermost_url and settings.mattermost_token
    mm = mm or RestMattermost(settings.mattermost_url, settings.mattermost_token)
    db = db or Database(settings.database_url)
    lines: list[str] = []
    try:
        for team in await mm.bot_teams():
            existing = {c["trigger"]: c for c in await mm.team_commands(team["id"])}
            for kind, trigger in settings.command_triggers.items():
                body = _command_body(settings, team["id"], kind, trigger)
                if trigger in existing:
                    current = existing[trigger]
                    command = await mm.update_command(current["id"], {**current, **body})
                    action = "updated"
                else:
                    command = await mm.create_command(body)
                    action = "created"
                with db.write() as session:
                    session.execute(sa.delete(SlashCommand).where(col(SlashCommand.team_id) == team["id"],
                                                                  col(SlashCommand.trigger) == trigger))
                    session.add(SlashCommand(team_id=team["id"], trigger=trigger, kind=kind,
                                             token_hash=token_hash(command["token"]), command_id=command["id"]))
                lines.append(f"{action} /{trigger} in team {team.get('name', team['id'])}")
    finally:
        await mm.close()
    return lines
