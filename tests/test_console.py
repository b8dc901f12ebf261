"""`amtsbote console`: the demo team with no Mattermost, driven through piped input."""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
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


def _console(tmp_path, lines: list[str], start: str = "2026-11-23 09:00", **changes) -> str:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    settings = Settings(database_url=url, bot_secret=TEST_SECRET, bot_public_url="http://console.invalid",
                        outbox_max_rate=1000.0, outbox_burst=1000).replace(**changes)
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


# -- a kept database: the console starts again on the file of an earlier run (SPEC §6) -------------


def _run(tmp_path, lines: list[str], start: str, database: str | None = None) -> tuple[str, str, float]:
    """`amtsbote console` as a subprocess on tmp_path/kept.db: (stdout, stderr, seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "MATTERMOST_", "DATABASE_"))}
    began = time.monotonic()
    done = subprocess.run([*_amtsbote(), "console", "--database", database or f"sqlite:///{tmp_path / 'kept.db'}",
                           "--start", start], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=180, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr, time.monotonic() - began


def test_the_console_edits_its_roster_from_an_earlier_run_without_errors_or_stalls(tmp_path):
    first, _, _ = _run(tmp_path, ["/homeoffice einrichten A,B woche", "/homeoffice aufteilen", ":time +35m", ":quit"],
                       "2026-12-07 07:00")
    assert f"{ROSTER_HEAD} — Mo, 07.12.2026 (KW 50)" in _sections(first)[":time +35m"]

    # Same file, a new run: the roster post of the first run is not on this console's screen any more.
    # (A plain file name works as well as a URL.)
    second, errors, seconds = _run(tmp_path, ["/homeoffice abwesend heute", ":time +30m", ":quit"], "2026-12-07 07:40",
                                   database="kept.db")
    said = _sections(second)
    assert "Traceback" not in errors and "KeyError" not in errors and "outbox" not in errors, errors[-3000:]
    assert "Anna Schmidt: abwesend am Mo, 07.12.2026." in said["/homeoffice abwesend heute"]
    moved = said[":time +30m"]
    assert moved.count(ROSTER_HEAD) == 1, moved  # the morning's roster, shown again as it is now
    assert "┌─ Amtsbote in Jugendamt – ASD Team 3 (bearbeitet)" in moved
    roster = moved.split(ROSTER_HEAD, 1)[1].split("└─", 1)[0]
    assert "**🏢 Im Büro (3)**: Claudia Weber, Elif Yılmaz, James Miller" in roster, roster
    assert "**🌴 Abwesend (1)**: Anna Schmidt" in roster, roster
    assert "Es ist jetzt Mo, 07.12.2026, 08:10 Uhr." in moved
    # Six clock steps: a post the outbox keeps retrying would stall each of them for 5 s.
    assert seconds < 20, f"the second run took {seconds:.1f} s"

    # And a third run edits the post the second run showed again, still as one post.
    third, errors, _ = _run(tmp_path, ["/homeoffice zuhause heute", ":time +5m", ":quit"], "2026-12-07 08:15")
    moved = _sections(third)[":time +5m"]
    assert "Traceback" not in errors and "outbox" not in errors, errors[-3000:]
    assert moved.count(ROSTER_HEAD) == 1, moved
    assert "**🏠 Im Home-Office (4)**: Anna Schmidt, Bernd Müller" in moved.split(ROSTER_HEAD, 1)[1], moved


def test_the_console_fills_channel_and_user_mentions_as_mattermost_does(tmp_path):
    first, errors, _ = _run(tmp_path, [
        '/meeting neu "Dienstbesprechung" Fr 8:00 ~wirtschaftliche-hilfe',
        '/meeting neu "Fallrunde" Fr 9:00 @bernd.mueller',
        ":as claudia.weber",  # no member of the other channel
        '/meeting neu "Heimlich" Fr 10:00 ~wirtschaftliche-hilfe',
        '/meeting neu "Nirgends" Fr 10:00 ~gibt-es-nicht',
        ":quit",
    ], "2026-12-07 09:00")
    said = _sections(first)
    planned = said['/meeting neu "Dienstbesprechung" Fr 8:00 ~wirtschaftliche-hilfe']
    assert "✅ Besprechung „Dienstbesprechung“ geplant (ID 1)" in planned, planned
    assert "┌─ Amtsbote in Wirtschaftliche Jugendhilfe (neu)" in planned and "#### 📅 Dienstbesprechung" in planned
    named = said['/meeting neu "Fallrunde" Fr 9:00 @bernd.mueller']
    assert "**Teilnehmende:** Bernd Müller" in named, named
    assert "Du bist nicht Mitglied von „~wirtschaftliche-hilfe“" in said['/meeting neu "Heimlich" Fr 10:00 '
                                                                        '~wirtschaftliche-hilfe']
    assert "Den Kanal „~gibt-es-nicht“ finde ich nicht" in said['/meeting neu "Nirgends" Fr 10:00 ~gibt-es-nicht']

    # The second run cancels the meeting: its announcement (first run) is edited, not an error.
    second, errors, _ = _run(tmp_path, [":channel wirtschaftliche-hilfe", "/meeting absagen 1", ":quit"],
                             "2026-12-07 09:30")
    cancelled = _sections(second)["/meeting absagen 1"]
    assert "Traceback" not in errors and "KeyError" not in errors, errors[-3000:]
    assert "┌─ Amtsbote in Wirtschaftliche Jugendhilfe (bearbeitet)" in cancelled, cancelled
    assert "#### ❌ Abgesagt: Dienstbesprechung" in cancelled.split("(bearbeitet)", 1)[1]


def test_mention_fields_are_those_mattermost_sends():
    from base.clock import ManualClock
    from bot.console import ConsoleMattermost, demo_id

    mm = ConsoleMattermost(ManualClock(berlin("2026-12-07 09:00")), io.StringIO())
    fields = mm.mention_fields("@Bernd.Mueller. mit @claudia.weber, ~wirtschaftliche-hilfe ~nirgends "
                               "@niemand a@anna.schmidt ~jugendamt-asd ~wirtschaftliche-hilfe")
    assert fields == {
        "user_mentions": ["bernd.mueller", "claudia.weber"],
        "user_mentions_ids": [demo_id("u", "bernd"), demo_id("u", "claudia")],
        "channel_mentions": ["wirtschaftliche-hilfe", "jugendamt-asd"],
        "channel_mentions_ids": [demo_id("c", "wigu"), demo_id("c", "asd")],
    }


def _answers(output: str) -> list[tuple[str, str]]:
    """(typed line, what the console printed after it), in order: a line may be typed twice."""
    parts = re.split(r"^[a-z.]+@[a-z-]+> (.*)$", output, flags=re.MULTILINE)
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]


def test_console_shows_the_answer_of_a_button_on_a_private_reply_and_who_may_press_it(tmp_path):
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026", "/homeoffice aufteilen",
        "/homeoffice löschen",  # buttons 1 and 2, on Anna's private reply
        ":as bernd.mueller", ":click 1",  # Bernd does not see Anna's reply
        ":as anna.schmidt", ":click 2", "/anwesenheit heute",  # `heute`: the roster alone, no menu card
        ":click 1", ":click 1", "/homeoffice plan",
        ":as james.miller", "/homeoffice forget-me", ":click 3",
        ":as bernd.mueller", '/meeting neu "Team" morgen 10:00',  # RSVP buttons 5 and 6, on a real post
        ":click 5", ":as claudia.weber", ":click 6", ":as gabriele.wagner", ":click 5",
    ], jitsi_url="https://jitsi.example.org")
    answers = [text for line, text in _answers(out) if not line.startswith(":as")]
    (_, _, question, not_bernds, cancelled, roster, deleted, again, plan, forget, forgotten, meeting, accepted,
     declined, not_gabis) = answers
    assert question.endswith("[1: Ja, löschen] [2: Abbrechen]   (:click N)")
    assert not_bernds == "Diese Schaltfläche sieht nur Anna Schmidt (:as anna.schmidt)."
    assert cancelled == "Abgebrochen, nichts geändert." and "📋 Anwesenheit" in roster
    assert deleted.startswith("Die Rotation wurde gelöscht."), deleted  # the answer, shown
    assert "Die Home-Office-Rotation dieses Kanals wurde von Anna Schmidt gelöscht." in deleted  # the channel post
    assert again == "Die Rotation wurde gelöscht."  # pressed twice: no second announcement
    assert "noch keine Rotation" in plan
    assert "Unable to get the post" not in out and "Fehler von Mattermost" not in out

    assert forget.endswith("[3: Yes, delete everything] [4: Cancel]   (:click N)")
    assert forgotten == "Done: nothing about you is stored any more."

    assert "[5: Zusage] [6: Absage]" in meeting
    assert "(bearbeitet)" in accepted and "✅ Zusagen: 1 · ❌ Absagen: 0" in accepted
    assert accepted.endswith("Du hast für Di, 24.11.2026 zugesagt.")
    assert "[5: Zusage] [6: Absage]" in accepted  # an edited post keeps its buttons' numbers
    assert "✅ Zusagen: 1 · ❌ Absagen: 1" in declined
    assert not_gabis == "Diese Schaltfläche sieht nur, wer in „Jugendamt – ASD Team 3“ ist."


def test_console_speaks_the_language_of_the_person_it_acts_as_and_helps_with_mistakes(tmp_path):
    out = _console(tmp_path, [
        ":as James", ":who", ":time", ":time 08:00", ":click", ":click 7", ":channel", ":channel nirgends",
        "homeoffice help", "/gibtsnicht", ":as", ":as e", ":as niemand", ":bla",
        ":as bern", ":channel wirt", ":who", ":time 7:30", ":time 2026-11-20 07:00",
    ], start="2026-11-23 09:00")
    assert [text for _, text in _answers(out)] == [
        "You are now James Miller (@james.miller, en).",
        "James Miller in Jugendamt – ASD Team 3, Mon, 23 Nov 2026, 09:00",
        "Format: :time 2026-11-24 07:30  or  :time 07:30  or  :time +1d / +2h / +30m",
        "It is now Tue, 24 Nov 2026, 08:00.",  # the next 08:00
        "Which button? `:click N` with the number shown as [N: …]",
        "No such button.",
        "Which channel? `:channel NAME` (jugendamt-asd, wirtschaftliche-hilfe)",
        "Unknown channel: nirgends. There are: jugendamt-asd, wirtschaftliche-hilfe",
        "Slash commands start with / (e.g. /homeoffice help); :help for the console.",
        "Unknown command /gibtsnicht. Available: /homeoffice, /anwesenheit, /rufumleitung, /meeting, /dienst",
        "As whom? `:as NAME`, e.g. `:as bernd.mueller` (anna.schmidt, bernd.mueller, claudia.weber, "
        "dieter.fischer, elif.yilmaz, frank.hoffmann, gabriele.wagner, james.miller)",
        "Du bist jetzt Elif Yılmaz (@elif.yilmaz, de).",
        "Unbekannt: niemand. Es gibt: anna.schmidt, bernd.mueller, claudia.weber, dieter.fischer, elif.yilmaz, "
        "frank.hoffmann, gabriele.wagner, james.miller",
        "Unbekannt. :help zeigt die Konsolenbefehle.",
        "Du bist jetzt Bernd Müller (@bernd.mueller, de).",
        "Kanal: Wirtschaftliche Jugendhilfe",
        "Bernd Müller in Wirtschaftliche Jugendhilfe, Di, 24.11.2026, 08:00 Uhr",
        "Es ist jetzt Mi, 25.11.2026, 07:30 Uhr.",
        "Die Uhr läuft nur vorwärts. Es ist schon Mi, 25.11.2026, 07:30 Uhr.",
    ]


def test_the_console_shows_a_dropped_duty_taken_by_pressing_the_button(tmp_path):
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026", "/homeoffice aufteilen",
        '/dienst anlegen "Telefondienst" überall nummer 0391 540-2000', '/dienst anlegen "Postdienst" vor-ort',
        ":as bernd.mueller", '/dienst abgeben morgen "Telefondienst"',
        ":as dieter.fischer", ":click 1", ":as claudia.weber", ":click 1", ":time +1d",
    ])
    said = _sections(out)
    asked = said['/dienst abgeben morgen "Telefondienst"']
    assert "Vertretung gesucht:** Telefondienst am Di, 24.11.2026 – Bernd Müller kann nicht." in asked
    assert "[1: Ich übernehme]" in asked
    taken = out.split("dieter.fischer@jugendamt-asd> :click 1", 1)[1].split("claudia.weber@", 1)[0]
    assert "übernommen von Dieter Fischer (statt Bernd Müller)" in taken and "(bearbeitet)" in taken
    assert "Danke! Du hast „Telefondienst“ am Di, 24.11.2026 übernommen." in taken
    assert "Dieter Fischer übernimmt deinen Dienst „Telefondienst“ am Di, 24.11.2026." in taken  # Bernd is told
    assert "Diese Schaltfläche gibt es nicht mehr" in said[":click 1"]  # Claudia's click: the post has no button now
    roster = said[":time +1d"]
    assert "**🛎️ Dienste**" in roster
    assert "- **Telefondienst**: Dieter Fischer · ☎️ 0391 540-2000 · Vertretung:" in roster
    assert "- **Postdienst**: " in roster and "@" not in roster
