"""The Mattermost port: the few things Amtsbote asks of Mattermost, behind one class.

`MattermostPort` is the interface; `RestMattermost` implements it over
`mattermostautodriver` (async, on httpx) and `bot/console.py` implements it in
memory. Errors are reduced to three kinds the outbox understands: a transient
failure (retry later, maybe after `retry_after` seconds), a permanent refusal,
and an unknown outcome (the request may have been carried out).
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import ssl
import time
from typing import Any
from urllib.parse import SplitResult, urlparse, urlsplit

import aiohttp
import httpx
from mattermostautodriver import AsyncTypedDriver
from mattermostautodriver.exceptions import InvalidMattermostError, TooManyRequests
from mattermostautodriver.exceptions import MattermostError as DriverError
from mattermostautodriver.websocket import Websocket

from base.chat import (  # noqa: F401  (the port's types, re-exported for the adapter's users)
    _PAID,
    MARKER_PROP,
    Channel,
    MattermostError,
    MattermostPort,
    PermanentError,
    RateLimited,
    TransientError,
    UnknownOutcome,
    User,
    is_mattermost_id,
    request_paid_for,
)
from base.ratelimit import TokenBucket
from bot.metrics import RATE_LIMITED

log = logging.getLogger("amtsbote.mattermost")
# The driver logs every refused request at ERROR (under its websocket's logger name) and a
# traceback for every failed websocket connection; this module says what matters, once.
for _name in ("mattermostautodriver", "mattermostautodriver.api", "mattermostautodriver.websocket"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)  # they set their own level on import

USER_CACHE_SECONDS = 300.0
ROLE_CACHE_SECONDS = 60.0
FIND_POST_PAGE = 200
FIND_POST_MAX_PAGES = 25  # 5,000 posts back: far more than a channel gets while a post is retried
CHANNEL_FETCH_CONCURRENCY = 8
# Users per `POST /users/ids`. Mattermost's handler takes any number of ids; only the request body
# is limited (MaximumPayloadSizeBytes, 300 kB by default): 1,000 ids are about 29 kB.
USERS_PER_REQUEST = 1000
READ_RETRIES_ON_429 = 3  # a bulk read of the morning job waits out Retry-After this often, then fails
READ_RETRY_MAX_WAIT = 30.0
# A look-up inside a command (who asks, their role, a channel) that meets a 429 waits out a short
# Retry-After (at most 1 s, what Mattermost says while a burst drains) and asks again, while the
# person still waits for the answer (the "one moment" and then the answer through response_url);
# a longer one fails at once with "Mattermost antwortet gerade nicht".
LOOKUP_RETRIES_ON_429 = 2
LOOKUP_RETRY_MAX_WAIT = 1.0



_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]{1,2000}")


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


def is_command_hook_url(base: str, url: str) -> bool:
    """Whether `url` is exactly `base` + /hooks/commands/<id>: same scheme, host and port as
    MATTERMOST_URL, that path and nothing else (no "..", no query, no user, no fragment), and an
    id of Mattermost's form. A prefix test would let /hooks/commands/../../api/v4/... through."""
    if not _PRINTABLE_ASCII.fullmatch(url):  # urlsplit would quietly drop tabs and newlines
        return False
    try:
        want, got = urlsplit(base), urlsplit(url)
        origin_ok = _origin(got) == _origin(want)  # .port raises ValueError for a port that is no number
    except ValueError:
        return False
    prefix = want.path.rstrip("/") + "/hooks/commands/"
    hook_id = got.path[len(prefix):] if got.path.startswith(prefix) else ""
    return (origin_ok and got.username is None and got.password is None and not got.query and not got.fragment
            and "#" not in url and "?" not in url and is_mattermost_id(hook_id))


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "no detail"


