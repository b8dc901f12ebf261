"""The morning roster through the dispatcher and the scheduler tick (in-memory demo team)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from tests.factories import roster_posts, setup_ab, text_of
from tests.harness import BotHarness

GOLDEN = Path(__file__).parent / "golden"


def test_morning_roster_is_posted_once_at_0730_on_working_days(bot):
    bot.set_time("2026-11-20 16:00")  # Friday: set up before the weekend
    setup_ab(bot)
    bot.advance("2026-11-23 07:25")  # through the weekend: nothing
    assert roster_posts(bot) == []
    bot.advance("2026-11-23 09:00")
    (post,) = roster_posts(bot)
    assert "Mo, 23.11.2026" in text_of(post)
    bot.tick()
    bot.tick()
    assert len(roster_posts(bot)) == 1


def test_no_roster_on_german_unity_day_or_saturday(tmp_path):
    bot = BotHarness(tmp_path, start="2025-09-30 10:00")
    try:
        setup_ab(bot)
        bot.advance("2025-10-03 11:00")  # Friday 3 October: holiday
        days = [re.search(r"\d\d\.\d\d\.\d{4}", text_of(p)).group() for p in roster_posts(bot)]
        assert days == ["01.10.2025", "02.10.2025"]
        bot.advance("2025-10-04 11:00")  # Saturday
        assert len(roster_posts(bot)) == 2
    finally:
        bot.close()


def test_absence_note_appears_only_as_away_and_nobody_is_mentioned(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 23.11. Arzttermin", as_="bernd.mueller")
    bot.advance("2026-11-23 07:30")
    (post,) = roster_posts(bot)
    text = text_of(post)
    assert "Arzttermin" not in text and "Arzttermin" not in str(post.props)
    assert re.search(r"Abwesend \(1\)\*\*: Bernd Müller", text)
    usernames = [u.username for u in bot.mm.users_by_id.values()]
    for name in usernames:
        assert "@" + name not in text
    assert "@" not in text.replace("@\u200b", "")


def test_roster_is_edited_in_place_when_presence_changes(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.advance("2026-11-23 07:30")
    (post,) = roster_posts(bot)
    bot.set_time("2026-11-23 09:12")
    bot.slash("/homeoffice zuhause heute", as_="claudia.weber")
    bot.tick()
    (post,) = roster_posts(bot)
    assert post.edits == 1
    assert "aktualisiert 09:12 Uhr" in text_of(post)
    assert re.search(r"Im Home-Office \(4\)", text_of(post))
    bot.tick()
    assert post.edits == 1  # nothing changed since: no further edit


def test_missed_roster_is_posted_late_until_roster_latest_then_skipped(bot, caplog):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.set_time("2026-11-23 10:30")  # the bot was down at 07:30
    bot.tick()
    assert len(roster_posts(bot)) == 1
    bot.set_time("2026-11-24 12:05")  # down until after ROSTER_LATEST
    bot.tick()
    bot.tick()
    assert len(roster_posts(bot)) == 1
    assert sum("skipped" in r.getMessage() for r in caplog.records) == 1


# The Mondays after the last Sundays of March and October. 29.03.2027 is Easter Monday (no roster),
# so for that change the Tuesday is the first working day; 01.11.2027 is a working day in DE.
@pytest.mark.parametrize("monday", ["2026-03-30", "2026-10-26", "2027-03-30", "2027-11-01"])
def test_roster_time_is_local_across_daylight_saving_changes(tmp_path, monday):
    # Set up on the Friday before the clocks change; the roster must come at 07:30 local.
    from datetime import date, timedelta

    friday = (date.fromisoformat(monday) - timedelta(days=3 + (date.fromisoformat(monday).weekday()))).isoformat()
    bot = BotHarness(tmp_path, start=f"{friday} 16:00")
    try:
        setup_ab(bot, extra="")
        bot.advance(f"{monday} 07:25", step_minutes=30)
        assert roster_posts(bot) == []
        bot.advance(f"{monday} 07:30")
        (post,) = roster_posts(bot)
        local = bot.clock.now().astimezone(bot.runtime.services.tz)
        assert (local.hour, local.minute) == (7, 30)
        bot.advance(f"{monday} 11:00", step_minutes=15)
        assert len(roster_posts(bot)) == 1
    finally:
        bot.close()


def _full_roster(locale: str, tmp_path) -> str:
    bot = BotHarness(tmp_path / locale, start="2026-11-20 16:00", bot_locale=locale)
    try:
        trigger = "anwesenheit" if locale == "de" else "roster"
        assert bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026 min 4").startswith(("Rotation", "Rotation set"))
        bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
        bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann @james.miller")
        bot.slash("/homeoffice abwesend 24.11. Urlaub", as_="claudia.weber")
        bot.slash("/homeoffice unterwegs 24.11.", as_="frank.hoffmann")
        new, weekly = ("neu", "wöchentlich") if locale == "de" else ("new", "weekly")
        assert "ID 1" in bot.slash(f'/meeting {new} "Teamrunde" 24.11. 10:00 45m {weekly}')
        forward = "rufumleitung" if locale == "de" else "forward"
        bot.set_time("2026-11-24 07:10")
        bot.slash(f"/{forward} handy 0171 2345678 bis 16:00", as_="dieter.fischer")
        bot.slash(f"/{forward} privat", as_="elif.yilmaz")
        bot.advance("2026-11-24 07:30", step_minutes=60)
        posts = roster_posts(bot)
        assert bot.slash(f"/{trigger} hilfe").startswith(f"#### /{trigger}")
        assert len(posts) == 1
        return text_of(posts[-1])
    finally:
        bot.close()


@pytest.mark.parametrize("locale", ["de", "en"])
def test_golden_full_roster(tmp_path, locale):
    text = _full_roster(locale, tmp_path)
    golden = GOLDEN / f"roster_{locale}.md"
    if not golden.exists():
        golden.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == golden.read_text(encoding="utf-8")


def test_configuration_by_lead_only(bot):
    setup_ab(bot)
    assert "Das dürfen nur Leitungen" in bot.slash("/anwesenheit zeit 08:00", as_="bernd.mueller")
    assert bot.slash("/anwesenheit zeit 08:00").startswith("Gespeichert")
    assert bot.slash("/anwesenheit tage Mo-Do").startswith("Gespeichert")
    assert "So geht’s" in bot.slash("/anwesenheit zeit 25:00")
    assert bot.slash("/anwesenheit sprache en").startswith("Gespeichert")
    assert bot.slash("/anwesenheit aus").startswith("Gespeichert")


def test_a_change_in_one_channel_does_not_list_the_person_in_another_channels_roster(bot):
    # Two channels roster on the same morning; Dieter is only in ASD. His one-off office day must
    # not make him appear in the roster of "Wirtschaftliche Jugendhilfe", where he is no member.
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    reply = bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026", as_="gabriele.wagner",
                      channel="wirtschaftliche-hilfe")
    assert reply.startswith("Rotation eingerichtet"), reply
    bot.slash("/homeoffice gruppe A @gabriele.wagner", as_="gabriele.wagner", channel="wirtschaftliche-hilfe")
    bot.slash("/homeoffice unterwegs 23.11.", as_="dieter.fischer")
    bot.advance("2026-11-23 07:30")
    (asd,) = roster_posts(bot)
    (wigu,) = roster_posts(bot, "wirtschaftliche-hilfe")
    assert "Dieter Fischer" in text_of(asd)
    assert "Dieter Fischer" not in text_of(wigu)
    assert "Gabriele Wagner" in text_of(wigu)


def test_the_morning_job_queues_each_chunk_for_the_outbox_before_composing_the_next(bot, monkeypatch):
    # Two channels roster on the same morning, one roster a chunk. The first is queued and the
    # outbox told about it before the second is composed, so delivery starts while composing goes
    # on. Dieter (ASD, the first chunk) forwards his calls to Gabriele, who is only in the other
    # channel: the first chunk's roster names her all the same.
    from commands.anwesenheit import morning as anwesenheit
    from storage.models import OutboxItem

    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    reply = bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026", as_="gabriele.wagner",
                      channel="wirtschaftliche-hilfe")
    assert reply.startswith("Rotation eingerichtet"), reply
    bot.slash("/homeoffice gruppe A @gabriele.wagner", as_="gabriele.wagner", channel="wirtschaftliche-hilfe")
    assert "Gabriele Wagner" in bot.slash("/rufumleitung @gabriele.wagner bis 27.11.", as_="dieter.fischer")

    def owed() -> int:
        with bot.runtime.db.read() as session:
            return len([k for k in session.exec(select(OutboxItem.key)).all() if k.startswith("roster:")])

    services = bot.runtime.services
    notify, compose = services.notify_outbox, anwesenheit._compose_rosters
    notified: list[int] = []
    composed: list[tuple[int, int]] = []  # (times the outbox was told, rosters owed) before each chunk

    def spy(*args, **kwargs):
        composed.append((len(notified), owed()))
        return compose(*args, **kwargs)

    monkeypatch.setattr(anwesenheit, "FIRST_CHUNK", 1)
    monkeypatch.setattr(anwesenheit, "POST_CHUNK", 1)
    monkeypatch.setattr(anwesenheit, "_compose_rosters", spy)
    monkeypatch.setattr(services, "notify_outbox", lambda: (notified.append(owed()), notify()))
    assert bot.channel_id() < bot.channel_id("wirtschaftliche-hilfe")  # rosters are composed in this order
    bot.advance("2026-11-23 07:30")
    assert composed[:2] == [(0, 0), (1, 1)]
    (asd,) = roster_posts(bot)
    assert len(roster_posts(bot, "wirtschaftliche-hilfe")) == 1
    assert "→ Gabriele Wagner" in text_of(asd)
