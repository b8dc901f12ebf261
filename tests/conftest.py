from __future__ import annotations

import pytest

from tests.harness import BotHarness
from tests.standin.fixtures import mattermost_client, register_markers, standin  # noqa: F401


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)


@pytest.fixture
def bot(tmp_path):
    harness = BotHarness(tmp_path)
    yield harness
    harness.close()


@pytest.fixture
def live(standin, tmp_path):  # noqa: F811
    from tests.live import LiveBot

    live_bot = LiveBot(standin, tmp_path)
    live_bot.register()
    live_bot.start()
    yield live_bot
    live_bot.stop()
