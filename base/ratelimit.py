"""Our own cap on the requests we send to Mattermost, counted the way Mattermost counts them.

Mattermost's limiter (MATTERMOST-FACTS §5: a GCRA of `PerSec` and `MaxBurst` around the whole
HTTP handler, per client address) counts every request of the bot, reads and posts alike. One
`TokenBucket` per process, shared by the Mattermost port and the outbox, does the same:

- posts and edits wait for a token (`acquire`), at OUTBOX_MAX_RATE after a burst of OUTBOX_BURST;
- every other request (look-ups of users and channels, a command's checks) is counted when it is
  sent (`spend`) but never waits, so a slash command is not slowed by the morning's posts, while
  the budget a read used is not there for the next post either - as on the server;
- after a 429 nothing more is handed out until the server's Retry-After has passed, and then
  from an empty bucket (`hold`), since that is where the server's limit stands.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, burst: int, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        """`monotonic`: the clock it counts on (the runtime passes its injected clock's)."""
        self.rate = rate
        self.burst = float(burst)
        self.monotonic = monotonic
        self._tokens = float(burst)
        self._stamp = monotonic()  # tokens are counted up to here; in the future during a hold
        self._held_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    @property
    def tokens(self) -> float:
        self._refill(self.monotonic())
        return self._tokens

    def spend(self) -> None:
        """Count a request that is sent now without waiting. The bucket may go below zero (down
        to minus one burst at most): the posts after it wait until the budget is back."""
        self._refill(self.monotonic())
        self._tokens = max(self._tokens - 1, -self.burst)

    def hold(self, seconds: float) -> None:
        """Mattermost answered 429: no token before `seconds` from now, and none saved up until then."""
        until = self.monotonic() + max(seconds, 0.0)
        self._refill(self.monotonic())
        self._tokens = min(self._tokens, 0.0)
        self._stamp = max(self._stamp, until)
        self._held_until = max(self._held_until, until)

    def empty(self) -> None:
        """Start again from no tokens at all, now."""
        self.hold(0.0)

    def held_for(self) -> float:
        """Seconds until a hold after a 429 ends (0 when there is none)."""
        return max(0.0, self._held_until - self.monotonic())

    async def acquire(self) -> bool:
        """Wait for a token and take it. False, without a token, if a 429's hold is in force or
        begins while waiting: the caller gives its work back until the hold ends."""
        async with self._lock:
            while True:
                if self.held_for() > 0:
                    return False
                now = self.monotonic()
                self._refill(now)
                if self._tokens >= 1:
                    self._tokens -= 1
                    return True
                await asyncio.sleep((1 - self._tokens) / self.rate)


class WindowLimit:
    """At most `limit` events per key in any `window` seconds (a sliding window; refused events
    do not count). Used for the commands one person may give per minute."""

    MAX_KEYS = 10_000

    def __init__(self, limit: int, window: float = 60.0, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.monotonic = monotonic
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count an event for `key` now, if the limit allows it; False (and nothing counted) if not."""
        now = self.monotonic()
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.MAX_KEYS:
                self._forget_idle(now)
            events = self._events[key] = deque(maxlen=self.limit)
        if len(events) >= self.limit and now - events[0] < self.window:
            return False
        events.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [key for key, events in self._events.items() if not events or now - events[-1] >= self.window]
        for key in idle:
            del self._events[key]
        if len(self._events) >= self.MAX_KEYS:  # that many people active within one window: start afresh
            self._events.clear()
