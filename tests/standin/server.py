"""An in-process Mattermost stand-in: REST v4 and the websocket over loopback.

The bot's tests run the real bot and the real `mattermostautodriver` against this
server, so it speaks the wire protocol of the real one (status codes, error bodies,
headers, event envelopes; see shared/MATTERMOST-FACTS.md) and checks every /api/v4
request - and its own answers - against the official OpenAPI description.

Everything runs in a uvicorn thread with its own event loop; the state is guarded by
one lock, so tests may seed and inspect it from their own thread at any time.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import hmac
import json
import logging
import math
import mimetypes
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from .faults import Faults, GcraRateLimiter
from .model import (
    COMMAND_FIELDS,
    Channel,
    ChannelMember,
    Command,
    CommandHook,
    Dialog,
    FileInfo,
    Post,
    Team,
    TeamMember,
    User,
    is_valid_id,
    new_id,
    wall_ms,
)
from .openapi import Spec, load_spec

log = logging.getLogger("tests.standin")

SERVER_VERSION = "10.11.0"
MAX_MESSAGE_RUNES = 16383  # PostMessageMaxRunesV2, the floor of determineMaxPostSize
PENDING_POST_TTL_MS = 30_000  # PendingPostIDsCacheTTL
COMMAND_HOOK_LIFETIME_MS = 30 * 60 * 1000  # CommandWebhookLifetime
COMMAND_HOOK_MAX_USES = 5
INTEGRATION_TIMEOUT = 30.0  # OutgoingIntegrationRequestsTimeout, and the HTTP client's cap
MAX_INTEGRATION_RESPONSE = 1024 * 1024  # MaxIntegrationResponseSize
USER_AGENT = "Mattermost-Bot/1.1"
BUILTIN_TRIGGERS = frozenset(
    "away busy code collapse dnd echo expand groupmsg header help invite invite_people join kick "
    "leave logout me msg mute offline online open purpose recent remove rename search settings "
    "shortcuts shrug status".split())


class _ChannelMembers(dict[tuple[str, str], ChannelMember]):
    """(channel id, user id) -> member, with an index of each channel's members, so that a post
    in one channel of a large world does not scan every membership."""

    def __init__(self) -> None:
        super().__init__()
        self._by_channel: dict[str, dict[str, None]] = {}

    def __setitem__(self, key: tuple[str, str], value: ChannelMember) -> None:
        super().__setitem__(key, value)
        self._by_channel.setdefault(key[0], {})[key[1]] = None

    def __delitem__(self, key: tuple[str, str]) -> None:
        super().__delitem__(key)
        self._by_channel.get(key[0], {}).pop(key[1], None)

    _missing = object()

    def pop(self, key: tuple[str, str], default: Any = _missing) -> Any:
        if key in self:
            value = super().pop(key)
            self._by_channel.get(key[0], {}).pop(key[1], None)
            return value
        if default is self._missing:
            raise KeyError(key)
        return default

    def of(self, channel_id: str) -> list[str]:
        """The user ids of a channel's members, in the order they joined."""
        return list(self._by_channel.get(channel_id, ()))


class ApiError(Exception):
    """A Mattermost AppError; rendered as the standard JSON error body."""

    def __init__(self, status: int, error_id: str, message: str, detailed: str = "") -> None:
        super().__init__(f"{status} {error_id}: {message}")
        self.status, self.error_id, self.message, self.detailed = status, error_id, message, detailed

    def body(self) -> dict[str, Any]:
        return {"id": self.error_id, "message": self.message, "detailed_error": self.detailed,
                "request_id": new_id(), "status_code": self.status}


def _forbidden() -> ApiError:
    return ApiError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions.")


def _bad_body(name: str, detail: str = "") -> ApiError:
    return ApiError(400, "api.context.invalid_body_param.app_error", f"Invalid or missing {name} in request body.",
                    detail)


def _bad_url_param(name: str) -> ApiError:
    return ApiError(400, "api.context.invalid_url_param.app_error", f"Invalid or missing {name} parameter in request URL.")


@dataclass
class RecordedRequest:
    """One request as the stand-in saw it, with how it was answered.

    `outcome` is "ok" (handled), "fault" (answered by an injected fault), "rate_limited",
    "lost" (handled, answer withheld) or "websocket".
    """

    method: str
    path: str
    query: dict[str, str]
    query_list: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    json: Any
    form: dict[str, Any] | None
    time: float
    wall_time: float
    user_id: str = ""
    status: int = 0
    outcome: str = "ok"
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""


@dataclass
class Violation:
    method: str
    path: str
    reason: str
    operation_id: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.operation_id or '?'}]: {self.reason}"


@dataclass
class Event:
    """A websocket event as published, and which users' connections received it."""

    event: str
    data: dict[str, Any]
    broadcast: dict[str, Any]
    recipients: list[str]


@dataclass
class _WsConn:
    id: str
    user_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue


class CommandFailure(Exception):
    """What the invoking user sees when Mattermost could not run a command response."""

    def __init__(self, status: int, error_id: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_id, self.message = status, error_id, message


_SLACK_LINK = re.compile(r"<([^\n<|>]+)\|([^\n>]+)>")
_SLACK_USER = re.compile(r"<@([a-z0-9]{26})>")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9.\-_:]*)")
_CHANNEL_MENTION = re.compile(r"(?<![\w~])~([A-Za-z0-9\-_]+)")


def _ref(obj: Any) -> str:
    return obj if isinstance(obj, str) else obj.id


def _bearer(headers: Any) -> str:
    """ParseAuthTokenFromRequest: `Authorization: Bearer <t>` or `Token <t>`."""
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "token") and token.strip() else ""


def _go_bool(value: str | None) -> bool:
    return (value or "").lower() in ("1", "t", "true")


def _page(query: Any) -> tuple[int, int]:
    """c.Params: bad values fall back to the defaults, per_page is capped at 200."""
    try:
        page = max(int(query.get("page", "0")), 0)
    except ValueError:
        page = 0
    try:
        per_page = int(query.get("per_page", "60"))
        per_page = 60 if per_page < 0 else min(per_page, 200)
    except ValueError:
        per_page = 60
    return page, per_page


