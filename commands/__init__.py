"""The slash commands, as an explicit registry (kind -> Command)."""

from __future__ import annotations

from commands import anwesenheit, homeoffice, meeting, rufumleitung
from commands.base import Command

REGISTRY: dict[str, Command] = {
    "homeoffice": homeoffice.COMMAND,
    "roster": anwesenheit.COMMAND,
    "forward": rufumleitung.COMMAND,
    "meeting": meeting.COMMAND,
}
