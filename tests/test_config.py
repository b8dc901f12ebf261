"""Configuration: defaults, one clear line naming the variable, and `amtsbote check`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import time

import pytest

from bot.register import check
from config.settings import ENV_VARIABLES, ConfigError, Settings
from tests.harness import TEST_SECRET
from tests.live import ROOT


def test_defaults_match_the_spec():
    s = Settings.from_env({}, env_file=None)
    assert s.bot_listen == ("127.0.0.1", 8080)
    assert s.database_url == "sqlite:///./data/amtsbote.db"
    assert (s.bot_locale, s.bot_timezone, s.bot_holiday_region) == ("de", "Europe/Berlin", "DE")
    assert (s.roster_time, s.roster_latest, s.forward_default_end) == (time(7, 30), time(12), time(18))
    assert s.retention_days == 90 and s.meeting_provider == "jitsi"
    assert s.command_triggers == {"homeoffice": "homeoffice", "roster": "anwesenheit", "forward": "rufumleitung",
                                  "meeting": "meeting", "duty": "dienst"}
    english = Settings.from_env({"BOT_LOCALE": "en"}, env_file=None)
    assert english.command_triggers["roster"] == "roster" and english.command_triggers["forward"] == "forward"
    assert english.command_triggers["duty"] == "duty"


@pytest.mark.parametrize(("env", "variable"), [
    ({"ROSTER_TIME": "7.30h"}, "ROSTER_TIME"), ({"RETENTION_DAYS": "ninety"}, "RETENTION_DAYS"),
    ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"), ({"BOT_HOLIDAY_REGION": "DE-XX"}, "BOT_HOLIDAY_REGION"),
    ({"MATTERMOST_URL": "chat.example.org"}, "MATTERMOST_URL"), ({"BOT_SECRET": "change-me"}, "BOT_SECRET"),
    ({"BOT_LISTEN": "8080"}, "BOT_LISTEN"), ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"MEETING_PROVIDER": "teams"}, "MEETING_PROVIDER"), ({"MEETING_PROVIDER": "bbb"}, "BBB_URL"),
    ({"COMMAND_TRIGGERS": "roster=anwesenheit,forward=anwesenheit"}, "COMMAND_TRIGGERS"),
    ({"ROSTER_TIME": "12:30"}, "ROSTER_LATEST"), ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
])
def test_a_malformed_value_names_its_variable_in_one_line(env, variable):
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env, env_file=None)
    message = str(info.value)
    assert message.startswith(variable) and "\n" not in message


def test_serve_without_required_settings_stops_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "MATTERMOST_URL" in lines[0]


def test_env_example_lists_every_variable():
    text = (ROOT / ".env.example").read_text()
    assert all(f"{name}=" in text for name in ENV_VARIABLES)
    readme = (ROOT / "README.md").read_text()
    assert all(f"`{name}`" in readme or name in readme for name in ENV_VARIABLES)


def test_check_reports_problems_one_per_line(standin, tmp_path):
    from storage.migrate import upgrade
    from tests.live import seed_world

    world = seed_world(standin)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url)
    settings = Settings(mattermost_url=standin.url, mattermost_token=world["token"], bot_secret=TEST_SECRET,
                        bot_public_url="http://127.0.0.1:9", database_url=url)
    problems = asyncio.run(check(settings))
    assert problems == ["no slash commands registered yet: run `amtsbote register` (or copy the tokens from the System Console)"]
    bad = asyncio.run(check(settings.replace(mattermost_token="x" * 26)))
    assert any(p.startswith("MATTERMOST_TOKEN") and "401" in p for p in bad)
