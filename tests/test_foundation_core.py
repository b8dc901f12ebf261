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
