"""The on-demand roster is kept for a moment so that a whole team asking at once costs one
composition - and it is never older than the last change this process made."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import count_queries, setup_ab


def test_a_repeated_roster_is_served_without_the_database_and_a_change_shows_at_once(bot):
    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    first = bot.slash("/anwesenheit", as_="bernd.mueller")
    queries = count_queries(bot)
    assert bot.slash("/anwesenheit", as_="claudia.weber") == first
    assert [q for q in queries if "rotation" in q.lower() or "presence" in q.lower()] == []

    bot.slash("/homeoffice zuhause heute", as_="anna.schmidt")  # Anna is in group A, in the office this week
    after = bot.slash("/anwesenheit", as_="bernd.mueller")
    assert after != first
    home = after.split("Home-Office", 1)[1].split("\n\n", 1)[0]
    assert "Anna Schmidt" in home


def test_a_forward_that_ended_by_the_clock_is_gone_after_a_moment(bot):
    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    bot.slash("/rufumleitung nummer 0391 540-1234", as_="dieter.fischer")
    bot.slash("/rufumleitung handy 0171 2345678 bis 08:01", as_="dieter.fischer")
    assert "0171" in bot.slash("/anwesenheit", as_="bernd.mueller")
    bot.clock.advance(timedelta(minutes=2))  # no job ran in between: only the clock moved
    assert "0171" not in bot.slash("/anwesenheit", as_="bernd.mueller")


def test_each_language_gets_its_own_roster(bot):
    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    german = bot.slash("/anwesenheit", as_="bernd.mueller")
    english = bot.slash("/anwesenheit", as_="james.miller")
    assert "Im Büro" in german and "In the office" in english


def test_many_asking_at_the_same_moment_share_one_composition(bot, monkeypatch):
    import asyncio

    import commands.anwesenheit.handlers as anwesenheit

    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    calls = []
    real = anwesenheit.build_roster

    async def slow_build(*args, **kwargs):
        calls.append(args[1:3])
        await asyncio.sleep(0.05)  # as if Mattermost took a moment for the names
        return await real(*args, **kwargs)

    monkeypatch.setattr(anwesenheit, "build_roster", slow_build)
    bot.slash("/homeoffice zuhause heute", as_="anna.schmidt")  # a change: nothing cached
    forms = []
    for username in ("bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz"):
        user = bot.user(username)
        channel = bot.mm.channel_by_name("jugendamt-asd")
        forms.append({"token": [bot.tokens["roster"]], "team_id": [channel.team_id], "channel_id": [channel.id],
                      "channel_name": [channel.name], "user_id": [user.id], "user_name": [user.username],
                      "command": ["/anwesenheit"], "text": [""], "trigger_id": ["t"], "response_url": [""]})

    async def together():
        return await asyncio.gather(*(bot.runtime.dispatcher.command(f) for f in forms))

    replies = bot.run(together())
    assert len({r["text"] for r in replies}) == 1 and "Anna Schmidt" in replies[0]["text"]
    assert len(calls) == 1


def test_ticks_recompose_the_posted_rosters_only_after_a_change(bot, monkeypatch):
    import commands.anwesenheit.morning as anwesenheit

    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.advance("2026-11-23 07:30")
    composed = []
    real = anwesenheit._render_many

    async def counting(services, due, day, **kwargs):
        if due:
            composed.append(len(due))
        return await real(services, due, day, **kwargs)

    monkeypatch.setattr(anwesenheit, "_render_many", counting)
    bot.tick()  # may look once more after the post
    quiet = len(composed)
    for _ in range(5):
        bot.tick()
    assert quiet <= 1 and len(composed) == quiet  # nothing changed: nothing composed
    bot.slash("/homeoffice zuhause heute", as_="claudia.weber")
    bot.tick()
    assert len(composed) == quiet + 1
    (post,) = [p for p in bot.posts() if p.props.get("amtsbote_key", "").startswith("roster:")]
    assert post.edits == 1
    bot.clock.advance(timedelta(minutes=6))  # and every few minutes anyway
    before = len(composed)
    bot.tick()
    assert len(composed) == before + 1
