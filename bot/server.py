"""The HTTP server's guard against slow and half-open clients (uvicorn settings in one place).

uvicorn closes an idle keep-alive connection after `timeout_keep_alive`, answers 503 once
`limit_concurrency` connections are open, and (with h11) refuses headers larger than
`h11_max_incomplete_event_size`. It has no timeout for the request head itself: a client
that connects and sends nothing, or one header line a minute, holds its connection for ever.
`GuardedHTTPProtocol` adds that: a connection whose request line and headers are not complete
within HEADER_TIMEOUT seconds, or exceed MAX_HEADER_BYTES, is closed. The body is the
endpoint's business (bot/http.py `BODY_TIMEOUT`). A reverse proxy in front should still set
its own limits (README, "Threat model").
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("amtsbote.http")

HEADER_TIMEOUT = 10.0  # seconds from connecting (or from the end of the last answer's request) to a full head
MAX_HEADER_BYTES = 64 * 1024
LIMIT_CONCURRENCY = 500  # open connections; above this uvicorn answers 503 at once
TIMEOUT_KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open


class GuardedHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol (httptools, or h11 where httptools is missing) with a deadline and
    a size cap for the request head."""

    header_timeout = HEADER_TIMEOUT
    max_header_bytes = MAX_HEADER_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_bytes = 0

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            log.debug("closed a connection whose request head did not arrive within %s s", self.header_timeout)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            # Only the head counts: a body that arrives in the same read is the endpoint's to judge.
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > self.max_header_bytes:
                log.debug("closed a connection whose request head exceeded %s bytes", self.max_header_bytes)
                self._disarm()
                self.transport.close()
                return
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm()
        elif self._waiting_for_head():
            self._arm()  # not re-armed if running: trickling bytes does not buy more time
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def uvicorn_config(app: Any, host: str, port: int, *, header_timeout: float = HEADER_TIMEOUT,
                   **overrides: Any) -> uvicorn.Config:
    """The settings `amtsbote serve` runs uvicorn with (tests pass shorter timeouts)."""
    protocol: type = GuardedHTTPProtocol
    if header_timeout != HEADER_TIMEOUT:
        protocol = type("GuardedHTTPProtocol", (GuardedHTTPProtocol,), {"header_timeout": header_timeout})
    options: dict[str, Any] = {
        "host": host, "port": port, "log_config": None, "access_log": False, "timeout_graceful_shutdown": 10,
        "http": protocol, "limit_concurrency": LIMIT_CONCURRENCY,
        "timeout_keep_alive": TIMEOUT_KEEP_ALIVE, "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)
