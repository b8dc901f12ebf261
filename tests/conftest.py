from __future__ import annotations

import pytest

from tests.harness import BotHarness


@pytest.fixture
def bot(tmp_path):
    harness = BotHarness(tmp_path)
    yield harness
    harness.close()
