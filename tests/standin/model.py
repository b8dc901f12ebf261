"""The stand-in's records and how the real server renders them as JSON.

Field names and defaults follow the Go structs of mattermost/mattermost
(`server/public/model/*.go`); `to_api()` is what a client sees on the wire.
"""

from __future__ import annotations

import base64
import copy
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

_ID_ALPHABET = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "ybndrfg8ejkmcpqxot1uwisza345h769")


def new_id() -> str:
    """model.NewId: a UUID in base32 with Mattermost's alphabet, 26 lowercase alnum chars."""
    return base64.b32encode(uuid.uuid4().bytes).decode().rstrip("=").translate(_ID_ALPHABET)


def is_valid_id(value: Any) -> bool:
    """model.IsValidId: exactly 26 letters or digits."""
    return isinstance(value, str) and len(value) == 26 and value.isalnum()


def wall_ms() -> int:
    return int(time.time() * 1000)


DEFAULT_TIMEZONE = {"useAutomaticTimezone": "true", "automaticTimezone": "", "manualTimezone": ""}


@dataclass
class Team:
    id: str
    name: str
    display_name: str
    type: str = "O"
    create_at: int = field(default_factory=wall_ms)
    update_at: int = 0
    delete_at: int = 0

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "create_at": self.create_at, "update_at": self.update_at or self.create_at,
                "delete_at": self.delete_at, "display_name": self.display_name, "name": self.name,
                "description": "", "email": "", "type": self.type, "company_name": "", "allowed_domains": "",
                "invite_id": "", "allow_open_invite": False, "last_team_icon_update": 0,
                "cloud_limits_archived": False}


@dataclass
class User:
    id: str
    username: str
    first_name: str = ""
    last_name: str = ""
    nickname: str = ""
    email: str = ""
    locale: str = "de"
    roles: str = "system_user"
    is_bot: bool = False
    bot_description: str = ""
    timezone: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TIMEZONE))
    position: str = ""
    props: dict[str, str] = field(default_factory=dict)
    create_at: int = field(default_factory=wall_ms)
    update_at: int = 0
    delete_at: int = 0

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.roles.split()

    def has_role(self, role: str) -> bool:
        return role in self.roles.split()

    def to_api(self) -> dict[str, Any]:
        data = {"id": self.id, "create_at": self.create_at, "update_at": self.update_at or self.create_at,
                "delete_at": self.delete_at, "username": self.username, "auth_data": "", "auth_service": "",
                "email": self.email, "nickname": self.nickname, "first_name": self.first_name,
                "last_name": self.last_name, "position": self.position, "roles": self.roles,
                "props": dict(self.props), "locale": self.locale, "timezone": dict(self.timezone),
                "disable_welcome_email": False, "last_picture_update": 0}
        if self.is_bot:
            data["is_bot"] = True
            data["bot_description"] = self.bot_description
        return data


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    display_name: str
    type: str = "O"
    creator_id: str = ""
    header: str = ""
    purpose: str = ""
    create_at: int = field(default_factory=wall_ms)
    update_at: int = 0
    delete_at: int = 0
    last_post_at: int = 0
    total_msg_count: int = 0

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "create_at": self.create_at, "update_at": self.update_at or self.create_at,
                "delete_at": self.delete_at, "team_id": self.team_id, "type": self.type,
                "display_name": self.display_name, "name": self.name, "header": self.header,
                "purpose": self.purpose, "last_post_at": self.last_post_at, "total_msg_count": self.total_msg_count,
                "extra_update_at": 0, "creator_id": self.creator_id, "total_msg_count_root": self.total_msg_count,
                "last_root_post_at": self.last_post_at}


@dataclass
class TeamMember:
    team_id: str
    user_id: str
    scheme_admin: bool = False
    scheme_user: bool = True
    scheme_guest: bool = False
    delete_at: int = 0

    @property
    def roles(self) -> str:
        """Built like the store's getTeamRoles: scheme-implied roles, space-separated."""
        return " ".join(r for r, on in (("team_guest", self.scheme_guest), ("team_user", self.scheme_user),
                                         ("team_admin", self.scheme_admin)) if on)

    def to_api(self) -> dict[str, Any]:
        return {"team_id": self.team_id, "user_id": self.user_id, "roles": self.roles, "delete_at": self.delete_at,
                "scheme_guest": self.scheme_guest, "scheme_user": self.scheme_user,
                "scheme_admin": self.scheme_admin, "explicit_roles": ""}


@dataclass
class ChannelMember:
    channel_id: str
    user_id: str
    scheme_admin: bool = False
    scheme_user: bool = True
    scheme_guest: bool = False
    last_viewed_at: int = 0
    msg_count: int = 0
    mention_count: int = 0
    last_update_at: int = field(default_factory=wall_ms)

    @property
    def roles(self) -> str:
        return " ".join(r for r, on in (("channel_guest", self.scheme_guest), ("channel_user", self.scheme_user),
                                         ("channel_admin", self.scheme_admin)) if on)

    def to_api(self) -> dict[str, Any]:
        return {"channel_id": self.channel_id, "user_id": self.user_id, "roles": self.roles,
                "last_viewed_at": self.last_viewed_at, "msg_count": self.msg_count,
                "mention_count": self.mention_count, "mention_count_root": self.mention_count,
                "urgent_mention_count": 0, "msg_count_root": self.msg_count,
                "notify_props": {"desktop": "default", "email": "default", "mark_unread": "all", "push": "default",
                                 "ignore_channel_mentions": "default"},
                "last_update_at": self.last_update_at, "scheme_guest": self.scheme_guest,
                "scheme_user": self.scheme_user, "scheme_admin": self.scheme_admin, "explicit_roles": ""}


