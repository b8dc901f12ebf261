"""Owing posts: the rows of the durable outbox, written in the transaction of the change they announce.

`bot.outbox.Outbox` delivers them; commands only ever write them here. Every row's key names what
it is about (an id, a date), so a second call with the same key owes nothing new.

Each row has a priority; a lower number is sent first, and rows of one priority in the order
they were owed. Rosters, reminders, call-forward announcements and direct messages are URGENT:
people wait for them, so they go before a long run of bulk posts owed earlier.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.db import insert_for, table_of
from storage.models import OutboxItem

URGENT = 10  # rosters, reminders, call-forward announcements, direct messages
NORMAL = 50  # the default (and what rows owed before priorities had)
BULK = 90  # many posts nobody waits for


def _insert_ignore(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows in one statement; rows whose key is already owed are left alone."""
    if not rows:
        return
    stmt = insert_for(session, table_of(OutboxItem)).values(rows)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))


def enqueue_post(session: Session, *, key: str, channel_id: str, message: str, now: datetime,
                 props: dict[str, Any] | None = None, priority: int = NORMAL) -> None:
    """Owe a post to `channel_id`. A second call with the same key does nothing."""
    _enqueue(session, key=key, kind="post", channel_id=channel_id, message=message, props=props, now=now,
             priority=priority)


def enqueue_posts(session: Session, posts: list[dict[str, Any]], *, now: datetime, priority: int = NORMAL) -> None:
    """Owe many posts at once (the morning fan-out): each dict has key, channel_id, message and
    props (and may have its own priority). One multi-row insert; keys already owed are left alone."""
    _insert_ignore(session, [_row(key=p["key"], kind="post", channel_id=p["channel_id"], message=p["message"],
                                  props=p.get("props"), now=now, priority=p.get("priority", priority))
                             for p in posts])


def enqueue_dm(session: Session, *, key: str, user_id: str, message: str, now: datetime,
               props: dict[str, Any] | None = None, priority: int = URGENT) -> None:
    """Owe a direct message from the bot to `user_id`."""
    _enqueue(session, key=key, kind="dm", user_id=user_id, message=message, props=props, now=now, priority=priority)


def enqueue_patch(session: Session, *, key: str, target_key: str, message: str, now: datetime,
                  props: dict[str, Any] | None = None, priority: int = NORMAL) -> None:
    """Owe an edit of the post that the outbox row `target_key` created."""
    _enqueue(session, key=key, kind="patch", target_key=target_key, message=message, props=props, now=now,
             priority=priority)


def _enqueue(session: Session, *, key: str, kind: str, message: str, now: datetime,
             props: dict[str, Any] | None, priority: int, channel_id: str | None = None, user_id: str | None = None,
             target_key: str | None = None) -> None:
    _insert_ignore(session, [_row(key=key, kind=kind, message=message, now=now, props=props, channel_id=channel_id,
                                  user_id=user_id, target_key=target_key, priority=priority)])


def _row(*, key: str, kind: str, message: str, now: datetime, props: dict[str, Any] | None, priority: int = NORMAL,
         channel_id: str | None = None, user_id: str | None = None, target_key: str | None = None) -> dict[str, Any]:
    return {
        "key": key, "kind": kind, "channel_id": channel_id, "user_id": user_id, "target_key": target_key,
        "message": message, "props": json.dumps(props, ensure_ascii=False) if props else None,
        "pending_post_id": uuid.uuid4().hex, "status": "pending", "priority": int(priority), "attempts": 0,
        "unsure": False, "next_attempt_at": now, "created_at": now,
    }
