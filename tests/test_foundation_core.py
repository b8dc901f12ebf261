"""The core without HTTP: help in both languages, unknown subcommands, tokens."""

from __future__ import annotations

import pytest

from bot.dispatch import Unauthorized


def test_every_command_answers_help_in_german_and_english(bot):
    for trigger in ("homeoffice", "anwesenheit", "rufumleitung", "meeting"):
        german = bot.slash(f"/{trigger} hilfe", as_="anna.schmidt")
        english = bot.slash(f"/{trigger} help", as_="james.miller")
        assert german.startswith(f"#### /{trigger}")
        assert english.startswith(f"#### /{trigger}")
        assert german != english


def test_wrong_token_is_refused_before_anything_runs(bot):
    form = {"token": ["x" * 26], "team_id": ["demoteam0000000000000000aa"], "command": ["/homeoffice"],
            "text": ["hilfe"], "user_id": [bot.user("anna.schmidt").id], "channel_id": [bot.channel_id()]}
    with pytest.raises(Unauthorized):
        bot.run(bot.runtime.dispatcher.command(form))
    other = dict(form, token=[bot.tokens["roster"]])  # the token of another command
    with pytest.raises(Unauthorized):
        bot.run(bot.runtime.dispatcher.command(other))


# -- tokens: a re-registered command works without a restart ------------------------------------


def test_a_token_changed_in_the_database_is_accepted_at_once_and_reloads_are_rate_limited(bot, monkeypatch):
    from sqlmodel import select

    from bot import dispatch
    from bot.console import TEAM_ID
    from storage.models import SlashCommand, token_hash

    store = bot.runtime.dispatcher.tokens
    clock = [1000.0]
    store.monotonic = lambda: clock[0]
    store.reload()
    reloads = []
    original_reload = store.reload
    monkeypatch.setattr(store, "reload", lambda: (reloads.append(clock[0]), original_reload())[1])
    compared = []
    real_compare = dispatch.hmac.compare_digest
    monkeypatch.setattr(dispatch.hmac, "compare_digest", lambda a, b: (compared.append(1), real_compare(a, b))[1])

    old, new = bot.tokens["homeoffice"], "n" * 26
    with bot.runtime.db.write() as session:  # e.g. `amtsbote register` in another process, or by hand
        row = session.exec(select(SlashCommand).where(SlashCommand.trigger == "homeoffice")).one()
        row.token_hash = token_hash(new)
    clock[0] += dispatch.TOKEN_RELOAD_INTERVAL + 0.1
    assert store.check(TEAM_ID, "/homeoffice", new) == "homeoffice"
    assert len(reloads) == 1 and compared  # a mismatch re-read the tokens; compared in constant time
    with pytest.raises(Unauthorized):
        store.check(TEAM_ID, "/homeoffice", old)  # the old token is dead
    bot.tokens["homeoffice"] = new
    assert bot.slash("/homeoffice hilfe").startswith("#### /homeoffice")  # end to end through the dispatcher

    # A flood of wrong tokens: one re-read per interval at most, however many requests.
    for i in range(200):
        clock[0] += 0.01
        with pytest.raises(Unauthorized):
            store.check(TEAM_ID, "/homeoffice", f"{i:026d}")
        with pytest.raises(Unauthorized):
            store.check(TEAM_ID, "/nosuchcommand", f"{i:026d}")
    assert len(reloads) == 1
    clock[0] += dispatch.TOKEN_RELOAD_INTERVAL
    for _ in range(50):
        with pytest.raises(Unauthorized):
            store.check(TEAM_ID, "/homeoffice", "x" * 26)
    assert len(reloads) == 2
    with pytest.raises(Unauthorized):
        store.check(TEAM_ID, "/anwesenheit", new)  # another command's token still never counts


def test_slow_answer_says_one_moment_in_the_callers_language(bot, monkeypatch):
    import asyncio

    from bot import dispatch
    from commands.base import Reply

    bot.slash("/homeoffice help", as_="james.miller")  # the bot has seen James before
    monkeypatch.setattr(dispatch, "REPLY_DEADLINE", 0.05)
    registry = dict(bot.runtime.dispatcher.registry)

    async def slow(request, ctx):
        await asyncio.sleep(0.3)
        return Reply("done")

    original = registry["homeoffice"]
    registry["homeoffice"] = type(original)(kind=original.kind, run=slow, help=original.help)
    monkeypatch.setattr(bot.runtime.dispatcher, "registry", registry)
    assert bot.slash("/homeoffice plan", as_="james.miller").startswith("⏳ One moment")
    assert bot.slash("/homeoffice plan", as_="bernd.mueller").startswith("⏳ Einen Moment")
    bot.run(asyncio.sleep(0.4))  # let the follow-ups finish on the harness loop


# -- buttons: refusals in the presser's language, never an internal error -------------------------


