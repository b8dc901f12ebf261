"""The menus in `amtsbote console` (a subprocess with piped input): a card's buttons are pressed by
number, its menu of people offers them by number, and a dialog asks for each field in turn."""

from __future__ import annotations

import os
import re
import subprocess

from tests.test_console import _amtsbote, _sections


def _console(tmp_path, lines: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "MATTERMOST_", "DATABASE_"))}
    done = subprocess.run([*_amtsbote(), "console", "--database", f"sqlite:///{tmp_path / 'menus.db'}",
                           "--start", "2026-11-23 09:00"], input="\n".join(lines) + "\n", capture_output=True,
                          text=True, timeout=180, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _number(text: str, label: str) -> str:
    match = re.search(r"\[(\d+): " + re.escape(label) + r"\]", text)
    assert match, f"no button {label!r} in:\n{text}"
    return match[1]


def test_console_presses_a_menu_button_and_fills_a_dialog_field_by_field(tmp_path):
    # Buttons are numbered in the order shown: the first card's are 1-7 (Bernd is no lead).
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026",
        "/homeoffice aufteilen",
        ":as bernd.mueller",
        "/homeoffice",
        ":click 2",                     # Heute zu Hause
        ":click 4",                     # Abwesend … : the dialog asks for each field
        "3", "2", "Fortbildung",        # Von: Mi, 25.11.; Bis: Di, 24.11. (before Von: refused next to it); Notiz
        "4",                            # Bis, asked again: Do, 26.11.
        "/homeoffice ich",
        ":quit",
    ])
    said = _sections(out)
    menu = said["/homeoffice"]
    assert "#### Dein Arbeitsort" in menu
    assert _number(menu, "Heute zu Hause") == "2" and _number(menu, "Abwesend …") == "4"
    assert "Bernd Müller: zu Hause am Mo, 23.11.2026." in said[":click 2"]
    dialog = said[":click 4"]
    assert "📝 Dialog „Abwesend“" in dialog
    assert "1) Mo, 23.11." in dialog and "3) Mi, 25.11." in dialog
    assert "⚠ Bis (optional): „Bis“ liegt vor „Von“. Bitte einen Tag ab Mi, 25.11. wählen." in dialog
    assert "✔ Dialog abgeschickt." in dialog
    mine = said["/homeoffice ich"]
    assert "Mo, 23.11.2026: 🏠 Zuhause" in mine
    assert "Mi, 25.11.2026: 🌴 Abwesend — Fortbildung" in mine and "Do, 26.11.2026: 🌴 Abwesend — Fortbildung" in mine


def test_console_chooses_a_person_in_a_menu_by_number(tmp_path):
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026",
        "/homeoffice aufteilen",
        "/anwesenheit",
        ":click 3",
        "2",
        ":quit",
    ])
    said = _sections(out)
    assert "[3: Erreichbarkeit …]" in said["/anwesenheit"]
    chosen = said[":click 3"]
    assert "Auswahl für „Erreichbarkeit …“:" in chosen and "2) Bernd Müller (@bernd.mueller)" in chosen
    assert "Bernd Müller ist heute" in chosen
