"""Migration 0005: answers stored before RSVPs belonged to one occurrence get the day of the
occurrence that was next when they were given; a downgrade keeps each person's latest answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from storage.db import create_db_engine
from storage.migrate import alembic_config, upgrade
from tests.harness import berlin

MEETING = ("INSERT INTO meeting (id, channel_id, team_id, organizer_id, title, first_day, start_time, timezone, "
           "duration_minutes, repeat, reminder_minutes, audience, participants, provider, join_url, external_id, "
           "starts_at, ends_at, created_at) VALUES (:id, 'c', 't', 'anna', :title, :first, '10:00:00', "
           "'Europe/Berlin', 30, :repeat, 10, 'channel', '', 'jitsi', 'https://meet.example/x', '', :starts, :ends, "
           ":created)")


def utc(spec: str) -> datetime:
    """As the app stores instants: UTC, without a zone (storage.models.UTCDateTime)."""
    return berlin(spec).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("pg_url")


def _run(url: str, target: str, *statements: tuple[str, dict]) -> None:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            conn.info["write"] = True
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target) if target != "down" else command.downgrade(cfg, "0004")
            for sql, values in statements:
                conn.execute(sa.text(sql), values)
            conn.commit()
    finally:
        engine.dispose()


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:  # dates as text: SQLite hands them back as text anyway
            return [tuple(str(v) if isinstance(v, date) else v for v in row) for row in conn.execute(sa.text(sql)).all()]
    finally:
        engine.dispose()


def test_old_answers_get_the_occurrence_that_was_next_and_a_downgrade_keeps_the_latest(url):
    created = utc("2026-11-20 09:00")
    _run(url, "0004",
         (MEETING, {"id": 1, "title": "Teamrunde", "first": date(2026, 11, 23), "repeat": "weekly",
                    "starts": utc("2026-11-23 10:00"), "ends": None, "created": created}),
         (MEETING, {"id": 2, "title": "Hilfeplan", "first": date(2026, 12, 2), "repeat": None,
                    "starts": utc("2026-12-02 10:00"), "ends": utc("2026-12-02 10:30"), "created": created}),
         ("INSERT INTO meeting_cancellation (meeting_id, day, created_at) VALUES (1, :day, :at)",
          {"day": date(2026, 11, 30), "at": created}),
         *[("INSERT INTO meeting_rsvp (meeting_id, user_id, answer, at) VALUES (:m, :u, :a, :at)",
            {"m": m, "u": u, "a": a, "at": utc(at)}) for m, u, a, at in [
             (1, "bernd", "no", "2026-11-23 10:15"),  # while the 23rd was running: the 23rd
             (1, "claudia", "yes", "2026-11-24 08:00"),  # the 30th is called off: the 7th
             (2, "bernd", "yes", "2026-11-21 12:00"),  # a one-off meeting: its day
         ]])
    upgrade(url)
    assert sorted(_rows(url, "SELECT meeting_id, user_id, day, answer FROM meeting_rsvp")) == [
        (1, "bernd", "2026-11-23", "no"), (1, "claudia", "2026-12-07", "yes"), (2, "bernd", "2026-12-02", "yes")]

    _run(url, "head", ("INSERT INTO meeting_rsvp (meeting_id, user_id, day, answer, at) "
                       "VALUES (1, 'bernd', :day, 'yes', :at)", {"day": date(2026, 12, 7), "at": utc("2026-12-01 09:00")}))
    _run(url, "down")
    assert sorted(_rows(url, "SELECT meeting_id, user_id, answer FROM meeting_rsvp")) == [
        (1, "bernd", "yes"), (1, "claudia", "yes"), (2, "bernd", "yes")]  # Bernd's latest answer
    upgrade(url)  # and up again
    assert len(_rows(url, "SELECT day FROM meeting_rsvp")) == 3
