"""A lead's `/anwesenheit posten`, days the bot missed, and the order in which replicas claim.

Harness clock: set up on Friday 20.11.2026; group A (Anna, Bernd, Claudia) is in the office in
week 48, group B (Dieter, Elif, Frank) at home.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.runtime import Runtime
from commands.anwesenheit import morning as anwesenheit
from storage.models import RosterPost, Rotation
from tests.factories import roster_posts, setup_ab, text_of
from tests.harness import assert_localized

POSTED = "Die Anwesenheit für heute wird jetzt im Kanal veröffentlicht."
ALREADY = "Die Anwesenheit für heute ist schon veröffentlicht; sie wird bei Änderungen automatisch aktualisiert."


def ledger(bot) -> dict[date, str]:
    with bot.runtime.db.read() as session:
        return {r.day: r.outbox_key for r in session.exec(select(RosterPost)).all()
                if r.channel_id == bot.channel_id()}


def skip_logs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "amtsbote.roster" and "skipped" in r.getMessage()]


@pytest.fixture
def friday(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    return bot


# -- posten while the morning post is off ------------------------------------------------------------


def test_posten_posts_once_while_the_morning_post_is_switched_off(friday):
    bot = friday
    assert bot.slash("/anwesenheit aus") == "Gespeichert: Morgenpost ausgeschaltet."
    bot.advance("2026-11-23 09:00", step_minutes=60)
    assert roster_posts(bot) == []  # no morning post: it is off
    assert bot.slash("/anwesenheit posten") == POSTED
    (post,) = roster_posts(bot)
    assert post.user_id == bot.mm.bot_user_id
    assert "Mo, 23.11.2026" in text_of(post) and "Anna Schmidt, Bernd Müller, Claudia Weber" in text_of(post)
    assert bot.slash("/anwesenheit posten") == ALREADY
    bot.advance("2026-11-23 11:00", step_minutes=30)
    assert len(roster_posts(bot)) == 1
    edits = post.edits
    bot.slash("/homeoffice zuhause heute", as_="claudia.weber")  # the posted roster stays up to date
    bot.tick()
    assert post.edits == edits + 1 and "**🏠 Im Home-Office (4)**" in text_of(post)
    bot.advance("2026-11-24 09:00", step_minutes=60)
    assert len(roster_posts(bot)) == 1  # still no morning post on the next day


def test_posten_when_the_morning_post_skips_todays_weekday(friday):
    bot = friday
    assert bot.slash("/anwesenheit tage Di-Fr").startswith("Gespeichert")
    bot.advance("2026-11-23 09:00", step_minutes=60)
    assert roster_posts(bot) == []
    assert bot.slash("/anwesenheit posten") == POSTED
    assert len(roster_posts(bot)) == 1


def test_posten_on_a_saturday_or_a_holiday_says_today_is_no_working_day(friday):
    bot = friday
    bot.slash("/homeoffice leitung add @james.miller")
    bot.set_time("2026-11-28 10:00")
    assert bot.slash("/anwesenheit posten") == \
        "Heute, Sa, 28.11.2026, ist kein Arbeitstag; daher gibt es keine Anwesenheit zu veröffentlichen."
    english = bot.slash("/anwesenheit post", as_="james.miller")
    assert english == "Today, Sat, 28 Nov 2026, is not a working day, so there is no roster to post."
    assert_localized(english, "en")
    bot.set_time("2026-12-25 10:00")
    assert bot.slash("/anwesenheit posten") == ("Heute, Fr, 25.12.2026, ist kein Arbeitstag (Feiertag: Erster "
                                                "Weihnachtstag); daher gibt es keine Anwesenheit zu veröffentlichen.")
    assert roster_posts(bot) == [] and ledger(bot) == {}


def test_posten_refused_to_members_posts_nothing(friday):
    bot = friday
    bot.set_time("2026-11-23 07:00")
    assert "Das dürfen nur Leitungen" in bot.slash("/anwesenheit posten", as_="bernd.mueller")
    assert roster_posts(bot) == [] and ledger(bot) == {}


# -- posten after a skipped day ---------------------------------------------------------------------------


def test_posten_after_a_skipped_day_posts_the_roster_once(friday, caplog):
    bot = friday
    bot.set_time("2026-11-23 12:05")  # the bot was down until after ROSTER_LATEST
    bot.tick()
    assert roster_posts(bot) == [] and ledger(bot) == {date(2026, 11, 23): "skipped"}
    assert bot.slash("/anwesenheit posten") == POSTED
    (post,) = roster_posts(bot)
    assert "Mo, 23.11.2026" in text_of(post)
    assert ledger(bot) == {date(2026, 11, 23): f"roster:{bot.channel_id()}:2026-11-23"}
    assert bot.slash("/anwesenheit posten") == ALREADY
    bot.advance("2026-11-23 13:00")
    assert len(roster_posts(bot)) == 1
    edits = post.edits
    bot.slash("/homeoffice unterwegs heute", as_="dieter.fischer")  # edited in place like a morning roster
    bot.tick()
    assert post.edits == edits + 1 and "**🚗 Unterwegs / Außendienst (1)**: Dieter Fischer" in text_of(post)
    assert len(skip_logs(caplog)) == 1


def test_simultaneous_posten_on_two_replicas_after_a_skip_post_once(friday, monkeypatch):
    bot = friday
    bot.set_time("2026-11-23 12:05")
    bot.tick()
    assert ledger(bot) == {date(2026, 11, 23): "skipped"}
    other = Runtime(bot.settings, mm=bot.mm, clock=bot.clock)  # a second replica on the same database
    both_read = asyncio.Event()
    arrived = []
    original = bot.mm.channels_by_ids

    async def channels_by_ids(ids):  # both replicas have read the ledger before either claims
        arrived.append(1)
        if len(arrived) == 2:
            both_read.set()
        await asyncio.wait_for(both_read.wait(), 5)
        return await original(ids)

    monkeypatch.setattr(bot.mm, "channels_by_ids", channels_by_ids)
    day, cid = date(2026, 11, 23), bot.channel_id()

    async def race():
        return await asyncio.gather(*(anwesenheit.post_rosters(r.services, day=day, channel_id=cid, ignore_time=True,
                                                               requested=True) for r in (bot.runtime, other)))

    assert sorted(bot.run(race())) == [0, 1]
    bot.deliver()
    other.db.dispose()
    assert len(roster_posts(bot)) == 1
    assert ledger(bot) == {day: f"roster:{cid}:2026-11-23"}


# -- days the bot missed -----------------------------------------------------------------------------


def test_started_after_roster_latest_logs_the_day_once_and_posts_nothing_for_it(friday, caplog):
    bot = friday
    bot.set_time("2026-11-23 13:00")
    bot.advance("2026-11-23 18:00", step_minutes=30)
    assert roster_posts(bot) == []
    assert len(skip_logs(caplog)) == 1 and "2026-11-23" in skip_logs(caplog)[0]
    bot.advance("2026-11-24 08:00", step_minutes=30)
    (post,) = roster_posts(bot)
    assert "Di, 24.11.2026" in text_of(post)
    assert len(skip_logs(caplog)) == 1


def test_a_working_day_missed_entirely_is_logged_once_and_never_posted(friday, caplog):
    bot = friday
    bot.set_time("2026-11-23 07:45")
    bot.tick()
    assert len(roster_posts(bot)) == 1
    bot.set_time("2026-11-25 08:00")  # down from Monday evening until Wednesday morning
    bot.tick()
    bot.tick()
    days = [text_of(p).splitlines()[0] for p in roster_posts(bot)]
    assert len(days) == 2 and "Mo, 23.11.2026" in days[0] and "Mi, 25.11.2026" in days[1]
    assert ledger(bot)[date(2026, 11, 24)] == "skipped"
    (logged,) = skip_logs(caplog)
    assert "2026-11-24" in logged
    # the scheduler never posts a past day, even when asked for it
    assert bot.run(anwesenheit.post_rosters(bot.runtime.services, day=date(2026, 11, 24))) == 0
    bot.advance("2026-11-25 12:30", step_minutes=30)
    assert len(roster_posts(bot)) == 2 and len(skip_logs(caplog)) == 1


def test_down_over_a_weekend_and_monday_logs_monday_when_tuesday_is_due(friday, caplog):
    bot = friday
    bot.set_time("2026-11-24 12:30")  # down from Friday until after ROSTER_LATEST on Tuesday
    bot.tick()
    assert roster_posts(bot) == []
    assert sorted(ledger(bot).items()) == [(date(2026, 11, 23), "skipped"), (date(2026, 11, 24), "skipped")]
    assert len(skip_logs(caplog)) == 2
    bot.tick()
    assert len(skip_logs(caplog)) == 2


def test_a_day_before_the_rotation_existed_is_not_counted_as_missed(friday, caplog):
    bot = friday  # set up on Friday at 16:00, after that day's roster time
    bot.set_time("2026-11-23 07:45")
    bot.tick()
    assert len(roster_posts(bot)) == 1
    assert skip_logs(caplog) == [] and list(ledger(bot)) == [date(2026, 11, 23)]


# -- claim order ------------------------------------------------------------------------------------------


def test_rotations_are_loaded_in_channel_order_so_replicas_claim_alike(bot):
    created = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [f"channel{n:02d}".ljust(26, "x") for n in range(12)]
    with bot.runtime.db.write() as session:
        for cid in reversed(ids):
            session.add(Rotation(channel_id=cid, team_id="t", groups="A,B", pattern="weekly", start=date(2026, 11, 23),
                                 region="DE", created_by="u", created_at=created))
    rotations, _ = anwesenheit._load_rotations(bot.runtime.services, None)
    assert [r.channel_id for r in rotations] == ids
    rotations, _ = anwesenheit._load_rotations(bot.runtime.services, list(reversed(ids[:5])))
    assert [r.channel_id for r in rotations] == ids[:5]
