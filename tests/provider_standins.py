"""Local stand-ins of the BigBlueButton API and of Zoom's OAuth and meeting endpoints.

They are as strict as the real services where it matters to us:

* BigBlueButton checks every call's checksum the way its API documentation
  describes: the query string without the checksum parameter, the call name in
  front, the shared secret behind, hashed with the algorithm its length names
  (40 hex digits SHA-1, 64 SHA-256, ...). A wrong one gets `checksumError`.
* Zoom issues a token only for the right Basic credentials and account id, and
  creates or deletes meetings only with a bearer token it issued.

Served by uvicorn on a loopback port in a thread; `ProviderStandin.start()` returns
once it is listening.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from commands.meeting.providers import ProviderConfig

_ALGORITHMS = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}


def _xml(returncode: str, **fields: str) -> Response:
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return Response(f"<response><returncode>{returncode}</returncode>{body}</response>", media_type="text/xml")


@dataclass
class ProviderStandin:
    bbb_secret: str = field(default_factory=lambda: "bbb-" + secrets.token_hex(16))
    zoom_account_id: str = "acc-amtsbote-test"
    zoom_client_id: str = "client-amtsbote-test"
    zoom_client_secret: str = field(default_factory=lambda: "zoom-" + secrets.token_hex(16))
    host: str = "127.0.0.1"
    port: int = 0
    # what happened
    bbb_calls: list[tuple[str, dict[str, str], bool]] = field(default_factory=list)  # (call, params, checksum ok)
    bbb_meetings: dict[str, dict[str, str]] = field(default_factory=dict)
    bbb_joins: list[dict[str, str]] = field(default_factory=list)
    zoom_token_requests: list[bool] = field(default_factory=list)  # credentials accepted?
    zoom_tokens: set[str] = field(default_factory=set)
    zoom_meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    zoom_deleted: list[int] = field(default_factory=list)
    zoom_rejected_bearer: int = 0
    # faults to inject
    bbb_fail_key: str | None = None  # create answers FAILED with this messageKey
    zoom_create_status: int | None = None  # create answers this status instead of 201
    zoom_join_url: str | None = None  # create answers 201 with this join_url ("" leaves it out)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _socket: socket.socket | None = None

    # -- wiring --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bbb_url(self) -> str:
        return self.url + "/bigbluebutton/"

    def settings_changes(self) -> dict[str, str]:
        """Settings for a BotHarness that uses these stand-ins."""
        return {"bbb_url": self.bbb_url, "bbb_secret": self.bbb_secret, "zoom_account_id": self.zoom_account_id,
                "zoom_client_id": self.zoom_client_id, "zoom_client_secret": self.zoom_client_secret}

    def config(self, **changes: Any) -> ProviderConfig:
        values: dict[str, Any] = {"jitsi_url": "https://meet.example.org", **self.settings_changes(),
                                  "zoom_oauth_url": self.url + "/oauth/token", "zoom_api_url": self.url + "/v2"}
        values.update(changes)
        return ProviderConfig(**values)

    def revoke_zoom_tokens(self) -> None:
        self.zoom_tokens.clear()

    def start(self) -> ProviderStandin:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(32)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_config=None, log_level="warning", access_log=False,
                                lifespan="off", http="h11", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(server.serve(sockets=[sock]))
            finally:
                loop.close()

        self._server, self._socket = server, sock
        self._thread = threading.Thread(target=run, name=f"provider-standin-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("provider stand-in did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/bigbluebutton/api/{call}", self._bbb, methods=["GET"]),
            Route("/oauth/token", self._zoom_token, methods=["POST"]),
            Route("/v2/users/me/meetings", self._zoom_create, methods=["POST"]),
            Route("/v2/meetings/{meeting_id}", self._zoom_delete, methods=["DELETE"]),
        ])

    # -- BigBlueButton ------------------------------------------------------------------------------

    def bbb_checksum_ok(self, call: str, raw_query: str) -> bool:
        """The documented check: hash(call + query string without checksum + secret) equals checksum."""
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        checksum = params.get("checksum", "")
        algorithm = _ALGORITHMS.get(len(checksum))
        if algorithm is None:
            return False
        query = raw_query
        for piece in ("&checksum=" + checksum, "checksum=" + checksum + "&", "checksum=" + checksum):
            query = query.replace(piece, "")
        expected = hashlib.new(algorithm, (call + query + self.bbb_secret).encode()).hexdigest()
        return secrets.compare_digest(expected, checksum)

    async def _bbb(self, request: Request) -> Response:
        call = request.path_params["call"]
        raw = request.scope["query_string"].decode()
        params = {k: v for k, v in parse_qsl(raw, keep_blank_values=True) if k != "checksum"}
        ok = self.bbb_checksum_ok(call, raw)
        self.bbb_calls.append((call, params, ok))
        if not ok:
            return _xml("FAILED", messageKey="checksumError", message="Checksums do not match")
        if call == "create":
            if self.bbb_fail_key:
                return _xml("FAILED", messageKey=self.bbb_fail_key, message="refused by test")
            meeting_id = params.get("meetingID", "")
            if not 2 <= len(meeting_id) <= 256 or "," in meeting_id or not 2 <= len(params.get("name", "")) <= 64:
                return _xml("FAILED", messageKey="validationError", message="bad meetingID or name")
            known = meeting_id in self.bbb_meetings
            self.bbb_meetings.setdefault(meeting_id, params)
            extra = {"messageKey": "duplicateWarning"} if known else {}
            return _xml("SUCCESS", meetingID=meeting_id, internalMeetingID=hashlib.sha1(meeting_id.encode()).hexdigest(),
                        createTime=str(int(time.time() * 1000)), **extra)
        if call == "join":
            if params.get("meetingID") not in self.bbb_meetings:
                return _xml("FAILED", messageKey="invalidMeetingIdentifier", message="no such meeting")
            if not params.get("fullName") or params.get("role", "").upper() not in ("MODERATOR", "VIEWER"):
                return _xml("FAILED", messageKey="missingParamFullNameOrRole", message="fullName and role needed")
            self.bbb_joins.append(params)
            return RedirectResponse(self.url + "/html5client/join?sessionToken=" + secrets.token_hex(8), status_code=302)
        return _xml("FAILED", messageKey="unsupportedRequest", message="not in the stand-in")

    # -- Zoom -------------------------------------------------------------------------------------------

    async def _zoom_token(self, request: Request) -> Response:
        expected = base64.b64encode(f"{self.zoom_client_id}:{self.zoom_client_secret}".encode()).decode()
        auth = request.headers.get("authorization", "")
        ok = (secrets.compare_digest(auth, "Basic " + expected)
              and request.query_params.get("grant_type") == "account_credentials"
              and request.query_params.get("account_id") == self.zoom_account_id)
        self.zoom_token_requests.append(ok)
        if not ok:
            return JSONResponse({"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, 401)
        token = "zt-" + secrets.token_urlsafe(24)
        self.zoom_tokens.add(token)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 3599,
                             "scope": "meeting:write:meeting:admin"})

    def _bearer_ok(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        ok = auth.startswith("Bearer ") and auth[len("Bearer "):] in self.zoom_tokens
        if not ok:
            self.zoom_rejected_bearer += 1
        return ok

    async def _zoom_create(self, request: Request) -> Response:
        if not self._bearer_ok(request):
            return JSONResponse({"code": 124, "message": "Invalid access token."}, 401)
        if self.zoom_create_status is not None:
            return JSONResponse({"code": 300, "message": "refused by test"}, self.zoom_create_status)
        body = await request.json()
        if not isinstance(body, dict) or body.get("type") not in (1, 2, 3, 8):
            return JSONResponse({"code": 300, "message": "Invalid meeting type"}, 400)
        meeting_id = 80_000_000_000 + len(self.zoom_meetings) + 1
        self.zoom_meetings[meeting_id] = body
        answer = {"id": meeting_id, "topic": body.get("topic"), "type": body["type"],
                  "join_url": f"https://zoom.example/j/{meeting_id}?pwd={secrets.token_urlsafe(12)}",
                  "start_url": f"https://zoom.example/s/{meeting_id}?zak=secret", "password": "123456"}
        if self.zoom_join_url is not None:
            answer["join_url"] = self.zoom_join_url
            if not self.zoom_join_url:
                del answer["join_url"]
        return JSONResponse(answer, 201)

    async def _zoom_delete(self, request: Request) -> Response:
        if not self._bearer_ok(request):
            return JSONResponse({"code": 124, "message": "Invalid access token."}, 401)
        meeting_id = int(unquote(request.path_params["meeting_id"]))
        if meeting_id not in self.zoom_meetings:
            return JSONResponse({"code": 3001, "message": "Meeting does not exist."}, 404)
        self.zoom_deleted.append(meeting_id)
        return Response(status_code=204)


@pytest.fixture
def provider_standin() -> Iterator[ProviderStandin]:
    """A running stand-in whose secrets the suite-wide log scan looks for."""
    from commands.meeting import providers
    from tests import scan

    standin = ProviderStandin().start()
    scan.SECRETS.update({standin.bbb_secret, standin.zoom_client_secret})
    providers._zoom_tokens.clear()
    try:
        yield standin
    finally:
        standin.stop()
        scan.SECRETS.update(standin.zoom_tokens)
        providers._zoom_tokens.clear()
