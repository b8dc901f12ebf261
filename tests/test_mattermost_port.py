"""The bot's Mattermost port (`bot.mattermost.RestMattermost`) against the stand-in: the look-up
that keeps a retried post from being posted twice, reading many users and channels at once, and
the shared count of requests that Mattermost's rate limit sees."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from base.chat import MARKER_PROP, RateLimited
from base.ratelimit import TokenBucket
from bot.mattermost import RestMattermost
from tests.live import seed_world
from tests.standin import MattermostStandin


def _post(standin: MattermostStandin, token: str, channel_id: str, message: str, props: dict | None = None) -> None:
    body: dict[str, Any] = {"channel_id": channel_id, "message": message}
    if props:
        body["props"] = props
    r = httpx.post(f"{standin.url}/api/v4/posts", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text


def _port(standin: MattermostStandin, token: str) -> RestMattermost:
    return RestMattermost(standin.url, token, timeout=5)


def test_a_post_is_found_by_its_key_in_a_busy_channel_and_a_missing_one_ends_the_search(standin):
    world = seed_world(standin)
    token, channel = world["token"], world["channel"].id
    since_ms = int(time.time() * 1000) - 1000
    _post(standin, token, channel, "the one", {MARKER_PROP: "roster:asd:2026-11-24"})
    for i in range(230):  # more than one page of newer posts
        _post(standin, token, channel, f"busy {i}")

    async def scenario() -> tuple[str | None, str | None]:
        port = _port(standin, token)
        try:
            await port.me()
            found = await asyncio.wait_for(port.find_post(channel, since_ms=since_ms, marker="roster:asd:2026-11-24"), 10)
            missing = await asyncio.wait_for(port.find_post(channel, since_ms=since_ms, marker="roster:asd:nope"), 10)
            return found, missing
        finally:
            await port.close()

    first = len(standin.requests_to("GET", r"/channels/.*/posts$"))
    found, missing = asyncio.run(scenario())
    assert found is not None and standin.post(found).message == "the one"
    assert missing is None
    # two searches over 231 posts: two pages each at most, not an endless repetition of one page
    assert len(standin.requests_to("GET", r"/channels/.*/posts$")) - first <= 4


def test_many_channels_are_read_with_one_request_per_team_and_the_rest_one_by_one(standin):
    world = seed_world(standin)
    team, token = world["team"], world["token"]
    mine = [standin.add_channel(team, f"sachgebiet-{i}", f"Sachgebiet {i}") for i in range(12)]
    for channel in mine:
        standin.add_member(channel, world["bot"])
    other = standin.add_channel(team, "nicht-beigetreten", "Ohne den Bot")  # the bot posts there without joining

    async def scenario() -> dict[str, Any]:
        port = _port(standin, token)
        try:
            return await port.channels_by_ids([c.id for c in mine] + [other.id, world["channel"].id])
        finally:
            await port.close()

    found = asyncio.run(scenario())
    assert {found[c.id].display_name for c in mine} == {f"Sachgebiet {i}" for i in range(12)}
    assert found[other.id].display_name == "Ohne den Bot"
    assert found[world["channel"].id].display_name == "Jugendamt – ASD Team 3"
    assert len(standin.requests_to("GET", r"/users/[a-z0-9]+/teams/[a-z0-9]+/channels$")) == 1
    single = [r.path for r in standin.requests_to("GET", r"^/api/v4/channels/[a-z0-9]+$")]
    assert single == [f"/api/v4/channels/{other.id}"]


def test_users_are_read_a_thousand_ids_a_request_and_each_request_counts_in_the_shared_bucket(standin):
    world = seed_world(standin)
    people = [standin.add_user(f"person{i:04d}", first_name="Person", last_name=f"{i:04d}") for i in range(2345)]
    bucket = TokenBucket(rate=0.001, burst=100)  # hardly refills during the test

    async def scenario() -> dict[str, Any]:
        port = RestMattermost(standin.url, world["token"], timeout=10, limiter=bucket)
        try:
            return await port.users([p.id for p in people])
        finally:
            await port.close()

    first = len(standin.requests_to("POST", r"^/api/v4/users/ids$"))
    found = asyncio.run(scenario())
    assert {u.display_name for u in found.values()} == {f"Person {i:04d}" for i in range(2345)}
    sizes = [len(r.json) for r in standin.requests_to("POST", r"^/api/v4/users/ids$")[first:]]
    assert sizes == [1000, 1000, 345]  # and each one valid for the API (checked at the stand-in's teardown)
    assert 96.9 < bucket.tokens < 97.1  # three reads the posts after them cannot use


def test_a_bulk_read_answered_429_is_asked_again_after_retry_after(standin):
    world = seed_world(standin)
    anna, bernd = world["users"]["anna.schmidt"], world["users"]["bernd.mueller"]
    standin.faults.add(method="POST", path=r"^/api/v4/users/ids$", status=429, retry_after=1, times=1)

    async def scenario() -> dict[str, Any]:
        port = RestMattermost(standin.url, world["token"], timeout=5, limiter=TokenBucket(10, 100))
        try:
            return await asyncio.wait_for(port.users([anna.id, bernd.id]), 10)
        finally:
            await port.close()

    found = asyncio.run(scenario())
    assert set(found) == {anna.id, bernd.id}
    tries = standin.requests_to("POST", r"^/api/v4/users/ids$")
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].time - tries[0].time >= 1.0


def test_a_429_on_any_request_holds_the_shared_bucket_until_retry_after(standin):
    world = seed_world(standin)
    anna = world["users"]["anna.schmidt"]
    standin.faults.add(method="GET", path=r"^/api/v4/users/[a-z0-9]+$", status=429, retry_after=2, times=1)
    bucket = TokenBucket(10, 100)

    async def scenario() -> tuple[float, bool]:
        port = RestMattermost(standin.url, world["token"], timeout=5, limiter=bucket)
        try:
            with pytest.raises(RateLimited):
                await port.user(anna.id)  # a command's single look-up is not retried: it fails over to its caller
            return bucket.held_for(), await bucket.acquire()
        finally:
            await port.close()

    held, post_may_go = asyncio.run(scenario())
    assert 1.5 < held <= 2.0
    assert post_may_go is False  # the outbox gives its row back until the hold ends