@dataclass
class Post:
    id: str
    channel_id: str
    user_id: str
    message: str = ""
    create_at: int = field(default_factory=wall_ms)
    update_at: int = 0
    edit_at: int = 0
    delete_at: int = 0
    root_id: str = ""
    type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)
    pending_post_id: str = ""
    is_pinned: bool = False
    has_reactions: bool = False
    ephemeral_for: str = ""  # set on ephemeral posts: the only user who sees it

    def __post_init__(self) -> None:
        self.update_at = self.update_at or self.create_at

    @property
    def attachments(self) -> list[dict[str, Any]]:
        value = self.props.get("attachments")
        return value if isinstance(value, list) else []

    def actions(self) -> list[dict[str, Any]]:
        return [a for att in self.attachments if isinstance(att, dict)
                for a in (att.get("actions") or []) if isinstance(a, dict)]

    def generate_action_ids(self, make_id=new_id) -> None:  # noqa: ANN001
        """Post.GenerateActionIds: actions without an id get one."""
        for action in self.actions():
            if not action.get("id"):
                action["id"] = make_id()

    def to_api(self, *, reply_count: int = 0, files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """As `Post.EncodeJSON`: action integrations (url and context) are stripped."""
        props = copy.deepcopy(self.props)
        for att in props.get("attachments") or []:
            for action in (att.get("actions") or []) if isinstance(att, dict) else []:
                if isinstance(action, dict):
                    action.pop("integration", None)
        data: dict[str, Any] = {
            "id": self.id, "create_at": self.create_at, "update_at": self.update_at, "edit_at": self.edit_at,
            "delete_at": self.delete_at, "is_pinned": self.is_pinned, "user_id": self.user_id,
            "channel_id": self.channel_id, "root_id": self.root_id, "original_id": "", "message": self.message,
            "type": self.type, "props": props, "hashtags": "",
            "file_ids": list(self.file_ids), "pending_post_id": self.pending_post_id,
            "reply_count": reply_count, "last_reply_at": 0, "participants": None, "metadata": {},
        }
        if self.has_reactions:
            data["has_reactions"] = True
        if files:
            data["metadata"]["files"] = files
        return data


@dataclass
class FileInfo:
    id: str
    user_id: str
    channel_id: str
    name: str
    extension: str
    size: int
    mime_type: str
    post_id: str = ""
    create_at: int = field(default_factory=wall_ms)

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "user_id": self.user_id, "post_id": self.post_id, "channel_id": self.channel_id,
                "create_at": self.create_at, "update_at": self.create_at, "delete_at": 0, "name": self.name,
                "extension": self.extension, "size": self.size, "mime_type": self.mime_type,
                "has_preview_image": False, "mini_preview": None, "remote_id": "", "archived": False}


COMMAND_FIELDS = ("trigger", "method", "username", "icon_url", "auto_complete", "auto_complete_desc",
                  "auto_complete_hint", "display_name", "description", "url")


@dataclass
class Command:
    id: str
    token: str
    team_id: str
    trigger: str
    url: str
    method: str = "P"
    creator_id: str = ""
    username: str = ""
    icon_url: str = ""
    auto_complete: bool = False
    auto_complete_desc: str = ""
    auto_complete_hint: str = ""
    display_name: str = ""
    description: str = ""
    create_at: int = field(default_factory=wall_ms)
    update_at: int = 0
    delete_at: int = 0

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "token": self.token, "create_at": self.create_at,
                "update_at": self.update_at or self.create_at, "delete_at": self.delete_at,
                "creator_id": self.creator_id, "team_id": self.team_id, "trigger": self.trigger,
                "method": self.method, "username": self.username, "icon_url": self.icon_url,
                "auto_complete": self.auto_complete, "auto_complete_desc": self.auto_complete_desc,
                "auto_complete_hint": self.auto_complete_hint, "display_name": self.display_name,
                "description": self.description, "url": self.url, "plugin_id": ""}


@dataclass
class CommandHook:
    """A `response_url`: where a command's later replies go (model.CommandWebhook)."""

    id: str
    command_id: str
    user_id: str
    channel_id: str
    root_id: str
    team_id: str
    create_at: int
    use_count: int = 0


@dataclass
class Dialog:
    """A dialog the bot opened with POST /actions/dialogs/open."""

    trigger_id: str
    url: str
    dialog: dict[str, Any]
    user_id: str
    opened_at: int
    problems: list[str] = field(default_factory=list)

    @property
    def callback_id(self) -> str:
        return str(self.dialog.get("callback_id") or "")

    @property
    def state(self) -> str:
        return str(self.dialog.get("state") or "")

    @property
    def elements(self) -> list[dict[str, Any]]:
        return list(self.dialog.get("elements") or [])
