"""The HTTP endpoint Mattermost talks to (Starlette under uvicorn).

This layer only translates HTTP into dispatcher calls and back. No input produces
a 500: malformed bodies get 400, wrong tokens 401, a body that does not arrive within
BODY_TIMEOUT 408, and anything that goes wrong inside a handler becomes a localized
answer. A client that goes away in the middle of its body is a debug line, nothing more.
`/readyz` answers from a result at most READY_CACHE_SECONDS old, so polling it costs
Mattermost next to nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bot.dispatch import INTERNAL_ERROR, BadRequest, Dispatcher, Unauthorized

log = logging.getLogger("amtsbote.http")

MAX_BODY = 64 * 1024
DRAIN_LIMIT = 1024 * 1024  # an oversized body is read this far, then the connection is cut
BODY_TIMEOUT = 10.0  # seconds for a whole request body; Mattermost sends a few kB at once
READY_CACHE_SECONDS = 3.0


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status_code=status,
                    media_type="application/json")


async def _read_body(request: Request) -> bytes | Response:
    """The request's body, or the response that refuses it (too large, too slow, or the client
    is gone: then the response goes nowhere)."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    # Read (and drop) the rest up to a bound, so that the client, still sending, hears
                    # the 413 instead of a dropped connection; beyond the bound it is cut off.
                    if size > DRAIN_LIMIT:
                        return _json({"error": "request too large"}, 413)
                    chunks.clear()
                    continue
                chunks.append(chunk)
        if size > MAX_BODY:
            return _json({"error": "request too large"}, 413)
    except TimeoutError:
        log.debug("%s: body not complete within %s s", request.url.path, BODY_TIMEOUT)
        return _json({"error": "request body too slow"}, 408)
    except ClientDisconnect:
        log.debug("%s: client went away while sending the body", request.url.path)
        return _json({"error": "client went away"}, 400)
    return b"".join(chunks)


class _CachedCheck:
    """A readiness check run at most once per READY_CACHE_SECONDS (on the injected clock's
    monotonic); requests that come meanwhile, or while it runs, share its result."""

    def __init__(self, check: Callable[[], Awaitable[dict[str, bool]]], monotonic: Callable[[], float]) -> None:
        self.check = check
        self.monotonic = monotonic
        self._result: dict[str, bool] | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self) -> dict[str, bool]:
        if self._result is not None and self.monotonic() < self._until:
            return self._result
        async with self._lock:
            if self._result is None or self.monotonic() >= self._until:
                self._result = await self.check()
                self._until = self.monotonic() + READY_CACHE_SECONDS
            return self._result


def parse_form(body: bytes) -> dict[str, list[str]]:
    """Decode an application/x-www-form-urlencoded body; malformed bytes become U+FFFD."""
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, errors="replace",
                    max_num_fields=200)


class _Endpoint:
    """An ASGI callable Starlette mounts as it is (a plain function would be taken for a
    request -> response endpoint)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def create_app(dispatcher: Dispatcher, *, ready_check: Callable[[], Awaitable[bool]] | None = None,
               lifespan: Any = None) -> Starlette:
    services = dispatcher.services

    async def command(scope: Scope, receive: Receive, send: Send) -> None:
        """A plain ASGI endpoint rather than a Starlette one: it may have to answer "one moment"
        while the handler goes on working (see `Dispatcher.command`)."""
        request = Request(scope, receive)
        early: list[asyncio.Task[None]] = []

        def answer_now(reply: dict[str, Any]) -> None:
            early.append(asyncio.ensure_future(_json(reply)(scope, receive, send)))

        response = await _command_response(request, answer_now)
        if early:  # answered already: what came later went through response_url
            await early[0]
        elif response is not None:
            await response(scope, receive, send)

    async def _command_response(request: Request, answer_now: Callable[[dict[str, Any]], None]) -> Response | None:
        body = await _read_body(request)
        if isinstance(body, Response):
            return body
        try:
            form = parse_form(body) if request.method == "POST" else parse_qs(
                request.url.query, keep_blank_values=True, max_num_fields=200)
        except ValueError:
            return _json({"error": "malformed form"}, 400)
        try:
            reply = await dispatcher.command(form, request.headers.get("authorization", ""), answer_now=answer_now)
        except Unauthorized:
            return _json({"error": "unauthorized"}, 401)
        except BadRequest:
            return _json({"error": "malformed user, channel or team id"}, 400)
        except Exception:
            log.exception("command endpoint failed")
            reply = {"response_type": "ephemeral", "text": INTERNAL_ERROR(services.settings.bot_locale)}
        return None if reply is None else _json(reply)

    async def _json_body(request: Request) -> dict[str, Any] | Response:
        body = await _read_body(request)
        if isinstance(body, Response):
            return body
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; "[[[[…" nests too deep
            data = None
        return data if isinstance(data, dict) else _json({"error": "expected a JSON object"}, 400)

    async def action(request: Request) -> Response:
        data = await _json_body(request)
        return data if isinstance(data, Response) else _json(await dispatcher.action(data))

    async def dialog(request: Request) -> Response:
        data = await _json_body(request)
        return data if isinstance(data, Response) else _json(await dispatcher.dialog(data))

    async def healthz(request: Request) -> Response:
        return _json({"status": "ok"})

    async def check_ready() -> dict[str, bool]:
        checks = {"database": False, "mattermost": False}
        try:
            with services.db.read() as session:
                session.execute(sa.text("SELECT 1"))
            checks["database"] = True
        except Exception as e:
            log.warning("readiness: database check failed: %s", type(e).__name__)
        checks["mattermost"] = await (ready_check() if ready_check else services.mm.ping())
        return checks

    readiness = _CachedCheck(check_ready, services.clock.monotonic)

    async def readyz(request: Request) -> Response:
        checks = await readiness()
        return _json({"ready": all(checks.values()), **checks}, 200 if all(checks.values()) else 503)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def openapi(request: Request) -> Response:
        from bot.openapi import SPEC

        return _json(SPEC)

    routes = [
        Route("/mattermost/command", _Endpoint(command), methods=["POST", "GET"]),
        Route("/mattermost/action", action, methods=["POST"]),
        Route("/mattermost/dialog", dialog, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
