"""`amtsbote console`: the demo team with no Mattermost, driven through piped input."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.console import run_console
from config.settings import Settings
from storage.migrate import upgrade
from tests.harness import TEST_SECRET, assert_localized, berlin

ROSTER_HEAD = "#### 📋 Anwesenheit Jugendamt – ASD Team 3"


def _amtsbote() -> list[str]:
    script = Path(sys.executable).with_name("amtsbote")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _sections(output: str) -> dict[str, str]:
    """What the console printed after each typed line, keyed by that line."""
    parts = re.split(r"^[a-z.]+@[a-z-]+> (.*)$", output, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_console_command_with_piped_input_answers_switches_user_and_moves_the_clock(tmp_path):
    script = "\n".join([
        "/homeoffice hilfe",
        "/homeoffice einrichten A,B woche ab 23.11.2026",
        "/homeoffice aufteilen",
        ":as bernd.mueller",
        "/homeoffice einrichten A,B tag",  # Bernd is no lead: the console really acts as him now
        ":time +1d",
        ":as james.miller",
        "/homeoffice help",
        ":quit",
        "/homeoffice hilfe",  # after :quit nothing runs any more
    ]) + "\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "MATTERMOST_", "DATABASE_"))}
    done = subprocess.run([*_amtsbote(), "console", "--database", f"sqlite:///{tmp_path / 'console.db'}",
                           "--start", "2026-11-23 09:00"], input=script, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    said = _sections(out)

    assert said["/homeoffice hilfe"].strip().startswith("#### /homeoffice — Home-Office-Gruppen")
    assert_localized(said["/homeoffice hilfe"], "de")
    assert "Rotation eingerichtet" in said["/homeoffice einrichten A,B woche ab 23.11.2026"]
    assert "Du bist jetzt Bernd Müller (@bernd.mueller, de)" in said[":as bernd.mueller"]
    assert "bernd.mueller@jugendamt-asd> /homeoffice einrichten A,B tag" in out
    assert "Das dürfen nur Leitungen" in said["/homeoffice einrichten A,B tag"]

    moved = said[":time +1d"]
    assert "Es ist jetzt Di, 24.11.2026, 09:00 Uhr." in moved
    assert moved.count(ROSTER_HEAD) == 1 and f"{ROSTER_HEAD} — Di, 24.11.2026 (KW 48)" in moved
    roster = moved.split(ROSTER_HEAD, 1)[1].split("└─", 1)[0]
    assert "**🏢 Im Büro (4)**: Anna Schmidt, Claudia Weber, Elif Yılmaz, James Miller" in roster
    assert "**🏠 Im Home-Office (3)**: Bernd Müller, Dieter Fischer, Frank Hoffmann" in roster
    assert "@" not in roster  # names, no mentions
    assert moved.index(ROSTER_HEAD) < moved.index("Es ist jetzt")  # posted on the way, at 07:30

    assert said["/homeoffice help"].strip().startswith("#### /homeoffice — Rotating home-office groups")
    assert_localized(said["/homeoffice help"], "en")
    assert out.count("#### /homeoffice — Home-Office-Gruppen") == 1  # nothing ran after :quit
    assert out.count(ROSTER_HEAD) == 1


def _console(tmp_path, lines: list[str], start: str = "2026-11-23 09:00") -> str:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    settings = Settings(database_url=url, bot_secret=TEST_SECRET, bot_public_url="http://console.invalid",
                        outbox_max_rate=1000.0, outbox_burst=1000)
    out = io.StringIO()
    asyncio.run(run_console(settings, lines=io.StringIO("\n".join(lines) + "\n"), out=out, start=berlin(start)))
    return out.getvalue()


def test_console_buttons_swap_through_a_dm_and_bad_meta_commands_are_explained(tmp_path):
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026", "/homeoffice aufteilen",
        ":as bernd.mueller", "/homeoffice tausch @anna.schmidt 24.11.", ":as anna.schmidt", ":click 1",
        "/anwesenheit morgen",
        ":as niemand", ":time gestern", ":time 2020-01-01 07:00", ":click 99", ":channel nirgendwo", ":bla",
        "homeoffice ohne Schrägstrich", "/gibtsnicht hilfe",
    ])
    said = _sections(out)
    proposal = said["/homeoffice tausch @anna.schmidt 24.11."]
    assert "Tausch vorgeschlagen" in proposal and "[1: Annehmen] [2: Ablehnen]" in proposal, proposal
    clicked = said[":click 1"]
    assert "✅ Tausch angenommen: Di, 24.11.2026 zu Hause" in clicked  # Anna's DM, edited in place
    assert "Anna Schmidt hat deinen Tausch für den Di, 24.11.2026 angenommen." in clicked  # Bernd is told
    roster = said["/anwesenheit morgen"]
    assert "**🏢 Im Büro (4)**: Bernd Müller, Claudia Weber, Elif Yılmaz, James Miller" in roster
    assert "**🏠 Im Home-Office (3)**: Anna Schmidt, Dieter Fischer, Frank Hoffmann" in roster

    assert "Unbekannt: niemand" in said[":as niemand"]
    assert "Format: :time" in said[":time gestern"]
    assert "Die Uhr läuft nur vorwärts." in said[":time 2020-01-01 07:00"]
    assert "Keine solche Schaltfläche." in said[":click 99"]
    assert "Unbekannter Kanal: nirgendwo" in said[":channel nirgendwo"]
    assert ":help" in said[":bla"]
    assert "Slash-Befehle beginnen mit /" in said["homeoffice ohne Schrägstrich"]
    assert "Unbekannter Befehl /gibtsnicht" in said["/gibtsnicht hilfe"]
