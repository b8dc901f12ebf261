"""`amtsbote console`: try Amtsbote with no Mattermost at all.

The console runs the same dispatcher, handlers, outbox and jobs as `serve`; only
the Mattermost port is an in-memory demo team. Type slash commands as a chosen
user, see the ephemeral replies and the bot's posts, press buttons, and move a
simulated clock to see the morning roster and reminders.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shlex
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from base.chat import MARKER_PROP, Channel, PermanentError, User
from base.clock import ManualClock
from base.safetext import unescape_for_terminal
from config.settings import Settings
from domain.calendar import format_day
from storage.models import SlashCommand, token_hash

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
    buttons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

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
        post = self.posts[post_id]
        post.message = message
        if props is not None:
            post.props = dict(props)
        post.edits += 1
        self._show(post, edited=True)

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
        fields = ", ".join(e.get("display_name", "") for e in dialog.get("elements", []))
        self.out.write(f"  [Dialog „{dialog.get('title')}“: {fields} — in der Konsole bitte die Kurzform nutzen]\n")

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
        self.out.write(_indent(unescape_for_terminal(payload.get("text", ""))) + "\n")

    def forget_user(self, user_id: str) -> None:
        pass

    async def close(self) -> None:
        pass

    # -- showing posts ----------------------------------------------------------------------

    def _show(self, post: ConsolePost, *, edited: bool) -> None:
        channel = self.channels.get(post.channel_id)
        where = channel.display_name if channel else post.channel_id
        label = "bearbeitet" if edited else "neu"
        self.out.write(f"\n┌─ Amtsbote in {where} ({label})\n")
        self.out.write(_indent(render_post(post.message, post.props, self.buttons), "│ ") + "\n└─\n")


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render_post(message: str, props: dict[str, Any], buttons: list[tuple[str, dict[str, Any]]] | None = None) -> str:
    """A post (message plus attachments) as terminal text; buttons get numbers for `:click N`."""
    parts = [unescape_for_terminal(message)] if message else []
    for attachment in props.get("attachments") or []:
        for key in ("pretext", "title", "text", "footer"):
            if attachment.get(key):
                parts.append(unescape_for_terminal(attachment[key]))
        for f in attachment.get("fields") or []:
            parts.append(f"{f.get('title', '')}: {unescape_for_terminal(str(f.get('value', '')))}")
        labels = []
        for action in attachment.get("actions") or []:
            if buttons is not None:
                buttons.append((action.get("name", ""), action))
                labels.append(f"[{len(buttons)}: {action.get('name')}]")
        if labels:
            parts.append(" ".join(labels) + "   (:click N)")
    return "\n".join(parts)


CONSOLE_HELP = """\
Befehle / commands:
  /homeoffice hilfe, /anwesenheit, /rufumleitung hilfe, /meeting hilfe …  (slash commands)
  :as NAME            als andere Person tippen / act as another person ({users})
  :channel NAME       Kanal wechseln / switch channel ({channels})
  :time 2026-11-24 07:30 | :time +1d | :time +2h   Uhr stellen / move the clock
  :click N            Schaltfläche N drücken / press button N
  :who                wer bin ich, wo, wann / who, where, when
  :quit               beenden / exit"""


class Console:
    def __init__(self, settings: Settings, *, out: TextIO = sys.stdout, start: datetime | None = None) -> None:
        from bot.runtime import Runtime

        self.out = out
        tz = ZoneInfo(settings.bot_timezone)
        self.clock = ManualClock(start or datetime.now(tz))
        self.mm = ConsoleMattermost(self.clock, out)
        self.runtime = Runtime(settings, mm=self.mm, clock=self.clock)
        self.tz = tz
        user, channel = self.mm.by_username("anna.schmidt"), self.mm.channel_by_name("jugendamt-asd")
        assert user is not None and channel is not None  # both are in the demo data
        self.user, self.channel = user, channel
        self._tokens: dict[str, str] = {}
        self._trigger_ids = itertools.count(1)

    def register_demo_commands(self) -> None:
        with self.runtime.db.write() as session:
            for kind, trigger in self.runtime.settings.command_triggers.items():
                # Only the token's hash is stored, so every console session makes new tokens.
                token = uuid.uuid4().hex[:26]
                row = session.query(SlashCommand).filter_by(team_id=TEAM_ID, trigger=trigger).first()
                if row is None:
                    row = SlashCommand(team_id=TEAM_ID, trigger=trigger, kind=kind, token_hash=token_hash(token))
                row.kind, row.token_hash = kind, token_hash(token)
                session.add(row)
                self._tokens[trigger] = token
        self.runtime.dispatcher.tokens.reload()

    async def run(self, lines: TextIO) -> None:
        self.register_demo_commands()
        interactive = lines.isatty()
        self.out.write(
            "Amtsbote-Konsole — Demo-Team „Stadtverwaltung“. `:help` zeigt, was geht.\n"
            f"Du bist {self.user.display_name} in „{self.channel.display_name}“, "
            f"{self.clock.now().astimezone(self.tz):%d.%m.%Y %H:%M}.\n"
        )
        await self.runtime.tick()
        await self.runtime.outbox.drain(timeout=5)
        while True:
            if interactive:
                self.out.write(f"{self.user.username}@{self.channel.name}> ")
                self.out.flush()
            line = await asyncio.to_thread(lines.readline)
            if not line:
                break
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if not interactive:
                self.out.write(f"{self.user.username}@{self.channel.name}> {line}\n")
            if line in (":quit", ":exit", ":q"):
                break
            await self.handle(line)
            self.out.flush()

    async def handle(self, line: str) -> None:
        if line.startswith(":"):
            await self._meta(line)
        elif line.startswith("/"):
            await self.slash(line)
        else:
            self.out.write("  Slash-Befehle beginnen mit / (z. B. /homeoffice hilfe); :help für die Konsole.\n")
        await self.runtime.outbox.drain(timeout=5)

    async def slash(self, line: str) -> dict[str, Any]:
        command, _, text = line.partition(" ")
        trigger = command.lstrip("/").lower()
        mentions = [w.lstrip("@").rstrip(",.;:").lower() for w in text.split() if w.startswith("@")]
        users = [u for u in (self.mm.by_username(m) for m in mentions) if u is not None]
        form = {
            "token": [self._tokens.get(trigger, "")], "team_id": [TEAM_ID], "team_domain": [TEAM_NAME],
            "channel_id": [self.channel.id], "channel_name": [self.channel.name], "user_id": [self.user.id],
            "user_name": [self.user.username], "command": ["/" + trigger], "text": [text],
            "trigger_id": [f"console-trigger-{next(self._trigger_ids)}"], "response_url": ["console://response"],
            "user_mentions": [u.username for u in users], "user_mentions_ids": [u.id for u in users],
        }
        if trigger not in self._tokens:
            self.out.write(f"  Unbekannter Befehl /{trigger}. Verfügbar: "
                           + ", ".join("/" + t for t in self._tokens) + "\n")
            return {}
        reply = await self.runtime.dispatcher.command(form)
        assert reply is not None  # without `answer_now` the dispatcher always answers
        text_out = render_post(reply.get("text", ""), reply.get("props") or {}, self.mm.buttons)
        self.out.write(_indent(text_out, "  ") + "\n")
        return reply

    async def _meta(self, line: str) -> None:
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        cmd, args = words[0].lower(), words[1:]
        if cmd in (":help", ":hilfe"):
            self.out.write(CONSOLE_HELP.format(
                users=", ".join(u.username for u in self.mm.users_by_id.values() if not u.is_bot),
                channels=", ".join(c.name for c in self.mm.channels.values() if c.type == "O")) + "\n")
        elif cmd == ":as" and args:
            user = self.mm.by_username(args[0])
            if user is None or user.is_bot:
                self.out.write(f"  Unbekannt: {args[0]}\n")
            else:
                self.user = user
                self.out.write(f"  Du bist jetzt {user.display_name} (@{user.username}, {user.locale}).\n")
        elif cmd == ":channel" and args:
            channel = self.mm.channel_by_name(args[0])
            if channel is None:
                self.out.write(f"  Unbekannter Kanal: {args[0]}\n")
            else:
                self.channel = channel
                self.out.write(f"  Kanal: {channel.display_name}\n")
        elif cmd == ":time" and args:
            await self._time(" ".join(args))
        elif cmd == ":click" and args and args[0].isdigit():
            await self._click(int(args[0]))
        elif cmd == ":who":
            now = self.clock.now().astimezone(self.tz)
            self.out.write(f"  {self.user.display_name} in {self.channel.display_name}, "
                           f"{format_day(now.date(), 'de')}, {now:%H:%M} Uhr\n")
        else:
            self.out.write("  Unbekannt. :help zeigt die Konsolenbefehle.\n")

    async def _time(self, spec: str) -> None:
        now = self.clock.now().astimezone(self.tz)
        try:
            if spec.startswith("+"):
                amount, unit = int(spec[1:-1]), spec[-1]
                delta = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
                target = now + delta
            else:
                target = datetime.strptime(spec, "%Y-%m-%d %H:%M").replace(tzinfo=self.tz)
        except (ValueError, KeyError):
            self.out.write("  Format: :time 2026-11-24 07:30  oder  :time +1d / +2h / +30m\n")
            return
        if target < now:
            self.out.write("  Die Uhr läuft nur vorwärts.\n")
            return
        # Step through the time so that every tick that would have happened does happen.
        step = timedelta(minutes=5)
        while now < target:
            now = min(now + step, target)
            self.clock.set(now)
            await self.runtime.tick()
            await self.runtime.outbox.drain(timeout=5)
        self.out.write(f"  Es ist jetzt {format_day(now.date(), 'de')}, {now:%H:%M} Uhr.\n")

    async def _click(self, number: int) -> None:
        if not 1 <= number <= len(self.mm.buttons):
            self.out.write("  Keine solche Schaltfläche.\n")
            return
        _, action = self.mm.buttons[number - 1]
        post_id = next((p.id for p in self.mm.posts.values()
                        if any(a is action for att in p.props.get("attachments") or [] for a in att.get("actions") or [])), "")
        body = {"user_id": self.user.id, "user_name": self.user.username, "channel_id": self.channel.id,
                "team_id": TEAM_ID, "post_id": post_id, "type": "button",
                "context": action.get("integration", {}).get("context")}
        result = await self.runtime.dispatcher.action(json.loads(json.dumps(body)))
        if result.get("update") and post_id in self.mm.posts:
            update = result["update"]
            await self.mm.patch_post(post_id, message=update.get("message", ""), props=update.get("props"))
        if result.get("ephemeral_text"):
            self.out.write(_indent(unescape_for_terminal(result["ephemeral_text"])) + "\n")


async def run_console(settings: Settings, lines: TextIO = sys.stdin, out: TextIO = sys.stdout,
                      start: datetime | None = None) -> None:
    console = Console(settings, out=out, start=start)
    try:
        await console.run(lines)
    finally:
        await console.runtime.outbox.drain(timeout=2)
        console.runtime.db.dispose()