def test_refused_buttons_answer_in_the_pressers_language(bot):
    from datetime import timedelta

    from bot.console import TEAM_ID

    signer = bot.runtime.services.signer
    now = bot.clock.now()
    james, anna = bot.user("james.miller"), bot.user("anna.schmidt")
    cases = {
        "forged": {"p": "eyJ4IjoxfQ", "s": "nope"},
        "expired": signer.sign("homeoffice.forget", {"ok": True}, expires=now - timedelta(seconds=1), user_id=james.id),
        "someone else's": signer.sign("homeoffice.forget", {"ok": True}, expires=now + timedelta(hours=1),
                                      user_id=anna.id),
        "no such button": signer.sign("homeoffice.nosuchbutton", {}, expires=now + timedelta(hours=1), user_id=None),
        "non-ASCII signature": {"p": "e30", "s": "ü" * 43},
    }
    for name, context in cases.items():
        body = {"user_id": james.id, "channel_id": bot.channel_id(), "team_id": TEAM_ID, "post_id": "",
                "context": context}
        text = bot.run(bot.runtime.dispatcher.action(body))["ephemeral_text"]
        assert text.startswith("This button"), (name, text)
        state = bot.run(bot.runtime.dispatcher.dialog({**body, "state": __import__("json").dumps(context)}))
        assert state["error"].startswith("This button"), (name, state)
    body = {"user_id": bot.user("bernd.mueller").id, "context": cases["forged"]}
    assert bot.run(bot.runtime.dispatcher.action(body))["ephemeral_text"].startswith("Diese Schaltfläche")
    body = {"user_id": "nosuchuser", "context": cases["forged"]}  # unknown presser: the bot's locale
    assert bot.run(bot.runtime.dispatcher.action(body))["ephemeral_text"].startswith("Diese Schaltfläche")


# -- echoed text: no mention, no link, no markup ------------------------------------------------


@pytest.mark.parametrize("attack", [
    "@channel", "@all", "@here", "@jugendamt-asd-team", "@Team_3", "@bernd.mueller", "x ä@here", "<!channel>",
    "<@anna>", "<!subteam^ABC>",
])
def test_plain_defuses_every_mention_including_groups(attack):
    from base.safetext import live_mentions, plain, unescape_for_terminal

    assert live_mentions(attack), attack  # the scan sees the attack itself
    safe = plain(attack)
    assert live_mentions(safe) == [], safe
    assert "@" not in safe.replace("@\u200b", "")  # every "@" is followed by the break
    assert unescape_for_terminal(safe) == attack  # still reads the same


@pytest.mark.parametrize("url", [
    "https://evil.example/x", "http://evil.example", "HTTPS://EVIL.EXAMPLE/A", "ftp://evil.example/f",
    "www.evil.example/login", "WWW2.evil.example", "mailto:max@evil.example", "tel:+493915401234",
    "javascript:alert(1)", "(siehe:https://evil.example/x)", "irc://evil.example",
])
def test_plain_defuses_bare_links_and_keeps_them_readable(url):
    import re

    from base.safetext import plain, unescape_for_terminal

    safe = plain(f"Notiz {url} Ende")
    # What Mattermost's autolinker needs: a scheme directly followed by ":" (and "//"), or "www.".
    assert not re.search(r"(?i)(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]*://|(?<![a-z0-9_\-])www\d{0,3}\.", safe), safe
    assert not re.search(r"(?i)\b(mailto|tel|javascript):(?!\u200b)", safe), safe
    assert unescape_for_terminal(safe) == f"Notiz {url} Ende"
    assert safe.replace("\u200b", "").replace("\\", "") == f"Notiz {url} Ende".replace("\\", "")


def test_plain_leaves_ordinary_text_alone():
    from base.safetext import plain

    for text in ("Notiz: 10:00 Uhr", "Raum 3.14, Haus B", "Termin 24.11.2026", "Ärztin, 2 h", "awww.nein"):
        assert plain(text) == text
    assert plain("max@example.org") == "max@\u200bexample.org"  # no e-mail autolink either


def test_signer_turns_any_context_into_a_refusal_never_another_error():
    from datetime import UTC, datetime

    from base.i18n import LocalizedError
    from base.signing import Signer

    signer = Signer("s" * 40)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    for context in ({"p": "e30", "s": "ü" * 43}, {"p": "\ud800", "s": "x"}, {"p": "e30", "s": "\ud800"},
                    {"p": "!!!", "s": "x"}, {"p": 1, "s": "x"}, [], None, "x"):
        with pytest.raises(LocalizedError):
            signer.verify(context, now=now, user_id="u")
    for state in ("[" * 50_000, '{"p": "e30"', "\ud800", None, 7):
        with pytest.raises(LocalizedError):
            signer.verify_state(state, now=now, user_id="u")
