"""The console's Mattermost: an in-memory demo team behind the MattermostPort.

A demo team with two channels and eight people, who see what the bot posts in
their channels and DMs. Posts are printed as they are made or edited; their
buttons get numbers for `:click N`. The console keeps its database between runs
but not its screen: a post of an earlier run that the bot edits is shown again
under its id, in the channel the outbox sent it to.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from base.chat import MARKER_PROP, Channel, PermanentError, User
from base.clock import ManualClock
from base.safetext import unescape_for_terminal

TEAM_ID = "demoteam0000000000000000aa"
TEAM_NAME = "stadtverwaltung"

DEMO_USERS = [
    # id suffix, username, first, last, locale, roles
    ("anna", "anna.schmidt", "Anna", "Schmidt", "de", "system_user"),
    ("bernd", "bernd.mueller", "Bernd", "Müller", "de", "system_user"),
    ("claudia", "claudia.weber", "Claudia", "Weber", "de", "system_user"),
    ("dieter", "dieter.fischer", "Dieter", "Fischer", "de", "system_user"),
    ("elif", "elif.yilmaz", "Elif", "Yılmaz", "de", "system_user"),
    ("frank", "frank.hoffmann", "Frank", "Hoffmann", "de", "system_user"),
    ("gabi", "gabriele.wagner", "Gabriele", "Wagner", "de", "system_user"),
    ("james", "james.miller", "James", "Miller", "en", "system_user"),
]
CHANNELS = [
    ("asd", "jugendamt-asd", "Jugendamt – ASD Team 3", ["anna", "bernd", "claudia", "dieter", "elif", "frank", "james"]),
    ("wigu", "wirtschaftliche-hilfe", "Wirtschaftliche Jugendhilfe", ["gabi", "anna", "bernd"]),
]
LEADS = {("asd", "anna"), ("wigu", "gabi")}


# How Mattermost finds `@name` and `~channel` in a slash command's text (MentionsToTeamMembers,
# MentionsToPublicChannels).
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9.\-_:]*)")
_CHANNEL_MENTION = re.compile(r"(?<![\w~])~([A-Za-z0-9\-_]+)")


def demo_id(prefix: str, name: str) -> str:
    return (prefix + name + "0" * 26)[:26]


@dataclass
class ConsolePost:
    id: str
    channel_id: str
    user_id: str
    message: str
    props: dict[str, Any]
    create_at: int
    edits: int = 0
    file_ids: list[str] = field(default_factory=list)
    ephemeral_for: str = ""  # a private reply: only this user sees it, and Mattermost does not store it


def actions_of(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for att in props.get("attachments") or [] for a in att.get("actions") or []]


@dataclass
class Buttons:
    """The buttons shown so far, numbered for `:click N`. An edited post keeps its buttons' numbers,
    as in Mattermost the buttons stay where they are when a post is edited."""

    owners: list[str] = field(default_factory=list)  # button N is on post owners[N - 1]

    def numbers(self, post_id: str, count: int) -> list[int]:
        mine = [n for n, owner in enumerate(self.owners, 1) if owner == post_id]
        while len(mine) < count:
            self.owners.append(post_id)
            mine.append(len(self.owners))
        return mine[:count]

    def find(self, number: int) -> tuple[str, int] | None:
        """(post id, the button's place among that post's buttons) of button `number`."""
        if not 1 <= number <= len(self.owners):
            return None
        post_id = self.owners[number - 1]
        return post_id, self.owners[:number - 1].count(post_id)


@dataclass
class ConsoleMattermost:
    """An in-memory Mattermost for the console: a demo team, channels and people."""

    clock: ManualClock
    out: TextIO = sys.stdout
    bot_user_id: str = demo_id("bot", "amtsbote")
    users_by_id: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    admins: set[tuple[str, str]] = field(default_factory=set)
    posts: dict[str, ConsolePost] = field(default_factory=dict)
    ephemerals: dict[str, ConsolePost] = field(default_factory=dict)
    buttons: Buttons = field(default_factory=lambda: Buttons())
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # The channel a post of an earlier run went to (the console keeps its database, not its screen).
    post_home: Callable[[str], str | None] | None = None
    locale: str = "de"  # of the person at the console, for the frame around posts
    dialogs: list[dict[str, Any]] = field(default_factory=list)  # opened, not yet filled in

    def __post_init__(self) -> None:
        self.users_by_id[self.bot_user_id] = User(self.bot_user_id, "amtsbote", "Amtsbote", "de", is_bot=True)
        for key, username, first, last, locale, roles in DEMO_USERS:
            uid = demo_id("u", key)
            self.users_by_id[uid] = User(uid, username, f"{first} {last}", locale, roles)
        for key, name, display, people in CHANNELS:
            cid = demo_id("c", key)
            self.channels[cid] = Channel(cid, TEAM_ID, name, display, "O")
            self.members[cid] = [demo_id("u", p) for p in people]
        self.admins = {(demo_id("c", c), demo_id("u", u)) for c, u in LEADS}

    def by_username(self, name: str) -> User | None:
        name = name.lstrip("@").lower()
        return next((u for u in self.users_by_id.values() if u.username == name or u.id == name), None)

    def channel_by_name(self, name: str) -> Channel | None:
        name = name.lstrip("~").lower()
        return next((c for c in self.channels.values() if c.name == name or c.id == name), None)

    def mention_fields(self, text: str) -> dict[str, list[str]]:
        """The `user_mentions` and `channel_mentions` form fields Mattermost adds to a slash command:
        team members (a trailing `.`, `-` or `_` is cut off, as Mattermost does) and open channels."""
        users: dict[str, str] = {}
        for raw in _MENTION.findall(text):
            name = raw.lower()
            while name:
                user = next((u for u in self.users_by_id.values() if u.username == name), None)
                if user is not None:
                    users.setdefault(name, user.id)
                    break
                if name[-1] not in ".-_":
                    break
                name = name[:-1]
        channels = {c.name: c.id for c in self.channels.values() if c.type == "O"}
        named = [n for n in dict.fromkeys(n.lower() for n in _CHANNEL_MENTION.findall(text)) if n in channels]
        return {"user_mentions": list(users), "user_mentions_ids": list(users.values()),
                "channel_mentions": named, "channel_mentions_ids": [channels[n] for n in named]}

    def sees(self, user_id: str, post: ConsolePost) -> bool:
        """Whether `user_id` sees `post`: a private reply only its user, a DM or channel post its members."""
        if post.ephemeral_for:
            return post.ephemeral_for == user_id
        return user_id in self.members.get(post.channel_id, [])

    # -- MattermostPort -------------------------------------------------------------------

    async def me(self) -> User:
        return self.users_by_id[self.bot_user_id]

    async def user(self, user_id: str) -> User:
        if user_id not in self.users_by_id:
            raise PermanentError("no such user", 404)
        return self.users_by_id[user_id]

    def known_user(self, user_id: str) -> User | None:
        return self.users_by_id.get(user_id)

    async def users(self, user_ids: list[str]) -> dict[str, User]:
        return {uid: self.users_by_id[uid] for uid in user_ids if uid in self.users_by_id}

    async def users_by_username(self, usernames: list[str]) -> dict[str, User]:
        found = {}
        for name in usernames:
            user = self.by_username(name)
            if user is not None:
                found[user.username] = user
        return found

    async def channel(self, channel_id: str) -> Channel:
        if channel_id not in self.channels:
            raise PermanentError("no such channel", 404)
        return self.channels[channel_id]

    async def channels_by_ids(self, channel_ids: list[str]) -> dict[str, Channel]:
        return {cid: self.channels[cid] for cid in channel_ids if cid in self.channels}

    async def channel_members(self, channel_id: str) -> list[User]:
        return [self.users_by_id[u] for u in self.members.get(channel_id, [])]

    async def is_channel_member(self, channel_id: str, user_id: str) -> bool:
        return user_id in self.members.get(channel_id, [])

    async def is_channel_admin(self, channel_id: str, user_id: str) -> bool:
        return (channel_id, user_id) in self.admins

    async def is_team_admin(self, team_id: str, user_id: str) -> bool:
        return False

    async def create_post(self, *, channel_id: str, message: str, props: dict[str, Any] | None,
                          pending_post_id: str, root_id: str | None = None,
                          file_ids: list[str] | None = None) -> str:
        post = ConsolePost(uuid.uuid4().hex[:26], channel_id, self.bot_user_id, message, dict(props or {}),
                           int(self.clock.now().timestamp() * 1000), file_ids=list(file_ids or []))
        self.posts[post.id] = post
        self._show(post, edited=False)
        return post.id

    async def patch_post(self, post_id: str, *, message: str, props: dict[str, Any] | None) -> None:
        post = self.posts.get(post_id) or await self._earlier_post(post_id)
        post.message = message
        if props is not None:
            post.props = dict(props)
        post.edits += 1
        self._show(post, edited=True)

    async def _earlier_post(self, post_id: str) -> ConsolePost:
        """A post of an earlier console run on the same database: shown again, under its id, in the
        channel it went to. Where that is unknown, the answer Mattermost gives for a deleted post."""
        channel_id = self.post_home(post_id) if self.post_home is not None else None
        if channel_id and channel_id not in self.channels:
            user_id = next((u for u in self.users_by_id if demo_id("dm", u[1:8]) == channel_id), None)
            if user_id is not None:
                await self.direct_channel(user_id)
        if not channel_id or channel_id not in self.channels:
            raise PermanentError("Unable to get the post.", 404)
        post = ConsolePost(post_id, channel_id, self.bot_user_id, "", {}, int(self.clock.now().timestamp() * 1000))
        self.posts[post_id] = post
        return post

    async def find_post(self, channel_id: str, *, since_ms: int, marker: str) -> str | None:
        return next((p.id for p in self.posts.values()
                     if p.channel_id == channel_id and p.props.get(MARKER_PROP) == marker), None)

    async def direct_channel(self, user_id: str) -> str:
        cid = demo_id("dm", user_id[1:8])
        if cid not in self.channels:
            user = self.users_by_id[user_id]
            self.channels[cid] = Channel(cid, "", f"{self.bot_user_id}__{user_id}", f"DM {user.display_name}", "D")
            self.members[cid] = [user_id]
        return cid

    async def upload_file(self, channel_id: str, filename: str, data: bytes) -> str:
        self.out.write(f"  📎 {filename} ({len(data)} bytes)\n")
        file_id = uuid.uuid4().hex[:26]
        self.files[file_id] = (filename, data)
        return file_id

    async def open_dialog(self, trigger_id: str, url: str, dialog: dict[str, Any]) -> None:
        """As Mattermost's client would, the console shows the dialog: it asks for each field in turn."""
        title = dialog.get("title", "")
        self.out.write(f"  📝 Dialog “{title}”\n" if self.locale == "en" else f"  📝 Dialog „{title}“\n")
        self.dialogs.append(dialog)

    async def bot_teams(self) -> list[dict[str, Any]]:
        return [{"id": TEAM_ID, "name": TEAM_NAME}]

    async def team_commands(self, team_id: str) -> list[dict[str, Any]]:
        return []

    async def create_command(self, command: dict[str, Any]) -> dict[str, Any]:
        return command

    async def update_command(self, command_id: str, command: dict[str, Any]) -> dict[str, Any]:
        return command

    async def ping(self) -> bool:
        return True

    async def post_response_url(self, url: str, payload: dict[str, Any]) -> None:
        self.out.write(indent(unescape_for_terminal(payload.get("text", ""))) + "\n")

    def forget_user(self, user_id: str) -> None:
        pass

    async def close(self) -> None:
        pass

    # -- showing posts ----------------------------------------------------------------------

    def _show(self, post: ConsolePost, *, edited: bool) -> None:
        channel = self.channels.get(post.channel_id)
        where = channel.display_name if channel else post.channel_id
        label = ("edited" if edited else "new") if self.locale == "en" else ("bearbeitet" if edited else "neu")
        self.out.write(f"\n┌─ Amtsbote in {where} ({label})\n")
        numbers = self.buttons.numbers(post.id, len(actions_of(post.props)))
        self.out.write(indent(render_post(post.message, post.props, numbers), "│ ") + "\n└─\n")


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render_post(message: str, props: dict[str, Any], numbers: list[int] | None = None) -> str:
    """A post (message plus attachments) as terminal text; its buttons get `numbers` for `:click N`."""
    numbered = iter(numbers or [])
    parts = [unescape_for_terminal(message)] if message else []
    for attachment in props.get("attachments") or []:
        for key in ("pretext", "title", "text", "footer"):
            if attachment.get(key):
                parts.append(unescape_for_terminal(attachment[key]))
        for f in attachment.get("fields") or []:
            parts.append(f"{f.get('title', '')}: {unescape_for_terminal(str(f.get('value', '')))}")
        labels = []
        for action in attachment.get("actions") or []:
            number = next(numbered, None)
            if number is not None:
                labels.append(f"[{number}: {action.get('name')}]")
        if labels:
            parts.append(" ".join(labels) + "   (:click N)")
    return "\n".join(parts)
