"""The command line on the operator's first day (issue: the first day, point 10): date words in
BOT_TIMEZONE, `plan`'s usage and errors, `db upgrade`'s answer; and two things a lead meets:
weekend days for the morning post, and a reminder that fires a few seconds late."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import cli, cli_ops
from tests.factories import setup_ab
from tests.harness import berlin
from tests.live import seed_world


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("MATTERMOST_URL", "MATTERMOST_TOKEN", "DATABASE_URL", "BOT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATTERMOST_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MATTERMOST_TOKEN", "abcdefghijklmnop")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


@pytest.fixture
def server_zone(monkeypatch):
    """The process's local time zone, as a server's TZ would set it."""
    def use(zone: str) -> None:
        monkeypatch.setenv("TZ", zone)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


# Between them, a server at UTC+14 and one at UTC-12 disagree with Berlin about today at any hour.
@pytest.mark.parametrize("zone", ["Etc/GMT-14", "Etc/GMT+12"])
def test_date_words_on_the_command_line_mean_today_in_bot_timezone(cli_env, server_zone, zone):
    server_zone(zone)
    berlin_today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    args = cli.build_parser().parse_args(["plan", "--channel", "x", "--from", "heute", "--to", "morgen"])
    settings = cli._settings()
    assert cli_ops.day_of(args.from_, settings) == berlin_today
    assert cli_ops.day_of(args.to, settings) == berlin_today + timedelta(days=1)
    post = cli.build_parser().parse_args(["post-rosters", "--date", "heute"])
    assert cli_ops.day_of(post.date, settings) == berlin_today


def test_plan_usage_shows_date_and_argument_errors_are_not_configuration_errors(cli_env, capsys):
    usage = cli.build_parser()._subparsers._group_actions[0].choices["plan"].format_usage()
    assert "--from DATE" in usage and "--to DATE" in usage and "FROM_" not in usage
    assert cli.main(["plan", "--channel", "x", "--from", "2099-01-10", "--to", "2099-01-06"]) == 2
    err = capsys.readouterr().err
    assert "--to: must not be before --from" in err and "configuration error" not in err
    with pytest.raises(SystemExit):
        cli.main(["plan", "--channel", "x", "--from", "31.02.", "--to", "morgen"])
    err = capsys.readouterr().err
    assert "--from" in err and "configuration error" not in err


def test_a_channel_without_rotation_is_named_as_typed(cli_env, capsys, standin, monkeypatch):
    world = seed_world(standin)
    monkeypatch.setenv("MATTERMOST_URL", standin.url)
    monkeypatch.setenv("MATTERMOST_TOKEN", world["token"])
    assert cli.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert cli.main(["plan", "--channel", "~jugendamt-asd", "--from", "2099-01-05", "--to", "2099-01-09"]) == 2
    err = capsys.readouterr().err
    assert "~jugendamt-asd has no rotation" in err and world["channel"].id not in err


def test_db_upgrade_says_what_it_did_and_the_revision(cli_env, capsys):
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == f"database schema created (revision {head})"
    assert cli.main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == f"database is up to date (revision {head})"


def test_weekend_days_for_the_morning_post_are_refused_and_nothing_changes(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    reply = bot.slash("/anwesenheit tage Mo-Sa")
    assert "Sa" in reply and "Wochenende" in reply and not reply.startswith("Gespeichert")
    assert bot.slash("/anwesenheit tage Mo-Fr").startswith("Gespeichert")


def test_a_reminder_a_few_seconds_late_still_says_ten_minutes(bot):
    bot.slash('/meeting neu "Teamrunde" heute 10:00')
    bot.clock.set(berlin("2026-11-23 09:50") + timedelta(seconds=4))
    bot.tick()
    (reminder,) = [p for p in bot.posts() if ":remind:" in p.props.get("amtsbote_key", "")]
    assert "**Teamrunde** beginnt in 10 Minuten" in reminder.message, reminder.message
