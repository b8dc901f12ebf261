"""Pytest fixtures for the Mattermost stand-in; import them into a conftest or a test module.

`standin` is fresh per test and fails the test at teardown if the bot sent anything the
OpenAPI description or the server's rules reject, or if the stand-in's own answers break
the spec - unless the test declared it, with `standin.expect_violation(pattern)` or the
marker `@pytest.mark.standin_violations_expected("pattern", ...)` (no patterns: skip the
check). A conftest importing these fixtures should call `register_markers(config)` from
its `pytest_configure`, so pytest knows the marker.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .mattermost_client import MattermostClient
from .server import MattermostStandin

MARKER = "standin_violations_expected"


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*patterns): spec/protocol violations this test expects "
                                       "from the Mattermost stand-in (no patterns: do not check)")


@pytest.fixture
def standin(request: pytest.FixtureRequest) -> Iterator[MattermostStandin]:
    server = MattermostStandin().start()
    from tests import scan

    scan.STANDINS.append(server)
    marker = request.node.get_closest_marker(MARKER)
    for pattern in marker.args if marker else ():
        server.expect_violation(pattern)
    try:
        yield server
    finally:
        server.stop()
    if marker is not None and not marker.args:
        return
    problems = server.unexpected_problems()
    assert not problems, "Mattermost stand-in found problems:\n  " + "\n  ".join(problems)


@pytest.fixture
def mattermost_client(standin: MattermostStandin) -> MattermostClient:
    """Acts as the server towards the bot: slash commands, clicks, dialog submissions."""
    return MattermostClient(standin)