class MattermostStandin:
    """A fake Mattermost server. See the module docstring; `start()` before use."""

    def __init__(self, *, spec_path: str | Path | None = None, host: str = "127.0.0.1",
                 hello_first: bool = True, http: str = "h11") -> None:
        self.host = host
        self.http = http  # h11 is strict about the wire format; benchmarks take the faster httptools
        self.port = 0
        self.hello_first = hello_first  # the real server sends hello and the auth OK in either order
        self.trigger_id_lifetime = INTEGRATION_TIMEOUT
        self.faults = Faults()
        self._limiter: GcraRateLimiter | None = None
        self._lock = threading.RLock()
        self._secret = new_id().encode()
        self._clock_offset_ms = 0
        self._teams: dict[str, Team] = {}
        self._users: dict[str, User] = {}
        self._tokens: dict[str, str] = {}
        self._channels: dict[str, Channel] = {}
        self._team_members: dict[tuple[str, str], TeamMember] = {}
        self._channel_members = _ChannelMembers()
        self._posts: dict[str, Post] = {}
        self._ephemerals: list[Post] = []
        self._files: dict[str, FileInfo] = {}
        self._file_data: dict[str, bytes] = {}
        self._commands: dict[str, Command] = {}
        self._hooks: dict[str, CommandHook] = {}
        self._pending_posts: dict[str, tuple[str, int]] = {}  # pending_post_id -> (post id or "", expiry ms)
        self._first_bot = ""
        self._ws: dict[str, _WsConn] = {}
        self.dialogs: list[Dialog] = []
        self.events: list[Event] = []
        self._requests: list[RecordedRequest] = []
        self.spec_violations: list[Violation] = []
        self.self_violations: list[Violation] = []
        self.protocol_problems: list[Violation] = []
        self._expected: list[tuple[re.Pattern[str], list[int]]] = []
        self.spec: Spec | None
        self.spec, self.validation_skipped_reason = load_spec(Path(spec_path) if spec_path else None)
        self._app = self._build_app()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._socket: socket.socket | None = None
        self._client: Any = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> MattermostStandin:
        """Listen on a free port the first time, and on the same port after `outage()`."""
        if self._server is not None:
            return self
        # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets with that proto (else ~40 ms per answer).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self._asgi, log_config=None, log_level="warning", access_log=False,
                                lifespan="off", interface="asgi3", proxy_headers=False, http=self.http, ws="websockets-sansio", ws_max_size=8 * 1024,
                                ws_ping_interval=60.0, ws_ping_timeout=100.0, timeout_graceful_shutdown=2)
        server = uvicorn.Server(config)
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._release = asyncio.Event()
            ready.set()
            try:
                loop.run_until_complete(server.serve(sockets=[sock]))
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._socket, self._server = sock, server
        self._thread = threading.Thread(target=run, name=f"mattermost-standin-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(5)
        deadline = time.monotonic() + 10
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Mattermost stand-in did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop listening and close every connection; the state is kept."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        loop, release = self._loop, self._release
        if loop is not None and release is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(release.set)
            for conn in list(self._ws.values()):
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(conn.queue.put_nowait, ("close", None))
        server.should_exit = True
        thread.join(15)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self._loop = self._release = None

    def outage(self) -> None:
        """Stop listening: clients get "connection refused" until `recover()`."""
        self.stop()

    def recover(self) -> None:
        """Listen again on the same port, with all state kept."""
        self.start()

    def __enter__(self) -> MattermostStandin:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- clock -------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return wall_ms() + self._clock_offset_ms

    def advance(self, seconds: float) -> None:
        """Move the server's clock: expires trigger ids, response_urls and post dedup early."""
        self._clock_offset_ms += int(seconds * 1000)

    # -- seeding -----------------------------------------------------------------------------

    def add_team(self, name: str, display_name: str | None = None, *, type: str = "O") -> Team:
        team = Team(id=new_id(), name=name, display_name=display_name or name, type=type, create_at=self.now_ms())
        with self._lock:
            self._teams[team.id] = team
        return team

    def add_user(self, username: str, *, first_name: str = "", last_name: str = "", nickname: str = "",
                 locale: str = "de", roles: str = "system_user", is_bot: bool = False,
                 timezone: dict[str, str] | None = None, email: str | None = None) -> User:
        user = User(id=new_id(), username=username.lower(), first_name=first_name, last_name=last_name,
                    nickname=nickname, email=email if email is not None else f"{username.lower()}@example.test",
                    locale=locale, roles=roles, is_bot=is_bot, create_at=self.now_ms())
        if timezone is not None:
            user.timezone = {k: str(v) for k, v in timezone.items()}
        with self._lock:
            if any(u.username == user.username for u in self._users.values()):
                raise ValueError(f"username {username!r} is taken")
            self._users[user.id] = user
            if is_bot and not self._first_bot:
                self._first_bot = user.id
        return user

    def add_bot(self, username: str, *, roles: str = "system_user", description: str = "") -> tuple[User, str]:
        """A bot account and a user access token for it (bot tokens work without EnableUserAccessTokens)."""
        user = self.add_user(username, roles=roles, is_bot=True, email="", locale="")
        user.bot_description = description
        return user, self.add_token(user)

    def add_token(self, user: User | str) -> str:
        token = new_id()
        with self._lock:
            self._tokens[token] = _ref(user)
        return token

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def add_channel(self, team: Team | str, name: str, display_name: str | None = None, type: str = "O") -> Channel:
        if type not in ("O", "P"):
            raise ValueError("use direct_channel() for DMs")
        channel = Channel(id=new_id(), team_id=_ref(team), name=name, display_name=display_name or name, type=type,
                          create_at=self.now_ms())
        with self._lock:
            self._channels[channel.id] = channel
        return channel

    def add_team_member(self, team: Team | str, user: User | str, *, admin: bool = False) -> TeamMember:
        key = (_ref(team), _ref(user))
        with self._lock:
            member = self._team_members.get(key)
            if member is None:
                member = self._team_members[key] = TeamMember(team_id=key[0], user_id=key[1], scheme_admin=admin)
                self._publish("added_to_team", {"team_id": key[0], "user_id": key[1]}, user_id=key[1])
            elif admin and not member.scheme_admin:
                self.set_team_admin(team, user)
            return member

    def set_team_admin(self, team: Team | str, user: User | str, admin: bool = True) -> TeamMember:
        key = (_ref(team), _ref(user))
        with self._lock:
            member = self._team_members.get(key)
            if member is None:
                return self.add_team_member(team, user, admin=admin)
            member.scheme_admin = admin
            self._publish("memberrole_updated", {"member": json.dumps(member.to_api())}, user_id=key[1])
            return member

    def add_member(self, channel: Channel | str, user: User | str, admin: bool = False) -> ChannelMember:
        """Join a user to a channel (and to its team, as the real server requires)."""
        cid, uid = _ref(channel), _ref(user)
        with self._lock:
            chan = self._channels[cid]
            if chan.team_id:
                self.add_team_member(chan.team_id, uid)
            member = self._channel_members.get((cid, uid))
            if member is not None:
                if member.scheme_admin != admin:
                    self.set_channel_admin(cid, uid, admin)
                return member
            member = self._channel_members[(cid, uid)] = ChannelMember(channel_id=cid, user_id=uid, scheme_admin=admin,
                                                                       last_update_at=self.now_ms())
            data = {"user_id": uid, "team_id": chan.team_id}
            self._publish("user_added", data, channel_id=cid, omit_users=[uid])
            self._publish("user_added", {**data, "channel_id": cid}, user_id=uid)
            return member

    def set_channel_admin(self, channel: Channel | str, user: User | str, admin: bool = True) -> ChannelMember:
        """Change scheme_admin; emits `channel_member_updated` to that user, as the server does."""
        cid, uid = _ref(channel), _ref(user)
        with self._lock:
            member = self._channel_members[(cid, uid)]
            member.scheme_admin = admin
            member.last_update_at = self.now_ms()
            self._publish("channel_member_updated", {"channelMember": json.dumps(member.to_api())}, user_id=uid)
            return member

    def remove_member(self, channel: Channel | str, user: User | str, *, remover: User | str | None = None) -> None:
        cid, uid = _ref(channel), _ref(user)
        remover_id = _ref(remover) if remover is not None else uid
        with self._lock:
            if self._channel_members.pop((cid, uid), None) is None:
                return
            self._publish("user_removed", {"user_id": uid, "remover_id": remover_id}, channel_id=cid)
            self._publish("user_removed", {"channel_id": cid, "remover_id": remover_id}, user_id=uid)

    def update_user(self, user: User | str, **changes: Any) -> User:
        """Change a user's fields (locale, names, roles, timezone, delete_at...); emits `user_updated`."""
        with self._lock:
            target = self._users[_ref(user)]
            for key, value in changes.items():
                if not hasattr(target, key) or key == "id":
                    raise AttributeError(key)
                setattr(target, key, value)
            target.update_at = self.now_ms()
            self._publish("user_updated", {"user": target.to_api()})
            return target

    def direct_channel(self, a: User | str, b: User | str) -> Channel:
        """Get or create the DM channel of two users (name: sorted ids joined by `__`)."""
        ua, ub = sorted((_ref(a), _ref(b)))
        name = f"{ua}__{ub}"
        with self._lock:
            for chan in self._channels.values():
                if chan.type == "D" and chan.name == name:
                    return chan
            chan = Channel(id=new_id(), team_id="", name=name, display_name="", type="D", creator_id=_ref(a),
                           create_at=self.now_ms())
            self._channels[chan.id] = chan
            for uid in {ua, ub}:
                self._channel_members[(chan.id, uid)] = ChannelMember(channel_id=chan.id, user_id=uid,
                                                                      last_update_at=self.now_ms())
            other = ub if _ref(a) == ua else ua
            self._publish("direct_added", {"creator_id": _ref(a), "teammate_id": other}, user_id=other)
            return chan

    # -- inspection --------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, method: str | None = None, path: str = ".*") -> list[RecordedRequest]:
        pattern = re.compile(path)
        return [r for r in self.requests
                if (method is None or r.method == method.upper()) and pattern.search(r.path)]

    def user(self, ref: User | str) -> User:
        with self._lock:
            if isinstance(ref, User):
                return ref
            if ref in self._users:
                return self._users[ref]
            for user in self._users.values():
                if user.username == ref.lower().lstrip("@"):
                    return user
        raise KeyError(ref)

    def channel(self, ref: Channel | str) -> Channel:
        with self._lock:
            if isinstance(ref, Channel):
                return ref
            if ref in self._channels:
                return self._channels[ref]
            matches = [c for c in self._channels.values() if c.name == ref.lstrip("~")]
        if len(matches) == 1:
            return matches[0]
        raise KeyError(ref)

    def team(self, ref: Team | str) -> Team:
        with self._lock:
            if isinstance(ref, Team):
                return ref
            if ref in self._teams:
                return self._teams[ref]
            for team in self._teams.values():
                if team.name == ref:
                    return team
        raise KeyError(ref)

    def posts_in(self, channel_id: Channel | str) -> list[Post]:
        cid = _ref(channel_id)
        with self._lock:
            return [copy.deepcopy(p) for p in sorted(self._posts.values(), key=lambda p: p.create_at)
                    if p.channel_id == cid]

    def post(self, post_id: str) -> Post | None:
        with self._lock:
            post = self._posts.get(post_id)
            return copy.deepcopy(post) if post else None

    def ephemeral_post(self, post_id: str, user_id: User | str) -> Post | None:
        """An ephemeral post as its one user's client still shows it (None for anyone else)."""
        uid = _ref(user_id)
        with self._lock:
            post = next((p for p in self._ephemerals if p.id == post_id and p.ephemeral_for == uid), None)
            return copy.deepcopy(post) if post else None

    def refuse_ephemeral_update(self, post: Post) -> None:
        """An integration answered a button on an ephemeral post with `update`: the servers cities
        run fail it with "Unable to get the post." (404) and the user sees an error."""
        self._protocol_problem(f"action on ephemeral post {post.id}", "answered with `update`, which Mattermost "
                               "refuses for an ephemeral post (404 Unable to get the post.): use `ephemeral_text`")

    def ephemerals_for(self, user_id: User | str) -> list[Post]:
        uid = _ref(user_id)
        with self._lock:
            return [copy.deepcopy(p) for p in self._ephemerals if p.ephemeral_for == uid]

    def dms_for(self, user_id: User | str, *, bot: User | str | None = None) -> list[Post]:
        """Posts in the DM channel between the bot (the first bot added, by default) and a user."""
        bot_id = _ref(bot) if bot is not None else self._first_bot
        name = "__".join(sorted((bot_id, _ref(user_id))))
        with self._lock:
            chan = next((c for c in self._channels.values() if c.type == "D" and c.name == name), None)
        return self.posts_in(chan.id) if chan else []

    def file_bytes(self, file_id: str) -> bytes:
        with self._lock:
            return self._file_data[file_id]

    def file_info(self, file_id: str) -> FileInfo:
        with self._lock:
            return copy.deepcopy(self._files[file_id])

    def commands(self, team: Team | str | None = None) -> list[Command]:
        with self._lock:
            team_id = None if team is None else self.team(team).id
            return [copy.deepcopy(c) for c in self._commands.values()
                    if c.delete_at == 0 and (team_id is None or c.team_id == team_id)]

    def add_command(self, team: Team | str, trigger: str, url: str, *, creator: User | str | None = None,
                    method: str = "P", **fields: Any) -> Command:
        """Register a custom slash command directly, as an admin would in the System Console."""
        cmd = Command(id=new_id(), token=new_id(), team_id=_ref(team), trigger=trigger.lower(), url=url, method=method,
                      creator_id=_ref(creator) if creator is not None else "", create_at=self.now_ms(), **fields)
        with self._lock:
            self._commands[cmd.id] = cmd
        return cmd

    def dialogs_for(self, user_id: User | str) -> list[Dialog]:
        uid = _ref(user_id)
        with self._lock:
            return [d for d in self.dialogs if d.user_id == uid]

    def events_for(self, user_id: User | str, event: str | None = None) -> list[Event]:
        uid = _ref(user_id)
        with self._lock:
            return [e for e in self.events if uid in e.recipients and (event is None or e.event == event)]

    def websocket_users(self) -> list[str]:
        with self._lock:
            return [c.user_id for c in self._ws.values()]

    # -- rate limiting and expectations -------------------------------------------------------

    def rate_limit(self, per_sec: int | None = 10, burst: int = 100, *,
                   clock: Callable[[], int] = time.monotonic_ns) -> None:
        """Turn on Mattermost's GCRA limiter for all requests (one client IP), or off with None.

        `clock` (nanoseconds) lets a test freeze time to check the exact burst boundary."""
        self._limiter = None if per_sec is None else GcraRateLimiter(per_sec, burst, clock=clock)

    def expect_violation(self, pattern: str) -> None:
        """Declare that a spec or protocol violation matching `pattern` is expected in this test."""
        self._expected.append((re.compile(pattern), [0]))

    def unexpected_problems(self) -> list[str]:
        """Violations not covered by `expect_violation`, plus expectations that never matched."""
        problems = []
        with self._lock:
            found = [("spec", v) for v in self.spec_violations] + [("protocol", v) for v in self.protocol_problems]
            own = list(self.self_violations)
        for kind, violation in found:
            hit = next((e for e in self._expected if e[0].search(str(violation))), None)
            if hit is None:
                problems.append(f"{kind} violation: {violation}")
            else:
                hit[1][0] += 1
        problems += [f"stand-in violation (fix tests/standin): {v}" for v in own]
        problems += [f"expected a violation matching {p.pattern!r}, none happened" for p, n in self._expected if not n[0]]
        return problems

    # -- acting as the server towards the bot (see mattermost_client.py) --------------------------

    @property
    def client(self) -> Any:
        """A `MattermostClient` for this stand-in: slash commands, clicks, dialog submissions."""
        if self._client is None:
            from .mattermost_client import MattermostClient

            self._client = MattermostClient(self)
        return self._client

    def slash(self, bot_base_url: str | None = None, **kwargs: Any) -> Any:
        """`MattermostClient.slash`: type a slash command; the bot gets the server's form POST."""
        return self.client.slash(bot_base_url, **kwargs)

    def click(self, bot_base_url: str | None = None, **kwargs: Any) -> Any:
        """`MattermostClient.click`: press a button or choose a menu option of a stored post."""
        return self.client.click(bot_base_url, **kwargs)

    def submit_dialog(self, bot_base_url: str | None = None, **kwargs: Any) -> Any:
        """`MattermostClient.submit_dialog`: submit (or cancel) a dialog the bot opened."""
        return self.client.submit_dialog(bot_base_url, **kwargs)

    # -- websocket events ---------------------------------------------------------------------

    def broadcast(self, event: str, data: dict[str, Any], *, user_id: str = "", channel_id: str = "",
                  team_id: str = "", omit_users: Iterable[str] | None = None) -> Event:
        """Publish an event like the server's hub: to one user, a channel's members, a team, or all."""
        return self._publish(event, data, user_id=user_id, channel_id=channel_id, team_id=team_id,
                             omit_users=omit_users)

    def disconnect_websockets(self) -> None:
        """Close every websocket from the server side (clients should reconnect)."""
        for conn in list(self._ws.values()):
            with contextlib.suppress(RuntimeError):
                conn.loop.call_soon_threadsafe(conn.queue.put_nowait, ("close", None))

    def _publish(self, event: str, data: dict[str, Any], *, user_id: str = "", channel_id: str = "",
                 team_id: str = "", omit_users: Iterable[str] | None = None,
                 per_user: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> Event:
        omit = {u: True for u in omit_users or ()}
        broadcast = {"omit_users": omit or None, "user_id": user_id, "channel_id": channel_id, "team_id": team_id,
                     "connection_id": "", "omit_connection_id": ""}
        with self._lock:
            conns = [c for c in self._ws.values() if c.user_id not in omit and self._receives(c.user_id, broadcast)]
            record = Event(event, data, broadcast, sorted({c.user_id for c in conns}))
            self.events.append(record)
        for conn in conns:
            payload = per_user(conn.user_id, data) if per_user else data
            message = {"event": event, "data": payload, "broadcast": broadcast}
            with contextlib.suppress(RuntimeError):
                conn.loop.call_soon_threadsafe(conn.queue.put_nowait, ("event", message))
        return record

    def _receives(self, uid: str, broadcast: dict[str, Any]) -> bool:
        if broadcast["user_id"]:
            return uid == broadcast["user_id"]
        if broadcast["channel_id"]:
            return (broadcast["channel_id"], uid) in self._channel_members
        if broadcast["team_id"]:
            return (broadcast["team_id"], uid) in self._team_members
        return True

    # -- permissions (model/role.go defaults) ---------------------------------------------------

    def _is_team_member(self, team_id: str, uid: str) -> bool:
        member = self._team_members.get((team_id, uid))
        return member is not None and member.delete_at == 0

    def _can_view_team(self, user: User, team_id: str) -> bool:
        return user.is_system_admin or self._is_team_member(team_id, user.id)

    def _can_manage_commands(self, user: User, team_id: str) -> bool:
        """manage_slash_commands: team_admin and system_admin only (not team_user, not system_user)."""
        member = self._team_members.get((team_id, user.id))
        return user.is_system_admin or bool(member and member.delete_at == 0 and member.scheme_admin)

    def _can_read_channel(self, user: User, chan: Channel) -> bool:
        if user.is_system_admin or (chan.id, user.id) in self._channel_members:
            return True
        return chan.type == "O" and self._is_team_member(chan.team_id, user.id)

    def _can_post(self, user: User, chan: Channel) -> bool:
        """create_post via channel membership, else system_post_all / *_post_all_public roles."""
        if user.is_system_admin or user.has_role("system_post_all") or (chan.id, user.id) in self._channel_members:
            return True
        return chan.type == "O" and user.has_role("system_post_all_public")

    # -- the request pipeline (ASGI) --------------------------------------------------------------

    async def _asgi(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] == "websocket":
            self._record_websocket(scope)
            await self._app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        body = bytes(body)
        record = await self._record_http(scope, body)
        rate_headers: list[tuple[str, str]] = []
        if self._limiter is not None:
            decision = self._limiter.check()
            rate_headers = decision.headers
            if decision.limited:
                # http.Error(w, "limit exceeded", 429) after setRateLimitHeaders.
                response = PlainTextResponse("limit exceeded\n", status_code=429,
                                             headers={"X-Content-Type-Options": "nosniff"})
                await self._answer(scope, receive, send, record, response, rate_headers, outcome="rate_limited")
                return
        plan = self.faults.plan(scope["method"], scope["path"])
        if plan.latency:
            await asyncio.sleep(plan.latency)
        if plan.answer is not None:
            await self._answer(scope, receive, send, record, self._fault_response(plan.answer), rate_headers,
                               outcome="fault")
            return
        scope = {**scope, "standin.slow_processing": plan.slow_processing}
        sent_body = False

        async def replay() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        captured: list[dict[str, Any]] = []

        async def capture(message: dict[str, Any]) -> None:
            captured.append(message)

        try:
            await self._app(scope, replay, capture)
        except Exception:  # noqa: BLE001 - a crash in the stand-in must fail the test, not hang it
            self._violation(self.self_violations, record, f"stand-in handler crashed:\n{traceback.format_exc()}")
            captured = []
            error = ApiError(500, "standin.crash", "The stand-in crashed; see self_violations.")
            response = JSONResponse(error.body(), status_code=500)
            await response(scope, replay, capture)
        start = next(m for m in captured if m["type"] == "http.response.start")
        start["headers"] = [*start.get("headers", []), *((k.lower().encode(), v.encode()) for k, v in rate_headers),
                            (b"x-request-id", new_id().encode()),
                            (b"x-version-id", f"{SERVER_VERSION}.{SERVER_VERSION}.standin.false".encode())]
        response_body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        self._finish_record(record, start, response_body, "lost" if plan.lose_response else "ok")
        self._check_response(record)
        if plan.lose_response:
            await self._hold(receive, send, start)
            return
        for message in captured:
            await send(message)

    async def _answer(self, scope: dict[str, Any], receive: Callable, send: Callable, record: RecordedRequest,
                      response: Response, extra_headers: list[tuple[str, str]], *, outcome: str) -> None:
        for name, value in extra_headers:
            response.headers.append(name, value)
        captured: list[dict[str, Any]] = []

        async def capture(message: dict[str, Any]) -> None:
            captured.append(message)

        await response(scope, receive, capture)
        start = captured[0]
        self._finish_record(record, start, b"".join(m.get("body", b"") for m in captured[1:]), outcome)
        for message in captured:
            await send(message)

    def _fault_response(self, fault: Any) -> Response:
        status = fault.status
        if status == 429:
            wait = math.ceil(fault.retry_after if fault.retry_after is not None else 1)
            limit = self._limiter.limit if self._limiter else 101
            return PlainTextResponse(fault.message or "limit exceeded\n", status_code=429, headers={
                "Retry-After": str(wait), "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(wait), "X-Content-Type-Options": "nosniff"})
        error = ApiError(status, "standin.injected_fault", fault.message or f"Injected fault (status {status}).")
        return JSONResponse(error.body(), status_code=status)

    async def _hold(self, receive: Callable, send: Callable, start: dict[str, Any]) -> None:
        """Withhold the answer until the client gives up (or the server stops)."""
        release = self._release
        waiter = asyncio.ensure_future(release.wait()) if release is not None else None
        try:
            while True:
                getter = asyncio.ensure_future(receive())
                done, _ = await asyncio.wait({getter, *(w for w in (waiter,) if w)}, timeout=600,
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter in done and getter.result().get("type") == "http.disconnect":
                    return
                if getter not in done:
                    getter.cancel()
                    # Shutting down: send the head only, so the connection is dropped mid-answer.
                    await send({**start, "headers": [(b"content-length", b"1000000")]})
                    return
        finally:
            if waiter is not None:
                waiter.cancel()

    async def _record_http(self, scope: dict[str, Any], body: bytes) -> RecordedRequest:
        headers: dict[str, str] = {}
        for key, value in scope["headers"]:
            name = key.decode("latin-1").lower()
            headers[name] = f"{headers[name]}, {value.decode('latin-1')}" if name in headers else value.decode("latin-1")
        query_list = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        parsed_json: Any = None
        form_items: list[tuple[str, Any]] | None = None
        if media == "application/json" and body:
            with contextlib.suppress(ValueError):
                parsed_json = json.loads(body)
        elif media in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form_items = await self._parse_form(scope, body)
        token = _bearer(headers) or dict(query_list).get("access_token", "")
        with self._lock:
            uid = self._tokens.get(token, "")
        record = RecordedRequest(
            method=scope["method"], path=scope["path"], query=dict(query_list), query_list=query_list,
            headers=headers, body=body, json=parsed_json,
            form=None if form_items is None else {k: v for k, v in form_items}, time=time.monotonic(),
            wall_time=time.time(), user_id=uid)
        with self._lock:
            self._requests.append(record)
        if scope["path"].startswith("/api/v4/") and self.spec is not None:
            op, problems = self.spec.check_request(method=scope["method"], path=scope["path"], query=query_list,
                                                   content_type=headers.get("content-type", ""), body=body,
                                                   form=form_items)
            for problem in problems:
                self._violation(self.spec_violations, record, problem, op.operation_id if op else "")
        return record

    async def _parse_form(self, scope: dict[str, Any], body: bytes) -> list[tuple[str, Any]]:
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        request = Request({**scope, "type": "http"}, replay)
        items: list[tuple[str, Any]] = []
        try:
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        data = await value.read()
                        items.append((key, {"filename": value.filename, "content_type": value.content_type,
                                            "size": len(data)}))
                    else:
                        items.append((key, value))
        except Exception as e:  # noqa: BLE001 - a malformed form is reported, not fatal
            items.append(("<unparseable form>", str(e)))
        return items

    def _record_websocket(self, scope: dict[str, Any]) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query_list = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        record = RecordedRequest(method="GET", path=scope["path"], query=dict(query_list), query_list=query_list,
                                 headers=headers, body=b"", json=None, form=None, time=time.monotonic(),
                                 wall_time=time.time(), status=101, outcome="websocket")
        with self._lock:
            self._requests.append(record)
        if self.spec is not None:
            op, problems = self.spec.check_request(method="GET", path=scope["path"], query=query_list,
                                                   content_type="", body=b"", form=None)
            for problem in problems:
                self._violation(self.spec_violations, record, problem, op.operation_id if op else "")

    def _finish_record(self, record: RecordedRequest, start: dict[str, Any], body: bytes, outcome: str) -> None:
        record.status = start["status"]
        record.response_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])}
        record.response_body = body
        record.outcome = outcome

    def _check_response(self, record: RecordedRequest) -> None:
        if self.spec is None or not record.path.startswith("/api/v4/"):
            return
        op, _ = self.spec.find(record.method, record.path)
        if op is None:
            return
        for problem in self.spec.check_response(op, status=record.status,
                                                content_type=record.response_headers.get("content-type", ""),
                                                body=record.response_body):
            self._violation(self.self_violations, record, f"response {record.status}: {problem}", op.operation_id)

    def _violation(self, target: list[Violation], record: RecordedRequest | None, reason: str,
                   operation_id: str = "") -> None:
        violation = Violation(record.method if record else "", record.path if record else "", reason, operation_id)
        log.warning("%s", violation)
        with self._lock:
            target.append(violation)

    def _protocol_problem(self, what: str, reason: str) -> None:
        with self._lock:
            self.protocol_problems.append(Violation("", what, reason))
        log.warning("protocol problem: %s: %s", what, reason)

    # -- app -------------------------------------------------------------------------------------

    def _build_app(self) -> Starlette:
        v4 = "/api/v4"
        routes = [
            Route(f"{v4}/system/ping", self._ping, methods=["GET"]),
            Route(f"{v4}/users", self._get_users, methods=["GET"]),
            Route(f"{v4}/users/ids", self._users_by_ids, methods=["POST"]),
            Route(f"{v4}/users/usernames", self._users_by_usernames, methods=["POST"]),
            Route(f"{v4}/users/{{user_id}}", self._get_user, methods=["GET"]),
            Route(f"{v4}/users/{{user_id}}/teams", self._user_teams, methods=["GET"]),
            Route(f"{v4}/users/{{user_id}}/teams/{{team_id}}/channels", self._user_team_channels, methods=["GET"]),
            Route(f"{v4}/teams/{{team_id}}", self._get_team, methods=["GET"]),
            Route(f"{v4}/teams/{{team_id}}/members/{{user_id}}", self._get_team_member, methods=["GET"]),
            Route(f"{v4}/teams/{{team_id}}/channels/name/{{channel_name}}", self._channel_by_name, methods=["GET"]),
            Route(f"{v4}/channels/direct", self._create_direct, methods=["POST"]),
            Route(f"{v4}/channels/{{channel_id}}", self._get_channel, methods=["GET"]),
            Route(f"{v4}/channels/{{channel_id}}/members", self._channel_members_list, methods=["GET"]),
            Route(f"{v4}/channels/{{channel_id}}/members/{{user_id}}", self._get_channel_member, methods=["GET"]),
            Route(f"{v4}/channels/{{channel_id}}/posts", self._channel_posts, methods=["GET"]),
            Route(f"{v4}/posts", self._create_post, methods=["POST"]),
            Route(f"{v4}/posts/{{post_id}}", self._get_post, methods=["GET"]),
            Route(f"{v4}/posts/{{post_id}}/patch", self._patch_post, methods=["PUT"]),
            Route(f"{v4}/files", self._upload_file, methods=["POST"]),
            Route(f"{v4}/commands", self._list_commands, methods=["GET"]),
            Route(f"{v4}/commands", self._create_command, methods=["POST"]),
            Route(f"{v4}/commands/{{command_id}}", self._get_command, methods=["GET"]),
            Route(f"{v4}/commands/{{command_id}}", self._update_command, methods=["PUT"]),
            Route(f"{v4}/actions/dialogs/open", self._open_dialog, methods=["POST"]),
            WebSocketRoute(f"{v4}/websocket", self._websocket),
            Route("/hooks/commands/{hook_id}", self._command_hook, methods=["POST"]),
            Route("/{rest:path}", self._not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]),
        ]
        return Starlette(routes=routes, exception_handlers={ApiError: self._api_error})

    async def _api_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return JSONResponse(exc.body(), status_code=exc.status)

    async def _not_found(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/api/v4/") and self.spec is not None:
            op, _ = self.spec.find(request.method, path)
            if op is not None:
                with self._lock:
                    self.self_violations.append(Violation(
                        request.method, path, "in the spec but not implemented by the stand-in; extend "
                        "tests/standin/server.py", op.operation_id))
                raise ApiError(501, "standin.not_implemented", f"The stand-in does not implement {op.operation_id}.")
        raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")

    # -- request helpers ---------------------------------------------------------------------------

    def _session(self, request: Request) -> User:
        token = _bearer(request.headers) or request.query_params.get("access_token", "")
        if not token:
            raise ApiError(401, "api.context.session_expired.app_error",
                           "Invalid or expired session, please login again.", "TokenRequired")
        with self._lock:
            user = self._users.get(self._tokens.get(token, ""))
        if user is None or user.delete_at:
            raise ApiError(401, "api.context.session_expired.app_error",
                           "Invalid or expired session, please login again.", f"token={token}")
        return user

    @staticmethod
    async def _json(request: Request, name: str) -> Any:
        try:
            return json.loads(await request.body())
        except ValueError as e:
            raise _bad_body(name, str(e)) from None

    def _path_id(self, request: Request, name: str, *, allow_me: User | None = None) -> str:
        value = request.path_params[name]
        if allow_me is not None and value == "me":
            return allow_me.id
        if not is_valid_id(value):
            raise _bad_url_param(name)
        return value

    def _get_user_or_404(self, uid: str) -> User:
        user = self._users.get(uid)
        if user is None:
            raise ApiError(404, "app.user.missing_account.const", "Unable to find the user.")
        return user

    def _get_channel_or_404(self, cid: str) -> Channel:
        chan = self._channels.get(cid)
        if chan is None:
            raise ApiError(404, "app.channel.get.existing.app_error", "Unable to find the existing channel.")
        return chan

    def _readable_channel(self, user: User, cid: str) -> Channel:
        with self._lock:
            chan = self._get_channel_or_404(cid)
            if not self._can_read_channel(user, chan):
                raise _forbidden()
            return chan

    def _post_json(self, post: Post) -> dict[str, Any]:
        with self._lock:
            replies = sum(1 for p in self._posts.values() if p.root_id == post.id and not p.delete_at)
            files = [self._files[f].to_api() for f in post.file_ids if f in self._files]
        return post.to_api(reply_count=replies, files=files)

    # -- system, users, teams -----------------------------------------------------------------------

    async def _ping(self, request: Request) -> Response:
        # APIHandler (api4/system.go InitSystem): the real /system/ping needs no session.
        data = {"ActiveSearchBackend": "database", "AndroidLatestVersion": "", "AndroidMinVersion": "",
                "IosLatestVersion": "", "IosMinVersion": "", "status": "OK"}
        if _go_bool(request.query_params.get("get_server_status")):
            data.update(database_status="OK", filestore_status="OK")
        return JSONResponse(data)

    async def _get_user(self, request: Request) -> Response:
        me = self._session(request)
        uid = self._path_id(request, "user_id", allow_me=me)
        with self._lock:
            return JSONResponse(self._get_user_or_404(uid).to_api())

    async def _users_by_ids(self, request: Request) -> Response:
        self._session(request)
        ids = await self._json(request, "user_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise _bad_body("user_ids")
        with self._lock:
            found = [self._users[i].to_api() for i in dict.fromkeys(ids) if i in self._users]
        return JSONResponse(found)

    async def _users_by_usernames(self, request: Request) -> Response:
        self._session(request)
        names = await self._json(request, "usernames")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise _bad_body("usernames")
        with self._lock:
            by_name = {u.username: u for u in self._users.values()}
            found = [by_name[n].to_api() for n in dict.fromkeys(names) if n in by_name]
        return JSONResponse(found)

    async def _get_users(self, request: Request) -> Response:
        me = self._session(request)
        query = request.query_params
        page, per_page = _page(query)
        with self._lock:
            users = list(self._users.values())
            if query.get("in_channel"):
                chan = self._channels.get(query["in_channel"])
                if chan is None or not self._can_read_channel(me, chan):
                    raise _forbidden()
                users = [u for u in users if (chan.id, u.id) in self._channel_members]
            if query.get("in_team"):
                if not self._can_view_team(me, query["in_team"]):
                    raise _forbidden()
                users = [u for u in users if self._is_team_member(query["in_team"], u.id)]
            if query.get("not_in_channel"):
                users = [u for u in users if (query["not_in_channel"], u.id) not in self._channel_members]
            if _go_bool(query.get("active")):
                users = [u for u in users if not u.delete_at]
            if _go_bool(query.get("inactive")):
                users = [u for u in users if u.delete_at]
            users.sort(key=lambda u: u.username)
            return JSONResponse([u.to_api() for u in users[page * per_page:(page + 1) * per_page]])

    async def _user_teams(self, request: Request) -> Response:
        me = self._session(request)
        uid = self._path_id(request, "user_id", allow_me=me)
        if uid != me.id and not me.is_system_admin:
            raise _forbidden()
        with self._lock:
            teams = [self._teams[t].to_api() for (t, u), m in self._team_members.items()
                     if u == uid and not m.delete_at and t in self._teams]
        return JSONResponse(teams)

    async def _user_team_channels(self, request: Request) -> Response:
        """GetChannelsForTeamForUser: every channel of the team the user is a member of."""
        me = self._session(request)
        uid = self._path_id(request, "user_id", allow_me=me)
        tid = self._path_id(request, "team_id")
        if uid != me.id and not me.is_system_admin:
            raise _forbidden()
        include_deleted = request.query_params.get("include_deleted", "false").lower() == "true"
        with self._lock:
            if tid not in self._teams:
                raise ApiError(404, "app.team.get.find.app_error", "Unable to find the existing team.")
            if not self._can_view_team(me, tid):
                raise _forbidden()
            channels = [self._channels[c].to_api() for (c, u) in self._channel_members
                        if u == uid and c in self._channels and self._channels[c].team_id == tid
                        and (include_deleted or not self._channels[c].delete_at)]
        return JSONResponse(channels)

    async def _get_team(self, request: Request) -> Response:
        me = self._session(request)
        tid = self._path_id(request, "team_id")
        with self._lock:
            team = self._teams.get(tid)
            if team is None:
                raise ApiError(404, "app.team.get.find.app_error", "Unable to find the existing team.")
            if not self._can_view_team(me, tid):
                raise _forbidden()
            return JSONResponse(team.to_api())

    async def _get_team_member(self, request: Request) -> Response:
        me = self._session(request)
        tid = self._path_id(request, "team_id")
        uid = self._path_id(request, "user_id", allow_me=me)
        with self._lock:
            if not self._can_view_team(me, tid):
                raise _forbidden()
            member = self._team_members.get((tid, uid))
            if member is None:
                raise ApiError(404, "app.team.get_member.missing.app_error",
                               "No team member found for that user ID and team ID.")
            return JSONResponse(member.to_api())

    # -- channels ------------------------------------------------------------------------------------

    async def _get_channel(self, request: Request) -> Response:
        me = self._session(request)
        chan = self._readable_channel(me, self._path_id(request, "channel_id"))
        return JSONResponse(chan.to_api())

    async def _channel_by_name(self, request: Request) -> Response:
        me = self._session(request)
        tid = self._path_id(request, "team_id")
        name = request.path_params["channel_name"]
        with self._lock:
            chan = next((c for c in self._channels.values() if c.team_id == tid and c.name == name), None)
            if chan is None:
                raise ApiError(404, "app.channel.get_by_name.missing.app_error", "Channel does not exist.")
            if not self._can_read_channel(me, chan):
                raise _forbidden()
            return JSONResponse(chan.to_api())

    async def _channel_members_list(self, request: Request) -> Response:
        me = self._session(request)
        chan = self._readable_channel(me, self._path_id(request, "channel_id"))
        page, per_page = _page(request.query_params)
        with self._lock:
            members = [self._channel_members[(chan.id, u)].to_api() for u in self._channel_members.of(chan.id)]
        return JSONResponse(members[page * per_page:(page + 1) * per_page])

    async def _get_channel_member(self, request: Request) -> Response:
        me = self._session(request)
        chan = self._readable_channel(me, self._path_id(request, "channel_id"))
        uid = self._path_id(request, "user_id", allow_me=me)
        with self._lock:
            member = self._channel_members.get((chan.id, uid))
            if member is None:
                raise ApiError(404, "app.channel.get_member.missing.app_error",
                               "No channel member found for that user ID and channel ID.")
            return JSONResponse(member.to_api())

    async def _create_direct(self, request: Request) -> Response:
        me = self._session(request)
        ids = await self._json(request, "user_ids")
        if not isinstance(ids, list) or len(ids) != 2 or not all(is_valid_id(i) for i in ids):
            raise _bad_body("user_ids")
        if me.id not in ids and not me.is_system_admin:
            raise _forbidden()
        with self._lock:
            for uid in ids:
                self._get_user_or_404(uid)
        first, second = (ids[0], ids[1]) if ids[0] == me.id else (ids[1], ids[0])
        return JSONResponse(self.direct_channel(first, second).to_api(), status_code=201)

    # -- posts -----------------------------------------------------------------------------------------

    _POST_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
        "id": str, "channel_id": str, "message": str, "root_id": str, "type": str, "pending_post_id": str,
        "props": (dict, type(None)), "file_ids": (list, type(None)), "metadata": (dict, type(None)),
        "create_at": int, "user_id": str, "is_pinned": bool,
    }

    def _decode_post(self, body: Any) -> dict[str, Any]:
        """json.Decode into model.Post: wrong JSON types fail the whole body."""
        if not isinstance(body, dict):
            raise _bad_body("post")
        for key, kind in self._POST_FIELD_TYPES.items():
            if key not in body:
                continue
            if not isinstance(body[key], kind) or (kind is int and isinstance(body[key], bool)):
                raise _bad_body("post", f"json: cannot unmarshal into Go struct field Post.{key}")
        if any(not isinstance(f, str) for f in body.get("file_ids") or []):
            raise _bad_body("post")
        return body

    def _check_post_content(self, message: str, props: dict[str, Any], file_ids: list[str]) -> None:
        if len(message) > MAX_MESSAGE_RUNES:
            raise ApiError(400, "model.post.is_valid.message_length.app_error",
                           f"Message must be {MAX_MESSAGE_RUNES} characters or fewer.")
        if len(json.dumps(props, ensure_ascii=False)) > 800_000:
            raise ApiError(400, "model.post.is_valid.props.app_error", "Invalid props.")
        if len(json.dumps(file_ids)) > 300:
            raise ApiError(400, "model.post.is_valid.file_ids.app_error", "Invalid file ids.")

    async def _create_post(self, request: Request) -> Response:
        me = self._session(request)
        body = self._decode_post(await self._json(request, "post"))
        cid = body.get("channel_id") or ""
        with self._lock:
            chan = self._channels.get(cid)
            if chan is None or not self._can_post(me, chan):
                raise _forbidden()
        message, props = body.get("message") or "", dict(body.get("props") or {})
        root_id, post_type = body.get("root_id") or "", body.get("type") or ""
        file_ids = list(body.get("file_ids") or [])
        if not is_valid_id(cid):
            raise ApiError(400, "model.post.is_valid.channel_id.app_error", "Invalid channel id.")
        if post_type and not post_type.startswith("custom_"):
            raise ApiError(400, "model.post.is_valid.type.app_error", "Invalid type.")
        self._check_post_content(message, props, file_ids)
        if root_id:
            with self._lock:
                root = self._posts.get(root_id)
            if root is None or root.channel_id != cid or root.root_id:
                raise ApiError(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.")
        pending = body.get("pending_post_id") or ""
        if pending:
            # deduplicateCreatePost: a repeat within 30 s returns the first post, or 500 while in flight.
            with self._lock:
                now = self.now_ms()
                entry = self._pending_posts.get(pending)
                if entry is not None and entry[1] > now:
                    if not entry[0]:
                        raise ApiError(500, "api.post.deduplicate_create_post.pending",
                                       "Rejected post since another client is making the same request.")
                    existing = self._posts.get(entry[0])
                    if existing is not None:
                        return JSONResponse(self._post_json(existing), status_code=201)
                self._pending_posts[pending] = ("", now + PENDING_POST_TTL_MS)
        try:
            if request.scope.get("standin.slow_processing"):
                await asyncio.sleep(request.scope["standin.slow_processing"])
            post = self._create_post_record(me, chan, message=message, props=props, root_id=root_id,
                                            post_type=post_type, file_ids=file_ids, pending_post_id=pending,
                                            set_online=request.query_params.get("set_online") != "false")
        except BaseException:
            with self._lock:
                self._pending_posts.pop(pending, None)
            raise
        if pending:
            with self._lock:
                self._pending_posts[pending] = (post.id, self.now_ms() + PENDING_POST_TTL_MS)
        return JSONResponse(self._post_json(post), status_code=201)

    def _create_post_record(self, user: User, chan: Channel, *, message: str, props: dict[str, Any],
                            root_id: str = "", post_type: str = "", file_ids: Iterable[str] = (),
                            pending_post_id: str = "", set_online: bool = True) -> Post:
        """App.CreatePost: stores the post, attaches files, and publishes `posted`."""
        props = copy.deepcopy(props)
        if user.is_bot:
            props["from_bot"] = "true"
        now = self.now_ms()
        with self._lock:
            attached = [f for f in file_ids if f in self._files and self._files[f].user_id == user.id
                        and self._files[f].channel_id == chan.id and not self._files[f].post_id]
            post = Post(id=new_id(), channel_id=chan.id, user_id=user.id, message=message, create_at=now,
                        root_id=root_id, type=post_type, props=props, file_ids=attached,
                        pending_post_id=pending_post_id)
            post.generate_action_ids()
            self._check_action_ids(post)
            for f in attached:
                self._files[f].post_id = post.id
            self._posts[post.id] = post
            chan.last_post_at = now
            chan.total_msg_count += 1
            api = self._post_json(post)
        self._publish_posted(user, chan, api, set_online=set_online)
        return post

    def _check_action_ids(self, post: Post) -> None:
        for action in post.actions():
            action_id = str(action.get("id") or "")
            if not re.fullmatch(r"[A-Za-z0-9]+", action_id):
                self._protocol_problem(f"post {post.id}", f"action id {action_id!r} is not alphanumeric: the click "
                                       "route /posts/{post_id}/actions/{action_id:[A-Za-z0-9]+} can never match")

    def _publish_posted(self, sender: User, chan: Channel, api: dict[str, Any], *, set_online: bool) -> None:
        post_json = json.dumps(api)
        with self._lock:
            members = {u: self._users[u] for u in self._channel_members.of(chan.id) if u in self._users}
        message = api["message"]

        def per_user(uid: str, data: dict[str, Any]) -> dict[str, Any]:
            user = members.get(uid)
            mentioned = user is not None and uid != sender.id and (
                chan.type == "D" or re.search(rf"(?<![\w@])@{re.escape(user.username)}\b", message) is not None)
            return {**data, "mentions": json.dumps([uid])} if mentioned else data

        data = {"channel_display_name": chan.display_name if chan.type != "D" else f"@{sender.username}",
                "channel_name": chan.name, "channel_type": chan.type, "post": post_json,
                "sender_name": f"@{sender.username}", "set_online": set_online, "team_id": chan.team_id}
        self._publish("posted", data, channel_id=chan.id, per_user=per_user)

    async def _get_post(self, request: Request) -> Response:
        me = self._session(request)
        pid = self._path_id(request, "post_id")
        with self._lock:
            post = self._posts.get(pid)
            if post is None:
                raise ApiError(404, "app.post.get.app_error", "Unable to get the post.")
            chan = self._channels[post.channel_id]
            if not self._can_read_channel(me, chan):
                raise _forbidden()
        return JSONResponse(self._post_json(post))

    async def _patch_post(self, request: Request) -> Response:
        me = self._session(request)
        pid = self._path_id(request, "post_id")
        patch = await self._json(request, "post")
        if not isinstance(patch, dict):
            raise _bad_body("post")
        kinds = {"message": str, "props": dict, "file_ids": list, "is_pinned": bool, "has_reactions": bool}
        for key, kind in kinds.items():
            if patch.get(key) is not None and not isinstance(patch[key], kind):
                raise _bad_body("post", f"json: cannot unmarshal into Go struct field PostPatch.{key}")
        with self._lock:
            post = self._posts.get(pid)
            if post is None or post.delete_at:
                raise _forbidden()
            chan = self._channels[post.channel_id]
            own = post.user_id == me.id and (chan.id, me.id) in self._channel_members
            others_ok = me.is_system_admin or (chan.team_id and self._can_manage_commands(me, chan.team_id))
            if not (own or others_ok or (post.user_id == me.id and me.has_role("system_post_all"))):
                raise _forbidden()
            message = patch["message"] if patch.get("message") is not None else post.message
            props = patch["props"] if patch.get("props") is not None else post.props
            file_ids = patch["file_ids"] if patch.get("file_ids") is not None else post.file_ids
            self._check_post_content(message, props, file_ids)
            now = self.now_ms()
            if message != post.message:
                post.edit_at = now
            post.message, post.props, post.file_ids = message, copy.deepcopy(props), list(file_ids)
            if patch.get("is_pinned") is not None:
                post.is_pinned = patch["is_pinned"]
            if patch.get("has_reactions") is not None:
                post.has_reactions = patch["has_reactions"]
            post.update_at = now
            post.generate_action_ids()
            self._check_action_ids(post)
            api = self._post_json(post)
        self._publish("post_edited", {"post": json.dumps(api)}, channel_id=chan.id)
        return JSONResponse(api)

    def update_post(self, post_id: str, update: dict[str, Any]) -> Post:
        """An integration's action `update` (DoPostActionWithCookie + UpdatePost, safeUpdate=false)."""
        with self._lock:
            post = self._posts[post_id]
            original = post.props
            props = update.get("props")
            if props is None:
                props = copy.deepcopy(original)
            else:
                props = copy.deepcopy(props)
                for key in ("from_webhook", "override_username", "override_icon_url"):
                    if key in original:
                        props[key] = original[key]
                    else:
                        props.pop(key, None)
            message = str(update.get("message") or "")
            self._check_post_content(message, props, list(update.get("file_ids") or []))
            now = self.now_ms()
            if message != post.message:
                post.edit_at = now
            post.message, post.props = message, props
            post.file_ids = [f for f in update.get("file_ids") or [] if isinstance(f, str)]
            post.update_at = now
            post.generate_action_ids()
            self._check_action_ids(post)
            api = self._post_json(post)
            chan_id = post.channel_id
        self._publish("post_edited", {"post": json.dumps(api)}, channel_id=chan_id)
        return copy.deepcopy(post)

    async def _channel_posts(self, request: Request) -> Response:
        me = self._session(request)
        chan = self._readable_channel(me, self._path_id(request, "channel_id"))
        query = request.query_params
        since = 0
        if query.get("since"):
            try:
                since = int(query["since"])
            except ValueError:
                raise _bad_url_param("since") from None
        with self._lock:
            posts = sorted((p for p in self._posts.values() if p.channel_id == chan.id),
                           key=lambda p: p.create_at, reverse=True)
            if since > 0:
                # GetPostsSince: page/per_page are ignored; up to 1000 posts updated after `since`
                # (deleted ones included), plus the roots of any replies among them.
                chosen = [p for p in posts if p.update_at > since][:1000]
                extra = [self._posts[p.root_id] for p in chosen if p.root_id in self._posts]
            else:
                page, per_page = _page(query)
                chosen = [p for p in posts if not p.delete_at][page * per_page:(page + 1) * per_page]
                extra = [self._posts[p.root_id] for p in chosen if p.root_id in self._posts]
            result = {"order": [p.id for p in chosen],
                      "posts": {p.id: self._post_json(p) for p in [*chosen, *extra]},
                      "next_post_id": "", "prev_post_id": "", "has_next": False}
        return JSONResponse(result)

    # -- files ---------------------------------------------------------------------------------------

    async def _upload_file(self, request: Request) -> Response:
        me = self._session(request)
        channel_id = request.query_params.get("channel_id", "")
        infos: list[FileInfo] = []
        client_ids: list[str] = []
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "multipart/form-data":
            raise ApiError(400, "api.file.upload_file.incorrect_number_of_files.app_error",
                           "Unable to upload files. Incorrect number of files specified.")
        async with request.form() as form:
            for key, value in form.multi_items():  # in the order of the parts, like uploadFileMultipart
                if not isinstance(value, UploadFile):
                    if key == "channel_id":
                        if channel_id and value != channel_id:
                            raise ApiError(400, "api.file.upload_file.multiple_channel_ids.app_error",
                                           "Unable to upload file(s). Multiple conflicting channel_ids.")
                        channel_id = value
                        with self._lock:
                            chan = self._channels.get(channel_id)
                            allowed = chan is not None and (me.is_system_admin or
                                                            (chan.id, me.id) in self._channel_members)
                        if not allowed:
                            raise _forbidden()
                    elif key == "client_ids":
                        client_ids.append(value)
                    else:
                        raise _bad_body(key)
                    continue
                if not channel_id:
                    raise _bad_body("channel_id")
                data = await value.read()
                name = value.filename or "file"
                ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
                infos.append(FileInfo(id=new_id(), user_id=me.id, channel_id=channel_id, name=name, extension=ext,
                                      size=len(data), mime_type=mime, create_at=self.now_ms()))
                with self._lock:
                    self._file_data[infos[-1].id] = data
        if not infos:
            raise ApiError(400, "api.file.upload_file.incorrect_number_of_files.app_error",
                           "Unable to upload files. Incorrect number of files specified.")
        with self._lock:
            for info in infos:
                self._files[info.id] = info
        return JSONResponse({"file_infos": [i.to_api() for i in infos], "client_ids": client_ids}, status_code=201)

    # -- commands ------------------------------------------------------------------------------------

    def _validate_command(self, cmd: Command) -> None:
        """model.Command.IsValid."""
        problems = [
            ("team_id", not is_valid_id(cmd.team_id)),
            ("trigger", not 1 <= len(cmd.trigger.encode()) <= 128 or cmd.trigger.startswith("/") or " " in cmd.trigger),
            ("url", not 1 <= len(cmd.url) <= 1024 or urlsplit(cmd.url).scheme not in ("http", "https")
             or not urlsplit(cmd.url).netloc),
            ("method", cmd.method not in ("P", "G")),
            ("display_name", len(cmd.display_name) > 64),
            ("description", len(cmd.description) > 128),
            ("username", len(cmd.username) > 64),
            ("icon_url", len(cmd.icon_url) > 1024),
        ]
        for name, bad in problems:
            if bad:
                raise ApiError(400, f"model.command.is_valid.{name}.app_error", f"Invalid {name}.")

    @staticmethod
    def _command_fields(body: dict[str, Any]) -> dict[str, Any]:
        kinds = {"auto_complete": bool}
        fields: dict[str, Any] = {}
        for key in COMMAND_FIELDS:
            if key in body and body[key] is not None:
                if not isinstance(body[key], kinds.get(key, str)):
                    raise _bad_body("command", f"json: cannot unmarshal into Go struct field Command.{key}")
                fields[key] = body[key]
        return fields

    async def _create_command(self, request: Request) -> Response:
        me = self._session(request)
        body = await self._json(request, "command")
        if not isinstance(body, dict) or not isinstance(body.get("team_id", ""), str):
            raise _bad_body("command")
        team_id = body.get("team_id") or ""
        with self._lock:
            if team_id not in self._teams or not self._can_manage_commands(me, team_id):
                raise _forbidden()
        fields = self._command_fields(body)
        fields["trigger"] = str(fields.get("trigger", "")).lower()
        fields.setdefault("url", "")
        cmd = Command(id=new_id(), token=new_id(), team_id=team_id, creator_id=me.id, create_at=self.now_ms(),
                      **fields)
        self._validate_command(cmd)
        with self._lock:
            if cmd.trigger in BUILTIN_TRIGGERS or any(
                    c.team_id == team_id and c.trigger == cmd.trigger and not c.delete_at
                    for c in self._commands.values()):
                raise ApiError(400, "api.command.duplicate_trigger.app_error",
                               "This trigger word is already in use. Please choose another word.")
            self._commands[cmd.id] = cmd
        return JSONResponse(cmd.to_api(), status_code=201)

    async def _list_commands(self, request: Request) -> Response:
        me = self._session(request)
        team_id = request.query_params.get("team_id", "")
        if not team_id:
            raise _bad_url_param("team_id")
        custom_only = _go_bool(request.query_params.get("custom_only"))
        with self._lock:
            if not self._can_view_team(me, team_id):
                raise _forbidden()
            manager = self._can_manage_commands(me, team_id)
            if custom_only and not manager:
                raise _forbidden()
            commands = [c for c in self._commands.values() if c.team_id == team_id and not c.delete_at]
            if not manager:
                commands = [c for c in commands if c.auto_complete]  # ListAutocompleteCommands
            return JSONResponse([c.to_api() for c in commands])

    def _command_for_manager(self, me: User, command_id: str) -> Command:
        cmd = self._commands.get(command_id)
        # SetCommandNotFoundError, also when the caller may not manage it, so existence does not leak.
        if cmd is None or cmd.delete_at or not self._can_manage_commands(me, cmd.team_id):
            raise ApiError(404, "api.command.not_found.app_error", "Unable to find the command.")
        return cmd

    async def _get_command(self, request: Request) -> Response:
        me = self._session(request)
        cid = self._path_id(request, "command_id")
        with self._lock:
            return JSONResponse(self._command_for_manager(me, cid).to_api())

    async def _update_command(self, request: Request) -> Response:
        me = self._session(request)
        cid = self._path_id(request, "command_id")
        body = await self._json(request, "command")
        if not isinstance(body, dict) or body.get("id") != cid:
            raise _bad_body("command")
        with self._lock:
            old = self._command_for_manager(me, cid)
            if body.get("team_id") != old.team_id:
                raise ApiError(400, "api.command.team_mismatch.app_error",
                               "Unable to update command across teams.")
        fields = self._command_fields(body)
        fields["trigger"] = str(fields.get("trigger", "")).lower()
        # App.UpdateCommand keeps id, token, team, creator and create_at; the rest comes from the body.
        updated = Command(id=old.id, token=old.token, team_id=old.team_id, creator_id=old.creator_id,
                          create_at=old.create_at, update_at=self.now_ms(), url=fields.pop("url", ""), **fields)
        self._validate_command(updated)
        with self._lock:
            self._commands[cid] = updated
        return JSONResponse(updated.to_api())

    # -- command responses (shared by slash() and response_url) -------------------------------------

    def new_trigger_id(self, user_id: str) -> str:
        """Like model.GenerateTriggerId: base64 of `client id:user id:millis:signature`."""
        data = f"{new_id()}:{user_id}:{self.now_ms()}"
        signature = base64.b64encode(hmac.new(self._secret, data.encode(), hashlib.sha256).digest()).decode()
        return base64.b64encode(f"{data}:{signature}".encode()).decode()

    def _decode_trigger_id(self, trigger_id: str) -> str:
        try:
            decoded = base64.b64decode(trigger_id, validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "interactive_message.decode_trigger_id.base64_decode_failed",
                           "Failed to decode base64 for trigger ID for interactive dialog.") from None
        parts = decoded.split(":")
        if len(parts) != 4:
            raise ApiError(400, "interactive_message.decode_trigger_id.missing_data",
                           "Trigger ID missing required data for interactive dialog.")
        data = ":".join(parts[:3])
        expected = base64.b64encode(hmac.new(self._secret, data.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, parts[3]):
            raise ApiError(400, "interactive_message.decode_trigger_id.verify_signature_failed",
                           "Signature verification failed for trigger ID for interactive dialog.")
        if self.now_ms() - int(parts[2]) > self.trigger_id_lifetime * 1000:
            raise ApiError(400, "interactive_message.decode_trigger_id.expired",
                           "Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of "
                           f"{int(self.trigger_id_lifetime)}s.")
        return parts[1]

    def new_command_hook(self, command: Command, *, user_id: str, channel_id: str, root_id: str = "",
                         team_id: str = "") -> CommandHook:
        hook = CommandHook(id=new_id(), command_id=command.id, user_id=user_id, channel_id=channel_id,
                           root_id=root_id, team_id=team_id or command.team_id, create_at=self.now_ms())
        with self._lock:
            self._hooks[hook.id] = hook
        return hook

    def slack_to_markdown(self, text: str) -> str:
        """ProcessSlackText: `<url|text>` links, `<!channel>`-style mentions, `<@userid>`."""
        text = _SLACK_LINK.sub(r"[\2](\1)", text)
        text = re.sub(r"<!(channel|here|all)>", r"@\1", text)
        with self._lock:
            return _SLACK_USER.sub(lambda m: f"@{self._users[m[1]].username}" if m[1] in self._users else m[0], text)

    def _slack_attachments(self, attachments: list[Any]) -> list[Any]:
        result = copy.deepcopy(attachments)
        for att in result:
            if not isinstance(att, dict):
                continue
            for key in ("text", "pretext"):
                if isinstance(att.get(key), str):
                    att[key] = self.slack_to_markdown(att[key])
            for fld in att.get("fields") or []:
                if isinstance(fld, dict) and isinstance(fld.get("value"), str):
                    fld["value"] = self.slack_to_markdown(fld["value"])
        return result

    def apply_command_response(self, command: Command, *, user_id: str, channel_id: str, root_id: str,
                               response: dict[str, Any]) -> tuple[list[Post], list[Post]]:
        """HandleCommandResponse: the response and its extra_responses become posts.

        Returns (channel posts, ephemeral posts); raises CommandFailure like the server.
        """
        posts: list[Post] = []
        ephemerals: list[Post] = []
        failed: CommandFailure | None = None
        for resp in [response, *(response.get("extra_responses") or [])]:
            if not isinstance(resp, dict):
                continue
            try:
                self._command_post(command, user_id=user_id, channel_id=channel_id, root_id=root_id, response=resp,
                                   posts=posts, ephemerals=ephemerals)
            except CommandFailure as e:
                failed = e
        if failed is not None:  # any failed post: the user sees create_post_failed (500)
            raise CommandFailure(500, "api.command.execute_command.create_post_failed.app_error",
                                 f"Command '{command.trigger}' failed to post response. Please contact your "
                                 "System Administrator.")
        return posts, ephemerals

    def _command_post(self, command: Command, *, user_id: str, channel_id: str, root_id: str,
                      response: dict[str, Any], posts: list[Post], ephemerals: list[Post]) -> None:
        """HandleCommandResponsePost + CreateCommandPost, with the default config (no overrides)."""
        target = str(response.get("channel_id") or channel_id)
        with self._lock:
            if target != channel_id and (target, user_id) not in self._channel_members:
                raise CommandFailure(403, "api.command.command_post.forbidden.app_error",
                                     "Specified user is not a member of specified channel.")
            chan = self._channels[target]
            user = self._users[user_id]
        post_type = str(response.get("type") or "")
        if post_type.startswith("system_"):
            raise CommandFailure(400, "api.context.invalid_param.app_error", "Invalid post.type parameter.")
        props = dict(response.get("props") or {})
        props["from_webhook"] = "true"  # isBotPost: custom commands always
        skip = bool(response.get("skip_slack_parsing"))
        text = str(response.get("text") or "")
        message = text if skip else self.slack_to_markdown(text)
        attachments = response.get("attachments")
        if attachments:
            props["attachments"] = attachments if skip else self._slack_attachments(attachments)
        kind = response.get("response_type") or ""
        if kind == "in_channel":
            post = self._create_post_record(user, chan, message=message, props=props, root_id=root_id,
                                            post_type=post_type)
            posts.append(copy.deepcopy(post))
        elif kind == "ephemeral" or kind == "":
            if text or attachments is not None:
                ephemerals.append(self.send_ephemeral(user_id, channel_id=target, message=message, props=props,
                                                      root_id=root_id, post_type=post_type))
        else:
            self._protocol_problem(f"/{command.trigger}", f"response_type {kind!r} is neither 'in_channel' nor "
                                   "'ephemeral': nothing is posted (newer servers reject it)")

    def send_ephemeral(self, user_id: str, *, channel_id: str, message: str, props: dict[str, Any] | None = None,
                       root_id: str = "", post_type: str = "", sender_id: str | None = None) -> Post:
        """SendEphemeralPost: not stored in the channel; delivered as `ephemeral_message`."""
        post = Post(id=new_id(), channel_id=channel_id, user_id=sender_id or user_id, message=message,
                    create_at=self.now_ms(), root_id=root_id, type=post_type or "system_ephemeral",
                    props=copy.deepcopy(props or {}), ephemeral_for=user_id)
        post.generate_action_ids()
        with self._lock:
            self._ephemerals.append(post)
        self._publish("ephemeral_message", {"post": json.dumps(post.to_api())}, user_id=user_id)
        return copy.deepcopy(post)

    async def _command_hook(self, request: Request) -> Response:
        """POST /hooks/commands/{id}: a command's `response_url`. No session; the id is the secret."""
        hook_id = request.path_params["hook_id"]
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip() == "application/json":
            try:
                response = json.loads(body)
                if not isinstance(response, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                raise ApiError(400, "web.command_webhook.parse.app_error", "Unable to parse incoming data.",
                               str(e)) from None
        else:
            response = {"text": body.decode("utf-8", "replace")}
        if not re.fullmatch(r"[A-Za-z0-9]+", hook_id):
            raise ApiError(404, "api.context.404.app_error", "Sorry, we could not find the page.")
        with self._lock:
            hook = self._hooks.get(hook_id)
            if hook is None or self.now_ms() - hook.create_at > COMMAND_HOOK_LIFETIME_MS:
                raise ApiError(404, "app.command_webhook.get.missing", "Unable to find the webhook.")
            command = self._commands.get(hook.command_id)
            if command is None:
                raise ApiError(400, "web.command_webhook.command.app_error", "Couldn't find the command.")
            if hook.use_count >= COMMAND_HOOK_MAX_USES:
                raise ApiError(400, "app.command_webhook.try_use.invalid", "Invalid webhook.")
            hook.use_count += 1
        try:
            self.apply_command_response(command, user_id=hook.user_id, channel_id=hook.channel_id,
                                        root_id=hook.root_id, response=response)
        except CommandFailure as e:
            raise ApiError(e.status, e.error_id, e.message) from None
        return PlainTextResponse("ok")

    # -- dialogs -----------------------------------------------------------------------------------

    async def _open_dialog(self, request: Request) -> Response:
        # APIHandler: no session needed, the trigger id is the credential (FACTS §3.1).
        body = await self._json(request, "dialog")
        if not isinstance(body, dict) or not isinstance(body.get("dialog", {}), dict):
            raise _bad_body("dialog")
        if not body.get("url"):
            raise _bad_body("url")
        user_id = self._decode_trigger_id(str(body.get("trigger_id") or ""))
        dialog = Dialog(trigger_id=body["trigger_id"], url=body["url"], dialog=copy.deepcopy(body.get("dialog") or {}),
                        user_id=user_id, opened_at=self.now_ms())
        dialog.problems = dialog_problems(dialog.dialog)
        for problem in dialog.problems:
            self._protocol_problem(f"dialog {dialog.callback_id!r}", problem)
        with self._lock:
            self.dialogs.append(dialog)
        self._publish("open_dialog", {"dialog": json.dumps({**body, "trigger_id": body["trigger_id"]})},
                      user_id=user_id)
        return JSONResponse({"status": "OK"})

    # -- websocket -----------------------------------------------------------------------------------

    async def _websocket(self, ws: WebSocket) -> None:
        await ws.accept()
        with self._lock:
            user = self._users.get(self._tokens.get(_bearer(ws.headers), ""))
        conn = _WsConn(id=new_id(), user_id="", loop=asyncio.get_running_loop(), queue=asyncio.Queue())
        writer: asyncio.Task | None = None
        try:
            ok_reply: dict[str, Any] | None = None
            while user is None:
                message = await self._ws_receive(ws)
                if message is None:
                    return
                seq = message.get("seq")
                if message.get("action") != "authentication_challenge":
                    await ws.send_text(json.dumps({"status": "FAIL", "seq_reply": seq, "error": {
                        "id": "api.web_socket_router.not_authenticated.app_error",
                        "message": "No authentication on WebSocket connection.", "status_code": 401}}))
                    continue
                token = (message.get("data") or {}).get("token")
                with self._lock:
                    user = self._users.get(self._tokens.get(token if isinstance(token, str) else "", ""))
                if user is None or user.delete_at:
                    await ws.close()  # the real router closes on a bad token
                    return
                ok_reply = {"status": "OK", "seq_reply": seq}
            conn.user_id = user.id
            hello = {"event": "hello", "data": {"connection_id": conn.id, "server_hostname": "standin",
                                                "server_version": f"{SERVER_VERSION}.{SERVER_VERSION}.standin.false"},
                     "broadcast": {"omit_users": None, "user_id": user.id, "channel_id": "", "team_id": "",
                                   "connection_id": "", "omit_connection_id": ""}}
            first: list[tuple[str, Any]] = [("event", hello)]
            if ok_reply is not None:
                first.insert(0 if not self.hello_first else 1, ("reply", ok_reply))
            for item in first:
                conn.queue.put_nowait(item)
            with self._lock:
                self._ws[conn.id] = conn
            writer = asyncio.create_task(self._ws_writer(ws, conn))
            while True:
                message = await self._ws_receive(ws)
                if message is None:
                    return
                conn.queue.put_nowait(("reply", self._ws_action(message)))
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            with self._lock:
                self._ws.pop(conn.id, None)
            if writer is not None:
                writer.cancel()

    async def _ws_receive(self, ws: WebSocket) -> dict[str, Any] | None:
        """One client message; invalid JSON closes the connection, as the real server does."""
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return None
        raw = message.get("text") if message.get("text") is not None else (message.get("bytes") or b"").decode()
        try:
            parsed = json.loads(raw)
            if not isinstance(parsed, dict):
                raise ValueError
        except ValueError:
            await ws.close()
            return None
        return parsed

    def _ws_action(self, message: dict[str, Any]) -> dict[str, Any]:
        seq, action = message.get("seq"), message.get("action")
        if action == "ping":
            return {"status": "OK", "seq_reply": seq, "data": {"text": "pong", "version": SERVER_VERSION,
                                                               "server_time": self.now_ms(), "node_id": ""}}
        if action in ("user_typing", "get_statuses", "get_statuses_by_ids"):
            return {"status": "OK", "seq_reply": seq, "data": {}} if action != "user_typing" else \
                {"status": "OK", "seq_reply": seq}
        return {"status": "FAIL", "seq_reply": seq, "error": {
            "id": "api.web_socket_router.bad_action.app_error", "message": "Unknown WebSocket action.",
            "status_code": 501}}

    async def _ws_writer(self, ws: WebSocket, conn: _WsConn) -> None:
        seq = 0
        with contextlib.suppress(Exception):
            while True:
                kind, message = await conn.queue.get()
                if kind == "close":
                    await ws.close(code=1001)
                    return
                if kind == "event":
                    message = {**message, "seq": seq}
                    seq += 1
                await ws.send_text(json.dumps(message))


def dialog_problems(dialog: dict[str, Any]) -> list[str]:
    """OpenDialogRequest.IsValid (model/integration_action.go). The server only logs these, but
    clients render such dialogs wrongly or not at all."""
    problems = []
    title = dialog.get("title")
    if not isinstance(title, str) or not title:
        problems.append("title is required")
    elif len(title) > 24:
        problems.append(f"title {title!r} is longer than 24 characters")
    icon = dialog.get("icon_url")
    if icon and urlsplit(str(icon)).scheme not in ("http", "https"):
        problems.append("icon_url must be an http(s) URL")
    names: set[str] = set()
    for element in dialog.get("elements") or []:
        if not isinstance(element, dict):
            problems.append("an element is not an object")
            continue
        name, display = element.get("name"), element.get("display_name")
        label = f"element {name!r}"
        if not name or len(str(name)) > 300:
            problems.append(f"{label}: name is required and at most 300 characters")
        if name in names:
            problems.append(f"{label}: duplicate name")
        names.add(str(name))
        if not display or len(str(display)) > 24:
            problems.append(f"{label}: display_name is required and at most 24 characters")
        if len(str(element.get("help_text") or "")) > 150:
            problems.append(f"{label}: help_text is longer than 150 characters")
        kind = element.get("type")
        limits = {"text": 150, "textarea": 3000, "select": 3000, "bool": 150, "radio": 3000}
        if kind in ("date", "datetime"):
            problems.append(f"{label}: type {kind!r} exists from Mattermost 11 on only; the releases cities run "
                            "(Team Edition up to the 2025 ESRs) show text, textarea, select, bool and radio")
            continue
        if kind not in limits:
            problems.append(f"{label}: unknown type {kind!r}")
            continue
        if element.get("multiselect") or element.get("data_source") == "dynamic":
            problems.append(f"{label}: multiselect and dynamic selects exist from Mattermost 11 on only")
        for key in ("default", "placeholder"):
            if len(str(element.get(key) or "")) > limits[kind]:
                problems.append(f"{label}: {key} is longer than {limits[kind]} characters")
        if kind in ("text", "textarea"):
            if element.get("subtype") not in (None, "", "text", "email", "number", "tel", "url", "password"):
                problems.append(f"{label}: invalid subtype {element.get('subtype')!r}")
            lo, hi = element.get("min_length"), element.get("max_length")
            if lo is not None and (not isinstance(lo, int) or lo < 0 or (hi or 0) < lo):
                problems.append(f"{label}: min_length must be >= 0 and <= max_length (set max_length too)")
        options = [o.get("value") for o in element.get("options") or [] if isinstance(o, dict)]
        default = element.get("default")
        if kind == "select" and element.get("data_source") not in (None, "", "users", "channels", "dynamic"):
            problems.append(f"{label}: data_source {element.get('data_source')!r} is none of users, channels")
        if kind == "select" and not element.get("data_source") and default and not element.get("multiselect") \
                and default not in options:
            problems.append(f"{label}: default {default!r} is not one of the options")
        if kind == "radio" and default and default not in options:
            problems.append(f"{label}: default {default!r} is not one of the options")
        if kind == "bool" and default not in (None, "", "true", "false"):
            problems.append(f"{label}: bool default must be '', 'true' or 'false'")
    return problems
