"""Group commit on SQLite (`Database.grouped_write`): writers of the same moment share one commit,
a writer that fails takes nothing of the others with it, nobody hears "done" before the commit,
and per-table versions tell caches which writes concern them."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import SQLModel, select

from storage.db import Database
from storage.models import Absence, PresenceChange, Rotation, RotationMember

DAY = date(2026, 12, 2)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    SQLModel.metadata.create_all(database.engine)
    yield database
    database.dispose()


def commits(db: Database) -> list[int]:
    seen: list[int] = []
    event.listen(db.engine, "commit", lambda conn: seen.append(1))
    return seen


def stored(db: Database) -> list[str]:
    with db.read() as session:
        return sorted(r.user_id for r in session.exec(select(PresenceChange)).all())


async def write_change(db: Database, user_id: str, *, fail: bool = False) -> str:
    async with db.grouped_write() as session:
        session.add(PresenceChange(user_id=user_id, day=DAY, where="home", set_by=user_id))
        session.flush()
        if fail:
            raise ValueError(user_id)
    return user_id


def test_writers_of_the_same_moment_share_one_commit_and_each_is_stored_when_it_returns(db):
    seen = commits(db)

    async def main():
        return await asyncio.gather(*(write_change(db, f"user{i}") for i in range(8)))

    assert asyncio.run(main()) == [f"user{i}" for i in range(8)]
    assert len(seen) == 1
    assert stored(db) == [f"user{i}" for i in range(8)]


def test_a_writer_that_fails_is_rolled_back_alone(db):
    async def main():
        return await asyncio.gather(write_change(db, "first"), write_change(db, "broken", fail=True),
                                    write_change(db, "last"), return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == "first" and results[2] == "last"
    assert isinstance(results[1], ValueError)
    assert stored(db) == ["first", "last"]


def test_a_pending_object_of_a_failed_writer_is_not_flushed_by_the_group(db):
    async def unflushed_failure():
        async with db.grouped_write() as session:
            session.add(PresenceChange(user_id="ghost", day=DAY, where="home", set_by="ghost"))
            raise ValueError("before any flush")

    async def main():
        return await asyncio.gather(unflushed_failure(), write_change(db, "real"), return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[0], ValueError) and results[1] == "real"
    assert stored(db) == ["real"]


def test_nobody_hears_done_when_the_commit_fails(db, monkeypatch):
    from sqlalchemy.orm import Session

    def refuse(self):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    async def main():
        monkeypatch.setattr(Session, "commit", refuse)
        try:
            return await asyncio.gather(write_change(db, "a"), write_change(db, "b"), return_exceptions=True)
        finally:
            monkeypatch.undo()

    results = asyncio.run(main())
    assert all(isinstance(r, sa.exc.OperationalError) for r in results)
    assert stored(db) == []
    assert asyncio.run(write_change(db, "after")) == "after"  # the lock was given back
    assert stored(db) == ["after"]


def test_a_plain_write_while_a_group_is_open_commits_the_group_first(db):
    async def main():
        waiting = asyncio.ensure_future(write_change(db, "grouped"))
        await asyncio.sleep(0)  # the grouped writer is now waiting for its commit
        assert db._group is not None
        with db.write() as session:  # must not wait for the lock the group holds on this thread
            session.add(Absence(user_id="plain", day=DAY, set_by="plain"))
        assert stored(db) == ["grouped"]  # the group was committed before the plain write
        return await waiting

    assert asyncio.run(main()) == "grouped"


def test_a_write_inside_a_grouped_body_is_refused(db):
    async def main():
        async with db.grouped_write():
            with db.write():
                pass

    with pytest.raises(RuntimeError):
        asyncio.run(main())
    assert asyncio.run(write_change(db, "after")) == "after"


def test_table_versions_move_only_for_the_tables_written(db):
    members = db.table_version("rotation_member")
    with db.write() as session:
        session.add(PresenceChange(user_id="u", day=DAY, where="home", set_by="u"))
    assert db.table_version("rotation_member") == members
    assert db.table_version("presence_change") > members

    asyncio.run(write_change(db, "v"))
    assert db.table_version("rotation_member") == members

    with db.write() as session:
        session.execute(sa.delete(RotationMember).where(RotationMember.user_id == "nobody"))  # no row: no change
    assert db.table_version("rotation_member") == members
    with db.write() as session:
        session.add(Rotation(channel_id="c", groups="A,B", pattern="weekly", start=DAY, region="DE",
                             created_by="u", created_at=datetime.now(UTC)))
    assert db.table_version("rotation_member") == members < db.table_version("rotation")
    with db.write() as session:
        session.execute(sa.text("INSERT INTO rotation_member (channel_id, user_id, \"group\") VALUES ('c', 'u', 'A')"))
    assert db.table_version("rotation_member") > members
