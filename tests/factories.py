"""Builders shared by the tests that drive the bot in-process (`bot` fixture, tests/harness.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import SQLModel, select

SIX = ["anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann"]


def setup_ab(bot, extra: str = "") -> None:
    reply = bot.slash(f"/homeoffice einrichten A,B woche ab 23.11.2026 {extra}".strip())
    assert reply.startswith("Rotation eingerichtet"), reply
    assert bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber").startswith("Gruppe A")
    assert bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann").startswith("Gruppe B")
    bot.mark_dms_read()  # "you were put into group …": the set-up's, not the test's


def rows(bot, model):
    with bot.runtime.db.read() as session:
        return list(session.exec(select(model)).all())


def all_rows_mentioning(bot, needle: str) -> list[tuple[str, dict]]:
    """Every row of every table that has `needle` in any column."""
    found = []
    with bot.runtime.db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa.select(table)).mappings():
                if any(needle in str(value) for value in row.values()):
                    found.append((table.name, dict(row)))
    return found


def roster_posts(bot, channel="jugendamt-asd"):
    return [p for p in bot.posts(channel) if p.props.get("amtsbote_key", "").startswith("roster:")]


def text_of(post) -> str:
    attachment = post.props["attachments"][0]
    return attachment["text"] + ("\n" + attachment["footer"] if attachment.get("footer") else "")


def count_queries(bot):
    seen: list[str] = []
    event.listen(bot.runtime.db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen
