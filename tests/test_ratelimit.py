"""The process's one count of requests to Mattermost (`base.ratelimit.TokenBucket`): reads are
counted without waiting and the posts after them wait for the budget they used; after a 429
nothing is handed out until Retry-After has passed, and then no saved-up burst."""

from __future__ import annotations

import asyncio
import time

from base.ratelimit import TokenBucket


def test_reads_counted_in_the_bucket_make_the_next_posts_wait_for_their_budget():
    async def scenario() -> tuple[float, float]:
        bucket = TokenBucket(rate=20, burst=5)
        started = time.monotonic()
        for _ in range(3):
            bucket.spend()  # three reads: sent at once, never waiting
        spent = time.monotonic() - started
        for _ in range(2 + 4):  # the two tokens left, then four at 20/s
            assert await bucket.acquire()
        return spent, time.monotonic() - started

    spent, elapsed = asyncio.run(scenario())
    assert spent < 0.01
    assert elapsed >= 4 / 20 * 0.95  # without the reads the six posts would have gone at once


def test_reads_never_wait_even_when_the_bucket_is_empty_and_the_debt_is_bounded():
    async def scenario() -> float:
        bucket = TokenBucket(rate=10, burst=2)
        for _ in range(50):
            bucket.spend()
        assert bucket.tokens < 0
        started = time.monotonic()
        assert await bucket.acquire()
        return time.monotonic() - started

    waited = asyncio.run(scenario())
    assert 0.25 <= waited < 0.5  # from minus one burst (-2) up to one token at 10/s: 0.3 s


def test_after_a_429_no_token_until_retry_after_and_then_no_saved_up_burst():
    async def scenario() -> tuple[bool, float, float]:
        bucket = TokenBucket(rate=20, burst=10)
        bucket.hold(0.3)
        during = await bucket.acquire()  # refused at once: the caller gives its row back
        held = bucket.held_for()
        await asyncio.sleep(held)
        started = time.monotonic()
        for _ in range(3):
            assert await bucket.acquire()
        return during, held, time.monotonic() - started

    during, held, elapsed = asyncio.run(scenario())
    assert during is False
    assert 0.2 < held <= 0.3
    assert elapsed >= 3 / 20 * 0.9  # one at a time from an empty bucket, not a burst of ten


def test_a_hold_that_begins_while_a_post_waits_sends_it_back():
    async def scenario() -> bool:
        bucket = TokenBucket(rate=5, burst=1)
        assert await bucket.acquire()
        waiting = asyncio.create_task(bucket.acquire())  # the next token is 0.2 s away
        await asyncio.sleep(0.05)
        bucket.hold(1.0)  # another request got a 429 meanwhile
        return await waiting

    assert asyncio.run(scenario()) is False
