"""`amtsbote post-rosters` as cron runs it, while Mattermost is down (SPEC §6)."""

from __future__ import annotations

from storage import inuse
from tests.live import (
    TUESDAY,
    LiveBot,
    env_for,
    finish,
    make_world,
    post_rosters,
    roster_posts,
    seed_rotations,
)


def test_an_eight_second_outage_is_ridden_out_and_the_roster_delivered_once(standin, tmp_path):
    world = make_world(standin, channels=2)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    standin.faults.add(status=503, for_seconds=8)  # every request, from the first one on
    proc = post_rosters(env_for(standin, world, url))
    out, err = finish(proc, 90)
    assert proc.returncode == 0, err
    assert "rosters queued: 2; outbox empty" in out
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)
    # One line when Mattermost stopped answering, one when it was back: not one per attempt.
    assert err.count("does not answer") == 1 and err.count("answers again") == 1, err


def test_an_outage_longer_than_the_timeout_names_what_is_owed_and_a_later_run_delivers_it_once(standin, tmp_path):
    world = make_world(standin, channels=2)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    env = env_for(standin, world, url)
    outage = standin.faults.add(status=503)
    proc = post_rosters(env, "--timeout", "3")
    out, err = finish(proc)
    assert proc.returncode != 0
    assert "rosters queued: 0" in out
    assert f"still owed for {TUESDAY}, not yet queued:" in err, err
    assert all(cid in err for cid in world["channel_ids"]), err  # by id: Mattermost never named them
    assert "Traceback" not in err
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 0)

    standin.faults.remove(outage)
    for _ in range(2):  # a later run delivers, and one after it does nothing more
        again = post_rosters(env)
        out, err = finish(again)
        assert again.returncode == 0, err
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)


def test_rosters_queued_but_not_delivered_are_named_and_serve_delivers_them_once(standin, tmp_path):
    world = make_world(standin, channels=2)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    posts_down = standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=503)
    proc = post_rosters(env_for(standin, world, url), "--timeout", "3")
    out, err = finish(proc)
    assert proc.returncode != 0
    assert "rosters queued: 2" in out
    assert f"still owed for {TUESDAY}, queued and not yet delivered:" in err, err
    assert "~jugendamt-asd (Jugendamt – ASD Team 3)" in err and "~team-1" in err, err

    standin.faults.remove(posts_down)
    live = LiveBot(standin, tmp_path, database_url=url, world=world)
    live.start()
    try:
        assert live.drain()
    finally:
        live.stop()
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)


def test_post_rosters_waits_while_the_database_is_being_restored_and_then_posts_once(standin, tmp_path):
    world = make_world(standin, channels=2)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    seed_rotations(url, world)
    with inuse.exclusive(url):  # what `db restore` and `db move` hold while they work
        proc = post_rosters(env_for(standin, world, url))
        assert proc.stderr is not None
        before = []
        for line in proc.stderr:  # until it says it waits (or ends without waiting: then the test fails)
            before.append(line)
            if "being restored or moved" in line:
                break
        assert any("being restored or moved" in line for line in before), "".join(before)
        assert sum(roster_posts(standin, world).values()) == 0
    out, err = finish(proc, 90)
    assert proc.returncode == 0, err
    assert roster_posts(standin, world) == dict.fromkeys(world["channel_ids"], 1)
