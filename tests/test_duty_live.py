"""/dienst over real HTTP against the Mattermost stand-in: duties in the roster, a dropped duty
taken by exactly one of three simultaneous clicks, coverage alerts once across restarts, and the
same with two bots on one PostgreSQL."""

from __future__ import annotations

import asyncio
import threading

from sqlmodel import select

from commands.dienst import jobs as duty_jobs
from storage.db import Database
from storage.duty_models import DutyHandover, DutyLedger, DutyRequest
from tests.live import LiveBot, manual_clock, seed_world

STAFF = ("anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann")


def set_up(bot: LiveBot) -> None:
    """Weekly A/B from Monday 23.11.2026 (group A in the office this week) and two duties."""
    assert bot.answer("einrichten A,B woche ab 23.11.2026").startswith("Rotation eingerichtet")
    bot.answer("gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
    bot.answer("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")
    reply = bot.answer('anlegen "Telefondienst" überall nummer 0391 540-2000', command="/dienst")
    assert reply.startswith("Dienst „Telefondienst“ angelegt"), reply
    assert bot.answer('anlegen "Postdienst" vor-ort', command="/dienst").startswith("Dienst „Postdienst“ angelegt")
    bot.mark_dms_read()


def full(user) -> str:
    return f"{user.first_name} {user.last_name}"


def plan_row(bot: LiveBot, duty: str, day: str = "morgen") -> tuple[str, str]:
    """(holder, stand-in) usernames of a duty on a day, as `/dienst plan` shows them."""
    plan = bot.answer(f"plan {day}", command="/dienst", user="bernd.mueller")
    cells = next(line for line in plan.splitlines() if f"| {duty} |" in line).split("|")
    by_name = {full(u): name for name, u in bot.world["users"].items()}
    return by_name.get(cells[3].strip(), cells[3].strip()), by_name.get(cells[4].strip(), "")


def requests_posts(bot: LiveBot) -> list:
    return [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("duty:req:")]


def click_at_once(standin, post, users: list, urls: list[str]) -> list:
    action = next(a["id"] for a in post.actions() if a["name"] == "Ich übernehme")

    async def together() -> list:
        return await asyncio.gather(*(standin.client.aclick(url, post_id=post.id, action_id=action, user=user)
                                      for user, url in zip(users, urls, strict=True)))

    return asyncio.run(together())


def test_the_roster_shows_both_duties_with_holder_number_and_stand_in(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 07:00"))
    bot.register()
    bot.start()
    try:
        set_up(bot)
        assert bot.answer("posten", command="/anwesenheit").strip()
        bot.drain()
        (roster,) = [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("roster:")]
        text = roster.props["attachments"][0]["text"]
        assert "**🛎️ Dienste**" in text
        phone = next(line for line in text.splitlines() if "Telefondienst" in line)
        post = next(line for line in text.splitlines() if "Postdienst" in line)
        holder, stand_in = plan_row(bot, "Postdienst", "heute")
        names = {n: full(u) for n, u in bot.world["users"].items()}
        assert names[holder] in post and f"Vertretung: {names[stand_in]}" in post
        assert holder in ("anna.schmidt", "bernd.mueller", "claudia.weber")  # on site: group A is in the office
        assert "☎️ 0391 540-2000" in phone and "Vertretung:" in phone
        assert all(f"@{n}" not in text for n in STAFF)  # display names, never @-mentions
        reach = bot.answer(f"@{holder}", command="/anwesenheit", user="dieter.fischer")
        assert "Dienste heute: Postdienst" in reach or "Dienste heute: Postdienst, Telefondienst" in reach
    finally:
        bot.stop()


def test_a_dropped_duty_goes_to_exactly_one_of_three_who_click_at_once(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 09:00"))
    bot.register()
    bot.start()
    try:
        set_up(bot)
        holder, _ = plan_row(bot, "Telefondienst")
        reply = bot.answer('abgeben morgen "Telefondienst"', command="/dienst", user=holder)
        assert "Im Kanal ist gefragt, wer übernimmt" in reply, reply
        bot.drain()
        (post,) = requests_posts(bot)
        assert "Vertretung gesucht" in post.message and "Mi, 25.11.2026" in post.message
        clickers = [u for u in STAFF if u != holder][:3]
        results = click_at_once(standin, post, [bot.world["users"][u] for u in clickers], [bot.url] * 3)
        assert all(r.client_status == 200 for r in results)
        won = [r for r in results if "Danke!" in r.ephemeral_text]
        lost = [r for r in results if "Schon vergeben" in r.ephemeral_text]
        assert len(won) == 1 and len(lost) == 2, [r.ephemeral_text for r in results]
        bot.drain()
        winner = clickers[[r in won for r in results].index(True)]
        names = {n: full(u) for n, u in bot.world["users"].items()}
        edited = standin.post(post.id)
        assert f"übernommen von {names[winner]}" in edited.message and not edited.actions()
        assert plan_row(bot, "Telefondienst")[0] == winner
        told = [d.message for d in bot.dms(holder)]
        assert any(f"{names[winner]} übernimmt deinen Dienst „Telefondienst“ am Mi, 25.11.2026" in m for m in told)
        # the lead is told, unless she dropped it or took it herself
        assert any("übernimmt „Telefondienst“" in d.message for d in bot.dms("anna.schmidt")) or "anna.schmidt" in (
            holder, winner), (holder, winner, [d.message for d in bot.dms("anna.schmidt")])
        db = Database(bot.database_url)
        with db.read() as session:
            assert len(session.exec(select(DutyHandover)).all()) == 1
        db.dispose()
    finally:
        bot.stop()


def test_a_click_by_someone_not_eligible_gets_a_reason(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 09:00"))
    bot.register()
    bot.start()
    try:
        set_up(bot)
        holder, _ = plan_row(bot, "Postdienst")
        bot.answer('abgeben morgen "Postdienst"', command="/dienst", user=holder)
        bot.drain()
        (post,) = requests_posts(bot)
        home = bot.world["users"]["dieter.fischer"]  # group B: at home this week, and this is on site
        (refused,) = click_at_once(standin, post, [home], [bot.url])
        assert "Dienst vor Ort" in refused.ephemeral_text and "nicht im Büro" in refused.ephemeral_text
        outsider = bot.world["users"]["james.miller"]  # not in the rotation, so not in the duty
        (refused,) = click_at_once(standin, post, [outsider], [bot.url])
        assert "not part of the duty" in refused.ephemeral_text
        (self_click,) = click_at_once(standin, post, [bot.world["users"][holder]], [bot.url])
        assert "selbst abgegeben" in self_click.ephemeral_text
        assert standin.post(post.id).actions()  # still open
    finally:
        bot.stop()


def everyone_away_tomorrow(bot: LiveBot) -> None:
    for user in STAFF:
        bot.answer("abwesend morgen", user=user)
    bot.mark_dms_read()


def alerts(bot: LiveBot) -> tuple[list, list]:
    posts = [p for p in requests_posts(bot) if "ist unbesetzt" in p.message]
    dms = [d for d in bot.dms("anna.schmidt") if "ist unbesetzt" in d.message]
    return posts, dms


def test_everyone_away_tomorrow_is_asked_for_once_also_after_a_restart(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 09:00"))
    bot.register()
    bot.start()
    try:
        set_up(bot)
        everyone_away_tomorrow(bot)
        bot.tick()
        bot.drain()
        posts, dms = alerts(bot)
        assert sorted(p.message.split("**")[1].split(" am ")[0] for p in posts) == ["Postdienst", "Telefondienst"]
        assert len(dms) == 2 and all("Mi, 25.11.2026" in d.message for d in dms)
        bot.restart()
        bot.tick()
        bot.drain()
        assert tuple(map(len, alerts(bot))) == (2, 2)
    finally:
        bot.stop()


def test_two_bots_on_one_postgres_still_one_winner_and_one_alert(standin, tmp_path, pg_url):
    world = seed_world(standin)
    clock = manual_clock("2026-11-24 09:00")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = LiveBot(standin, tmp_path / "a", database_url=pg_url, clock=clock, world=world)
    first.register()
    first.start()
    second = LiveBot(standin, tmp_path / "b", database_url=pg_url, clock=clock, world=world)
    second.start()
    try:
        set_up(first)
        holder, _ = plan_row(first, "Telefondienst")
        first.answer('abgeben morgen "Telefondienst"', command="/dienst", user=holder)
        first.drain()
        (post,) = requests_posts(first)
        clickers = [u for u in STAFF if u != holder][:3]
        results = click_at_once(standin, post, [world["users"][u] for u in clickers],
                                [first.url, second.url, first.url])
        assert sum("Danke!" in r.ephemeral_text for r in results) == 1, [r.ephemeral_text for r in results]
        assert sum("Schon vergeben" in r.ephemeral_text for r in results) == 2

        everyone_away_tomorrow(first)
        barrier = threading.Barrier(2, timeout=20)

        async def look(services) -> None:
            barrier.wait()  # blocks this bot's loop on purpose: both look in the same instant
            services.db.views.clear()
            await duty_jobs.duty_job(services)

        threads = [threading.Thread(target=bot.call, args=(look, bot.runtime.services)) for bot in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        first.tick()
        second.tick()
        first.drain()
        second.drain()
        posts, dms = alerts(first)
        # Telefondienst has a holder tomorrow (the one who took it is away too: uncovered), Postdienst too
        assert sorted(p.message.split("**")[1].split(" am ")[0] for p in posts) == ["Postdienst", "Telefondienst"]
        assert len(dms) == 2
        db = Database(pg_url)
        with db.read() as session:
            covers = session.exec(select(DutyRequest).where(DutyRequest.kind == "cover")).all()
            ledger = session.exec(select(DutyLedger.key).where(DutyLedger.key.like("cover:%"))).all()
            handovers = session.exec(select(DutyHandover)).all()
        db.dispose()
        assert len(covers) == 2 and len(ledger) == 2 and len(handovers) == 1
    finally:
        second.stop()
        first.stop()