class QuietWebsocket(Websocket):  # type: ignore[misc]
    """The driver's websocket with the base URL's path kept (Mattermost under a subpath), and
    without a traceback every 5 s while Mattermost is away: failures and reconnects go to the
    port's reachability lines (one when it goes, one when it is back)."""

    owner: RestMattermost | None = None

    async def connect(self, event_handler: Any) -> None:
        owner = self.owner
        assert owner is not None
        context: ssl.SSLContext | bool = ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH)
        if self.options["scheme"] != "https":
            context = False
        url = owner.websocket_url()
        self._alive = True
        while self._alive:
            connected = False
            try:
                async with aiohttp.ClientSession() as session, session.ws_connect(
                        url, ssl=context, proxy=self.options["proxy"], heartbeat=None) as websocket:
                    await self._authenticate_websocket(websocket, event_handler)
                    connected = True
                    owner.websocket_connects += 1
                    owner.note_reachable()
                    log.debug("websocket connected to %s", url)
                    while self._alive:
                        try:
                            await self._start_loop(websocket, event_handler)
                        except aiohttp.ClientError:
                            break
                        if websocket.closed:
                            break
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - whatever it was, try again in a moment
                owner.websocket_failures += 1
                if isinstance(e, aiohttp.WSServerHandshakeError) and e.status in (401, 403):
                    log.debug("websocket refused (%s)", e.status)
                elif connected:
                    owner.note_unreachable("the websocket connection was closed")
                else:
                    owner.note_unreachable(f"websocket: {type(e).__name__}: {_first_line(e)}")
            if self._alive:
                await asyncio.sleep(self.options["keepalive_delay"])


def _path_id(value: str) -> str:
    """`value`, checked to be a Mattermost id before it goes into a request path."""
    if not is_mattermost_id(value):
        raise PermanentError("not a Mattermost id", 400)
    return value


class _TTLCache:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any | None:
        hit = self._items.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: Any, value: Any) -> None:
        if len(self._items) > 50_000:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.ttl, value)

    def split(self, keys: list[str]) -> tuple[dict[str, Any], list[str]]:
        """(what is cached, by key; the keys that are not), each key once, in the order given."""
        found: dict[str, Any] = {}
        missing = []
        for key in dict.fromkeys(keys):
            cached = self.get(key)
            if cached is not None:
                found[key] = cached
            else:
                missing.append(key)
        return found, missing

    def drop(self, predicate: Any) -> None:
        for key in [k for k in self._items if predicate(k)]:
            self._items.pop(key, None)


