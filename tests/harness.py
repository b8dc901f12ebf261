"""A test bot: the real dispatcher, handlers, outbox and jobs over the in-memory demo team.

Most behaviour is tested here, without HTTP; tests/standin covers the wire. Calls are
synchronous for readable tests; each runs on the harness's own event loop.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from base.clock import ManualClock
from bot.console import TEAM_ID, ConsoleMattermost, ConsolePost
from bot.runtime import Runtime
from config.settings import DEFAULT_TRIGGERS, Settings
from storage.migrate import upgrade
from storage.models import SlashCommand, token_hash

BERLIN = ZoneInfo("Europe/Berlin")
TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def berlin(spec: str) -> datetime:
    """berlin("2026-11-24 09:00") -> aware datetime in Europe/Berlin."""
    return datetime.strptime(spec, "%Y-%m-%d %H:%M").replace(tzinfo=BERLIN)


_WORD = re.compile(r"[^\W\d_]{3,}")


@functools.cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """Words only the German texts use, and words only the English texts use (from every `Text`)."""
    import gc

    import bot.runtime  # noqa: F401 - loads every command module and with it every text
    from base.i18n import Text

    german: set[str] = set()
    english: set[str] = set()
    for text in (o for o in gc.get_objects() if isinstance(o, Text)):
        german.update(_WORD.findall(re.sub(r"\{[^}]*\}", " ", text.de)))
        english.update(_WORD.findall(re.sub(r"\{[^}]*\}", " ", text.en)))
    return frozenset(german - english), frozenset(english - german)


def language_words(text: str, typed: str = "") -> tuple[list[str], list[str]]:
    """(German-only words, English-only words) of the bot's own texts found in `text`, not counting
    words the user typed (an echo is no evidence of the reply's language)."""
    german, english = _vocabulary()
    typed_words = set(_WORD.findall(typed))
    text = re.sub(r"/[\w-]+", " ", text)  # command triggers are configured names, in no language
    words = [w for w in _WORD.findall(text) if w not in typed_words]
    return [w for w in words if w in german], [w for w in words if w in english]


def assert_localized(text: str, locale: str, typed: str = "") -> None:
    """`text` is a reply in `locale`: mostly the bot's words of that language, hardly any of the other."""
    german, english = language_words(text, typed)
    own, other = (german, english) if locale == "de" else (english, german)
    assert text.strip(), "empty reply"
    assert own and len(other) <= len(own) // 4, f"not {locale}: {text[:300]!r} (de {german[:8]}, en {english[:8]})"


class BotHarness:
    def __init__(self, tmp_path: Path, *, start: str = "2026-11-23 09:00", database_url: str | None = None,
                 **settings_changes: Any) -> None:
        url = database_url or f"sqlite:///{tmp_path / 'bot.db'}"
        upgrade(url)
        if "bot_locale" in settings_changes and "command_triggers" not in settings_changes:
            settings_changes["command_triggers"] = dict(DEFAULT_TRIGGERS[settings_changes["bot_locale"]])
        self.settings = Settings(database_url=url, bot_secret=TEST_SECRET, bot_public_url="http://bot.test",
                                 jitsi_url="https://meet.jit.si",
                                 outbox_max_rate=10_000.0, outbox_burst=10_000,
                                 commands_per_minute=100_000).replace(**settings_changes)
        self.clock = ManualClock(berlin(start))
        self.out = io.StringIO()
        self.mm = ConsoleMattermost(self.clock, self.out)
        self.runtime = Runtime(self.settings, mm=self.mm, clock=self.clock)
        self.loop = asyncio.new_event_loop()
        self.tokens: dict[str, str] = {}
        with self.runtime.db.write() as session:
            for kind, trigger in self.settings.command_triggers.items():
                token = uuid.uuid4().hex[:26]
                session.add(SlashCommand(team_id=TEAM_ID, trigger=trigger, kind=kind, token_hash=token_hash(token)))
                self.tokens[kind] = token
        self.runtime.dispatcher.tokens.reload()
        self.replies: list[tuple[str, str]] = []  # (user id, text) of every ephemeral reply
        self._read_dms: set[str] = set()  # ids of DMs `dms` leaves out (see `mark_dms_read`)
        self.action_results: list[dict[str, Any]] = []  # every button answer (ephemeral_text, update)
        from tests import scan

        scan.HARNESSES.append(self)

    # -- people, places, time -------------------------------------------------------------

    def user(self, username: str):  # noqa: ANN201
        user = self.mm.by_username(username)
        assert user is not None, username
        return user

    def channel_id(self, name: str = "jugendamt-asd") -> str:
        channel = self.mm.channel_by_name(name)
        assert channel is not None, name
        return channel.id

    def set_time(self, spec: str) -> None:
        self.clock.set(berlin(spec))

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    # -- acting ---------------------------------------------------------------------------

    def slash(self, line: str, *, as_: str = "anna.schmidt", channel: str = "jugendamt-asd",
              deliver: bool = True) -> str:
        """Type a slash command; returns the ephemeral reply text. Posts are delivered after."""
        command, _, text = line.partition(" ")
        trigger = command.lstrip("/")
        kind = self.settings.trigger_kind(trigger)
        user = self.user(as_)
        channel_obj = self.mm.channel_by_name(channel) or self.run(self.mm.channel(channel))
        mentions = [w.lstrip("@").rstrip(",.;:").lower() for w in text.split() if w.startswith("@")]
        known = [u for u in (self.mm.by_username(m) for m in mentions) if u is not None]
        form = {
            "token": [self.tokens.get(kind or "", "")], "team_id": [TEAM_ID], "team_domain": ["stadtverwaltung"],
            "channel_id": [channel_obj.id], "channel_name": [channel_obj.name], "user_id": [user.id],
            "user_name": [user.username], "command": ["/" + trigger], "text": [text],
            "trigger_id": ["trigger-" + uuid.uuid4().hex], "response_url": [""],
            "user_mentions": [u.username for u in known], "user_mentions_ids": [u.id for u in known],
        }
        reply = self.run(self.runtime.dispatcher.command(form))
        text_out = reply.get("text", "")
        self.replies.append((user.id, text_out))
        self.last_reply = reply
        if deliver:
            self.deliver()
        return text_out

    def click(self, post: ConsolePost | dict[str, Any], label: str, *, as_: str) -> dict[str, Any]:
        """Press the button called `label` on a post (or on the last reply's attachments)."""
        props = post.props if isinstance(post, ConsolePost) else post.get("props", {})
        action = next(a for att in props.get("attachments") or [] for a in att.get("actions") or []
                      if a.get("name") == label)
        user = self.user(as_)
        body = {"user_id": user.id, "user_name": user.username,
                "channel_id": post.channel_id if isinstance(post, ConsolePost) else "",
                "team_id": TEAM_ID, "post_id": post.id if isinstance(post, ConsolePost) else "",
                "type": "button", "context": json.loads(json.dumps(action["integration"]["context"]))}
        result = self.run(self.runtime.dispatcher.action(body))
        self.action_results.append(result)
        # A reply to a slash command is ephemeral: Mattermost refuses to `update` it (MATTERMOST-FACTS §2.3).
        ephemeral = not isinstance(post, ConsolePost) and post.get("response_type") == "ephemeral"
        assert not (ephemeral and result.get("update") is not None), \
            f"`update` answer to a button on an ephemeral reply, which Mattermost refuses: {result}"
        if result.get("ephemeral_text"):
            self.replies.append((user.id, result["ephemeral_text"]))
        if isinstance(post, ConsolePost) and result.get("update"):
            update = result["update"]
            post.message = update.get("message", post.message)
            if update.get("props") is not None:
                post.props = update["props"]
        self.deliver()
        return result

    def tick(self) -> None:
        self.run(self.runtime.tick())
        self.deliver()

    def advance(self, spec: str, *, step_minutes: int = 5) -> None:
        """Move the clock to `spec`, running the scheduler every few minutes on the way."""
        target = berlin(spec)
        while self.clock.now() < target:
            self.clock.set(min(self.clock.now() + timedelta(minutes=step_minutes), target))
            self.tick()

    def deliver(self) -> None:
        assert self.run(self.runtime.outbox.drain(timeout=10)), "outbox did not drain"

    # -- looking ----------------------------------------------------------------------------

    def posts(self, channel: str = "jugendamt-asd") -> list[ConsolePost]:
        cid = self.channel_id(channel)
        return [p for p in self.mm.posts.values() if p.channel_id == cid]

    def dms(self, username: str) -> list[ConsolePost]:
        """The bot's DMs to the person since `mark_dms_read` (all of them if it was never called)."""
        user = self.user(username)
        cid = self.run(self.mm.direct_channel(user.id))
        return [p for p in self.mm.posts.values() if p.channel_id == cid and p.id not in self._read_dms]

    def mark_dms_read(self) -> None:
        """Everything delivered so far counts as read: a test's set-up (say, the DMs telling people
        they joined a group) stays out of what the test then looks at."""
        self.deliver()
        self._read_dms = {p.id for p in self.mm.posts.values() if p.channel_id.startswith("dm")}

    def close(self) -> None:
        self.run(self.runtime.outbox.drain(timeout=2))
        self.runtime.db.dispose()
        self.loop.close()
