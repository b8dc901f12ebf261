"""Fault injection and Mattermost's rate limiter, for the stand-in's request pipeline.

Faults let a test make the server misbehave in the ways a real deployment does:
overload (503), throttling (429 with Mattermost's headers), slowness, answers lost
after the work was done, and - via `MattermostStandin.outage()` - refusing connections.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One rule. `method`/`path` (a regex searched in the URL path) choose the requests.

    `times` limits how many requests it hits, `for_seconds` how long it lasts from
    `add()`; with neither it stays until removed. A rule may combine `latency` (the
    server waits before doing anything), `slow_processing` (POST /posts: the post is
    registered as in flight, so a duplicate `pending_post_id` meets the real server's
    500, and only then created), and either a `status` answer or `lose_response` (the
    work is done, then the answer never comes and the connection is held open).
    """

    method: str | None = None
    path: str = ".*"
    status: int | None = None
    times: int | None = None
    for_seconds: float | None = None
    retry_after: float | None = None
    latency: float = 0.0
    slow_processing: float = 0.0
    lose_response: bool = False
    message: str | None = None
    hits: int = 0
    added_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.status is not None and self.lose_response:
            raise ValueError("a fault either answers with a status or loses the answer, not both")
        if self.retry_after is not None and self.status is None:
            self.status = 429
        self._path = re.compile(self.path)

    def matches(self, method: str, path: str, now: float) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        if self.for_seconds is not None and now - self.added_at > self.for_seconds:
            return False
        return self._path.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times


@dataclass
class FaultPlan:
    """What the matching rules ask of one request."""

    latency: float = 0.0
    slow_processing: float = 0.0
    answer: Fault | None = None
    lose_response: bool = False
    faults: list[Fault] = field(default_factory=list)


class Faults:
    """Thread-safe list of rules; every matching rule applies (latencies add up)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []

    def add(self, *, method: str | None = None, path: str = ".*", status: int | None = None,
            times: int | None = None, for_seconds: float | None = None, retry_after: float | None = None,
            latency: float = 0.0, slow_processing: float = 0.0, lose_response: bool = False,
            message: str | None = None) -> Fault:
        fault = Fault(method=method, path=path, status=status, times=times, for_seconds=for_seconds,
                      retry_after=retry_after, latency=latency, slow_processing=slow_processing,
                      lose_response=lose_response, message=message)
        with self._lock:
            self._rules.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        with self._lock:
            self._rules = [f for f in self._rules if f is not fault]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def __iter__(self):  # noqa: ANN204
        with self._lock:
            return iter(list(self._rules))

    def plan(self, method: str, path: str) -> FaultPlan:
        now = time.monotonic()
        plan = FaultPlan()
        with self._lock:
            for fault in self._rules:
                if not fault.matches(method, path, now):
                    continue
                if fault.status is not None and plan.answer is not None:
                    continue  # the first answering rule wins; later ones are not consumed
                fault.hits += 1
                plan.faults.append(fault)
                plan.latency += fault.latency
                plan.slow_processing += fault.slow_processing
                if fault.status is not None:
                    plan.answer = fault
                if fault.lose_response:
                    plan.lose_response = True
        return plan


@dataclass
class RateDecision:
    limited: bool
    headers: list[tuple[str, str]]
    retry_after: float | None


class GcraRateLimiter:
    """Mattermost's limiter: throttled's GCRA with MaxRate=PerSec(n), MaxBurst=b.

    emission interval T = 1/n s, tolerance = T*(b+1), limit header = b+1. A burst at one
    instant is allowed b+1 requests, so with the defaults (10/s, burst 100) the 102nd is
    refused. Headers as `setRateLimitHeaders` (seconds, rounded up, not an epoch).
    Integer nanoseconds keep the boundary exact, as in Go.
    """

    def __init__(self, per_sec: int, burst: int, *, clock=time.monotonic_ns) -> None:  # noqa: ANN001
        if per_sec <= 0 or burst < 0:
            raise ValueError("per_sec must be > 0 and burst >= 0")
        self.per_sec = per_sec
        self.burst = burst
        self.emission_ns = 1_000_000_000 // per_sec
        self.tolerance_ns = self.emission_ns * (burst + 1)
        self.limit = burst + 1
        self._clock = clock
        self._tat: int | None = None
        self._lock = threading.Lock()

    def check(self) -> RateDecision:
        with self._lock:
            now = self._clock()
            tat = now if self._tat is None else self._tat
            new_tat = (now if now > tat else tat) + self.emission_ns
            allow_at = new_tat - self.tolerance_ns
            diff = now - allow_at
            retry_after_ns = -1
            if diff < 0:
                if self.emission_ns <= self.tolerance_ns:
                    retry_after_ns = -diff
                ttl = tat - now
                limited = True
            else:
                ttl = new_tat - now
                self._tat = new_tat
                limited = False
            nxt = self.tolerance_ns - ttl
            remaining = max(nxt, 0) // self.emission_ns if nxt > -self.emission_ns else -1
        headers = [("X-RateLimit-Limit", str(self.limit))]
        if remaining >= 0:
            headers.append(("X-RateLimit-Remaining", str(remaining)))
        if ttl >= 0:
            headers.append(("X-RateLimit-Reset", str(math.ceil(ttl / 1e9))))
        if retry_after_ns >= 0:
            headers.append(("Retry-After", str(math.ceil(retry_after_ns / 1e9))))
        return RateDecision(limited, headers, retry_after_ns / 1e9 if retry_after_ns >= 0 else None)
