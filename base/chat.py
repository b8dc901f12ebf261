"""The Mattermost port's types: what Amtsbote asks of Mattermost, and how that can fail.

`MattermostPort` is the interface; `bot.mattermost.RestMattermost` implements it over
`mattermostautodriver`, and the console implements it in memory. Errors are reduced to three
kinds the outbox understands: a transient failure (retry later, maybe after `retry_after`
seconds), a permanent refusal, and an unknown outcome (the request may have been carried out).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

_MATTERMOST_ID = re.compile(r"[a-z0-9]{26}")


def is_mattermost_id(value: object) -> bool:
    """Whether `value` has the form of a Mattermost id (26 characters, a-z and 0-9). Whatever
    a caller sends as a user, channel, team or post id is checked with this before it goes
    into a request path, so that "../../system/ping" never becomes a URL."""
    return isinstance(value, str) and _MATTERMOST_ID.fullmatch(value) is not None


# Set while the outbox sends a post or an edit it already took a token for (`request_paid_for`).
_PAID: ContextVar[bool] = ContextVar("amtsbote_request_paid", default=False)


@contextlib.contextmanager
def request_paid_for() -> Iterator[None]:
    """The next request to Mattermost in this task is already counted in the shared bucket."""
    token = _PAID.set(True)
    try:
        yield
    finally:
        _PAID.reset(token)


class MattermostError(Exception):
    pass


class TransientError(MattermostError):
    """Try again later. `retry_after` is the server's own wait, in seconds, if it gave one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """Mattermost answered 429: its rate limit for our address is spent until `retry_after`."""


class PermanentError(MattermostError):
    """Mattermost refused the request; repeating it will not help."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class UnknownOutcome(TransientError):
    """The request was sent but no answer came: it may or may not have been carried out."""


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    display_name: str
    locale: str
    roles: str = "system_user"
    is_bot: bool = False
    deleted: bool = False

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.roles.split()

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> User:
        first, last = (data.get("first_name") or "").strip(), (data.get("last_name") or "").strip()
        full = f"{first} {last}".strip()
        display = full or (data.get("nickname") or "").strip() or data["username"]
        return cls(
            id=data["id"],
            username=data["username"],
            display_name=display,
            locale=data.get("locale") or "",
            roles=data.get("roles") or "system_user",
            is_bot=bool(data.get("is_bot")),
            deleted=bool(data.get("delete_at")),
        )


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    team_id: str
    name: str
    display_name: str
    type: str  # O, P, D, G

    @property
    def is_direct(self) -> bool:
        return self.type in ("D", "G")


class MattermostPort(Protocol):
    bot_user_id: str

    async def me(self) -> User: ...
    async def user(self, user_id: str) -> User: ...
    def known_user(self, user_id: str) -> User | None:
        """The user if it is at hand without asking Mattermost (a cache), else None."""
        ...

    async def users(self, user_ids: list[str]) -> dict[str, User]: ...
    async def users_by_username(self, usernames: list[str]) -> dict[str, User]: ...
    async def channel(self, channel_id: str) -> Channel: ...
    async def channels_by_ids(self, channel_ids: list[str]) -> dict[str, Channel]:
        """Many channels at once (those that cannot be read are left out)."""
        ...

    async def channel_members(self, channel_id: str) -> list[User]: ...
    async def is_channel_member(self, channel_id: str, user_id: str) -> bool: ...
    async def is_channel_admin(self, channel_id: str, user_id: str) -> bool: ...
    async def is_team_admin(self, team_id: str, user_id: str) -> bool: ...
    async def create_post(self, *, channel_id: str, message: str, props: dict[str, Any] | None,
                          pending_post_id: str, root_id: str | None = None,
                          file_ids: list[str] | None = None) -> str: ...
    async def patch_post(self, post_id: str, *, message: str, props: dict[str, Any] | None) -> None: ...
    async def find_post(self, channel_id: str, *, since_ms: int, marker: str) -> str | None:
        """The id of a post of ours carrying `marker`, created since `since_ms`, if any.

        Used before re-sending a post whose earlier attempt may have reached the server."""
        ...

    async def direct_channel(self, user_id: str) -> str: ...
    async def upload_file(self, channel_id: str, filename: str, data: bytes) -> str: ...
    async def open_dialog(self, trigger_id: str, url: str, dialog: dict[str, Any]) -> None: ...
    async def bot_teams(self) -> list[dict[str, Any]]: ...
    async def team_commands(self, team_id: str) -> list[dict[str, Any]]: ...
    async def create_command(self, command: dict[str, Any]) -> dict[str, Any]: ...
    async def update_command(self, command_id: str, command: dict[str, Any]) -> dict[str, Any]: ...
    async def ping(self) -> bool: ...
    async def post_response_url(self, url: str, payload: dict[str, Any]) -> None: ...
    def forget_user(self, user_id: str) -> None: ...
    async def close(self) -> None: ...


MARKER_PROP = "amtsbote_key"
