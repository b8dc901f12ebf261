"""The morning roster's content and the roster commands, over real HTTP against the Mattermost stand-in.

Tuesday 24.11.2026: group A (Anna, Bernd, Claudia) is in the office, group B (Dieter, Elif,
Frank) at home. Rosters come from the scheduler's morning job or from `amtsbote post-rosters`.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from base.safetext import live_mentions
from tests.live import (
    LiveBot,
    env_for,
    finish,
    make_world,
    manual_clock,
    post_rosters,
    roster_posts,
    seed_rotations,
    seed_world,
)

ZWSP = "\u200b"
GROUP_A = "@anna.schmidt @bernd.mueller @claudia.weber"
GROUP_B = "@dieter.fischer @elif.yilmaz @frank.hoffmann"


def start_team(standin, tmp_path, world=None) -> LiveBot:
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-24 07:00"), world=world)
    bot.register()
    bot.start()
    assert bot.slash("einrichten A,B woche ab 23.11.2026").text.startswith("Rotation eingerichtet")
    assert bot.slash(f"gruppe A {GROUP_A}").text.startswith("Gruppe A")
    assert bot.slash(f"gruppe B {GROUP_B}").text.startswith("Gruppe B")
    return bot


@pytest.fixture
def team(standin, tmp_path):
    bot = start_team(standin, tmp_path)
    yield bot
    bot.stop()


def roster_posts_of(bot: LiveBot) -> list:
    return [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("roster:")]


def roster(bot: LiveBot):
    """The one roster post in the team channel."""
    posts = roster_posts_of(bot)
    assert len(posts) == 1, [p.message for p in posts]
    return posts[0]


def texts_of(post) -> list[str]:
    """Everything a reader can see of a post: the message and every attachment text."""
    texts = [post.message]
    for attachment in post.attachments:
        texts += [str(attachment.get(k) or "") for k in ("pretext", "title", "text", "footer", "fallback")]
        texts += [str(f.get("value") or "") for f in attachment.get("fields") or []]
    return texts


def morning(bot: LiveBot) -> None:
    """07:45: the scheduler's morning job posts the roster."""
    bot.clock.set(bot.clock.now().replace(hour=7, minute=45))
    bot.tick()
    assert bot.drain()


# -- no roster on holidays and weekends ------------------------------------------------------------------


def test_no_roster_on_german_unity_day_nor_on_a_saturday(standin, tmp_path):
    world = make_world(standin, channels=1)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)  # region DE, weekly A/B from 23.11.2026
    env = env_for(standin, world, url)
    for day in ("2028-10-03", "2026-11-28"):  # Tag der Deutschen Einheit (a Tuesday); a Saturday
        proc = post_rosters(env, day=day)
        out, err = finish(proc)
        assert proc.returncode == 0, err
        assert "rosters queued: 0" in out, (day, out)
        assert roster_posts(standin, world) == {world["channel_ids"][0]: 0}, day
    assert standin.requests_to("POST", r"^/api/v4/posts$") == []
    proc = post_rosters(env, day="2028-10-02")  # the Monday before: the same rotation does get a roster
    out, err = finish(proc)
    assert proc.returncode == 0, err
    assert roster_posts(standin, world) == {world["channel_ids"][0]: 1}
    (post,) = standin.posts_in(world["channel_ids"][0])
    assert "Mo, 02.10.2028" in post.attachments[0]["text"]


# -- names, not mentions ------------------------------------------------------------------------------------


def test_posted_roster_mentions_nobody_even_when_names_and_titles_carry_an_at_sign(standin, tmp_path):
    world = seed_world(standin, channel_display_name="ASD @here")
    for username, first, last in (("gustav.gast", "Gustav", "@channel"), ("ida.imhof", "Ida", "@anna.schmidt")):
        user = standin.add_user(username, first_name=first, last_name=last)
        standin.add_member(world["channel"], user)
        world["users"][username] = user
    bot = start_team(standin, tmp_path, world=world)
    try:
        assert bot.slash("gruppe A @gustav.gast").text.startswith("Gruppe A")
        assert bot.slash("gruppe B @ida.imhof").text.startswith("Gruppe B")
        bot.slash("@gustav.gast", user="elif.yilmaz", command="/rufumleitung")  # Elif at home -> Gustav
        meeting = bot.slash('neu "Fallbesprechung @all mit @bernd.mueller" heute 10:00', command="/meeting")
        assert meeting.status == 200 and "ID 1" in meeting.text, meeting.text
        morning(bot)
        post = roster(bot)
        body = "\n".join(texts_of(post))
        # every name, the stand-in's colleague, the channel name and the meeting title made it in ...
        for shown in ("Gustav @\u200bchannel", "Ida @\u200banna.schmidt", "ASD @\u200bhere",
                      "Elif Yılmaz — ☎️ → Gustav @\u200bchannel bis 18:00 Uhr", "Fallbesprechung @\u200ball"):
            assert shown in body, (shown, body)
        # ... and no "@" in it can notify anyone: each one is followed by a zero-width space
        assert re.findall(f"@(?!{ZWSP})", body) == [], body
        assert all(live_mentions(text) == [] for text in texts_of(post)), body
    finally:
        bot.stop()


