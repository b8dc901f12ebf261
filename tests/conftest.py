from __future__ import annotations

import logging
import os
import uuid

import pytest
import sqlalchemy as sa

from tests import scan
from tests.harness import TEST_SECRET, BotHarness
from tests.live import postgres_url
from tests.standin.fixtures import mattermost_client, register_markers, standin  # noqa: F401
from tests.standin.openapi import ensure_spec, spec_path

CONFORMANCE_SKIPPED = pytest.StashKey[str]()

_capture = scan.CaptureHandler(level=logging.INFO)


def pytest_configure(config: pytest.Config) -> None:
    register_markers(config)
    # Every request the bot sends to the stand-in is checked against Mattermost's OpenAPI
    # description. Where the file is missing it is downloaded once (tests/standin/openapi.py);
    # where that fails, everything else runs and one line says the checks were skipped. CI
    # always has the file: there a missing one stops the run.
    if config.getoption("collectonly") is False and not spec_path().is_file():
        if os.environ.get("CI") == "true":
            pytest.exit(f"Mattermost's OpenAPI description is not at {spec_path()}: the stand-in checks every "
                        "request against it. Put the checkout next to shared/mattermost-api/, or set "
                        "MATTERMOST_OPENAPI to the file.", returncode=pytest.ExitCode.USAGE_ERROR)
        config.stash[CONFORMANCE_SKIPPED] = ensure_spec() or ""
    root = logging.getLogger()
    root.addHandler(_capture)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    scan.SECRETS.add(TEST_SECRET)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(CONFORMANCE_SKIPPED, "")
    if skipped:
        terminalreporter.write_line(skipped, yellow=True, bold=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems = scan.log_problems()
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["log scan found secrets, bodies or phone numbers in the suite's log output:"] + problems[:30]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _scan_posts():
    """After every test: nothing the bot posted or replied may mention anyone or carry a foreign link."""
    scan.HARNESSES.clear()
    scan.STANDINS.clear()
    scan.DELIBERATE_LINKS.clear()
    yield
    problems = []
    for harness in scan.HARNESSES:
        scan.DELIBERATE_LINKS.update(_meeting_links(harness))
    for harness in scan.HARNESSES:
        for post in harness.mm.posts.values():
            problems += scan.check_post(post.message, post.props, "harness post")
        for _, text in harness.replies:
            problems += scan.check_text(text, "harness reply", ephemeral=True)
        for result in harness.action_results:  # the ephemeral_text is among the replies above
            problems += scan.check_action_result(result, "harness button", ephemeral_text=False)
    for mm in scan.STANDINS:
        scan.SECRETS.update(mm._tokens)
        scan.SECRETS.update(c.token for c in mm.commands())
        bots = {u.id for u in mm._users.values() if u.is_bot}
        for post in list(mm._posts.values()) + list(mm._ephemerals):
            if post.user_id in bots or post.ephemeral_for or (post.props or {}).get("from_webhook"):
                problems += scan.check_post(post.message, post.props, f"post {post.id}",
                                            ephemeral=bool(post.ephemeral_for))
    assert not problems, "\n".join(problems)


def _meeting_links(harness) -> set[str]:
    """The typed video links of the harness's meetings: shown as links on purpose."""
    from sqlmodel import select

    from storage.meeting_models import Meeting

    try:
        with harness.runtime.db.read() as session:
            return {m.join_url for m in session.exec(select(Meeting).where(Meeting.provider == "url")).all()}
    except Exception:  # noqa: BLE001 - a test that broke its database has failed already
        return set()


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


@pytest.fixture
def pg_url():
    base = postgres_url()
    if base is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required in CI (TEST_DATABASE_URL or 127.0.0.1:5432)")
        pytest.skip("no PostgreSQL server: set TEST_DATABASE_URL to run the several-replica tests")
    name = "amtsbote_" + uuid.uuid4().hex[:10]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()
