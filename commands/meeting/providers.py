"""Video-meeting providers behind one small interface: make a room, and take it back.

`create_room` runs *before* the meeting is stored, so a provider that fails leaves
nothing behind; if storing fails afterwards, the caller hands the room to
`delete_room`. Every failure a user can see is a `ProviderError`, a localized
message that says nothing was created.

* **Jitsi** needs no API call: a room exists once someone opens its URL, so the room
  name itself is the secret (`secrets.token_urlsafe`, about 144 bits). The prefix is
  fixed on purpose: a title in the URL would tell a public Jitsi server what a youth
  welfare team meets about.
* **BigBlueButton** rooms are made with `create` and entered with `join`, each URL
  signed with checksum = SHA(call name + query string + shared secret) as its API
  documentation describes. A join URL carries the person's name, so it is personal:
  the announcement has a "join" button that answers each person with their own link,
  and calls `create` again first (it is idempotent), because BigBlueButton removes a
  room that nobody entered within a few minutes.
* **Zoom** uses server-to-server OAuth: an account-credentials token (Basic auth with
  the client id and secret), then `POST /users/me/meetings` with that bearer token.
* A **fixed URL** typed by the user is checked for its form only and never fetched.

Secrets (the BBB secret, Zoom's client secret and tokens) never reach a log line or
an error text.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx

from base.i18n import LocalizedError, Text
from base.safetext import plain

log = logging.getLogger("amtsbote.providers")

ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
ZOOM_API_URL = "https://api.zoom.us/v2"
TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 256 * 1024
PROVIDER_NAMES = {"jitsi": "Jitsi", "bbb": "BigBlueButton", "zoom": "Zoom", "url": "Link"}

NOT_CONFIGURED = Text(
    de="{provider} ist für Amtsbote nicht eingerichtet (es fehlt {missing}). Es wurde keine Besprechung angelegt. "
       "Bitte einen anderen Dienst wählen, z. B. `über jitsi`.",
    en="{provider} is not set up for Amtsbote ({missing} missing). No meeting was created. "
       "Please choose another service, e.g. `via jitsi`.",
)
NO_VIDEO_SERVER = Text(
    de="Für Videobesprechungen ist noch kein Server eingerichtet (JITSI_URL); das erledigt die IT. "
       "Es wurde keine Besprechung angelegt. Einen eigenen Link gibst du so an: `über https://…`.",
    en="No video server is set up yet (JITSI_URL); your IT department does that. No meeting was created. "
       "To use a link of your own, add `via https://…`.",
)
UNREACHABLE = Text(
    de="{provider} ist gerade nicht erreichbar. Es wurde keine Besprechung angelegt. "
       "Bitte später noch einmal versuchen oder einen anderen Dienst wählen, z. B. `über jitsi`.",
    en="{provider} cannot be reached right now. No meeting was created. "
       "Please try again later or choose another service, e.g. `via jitsi`.",
)
REFUSED = Text(
    de="{provider} hat das Anlegen abgelehnt ({reason}). Es wurde keine Besprechung angelegt. "
       "Bitte die Einrichtung von der IT prüfen lassen oder einen anderen Dienst wählen, z. B. `über jitsi`.",
    en="{provider} refused to create the meeting ({reason}). No meeting was created. "
       "Please ask IT to check the setup, or choose another service, e.g. `via jitsi`.",
)
BAD_URL = Text(
    de="„{url}“ ist kein gültiger Besprechungslink. Erlaubt sind https-Links mit Servername, ohne Leerzeichen und "
       "ohne Zugangsdaten, z. B. `über https://meet.example.org/teamrunde`.",
    en="“{url}” is not a valid meeting link. Use an https link with a host name, no spaces and no credentials, "
       "e.g. `via https://meet.example.org/team-meeting`.",
)


class ProviderError(LocalizedError):
    """The provider could not make a room; the message says nothing was created."""


@dataclass(frozen=True, slots=True)
class RoomRequest:
    """What a provider may know about the meeting it makes a room for."""

    title: str
    start: datetime  # aware
    duration: timedelta
    recurring: bool = False
    instant: bool = False
    timezone: str = "Europe/Berlin"


@dataclass(frozen=True, slots=True)
class Room:
    join_url: str  # "" for BigBlueButton (links are personal)
    provider: str  # jitsi | bbb | zoom | url
    external_id: str = ""


class Provider(Protocol):
    @property
    def name(self) -> str: ...  # read-only: the providers are frozen dataclasses

    async def create_room(self, request: RoomRequest) -> Room: ...
    async def delete_room(self, room: Room) -> None: ...


# -- URLs -------------------------------------------------------------------------------------

# Printable ASCII without space, quotes, backslash, angle and square brackets, backticks, pipes
# and braces: nothing that could end an autolink, open a markdown link or an HTML tag. "@" is
# refused too, so no mention can hide in a link and no user:password@ part can come in.
# A typed link is shown as it is (readers see where it leads) and Mattermost links it by itself, so it
# may hold only characters that markdown leaves alone inside a link: no "*", "(", ")", "!", "'" (bold,
# italics, an early end of the link), and it may not end in punctuation that would fall off the link.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#$&+,;=%]*[A-Za-z0-9/#=%&+\-_]")
_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


def check_meeting_url(url: str) -> str:
    """Return `url` if it is a plain https link to a named host; raise `ProviderError` otherwise.

    Only the form is checked; the URL is never requested."""
    candidate = url
    if len(candidate) <= 2000 and _URL_CHARS.fullmatch(candidate):
        parts = urlsplit(candidate)
        try:
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            port_ok = False
        if (parts.scheme == "https" and parts.hostname and _HOST.fullmatch(parts.hostname)
                and parts.username is None and parts.password is None and port_ok):
            return candidate
    raise ProviderError(BAD_URL, url=plain(url, max_length=60))


# -- Jitsi and fixed links ----------------------------------------------------------------------


@dataclass(frozen=True)
class Jitsi:
    base_url: str
    name: str = "jitsi"

    async def create_room(self, request: RoomRequest) -> Room:
        room = "Amtsbote-" + secrets.token_urlsafe(18)
        return Room(join_url=f"{self.base_url.rstrip('/')}/{room}", provider=self.name, external_id=room)

    async def delete_room(self, room: Room) -> None:
        """Nothing to do: a Jitsi room exists only while people are in it."""


@dataclass(frozen=True)
class FixedUrl:
    url: str
    name: str = "url"

    async def create_room(self, request: RoomRequest) -> Room:
        return Room(join_url=check_meeting_url(self.url), provider=self.name)

    async def delete_room(self, room: Room) -> None:
        """Nothing to do: the link belongs to whoever made it."""


# -- BigBlueButton ----------------------------------------------------------------------------------

_CHECKSUM_LENGTHS = {"sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}


def bbb_checksum(call: str, query: str, secret: str, algorithm: str = "sha256") -> str:
    """The BigBlueButton API checksum: the hash of call name + query string + shared secret."""
    if algorithm not in _CHECKSUM_LENGTHS:
        raise ValueError(algorithm)
    return hashlib.new(algorithm, (call + query + secret).encode()).hexdigest()


@dataclass(frozen=True)
class BigBlueButton:
    base_url: str  # as `bbb-conf --secret` prints it: https://bbb.example.org/bigbluebutton/
    secret: str = field(repr=False)
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = TIMEOUT_SECONDS
    algorithm: str = "sha256"  # BigBlueButton accepts sha1 and sha256 by default, sha384 and sha512 since 2.5
    name: str = "bbb"

    @property
    def api_url(self) -> str:
        base = self.base_url.rstrip("/")
        return base + "/" if base.endswith("/api") else base + "/api/"

    def signed_url(self, call: str, params: dict[str, str]) -> str:
        query = urlencode(params)
        return f"{self.api_url}{call}?{query}&checksum={bbb_checksum(call, query, self.secret, self.algorithm)}"

    def _create_params(self, meeting_id: str, title: str) -> dict[str, str]:
        name = " ".join(title.split())[:64]
        return {"name": name if len(name) >= 2 else "Amtsbote", "meetingID": meeting_id, "record": "false"}

    async def create_room(self, request: RoomRequest) -> Room:
        meeting_id = "amtsbote-" + secrets.token_urlsafe(18)
        await self.open_room(meeting_id, request.title)
        return Room(join_url="", provider=self.name, external_id=meeting_id)

    async def open_room(self, meeting_id: str, title: str) -> None:
        """`create` the room, or confirm it exists (BigBlueButton's create is idempotent)."""
        url = self.signed_url("create", self._create_params(meeting_id, title))
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
            try:
                response = await client.get(url)
            except httpx.HTTPError as e:
                log.warning("BigBlueButton create failed: %s", type(e).__name__)
                raise ProviderError(UNREACHABLE, provider="BigBlueButton") from None
        if response.status_code != 200:
            log.warning("BigBlueButton create answered HTTP %s", response.status_code)
            raise ProviderError(REFUSED, provider="BigBlueButton", reason=f"HTTP {response.status_code}")
        code, key = _bbb_result(response.content)
        if code != "SUCCESS":
            log.warning("BigBlueButton create failed: %s", key or "no returncode")
            raise ProviderError(REFUSED, provider="BigBlueButton", reason=plain(key or "FAILED", max_length=40))

    def join_url(self, meeting_id: str, *, full_name: str, moderator: bool) -> str:
        """A personal join link: BigBlueButton shows `fullName` to the others."""
        name = " ".join(full_name.split())[:100] or "Gast"
        return self.signed_url("join", {"fullName": name, "meetingID": meeting_id,
                                        "role": "MODERATOR" if moderator else "VIEWER"})

    async def delete_room(self, room: Room) -> None:
        """Nothing to do: nobody has a join link yet, and BigBlueButton removes a room
        that no one entered after a few minutes (`meetingExpireIfNoUserJoinedInMinutes`)."""


def _bbb_result(body: bytes) -> tuple[str, str]:
    """(returncode, messageKey) of a BigBlueButton XML answer; ("", "") if it is not one."""
    if len(body) > MAX_ANSWER_BYTES:
        return "", "answer too large"
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return "", "no XML"
    return (root.findtext("returncode") or "").strip(), (root.findtext("messageKey") or "").strip()


# -- Zoom ----------------------------------------------------------------------------------------------

_zoom_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}  # (oauth url, account, client) -> (token, expiry)