# -- an absence shows as away, its note goes nowhere -------------------------------------------------------


@pytest.mark.parametrize(("language", "away_line"), [("de", "**🌴 Abwesend (1)**: Bernd Müller"),
                                                     ("en", "**🌴 Away (1)**: Bernd Müller")])
def test_absence_shows_as_away_and_its_note_reaches_mattermost_nowhere(team, standin, language, away_line):
    if language == "en":
        assert team.slash("sprache en", command="/anwesenheit").text == "Gespeichert: Morgenpost jetzt auf Englisch."
    own = team.slash("abwesend heute Arzttermin", user="bernd.mueller")
    assert own.status == 200 and "Arzttermin" in own.text  # the author sees the note
    morning(team)
    body = "\n".join(texts_of(roster(team)))
    assert away_line in body.splitlines(), body
    assert "Bernd Müller" not in body.replace(away_line, "")
    assert "Arzttermin" not in body
    seen = 0
    for request in standin.requests:  # every request the bot sent to Mattermost
        seen += 1
        sent = request.path + repr(request.query_list) + request.body.decode("utf-8", "replace")
        assert "Arzttermin" not in sent, (request.method, request.path)
    assert seen and any(r.path == "/api/v4/posts" for r in standin.requests)


# -- /anwesenheit sprache and posten ------------------------------------------------------------------------


def test_sprache_en_switches_the_channels_morning_roster_to_english(team, standin):
    refused = team.slash("sprache en", user="elif.yilmaz", command="/anwesenheit")
    assert "Das dürfen nur Leitungen" in refused.text
    assert team.slash("sprache en", command="/anwesenheit").text == "Gespeichert: Morgenpost jetzt auf Englisch."
    team.stop()  # the morning job as cron runs it, in a process of its own
    proc = post_rosters(env_for(standin, team.world, team.database_url), day="2026-11-24")
    out, err = finish(proc)
    assert proc.returncode == 0, err
    text = roster(team).attachments[0]["text"]
    lines = text.splitlines()
    assert lines[0] == "#### 📋 Presence Jugendamt – ASD Team 3 — Tue, 24 Nov 2026 (CW 48)"
    assert "**🏢 In the office (3)**: Anna Schmidt, Bernd Müller, Claudia Weber" in lines
    assert "**🏠 Working from home (3)**: Dieter Fischer, Elif Yılmaz, Frank Hoffmann" in lines
    assert "**🌴 Away (0)**: nobody" in lines
    assert "Büro" not in text and "Anwesenheit" not in text


def test_posten_is_for_leads_and_posts_once_however_often_it_is_called(team, standin):
    refused = team.slash("posten", user="elif.yilmaz", command="/anwesenheit")
    assert refused.status == 200 and "Das dürfen nur Leitungen" in refused.text
    assert team.drain()
    assert roster_posts_of(team) == []
    first = team.slash("posten", command="/anwesenheit")
    assert team.drain()
    second = team.slash("posten", command="/anwesenheit")
    assert team.drain()
    (post,) = roster_posts_of(team)
    assert first.text == "Die Anwesenheit für heute wird jetzt im Kanal veröffentlicht."
    assert second.text.startswith("Die Anwesenheit für heute ist schon veröffentlicht")
    assert post.user_id == team.world["bot"].id
    assert post.attachments[0]["text"].startswith("#### 📋 Anwesenheit Jugendamt – ASD Team 3 — Di, 24.11.2026")
    team.clock.set(team.clock.now() + timedelta(minutes=45))  # the morning job finds the day done
    team.tick()
    assert team.drain()
    assert len(roster_posts_of(team)) == 1
    channel_id = team.world["channel"].id.encode()
    posts_to_channel = [r for r in standin.requests_to("POST", r"^/api/v4/posts$") if channel_id in r.body]
    assert len(posts_to_channel) == 2  # the rotation preview and the roster (the rest are DMs: "you joined group …")



# -- Mattermost's rate limit during the morning job -----------------------------------------------------------


def test_reads_answered_429_during_the_morning_job_are_asked_again_and_the_roster_goes_out_in_that_tick(team, standin):
    mm = team.runtime.mm
    for user in team.world["users"].values():
        mm.forget_user(user.id)  # the job has to ask Mattermost for the names and the channel's title
    mm.forget_channel(team.world["channel"].id)
    standin.faults.add(method="POST", path=r"^/api/v4/users/ids$", status=429, retry_after=1, times=1)
    standin.faults.add(method="GET", path=r"^/api/v4/channels/[a-z0-9]+$", status=429, retry_after=1, times=1)
    morning(team)  # one tick, then the outbox drained: no second tick to make up for a failed job
    assert [r.status for r in standin.requests_to("POST", r"^/api/v4/users/ids$")][-2:] == [429, 200]
    assert [r.status for r in standin.requests_to("GET", r"^/api/v4/channels/[a-z0-9]+$")][-2:] == [429, 200]
    lines = roster(team).attachments[0]["text"].splitlines()
    assert lines[0].startswith("#### 📋 Anwesenheit Jugendamt – ASD Team 3 — Di, 24.11.2026")
    assert "**🏢 Im Büro (3)**: Anna Schmidt, Bernd Müller, Claudia Weber" in lines
