"""The outbox with a scripted Mattermost: pauses after a 429, rows that are never given up,
batches that fit the lease, delivered rows that keep no text, and one count of requests with
the Mattermost port."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from base.chat import TransientError
from base.clock import ManualClock
from bot.outbox import LEASE, Outbox
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxItem
from storage.outbox import enqueue_post


class ScriptedPort:
    """Answers create_post from a script: an exception to raise, or None for success."""

    bot_user_id = "bot"

    def __init__(self, script: list[BaseException | None] | None = None) -> None:
        self.script = list(script or [])
        self.sent: list[tuple[float, str]] = []  # (monotonic time, message) of every attempt

    async def create_post(self, *, channel_id: str, message: str, props: Any, pending_post_id: str,
                          root_id: str | None = None, file_ids: list[str] | None = None) -> str:
        self.sent.append((time.monotonic(), message))
        outcome = self.script.pop(0) if self.script else None
        if outcome is not None:
            raise outcome
        return f"post{len(self.sent):022d}"

    async def find_post(self, channel_id: str, *, since_ms: int, marker: str) -> str | None:
        return None


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def owe(db: Database, clock: ManualClock, n: int) -> None:
    with db.write() as session:
        for i in range(n):
            enqueue_post(session, key=f"k{i}", channel_id="c" * 26, message=f"Nachricht {i}", now=clock.now(),
                         props={"attachments": [{"text": f"Anna Schmidt {i}"}]})


def rows(db: Database) -> list[OutboxItem]:
    with db.read() as session:
        return list(session.exec(select(OutboxItem).order_by(OutboxItem.id)).all())


def test_a_429_pauses_the_rest_of_the_batch_until_retry_after(db):
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    owe(db, clock, 6)
    port = ScriptedPort([None, TransientError("rate limited (429)", retry_after=1.0)])
    outbox = Outbox(db, port, clock, rate=1000, burst=1000, concurrency=1)

    asyncio.run(outbox.deliver_due())
    limited_at = port.sent[1][0]
    assert len(port.sent) == 2  # the other four waited in the batch and were given back unsent
    pending = [r for r in rows(db) if r.status == "pending"]
    assert len(pending) == 5 and all(r.claimed_until is None for r in pending)
    assert all(not r.unsure for r in pending if r.key != "k1")  # never sent, so they cannot exist

    clock.advance(timedelta(seconds=2))
    asyncio.run(outbox.drain(timeout=10))
    assert [m for _, m in port.sent].count("Nachricht 1") == 2
    assert all(at - limited_at >= 1.0 for at, _ in port.sent[2:])
    assert {r.status for r in rows(db)} == {"done"}


def test_a_post_that_keeps_failing_is_never_given_up(db):
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    owe(db, clock, 1)
    with db.write() as session:
        row = session.exec(select(OutboxItem)).one()
        row.attempts = 5_000  # weeks of an outage
        session.add(row)
    port = ScriptedPort([TransientError("server error 503")])
    outbox = Outbox(db, port, clock, rate=1000, burst=1000)
    asyncio.run(outbox.deliver_due())
    (row,) = rows(db)
    assert row.status == "pending" and row.next_attempt_at > clock.now()
    clock.advance(timedelta(seconds=3600))
    asyncio.run(outbox.drain(timeout=10))
    assert rows(db)[0].status == "done"


def test_delivered_rows_keep_where_the_post_went_but_not_its_text(db):
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    owe(db, clock, 120)  # more than one batch of recorded deliveries
    port = ScriptedPort()
    asyncio.run(Outbox(db, port, clock, rate=1000, burst=1000).drain(timeout=30))
    delivered = rows(db)
    assert len(port.sent) == 120 and len({m for _, m in port.sent}) == 120
    assert all(r.status == "done" and r.post_id and not r.unsure for r in delivered)
    assert all(r.message == "" and r.props is None for r in delivered)


@pytest.mark.parametrize("rate", [0.2, 1, 10, 100, 1_000_000])
def test_a_batch_never_holds_more_rows_than_the_rate_sends_within_the_lease(db, rate):
    outbox = Outbox(db, ScriptedPort(), ManualClock(datetime(2026, 11, 24, tzinfo=UTC)), rate=rate, burst=1)
    size = outbox.batch_size()
    assert 1 <= size <= 200
    assert size / rate < LEASE.total_seconds() / 2 or size == 1


def test_the_outbox_and_the_mattermost_port_count_in_one_bucket(tmp_path):
    from bot.runtime import Runtime
    from config.settings import Settings

    settings = Settings(mattermost_url="http://127.0.0.1:9", mattermost_token="t" * 26, outbox_max_rate=10.0,
                        outbox_burst=100, database_url=f"sqlite:///{tmp_path / 'bot.db'}")
    runtime = Runtime(settings)
    try:
        bucket = runtime.outbox.bucket
        assert runtime.mm.limiter is bucket  # a read the port sends is a token the next post waits for
        assert (bucket.rate, bucket.burst) == (10.0, 100)
    finally:
        runtime.db.dispose()


def test_an_urgent_post_owed_after_a_run_of_bulk_posts_is_delivered_first(db):
    from storage.outbox import BULK, NORMAL, URGENT, enqueue_posts

    clock = ManualClock(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
    with db.write() as session:
        enqueue_posts(session, [{"key": f"bulk{i}", "channel_id": "c" * 26, "message": f"Sammelpost {i}"}
                                for i in range(40)], now=clock.now(), priority=BULK)
        enqueue_post(session, key="normal", channel_id="c" * 26, message="Normal", now=clock.now())
    with db.write() as session:  # owed later, in a transaction of its own: the morning roster
        enqueue_post(session, key="roster", channel_id="c" * 26, message="Anwesenheit heute", now=clock.now(),
                     priority=URGENT)
    assert {r.key: r.priority for r in rows(db)}["normal"] == NORMAL

    port = ScriptedPort()
    outbox = Outbox(db, port, clock, rate=1000, burst=1000, concurrency=1)
    asyncio.run(outbox.deliver_due(limit=5))  # a pass that takes only some of what is owed
    assert [m for _, m in port.sent] == ["Anwesenheit heute", "Normal", "Sammelpost 0", "Sammelpost 1",
                                         "Sammelpost 2"]
    asyncio.run(outbox.drain(timeout=10))
    assert [m for _, m in port.sent][5:] == [f"Sammelpost {i}" for i in range(3, 40)]  # the bulk in its own order


def test_what_people_wait_for_is_owed_urgently_and_announcements_of_meetings_are_not(bot):
    """Rosters, reminders, call-forward announcements and DMs go before bulk posts (SPEC §2)."""
    from storage.models import OutboxItem
    from storage.outbox import NORMAL, URGENT
    from tests.factories import rows, setup_ab

    bot.set_time("2026-11-23 09:00")
    setup_ab(bot)
    bot.slash('/meeting neu "Teamrunde" 24.11. 10:00 erinnerung 15m')
    bot.slash("/rufumleitung ab bis 14:00", as_="bernd.mueller")
    bot.slash("/homeoffice abwesend morgen für @claudia.weber")
    bot.advance("2026-11-24 09:50")  # the roster at 07:30, the reminder at 09:45
    kinds = {}
    for row in rows(bot, OutboxItem):
        kind = ("roster" if row.key.startswith("roster:") else "forward" if row.key.startswith("fwd:")
                else "announce" if row.key.endswith(":announce") else "dm" if row.kind == "dm"
                else "reminder" if ":remind" in row.key else "other")
        kinds.setdefault(kind, set()).add(row.priority)
    assert kinds["roster"] == kinds["forward"] == kinds["dm"] == kinds["reminder"] == {URGENT}, kinds
    assert kinds["announce"] == {NORMAL}