@dataclass(frozen=True)
class Zoom:
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    oauth_url: str = ZOOM_OAUTH_URL
    api_url: str = ZOOM_API_URL
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = TIMEOUT_SECONDS
    name: str = "zoom"

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.timeout, transport=self.transport, follow_redirects=False)

    async def _token(self, client: httpx.AsyncClient, *, fresh: bool = False) -> str:
        """An account-credentials access token, reused until shortly before it expires."""
        key = (self.oauth_url, self.account_id, self.client_id)
        cached = _zoom_tokens.get(key)
        if cached and not fresh and cached[1] > time.monotonic():
            return cached[0]
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        response = await client.post(self.oauth_url, params={"grant_type": "account_credentials",
                                                             "account_id": self.account_id},
                                     headers={"Authorization": f"Basic {basic}"})
        if response.status_code != 200:
            log.warning("Zoom token request answered HTTP %s", response.status_code)
            raise ProviderError(REFUSED, provider="Zoom", reason=f"OAuth HTTP {response.status_code}")
        data = _json(response)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise ProviderError(REFUSED, provider="Zoom", reason="OAuth")
        lifetime: int = data["expires_in"] if isinstance(data.get("expires_in"), int) else 3600
        _zoom_tokens[key] = (token, time.monotonic() + max(0, lifetime - 60))
        return token

    async def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> httpx.Response:
        """One API call with the bearer token; a 401 (token revoked or expired early) gets one fresh try."""
        async with self._client() as client:
            try:
                for fresh in (False, True):
                    token = await self._token(client, fresh=fresh)
                    response = await client.request(method, self.api_url.rstrip("/") + path, json=json,
                                                    headers={"Authorization": f"Bearer {token}"})
                    if response.status_code != 401:
                        return response
                return response
            except httpx.HTTPError as e:
                log.warning("Zoom %s %s failed: %s", method, path.split("/")[1], type(e).__name__)
                raise ProviderError(UNREACHABLE, provider="Zoom") from None

    async def create_room(self, request: RoomRequest) -> Room:
        body: dict[str, Any] = {"topic": " ".join(request.title.split())[:200] or "Amtsbote",
                                # Nobody enters before the host admits them (a city's meetings are not open rooms).
                                "settings": {"join_before_host": False, "waiting_room": True}}
        if request.instant:
            body["type"] = 1
        elif request.recurring:
            body["type"] = 3  # recurring, no fixed time: one link for every occurrence; we remind ourselves
        else:
            body.update(type=2, start_time=request.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        duration=max(1, int(request.duration.total_seconds() // 60)), timezone=request.timezone)
        response = await self._call("POST", "/users/me/meetings", json=body)
        if response.status_code != 201:
            log.warning("Zoom create meeting answered HTTP %s", response.status_code)
            raise ProviderError(REFUSED, provider="Zoom", reason=f"HTTP {response.status_code}")
        data = _json(response)
        join_url, meeting_id = data.get("join_url"), data.get("id")
        external_id = str(meeting_id) if isinstance(meeting_id, int | str) and str(meeting_id) else ""
        try:
            if not isinstance(join_url, str) or not external_id:
                raise ProviderError(REFUSED, provider="Zoom", reason="join_url")
            return Room(join_url=check_meeting_url(join_url), provider=self.name, external_id=external_id)
        except ProviderError:
            # Zoom made a meeting we cannot use: take it back, so none is left half-created.
            log.warning("Zoom answered create meeting without a usable join link")
            await self._delete_quietly(external_id)
            raise ProviderError(REFUSED, provider="Zoom", reason="join_url") from None

    async def _delete_quietly(self, external_id: str) -> None:
        if not external_id:
            return
        try:
            await self.delete_room(Room(join_url="", provider=self.name, external_id=external_id))
        except Exception as e:  # best effort: the user's error is the create failure
            log.warning("could not delete the unusable Zoom meeting (%s)", type(e).__name__)

    async def delete_room(self, room: Room) -> None:
        if room.external_id:
            response = await self._call("DELETE", f"/meetings/{room.external_id}")
            if response.status_code not in (200, 204, 404):
                log.warning("Zoom delete meeting answered HTTP %s", response.status_code)


def _json(response: httpx.Response) -> dict[str, Any]:
    if len(response.content) > MAX_ANSWER_BYTES:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- choosing one -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderConfig:
    """Where the providers are and how to reach them (from settings; tests swap URLs and transport)."""

    jitsi_url: str | None = None  # no default: titles and names go to no server the operator did not choose
    bbb_url: str | None = None
    bbb_secret: str | None = field(default=None, repr=False)
    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: str | None = field(default=None, repr=False)
    zoom_oauth_url: str = ZOOM_OAUTH_URL
    zoom_api_url: str = ZOOM_API_URL
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls, settings: Any, **changes: Any) -> ProviderConfig:
        values = {name: getattr(settings, name) for name in (
            "jitsi_url", "bbb_url", "bbb_secret", "zoom_account_id", "zoom_client_id", "zoom_client_secret")}
        values.update(changes)
        return cls(**values)

    def bbb(self) -> BigBlueButton:
        if not (self.bbb_url and self.bbb_secret):
            raise ProviderError(NOT_CONFIGURED, provider="BigBlueButton", missing="BBB_URL/BBB_SECRET")
        return BigBlueButton(self.bbb_url, self.bbb_secret, transport=self.transport, timeout=self.timeout)

    def provider(self, name: str, *, url: str | None = None) -> Provider:
        """The provider called `name` (jitsi, bbb, zoom, url), or a `ProviderError` if it is not set up."""
        if name == "url":
            return FixedUrl(check_meeting_url(url or ""))
        if name == "bbb":
            return self.bbb()
        if name == "zoom":
            if not (self.zoom_account_id and self.zoom_client_id and self.zoom_client_secret):
                raise ProviderError(NOT_CONFIGURED, provider="Zoom",
                                    missing="ZOOM_ACCOUNT_ID/ZOOM_CLIENT_ID/ZOOM_CLIENT_SECRET")
            return Zoom(self.zoom_account_id, self.zoom_client_id, self.zoom_client_secret,
                        oauth_url=self.zoom_oauth_url, api_url=self.zoom_api_url, transport=self.transport,
                        timeout=self.timeout)
        if not self.jitsi_url:
            raise ProviderError(NO_VIDEO_SERVER)
        return Jitsi(self.jitsi_url)