class RestMattermost:
    """`MattermostPort` over the Mattermost REST API v4 with mattermostautodriver."""

    def __init__(self, url: str, token: str, *, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None, limiter: TokenBucket | None = None) -> None:
        parsed = urlparse(url)
        scheme = parsed.scheme or "https"
        self._driver = AsyncTypedDriver({
            "url": parsed.hostname,
            "port": parsed.port or (443 if scheme == "https" else 80),
            "scheme": scheme,
            "token": token,
            "request_timeout": timeout,
            # Retries are the outbox's job: it knows which posts may already exist.
            "max_retries": 0,
            "keepalive": True,
            "keepalive_delay": 5,
            "transport": transport,
        })
        self._driver.client.token = token
        # Mattermost may live under a path (https://intranet.example.org/mattermost): the driver
        # builds its base URL from scheme, host and port only, so the path is put back here.
        self._path = parsed.path.rstrip("/")
        self._driver.client._url = f"{scheme}://{parsed.hostname}:{parsed.port or (443 if scheme == 'https' else 80)}{self._path}"
        self._base = url.rstrip("/")
        self._response_client = httpx.AsyncClient(timeout=timeout, transport=transport)
        self.bot_user_id = ""
        self._users = _TTLCache(USER_CACHE_SECONDS)
        self._roles = _TTLCache(ROLE_CACHE_SECONDS)
        self._channels = _TTLCache(USER_CACHE_SECONDS)
        self._dm_channels: dict[str, str] = {}
        # The process's one count of requests to Mattermost, shared with the outbox: every request
        # is counted in it, as Mattermost's limiter counts it (bot/ratelimit.py).
        self.limiter = limiter
        self._down_since: float | None = None  # monotonic time of the first failure of an outage
        self.websocket_connects = 0
        self.websocket_failures = 0

    # -- reachability: one log line when Mattermost goes away, one when it is back ---------------

    def note_unreachable(self, cause: str) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("Mattermost at %s does not answer (%s): commands that need it ask people to try again, "
                        "posts wait in the outbox and go out once it answers. Check that Mattermost runs and "
                        "that MATTERMOST_URL is right; nothing else to do here", self._base, cause)

    def note_reachable(self) -> None:
        if self._down_since is not None:
            log.info("Mattermost at %s answers again (after %.0f s); what waited is sent now", self._base,
                     time.monotonic() - self._down_since)
            self._down_since = None

    # -- plumbing ------------------------------------------------------------------------

    async def _call(self, method: str, endpoint: str, *, options: Any = None, params: Any = None,
                    data: Any = None, files: Any = None, sent_unsure: bool = False, counted: bool = True) -> Any:
        """One request. `counted=False` only for the readiness ping: it is rare (bot/http.py caches
        it) and must not take a token a post waits for."""
        client = self._driver.client
        if self.limiter is not None and counted:
            if _PAID.get():
                _PAID.set(False)  # the outbox's token covers this one request
            else:
                self.limiter.spend()
        started = time.monotonic()
        try:
            if method == "get":
                result = await client.get(endpoint, params=params)
            elif method == "post":
                result = await client.post(endpoint, options=options, params=params, data=data, files=files)
            elif method == "put":
                result = await client.put(endpoint, options=options, params=params)
            else:
                raise ValueError(method)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s answered in %.0f ms", method.upper(), endpoint, (time.monotonic() - started) * 1000)
            self.note_reachable()
            return result
        except TooManyRequests as e:
            self.note_reachable()
            RATE_LIMITED.inc()
            if self.limiter is not None:
                self.limiter.hold(e.retry_after if e.retry_after is not None else 1.0)
            raise RateLimited("rate limited (429)", retry_after=e.retry_after) from None
        except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as e:
            self.note_unreachable(f"no answer: {type(e).__name__}")
            if sent_unsure:
                raise UnknownOutcome(f"no answer: {type(e).__name__}") from None
            raise TransientError(f"no answer: {type(e).__name__}") from None
        except httpx.TransportError as e:
            self.note_unreachable(f"{type(e).__name__}: {_first_line(e)}")
            raise TransientError(f"unreachable: {type(e).__name__}") from None
        except (DriverError, InvalidMattermostError) as e:
            status = getattr(e, "status_code", None)
            if isinstance(status, int) and 400 <= status < 500 and status not in (408, 425):
                self.note_reachable()
                raise PermanentError(f"{type(e).__name__} ({status})", status) from None
            self.note_unreachable(f"server error {status}")
            if sent_unsure:
                raise UnknownOutcome(f"server error {status}") from None
            raise TransientError(f"server error {status}") from None

    async def _read(self, method: str, endpoint: str, *, retries: int = READ_RETRIES_ON_429,
                    max_wait: float = READ_RETRY_MAX_WAIT, **kwargs: Any) -> Any:
        """A read of the morning job's bulk look-ups: after a 429 it waits for Retry-After and asks
        again (a few times), instead of failing the whole job until the next tick. With a short
        `max_wait` (`_lookup`), a Retry-After longer than that fails at once."""
        for attempt in range(retries + 1):
            try:
                return await self._call(method, endpoint, **kwargs)
            except RateLimited as e:
                asked = e.retry_after if e.retry_after is not None else 1.0
                if attempt == retries or asked > max_wait:
                    raise
                wait = min(max_wait, asked)
                log.info("%s %s: rate limited, asking again in %.1f s", method.upper(), endpoint, wait)
                await asyncio.sleep(wait + random.uniform(0.05, 0.25))
        raise AssertionError("unreachable")

    async def _lookup(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        """A look-up a person waits for: a short Retry-After is waited out (`LOOKUP_RETRY_MAX_WAIT`)."""
        return await self._read(method, endpoint, retries=LOOKUP_RETRIES_ON_429, max_wait=LOOKUP_RETRY_MAX_WAIT,
                                **kwargs)

    # -- users, channels, roles ---------------------------------------------------------------

    async def me(self) -> User:
        user = User.from_api(await self._call("get", "/api/v4/users/me"))
        self.bot_user_id = user.id
        self._users.put(user.id, user)
        return user

    def known_user(self, user_id: str) -> User | None:
        return self._users.get(user_id)

    async def user(self, user_id: str) -> User:
        cached = self._users.get(user_id)
        if cached is not None:
            return cached
        user = User.from_api(await self._lookup("get", f"/api/v4/users/{_path_id(user_id)}"))
        self._users.put(user_id, user)
        return user

    async def users(self, user_ids: list[str]) -> dict[str, User]:
        found, missing = self._users.split(user_ids)
        for start in range(0, len(missing), USERS_PER_REQUEST):
            batch = missing[start : start + USERS_PER_REQUEST]
            for data in await self._read("post", "/api/v4/users/ids", options=batch):
                user = User.from_api(data)
                self._users.put(user.id, user)
                found[user.id] = user
        return found

    async def users_by_username(self, usernames: list[str]) -> dict[str, User]:
        names = [n.lower() for n in dict.fromkeys(usernames)]
        if not names:
            return {}
        result = await self._lookup("post", "/api/v4/users/usernames", options=names)
        users = {}
        for data in result:
            user = User.from_api(data)
            self._users.put(user.id, user)
            users[user.username] = user
        return users

    async def channel(self, channel_id: str) -> Channel:
        cached = self._channels.get(channel_id)
        if cached is not None:
            return cached
        return self._remember_channel(await self._lookup("get", f"/api/v4/channels/{_path_id(channel_id)}"))

    def _remember_channel(self, data: dict[str, Any]) -> Channel:
        channel = Channel(id=data["id"], team_id=data.get("team_id") or "", name=data.get("name") or "",
                          display_name=data.get("display_name") or data.get("name") or "", type=data.get("type") or "O")
        self._channels.put(channel.id, channel)
        return channel

    async def channels_by_ids(self, channel_ids: list[str]) -> dict[str, Channel]:
        """Many channels at once, for the morning fan-out: the bot's own channels come in one
        request per team; the rest (channels the bot posts to without being a member) one by one.
        A 429 is waited out and asked again (`_read`), so a roster does not lose its title to it."""
        found, missing = self._channels.split(channel_ids)
        if len(missing) > CHANNEL_FETCH_CONCURRENCY:
            wanted = set(missing)
            try:
                if not self.bot_user_id:
                    await self.me()
                for team in await self._read("get", f"/api/v4/users/{self.bot_user_id}/teams"):
                    for data in await self._read("get", f"/api/v4/users/{self.bot_user_id}/teams/{team['id']}/channels"):
                        if data.get("id") in wanted:
                            found[data["id"]] = self._remember_channel(data)
            except RateLimited:
                raise  # still limited after waiting: one request per channel instead would only make it worse
            except MattermostError as e:  # one by one below
                log.info("channel list of the bot unavailable (%s); fetching channels one by one", e)
            missing = [cid for cid in missing if cid not in found]
        semaphore = asyncio.Semaphore(CHANNEL_FETCH_CONCURRENCY)

        async def one(cid: str) -> None:
            async with semaphore:
                try:
                    found[cid] = self._remember_channel(await self._read("get", f"/api/v4/channels/{_path_id(cid)}"))
                except MattermostError:
                    pass

        await asyncio.gather(*(one(cid) for cid in missing))
        return found

    async def channel_members(self, channel_id: str) -> list[User]:
        members: list[User] = []
        page = 0
        while True:
            batch = await self._lookup("get", "/api/v4/users",
                                     params={"in_channel": channel_id, "page": page, "per_page": 200})
            for data in batch:
                user = User.from_api(data)
                self._users.put(user.id, user)
                if not user.is_bot and not user.deleted:
                    members.append(user)
            if len(batch) < 200:
                return members
            page += 1

    async def is_channel_member(self, channel_id: str, user_id: str) -> bool:
        key = ("m", channel_id, user_id)
        cached = self._roles.get(key)
        if cached is None:
            try:
                await self._lookup("get", f"/api/v4/channels/{channel_id}/members/{user_id}")
                cached = True
            except PermanentError:
                cached = False
            self._roles.put(key, cached)
        return cached

    async def is_channel_admin(self, channel_id: str, user_id: str) -> bool:
        key = ("c", channel_id, user_id)
        cached = self._roles.get(key)
        if cached is None:
            try:
                data = await self._lookup("get", f"/api/v4/channels/{_path_id(channel_id)}/members/{_path_id(user_id)}")
                cached = bool(data.get("scheme_admin")) or "channel_admin" in (data.get("roles") or "").split()
            except PermanentError:
                cached = False
            self._roles.put(key, cached)
        return cached

    async def is_team_admin(self, team_id: str, user_id: str) -> bool:
        if not team_id:
            return False
        key = ("t", team_id, user_id)
        cached = self._roles.get(key)
        if cached is None:
            try:
                data = await self._lookup("get", f"/api/v4/teams/{_path_id(team_id)}/members/{_path_id(user_id)}")
                cached = bool(data.get("scheme_admin")) or "team_admin" in (data.get("roles") or "").split()
            except PermanentError:
                cached = False
            self._roles.put(key, cached)
        return cached

    def forget_user(self, user_id: str) -> None:
        self._users.drop(lambda k: k == user_id)
        self._roles.drop(lambda k: user_id in k)

    def forget_channel(self, channel_id: str) -> None:
        self._channels.drop(lambda k: k == channel_id)
        self._roles.drop(lambda k: channel_id in k)

    def forget_roles(self) -> None:
        self._roles.drop(lambda k: True)

    # -- posts -----------------------------------------------------------------------------

    async def create_post(self, *, channel_id: str, message: str, props: dict[str, Any] | None,
                          pending_post_id: str, root_id: str | None = None,
                          file_ids: list[str] | None = None) -> str:
        body: dict[str, Any] = {"channel_id": channel_id, "message": message, "pending_post_id": pending_post_id}
        if props:
            body["props"] = props
        if root_id:
            body["root_id"] = root_id
        if file_ids:
            body["file_ids"] = file_ids
        result = await self._call("post", "/api/v4/posts", options=body, params={"set_online": "false"},
                                  sent_unsure=True)
        return result["id"]

    async def patch_post(self, post_id: str, *, message: str, props: dict[str, Any] | None) -> None:
        body: dict[str, Any] = {"message": message}
        if props is not None:
            body["props"] = props
        await self._call("put", f"/api/v4/posts/{_path_id(post_id)}/patch", options=body)

    async def find_post(self, channel_id: str, *, since_ms: int, marker: str) -> str | None:
        """The id of a post of ours carrying `marker`, created since `since_ms`, if any.

        Used before re-sending a post whose earlier attempt may have reached the server. Pages
        back from the newest post until the posts are older than `since_ms`. (`since` is not
        used: with it, Mattermost ignores paging, so a busy channel would repeat one page.)"""
        for page in range(FIND_POST_MAX_PAGES):
            data = await self._call("get", f"/api/v4/channels/{_path_id(channel_id)}/posts",
                                    params={"page": page, "per_page": FIND_POST_PAGE})
            posts = (data or {}).get("posts") or {}
            order = (data or {}).get("order") or list(posts)
            oldest = None
            for post_id in order:
                post = posts.get(post_id) or {}
                if post.get("user_id") == self.bot_user_id and (post.get("props") or {}).get(MARKER_PROP) == marker:
                    return post_id
                created = post.get("create_at")
                if isinstance(created, int):
                    oldest = created if oldest is None else min(oldest, created)
            if len(order) < FIND_POST_PAGE or (oldest is not None and oldest < since_ms):
                return None
        log.warning("post lookup in channel %s stopped after %s pages", channel_id, FIND_POST_MAX_PAGES)
        return None

    async def direct_channel(self, user_id: str) -> str:
        if user_id in self._dm_channels:
            return self._dm_channels[user_id]
        if not self.bot_user_id:
            await self.me()
        data = await self._lookup("post", "/api/v4/channels/direct", options=[self.bot_user_id, user_id])
        self._dm_channels[user_id] = data["id"]
        return data["id"]

    async def upload_file(self, channel_id: str, filename: str, data: bytes) -> str:
        result = await self._call("post", "/api/v4/files", data={"channel_id": channel_id},
                                  files={"files": (filename, data, "text/calendar")})
        return result["file_infos"][0]["id"]

    async def open_dialog(self, trigger_id: str, url: str, dialog: dict[str, Any]) -> None:
        await self._call("post", "/api/v4/actions/dialogs/open",
                         options={"trigger_id": trigger_id, "url": url, "dialog": dialog})

    # -- commands (register) ---------------------------------------------------------------

    async def bot_teams(self) -> list[dict[str, Any]]:
        if not self.bot_user_id:
            await self.me()
        return await self._call("get", f"/api/v4/users/{self.bot_user_id}/teams")

    async def team_commands(self, team_id: str) -> list[dict[str, Any]]:
        return await self._call("get", "/api/v4/commands", params={"team_id": team_id, "custom_only": "true"})

    async def create_command(self, command: dict[str, Any]) -> dict[str, Any]:
        return await self._call("post", "/api/v4/commands", options=command)

    async def update_command(self, command_id: str, command: dict[str, Any]) -> dict[str, Any]:
        return await self._call("put", f"/api/v4/commands/{_path_id(command_id)}", options=command)

    async def listen(self, on_event: Any) -> None:
        """Listen on Mattermost's websocket until `close()`, reconnecting after failures."""
        websocket_cls = type("Websocket", (QuietWebsocket,), {"owner": self})
        await self._driver.init_websocket(on_event, websocket_cls=websocket_cls)

    def websocket_url(self) -> str:
        options = self._driver.options
        scheme = "wss" if options["scheme"] == "https" else "ws"
        return f"{scheme}://{options['url']}:{options['port']}{self._path}/api/v4/websocket"

    # -- health and response_url ----------------------------------------------------------

    async def ping(self) -> bool:
        try:
            await asyncio.wait_for(self._call("get", "/api/v4/system/ping", counted=False), timeout=3)
            return True
        except (MattermostError, TimeoutError):
            return False

    async def post_response_url(self, url: str, payload: dict[str, Any]) -> None:
        """Follow up on a slash command through its `response_url` (only URLs on our server)."""
        if not is_command_hook_url(self._base, url):
            raise PermanentError("response_url is not a command hook of our Mattermost")
        try:
            response = await self._response_client.post(url, json=payload)
        except httpx.TransportError as e:
            raise TransientError(f"response_url unreachable: {type(e).__name__}") from None
        if response.status_code >= 400:
            raise PermanentError(f"response_url answered {response.status_code}", response.status_code)

    async def close(self) -> None:
        await self._driver.client.close()
        await self._response_client.aclose()
