"""What every slash command shares: the request, the context a handler runs in, the reply.

A command module parses the text into a typed request (or raises a
`LocalizedError` naming the accepted forms) and handles it with a `Context`. The
handler gathers what it needs from Mattermost first, then makes its change and
queues its posts in one database transaction (never awaiting inside it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from base.chat import Channel, MattermostPort, User
from base.i18n import LocalizedError, Text, pick_locale
from base.safetext import plain
from config.settings import Settings
from storage.db import Database

if TYPE_CHECKING:
    from base.clock import Clock
    from base.signing import Signer

log = logging.getLogger("amtsbote.commands")


@dataclass(frozen=True, slots=True)
class SlashRequest:
    command: str
    text: str
    user_id: str
    user_name: str
    channel_id: str
    channel_name: str
    team_id: str
    team_domain: str
    trigger_id: str = ""
    response_url: str = ""
    user_mentions: dict[str, str] = field(default_factory=dict)  # username -> user id
    channel_mentions: dict[str, str] = field(default_factory=dict)  # channel name -> id


@dataclass(slots=True)
class Reply:
    """The ephemeral answer to the person who typed the command."""

    text: str
    attachments: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"response_type": "ephemeral", "text": self.text, "skip_slack_parsing": True}
        if self.attachments:
            body["props"] = {"attachments": self.attachments}
            body["attachments"] = self.attachments
        return body


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """A button press, as Mattermost sends it (user, channel and post set by the server)."""

    user_id: str
    channel_id: str
    team_id: str
    post_id: str
    data: dict[str, Any]
    trigger_id: str = ""  # lets a button open a dialog
    selected_option: str = ""  # what was chosen in a menu (a select), as Mattermost sends it beside the context


@dataclass(slots=True)
class ActionResult:
    # {"message": ..., "props": ...} replaces the post; only for real posts (channel posts, DMs):
    # Mattermost refuses it for a button on an ephemeral post, e.g. a slash command's reply.
    update: dict[str, Any] | None = None
    ephemeral_text: str | None = None  # the answer to a button on an ephemeral post

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"skip_slack_parsing": True}
        if self.update is not None:
            body["update"] = self.update
        if self.ephemeral_text:
            body["ephemeral_text"] = self.ephemeral_text
        return body


@dataclass(frozen=True, slots=True)
class DialogRequest:
    user_id: str
    channel_id: str
    team_id: str
    submission: dict[str, Any]
    data: dict[str, Any]
    cancelled: bool


class Services:
    """Long-lived collaborators, built once per process."""

    def __init__(self, *, settings: Settings, db: Database, clock: Clock, mm: MattermostPort, signer: Signer,
                 notify_outbox: Callable[[], None] = lambda: None, features: Sequence[Feature] = (),
                 count: Callable[[str, int], None] = lambda _event, _n: None) -> None:
        self.settings = settings
        self.features = tuple(features)  # the registry, handed in by the shell (privacy iterates it)
        self.db = db
        self.clock = clock
        self.mm = mm
        self.signer = signer
        self.notify_outbox = notify_outbox
        self.count = count  # count("roster_skipped", n): what happened, for the shell's metrics
        self.tz = ZoneInfo(settings.bot_timezone)

    @property
    def action_url(self) -> str:
        return (self.settings.bot_public_url or "http://127.0.0.1:8080") + "/mattermost/action"

    @property
    def dialog_url(self) -> str:
        return (self.settings.bot_public_url or "http://127.0.0.1:8080") + "/mattermost/dialog"


@dataclass
class Context:
    """Everything a handler may use: who asks, where, in which language, and when."""

    services: Services
    user: User
    channel_id: str
    team_id: str
    locale: str
    now: datetime

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def mm(self) -> MattermostPort:
        return self.services.mm

    @property
    def tz(self) -> ZoneInfo:
        return self.services.tz

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.services.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()

    def t(self, text: Text, **values: Any) -> str:
        return text(self.locale, **values)

    async def channel(self) -> Channel:
        return await self.mm.channel(self.channel_id)

    async def users_by_mention(self, tokens: list[str], mentions: dict[str, str]) -> list[User]:
        """Resolve `@name` tokens to users; unknown names are a clear error."""
        names = [tok.lstrip("@").lower().rstrip(",.;:") for tok in tokens]
        ids = {name: mentions[name] for name in names if name in mentions}
        found: dict[str, User] = {}
        if ids:
            by_id = await self.mm.users(list(ids.values()))
            found.update({name: by_id[uid] for name, uid in ids.items() if uid in by_id})
        missing = [n for n in names if n not in found]
        if missing:
            found.update(await self.mm.users_by_username(missing))
        unknown = [n for n in names if n not in found or found[n].deleted]
        if unknown:
            raise LocalizedError(UNKNOWN_USER, name=", ".join(plain("@" + n, max_length=40) for n in unknown[:5]))
        return [found[n] for n in names]

    def button(self, label: Text | str, action: str, data: dict[str, Any], *, user_id: str | None,
               expires: datetime | None = None, style: str = "default", action_id: str | None = None,
               locale: str | None = None) -> dict[str, Any]:
        """An attachment button whose callback carries a signed, expiring context."""
        text = label(locale or self.locale) if isinstance(label, Text) else label
        context = self.services.signer.sign(action, data, expires=expires or self.now + timedelta(days=7),
                                            user_id=user_id)
        button_id = action_id or "".join(ch for ch in action.title() if ch.isalnum())[:40]
        return {"id": button_id, "type": "button", "name": text, "style": style,
                "integration": {"url": self.services.action_url, "context": context}}


def user_locale(user: User, settings: Settings) -> str:
    return pick_locale(user.locale, settings.bot_locale)


UNKNOWN_USER = Text(
    de="Unbekannte Person: {name}. Bitte mit @benutzername angeben.",
    en="Unknown person: {name}. Please give them as @username.",
)

Handler = Callable[[SlashRequest, Context], Awaitable[Reply]]
ActionHandler = Callable[[ActionRequest, Context], Awaitable[ActionResult]]
DialogHandler = Callable[[DialogRequest, Context], Awaitable[dict[str, Any]]]


Job = Callable[["Services"], Awaitable[Any]]
MyData = Callable[[Session, str, str], list[tuple[str, str, str | None]]]  # (session, user id, locale)
Forget = Callable[[Session, str], None]  # (session, user id)
Purge = Callable[..., dict[str, int]]  # (session, *, cutoff, cutoff_day) -> rows deleted per table
Keep = Callable[..., Any]  # (session, *, day, default_region): before any purge, keep what must outlive it


@dataclass(frozen=True)
class Feature:
    """Everything one slash command brings: the declaration its package exports, and all the shell
    needs to know of it. `commands.registry.FEATURES` lists them; dispatch, the scheduler,
    `meine-daten`/`vergessen` and the retention purge iterate that list and nothing else.

    - `kind`: the command's fixed name (`COMMAND_TRIGGERS` maps it to the typed trigger);
    - `run`, `help`: the handler of a typed command and its help text `(locale, trigger)`;
    - `actions`, `dialogs`: button and dialog handlers by name (signed as `"<kind>.<name>"`);
    - `jobs`: run on every scheduler tick, each idempotent;
    - `my_data`, `forget`: the person's data for `meine-daten`, and erasing it for `vergessen`;
    - `keep`: runs before any feature purges, to write down what must outlive the deleted data
      (the first day kept is `day`);
    - `purge`: the retention purge of the feature's own tables.
    """

    kind: str
    run: Handler
    help: Callable[[str, str], str]  # (locale, trigger) -> help text
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    dialogs: dict[str, DialogHandler] = field(default_factory=dict)
    jobs: tuple[Job, ...] = ()
    my_data: MyData | None = None
    forget: Forget | None = None
    keep: Keep | None = None
    purge: Purge | None = None


def split_subcommand(text: str, words: dict[str, str]) -> tuple[str | None, str]:
    """("einrichten A,B woche", {...}) -> ("setup", "A,B woche"). Unknown word -> (None, text)."""
    head, _, rest = text.strip().partition(" ")
    name = words.get(head.lower().strip())
    return (name, rest.strip()) if name else (None, text.strip())
