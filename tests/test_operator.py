"""The operator's first day: `register` while `serve` runs, refused tokens in log and metrics."""

from __future__ import annotations

import logging
import subprocess
import sys

from prometheus_client import REGISTRY

from tests.live import ROOT, LiveBot, env_for, finish


def _fake_monotonic(live: LiveBot) -> tuple[list[float], list[int]]:
    """The token store on a clock the test moves, and a count of its version reads."""
    store = live.runtime.dispatcher.tokens
    now = [10_000.0]
    store.monotonic = lambda: now[0]
    store.reload()
    reads: list[int] = []
    real = store.read_version
    store.read_version = lambda: (reads.append(1), real())[1]
    return now, reads


def _register_in_another_process(live: LiveBot) -> None:
    env = env_for(live.standin, live.world, live.database_url) | {"BOT_PUBLIC_URL": live.url}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "register"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = finish(proc)
    assert proc.returncode == 0, err
    assert "/homeoffice" in out


def test_register_while_serve_runs_the_next_command_is_answered(standin, tmp_path):
    live = LiveBot(standin, tmp_path)
    team = live.world["team"]
    for trigger in ("homeoffice", "anwesenheit", "rufumleitung", "meeting"):  # set up by hand, not yet stored
        standin.add_command(team, trigger, f"{live.url}/mattermost/command")
    live.start()
    try:
        now, reads = _fake_monotonic(live)
        assert live.slash("hilfe").status == 401  # serve does not know the command yet

        _register_in_another_process(live)
        # No mismatch in the second before: the very next command reads the version and is answered.
        now[0] += 1.0
        assert live.slash("hilfe").status == 200
        assert len(reads) == 1

        # A flood of wrong tokens within one second costs no further read at all ...
        for i in range(30):
            assert live.slash("hilfe", token=f"{i:026d}").status == 401
        assert len(reads) == 1
        # ... and a token regenerated right after it is accepted once that second is over.
        command = next(c for c in standin.commands(team) if c.trigger == "anwesenheit")
        standin._commands[command.id].token = "regenerated0123456789abcde"  # as "Regenerate Token" does
        _register_in_another_process(live)
        now[0] += 0.5
        assert live.slash("", command="/anwesenheit").status == 401  # within the second of the last read
        now[0] += 0.5
        assert live.slash("", command="/anwesenheit").status == 200  # one second after it: the new token
        assert len(reads) == 2
    finally:
        live.stop()


def _metric(kind: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("amtsbote_commands_total", {"kind": kind, "outcome": outcome}) or 0.0


def test_a_command_refused_for_its_token_is_logged_without_the_token_and_counted(live, standin, caplog):
    caplog.set_level(logging.INFO)
    before = _metric("homeoffice", "unauthorized")
    wrong = "wrongtoken0123456789abcdef"
    for _ in range(3):
        assert live.slash("hilfe", token=wrong).status == 401
    assert _metric("homeoffice", "unauthorized") == before + 3
    lines = [r.getMessage() for r in caplog.records if "refused (401)" in r.getMessage()]
    assert len(lines) == 1, lines  # one line a minute per command, however many
    assert "/homeoffice" in lines[0] and "amtsbote register" in lines[0]
    assert wrong not in caplog.text
