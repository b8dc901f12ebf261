"""`amtsbote console`: try Amtsbote with no Mattermost at all.

The console runs the same dispatcher, handlers, outbox and jobs as `serve`; only
the Mattermost port is an in-memory demo team (bot/console_port.py). Type slash
commands as a chosen user, see the ephemeral replies and the bot's posts, press
buttons, and move a simulated clock to see the morning roster and reminders. The
console's own words follow the language of the person it acts as.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import shlex
import sys
import uuid
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from base.chat import User
from base.clock import ManualClock
from base.i18n import Text
from base.safetext import unescape_for_terminal
from bot.console_port import (
    TEAM_ID,
    TEAM_NAME,
    ConsoleMattermost,
    ConsolePost,
    actions_of,
    demo_id,
    indent,
    render_post,
)
from config.settings import Settings
from domain.calendar import format_day
from storage.models import OutboxItem, SlashCommand, token_hash

__all__ = ["TEAM_ID", "Console", "ConsoleMattermost", "ConsolePost", "demo_id", "run_console"]

CONSOLE_HELP = """\
Befehle / commands:
  /homeoffice hilfe, /anwesenheit, /rufumleitung hilfe, /meeting hilfe, /dienst hilfe …  (slash commands)
  :as NAME            als andere Person tippen / act as another person ({users})
  :channel NAME       Kanal wechseln / switch channel ({channels})
  :time 07:30 | :time +30m | :time +2h | :time +1d | :time 2026-11-24 07:30
                      Uhr vorstellen (07:30 = die nächste 07:30) / move the clock on (07:30 = the next 07:30)
  :click N            Schaltfläche N drücken / press button N (a dialog then asks field by field)
  :who                wer bin ich, wo, wann / who, where, when
  :quit               beenden / exit"""

T = Text
WELCOME = T(de="Amtsbote-Konsole — Demo-Team „Stadtverwaltung“. `:help` zeigt, was geht.",
            en="Amtsbote console — demo team “Stadtverwaltung”. `:help` shows what you can do.")
WHERE_YOU_ARE = T(de="Du bist {name} in „{channel}“, {day}, {time} Uhr.", en="You are {name} in “{channel}”, {day}, {time}.")
NOW_YOU_ARE = T(de="Du bist jetzt {name} (@{username}, {locale}).", en="You are now {name} (@{username}, {locale}).")
WHO = T(de="{name} in {channel}, {day}, {time} Uhr", en="{name} in {channel}, {day}, {time}")
UNKNOWN_PERSON = T(de="Unbekannt: {name}. Es gibt: {names}", en="Unknown: {name}. There are: {names}")
WHICH_PERSON = T(de="Wen meinst du? {names}", en="Whom do you mean? {names}")
AS_USAGE = T(de="Als wer? `:as NAME`, z. B. `:as bernd.mueller` ({names})",
             en="As whom? `:as NAME`, e.g. `:as bernd.mueller` ({names})")
CHANNEL_NOW = T(de="Kanal: {channel}", en="Channel: {channel}")
UNKNOWN_CHANNEL = T(de="Unbekannter Kanal: {name}. Es gibt: {names}", en="Unknown channel: {name}. There are: {names}")
CHANNEL_USAGE = T(de="Welcher Kanal? `:channel NAME` ({names})", en="Which channel? `:channel NAME` ({names})")
TIME_USAGE = T(de="Format: :time 2026-11-24 07:30  oder  :time 07:30  oder  :time +1d / +2h / +30m",
               en="Format: :time 2026-11-24 07:30  or  :time 07:30  or  :time +1d / +2h / +30m")
TIME_BACKWARDS = T(de="Die Uhr läuft nur vorwärts. Es ist schon {day}, {time} Uhr.",
                   en="The clock only runs forwards. It is already {day}, {time}.")
TIME_NOW = T(de="Es ist jetzt {day}, {time} Uhr.", en="It is now {day}, {time}.")
CLICK_USAGE = T(de="Welche Schaltfläche? `:click N` mit der Nummer aus [N: …]",
                en="Which button? `:click N` with the number shown as [N: …]")
NO_BUTTON = T(de="Keine solche Schaltfläche.", en="No such button.")
BUTTON_GONE = T(de="Diese Schaltfläche gibt es nicht mehr (der Beitrag wurde inzwischen geändert).",
                en="That button is gone (the post has been changed since).")
BUTTON_FOR = T(de="Diese Schaltfläche sieht nur {name} (:as {username}).",
               en="Only {name} sees that button (:as {username}).")
BUTTON_FOR_MEMBERS = T(de="Diese Schaltfläche sieht nur, wer in „{channel}“ ist.",
                       en="Only members of “{channel}” see that button.")
EPHEMERAL_UPDATE = T(de="⚠ Fehler von Mattermost: „Unable to get the post.“ (eine private Antwort lässt sich "
                        "nicht bearbeiten)",
                     en="⚠ Mattermost error: “Unable to get the post.” (a private reply cannot be edited)")
UNKNOWN_META = T(de="Unbekannt. :help zeigt die Konsolenbefehle.", en="Unknown. :help shows the console's commands.")
NO_SLASH = T(de="Slash-Befehle beginnen mit / (z. B. /homeoffice hilfe); :help für die Konsole.",
             en="Slash commands start with / (e.g. /homeoffice help); :help for the console.")
UNKNOWN_COMMAND = T(de="Unbekannter Befehl /{trigger}. Verfügbar: {triggers}",
                    en="Unknown command /{trigger}. Available: {triggers}")

DIALOG_HEAD = T(de="Je Feld eine Eingabe; leer = Vorgabe bzw. nichts; `:abbrechen` bricht ab.",
                en="One entry per field; empty = the default or nothing; `:cancel` cancels.")
OPTIONAL = T(de="optional", en="optional")
DEFAULT = T(de="Vorgabe", en="default")
YES_NO = T(de="ja|nein", en="yes|no")
NOT_A_CHOICE = T(de="Bitte eine der Nummern eingeben.", en="Please enter one of the numbers.")
DIALOG_CANCELLED = T(de="Dialog abgebrochen, nichts geändert.", en="Dialog cancelled, nothing changed.")
DIALOG_SENT = T(de="✔ Dialog abgeschickt.", en="✔ Dialog submitted.")
DIALOG_ERROR = T(de="⚠ {field}: {message}", en="⚠ {field}: {message}")
CHOOSE_FOR = T(de="Auswahl für „{name}“:", en="Choose for “{name}”:")
_CANCEL_WORDS = (":abbrechen", ":cancel")

_CLOCK = re.compile(r"(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4})?)?\s*(\d{1,2})[:.](\d{2})")
_STEP = re.compile(r"\+\s*(\d+)\s*([mhd])", re.IGNORECASE)


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
        self._lines: TextIO = sys.stdin
        self._interactive = False
        self.mm.post_home = self._post_home

    @property
    def locale(self) -> str:
        return "en" if self.user.locale == "en" else "de"

    def say(self, text: Text, **values: Any) -> None:
        self.out.write(indent(text(self.locale, **values)) + "\n")

    def _post_home(self, post_id: str) -> str | None:
        """The channel the outbox delivered post `post_id` to, in this run or an earlier one."""
        with self.runtime.db.read() as session:
            return session.exec(select(OutboxItem.channel_id).where(
                OutboxItem.post_id == post_id, OutboxItem.kind != "patch", col(OutboxItem.channel_id).is_not(None)
            )).first()

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

    def _now(self) -> dict[str, str]:
        now = self.clock.now().astimezone(self.tz)
        return {"day": format_day(now.date(), self.locale), "time": f"{now:%H:%M}"}

    async def run(self, lines: TextIO) -> None:
        self.register_demo_commands()
        interactive = lines.isatty()
        self._lines, self._interactive = lines, interactive
        self.out.write(WELCOME(self.locale) + "\n" + WHERE_YOU_ARE(
            self.locale, name=self.user.display_name, channel=self.channel.display_name, **self._now()) + "\n")
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
            if line.lower() in (":quit", ":exit", ":q"):
                break
            await self.handle(line)
            self.out.flush()

    async def handle(self, line: str) -> None:
        if line.startswith(":"):
            await self._meta(line)
        elif line.startswith("/"):
            await self.slash(line)
        else:
            self.say(NO_SLASH)
        await self.runtime.outbox.drain(timeout=5)
        await self._fill_dialogs()

    async def slash(self, line: str) -> dict[str, Any]:
        command, _, text = line.partition(" ")
        trigger = command.lstrip("/").lower()
        form = {
            "token": [self._tokens.get(trigger, "")], "team_id": [TEAM_ID], "team_domain": [TEAM_NAME],
            "channel_id": [self.channel.id], "channel_name": [self.channel.name], "user_id": [self.user.id],
            "user_name": [self.user.username], "command": ["/" + trigger], "text": [text],
            "trigger_id": [f"console-trigger-{next(self._trigger_ids)}"], "response_url": ["console://response"],
            **self.mm.mention_fields(text),
        }
        if trigger not in self._tokens:
            self.say(UNKNOWN_COMMAND, trigger=trigger, triggers=", ".join("/" + t for t in self._tokens))
            return {}
        reply = await self.runtime.dispatcher.command(form)
        assert reply is not None  # without `answer_now` the dispatcher always answers
        # The reply is an ephemeral post: it has an id, only this user sees it, Mattermost keeps it nowhere.
        shown = ConsolePost(uuid.uuid4().hex[:26], self.channel.id, self.mm.bot_user_id, reply.get("text", ""),
                            reply.get("props") or {}, int(self.clock.now().timestamp() * 1000),
                            ephemeral_for=self.user.id)
        if actions_of(shown.props):
            self.mm.ephemerals[shown.id] = shown
        numbers = self.mm.buttons.numbers(shown.id, len(actions_of(shown.props)))
        self.out.write(indent(render_post(shown.message, shown.props, numbers)) + "\n")
        return reply

    # -- the console's own commands -------------------------------------------------------------

    async def _meta(self, line: str) -> None:
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        cmd, args = words[0].lower(), words[1:]
        if cmd in (":help", ":hilfe", ":h", ":?"):
            self.out.write(CONSOLE_HELP.format(users=self._people(), channels=self._channels()) + "\n")
        elif cmd == ":as":
            self._as(" ".join(args))
        elif cmd in (":channel", ":kanal"):
            self._switch_channel(" ".join(args))
        elif cmd in (":time", ":zeit"):
            await self._time(" ".join(args))
        elif cmd in (":click", ":klick"):
            if len(args) == 1 and args[0].isdigit():
                await self._click(int(args[0]))
            else:
                self.say(CLICK_USAGE)
        elif cmd in (":who", ":wer"):
            self.say(WHO, name=self.user.display_name, channel=self.channel.display_name, **self._now())
        else:
            self.say(UNKNOWN_META)

    def _people(self) -> str:
        return ", ".join(u.username for u in self.mm.users_by_id.values() if not u.is_bot)

    def _channels(self) -> str:
        return ", ".join(c.name for c in self.mm.channels.values() if c.type == "O")

    def _as(self, name: str) -> None:
        if not name:
            self.say(AS_USAGE, names=self._people())
            return
        wanted = name.lstrip("@").lower()
        people = [u for u in self.mm.users_by_id.values() if not u.is_bot]
        found = [u for u in people if u.username == wanted] or [
            u for u in people if u.username.startswith(wanted) or u.display_name.lower().startswith(wanted)]
        if len(found) > 1:
            self.say(WHICH_PERSON, names=", ".join(u.username for u in found))
        elif not found:
            self.say(UNKNOWN_PERSON, name=name, names=self._people())
        else:
            self.user = found[0]
            self.mm.locale = self.locale
            self.say(NOW_YOU_ARE, name=self.user.display_name, username=self.user.username, locale=self.user.locale)

    def _switch_channel(self, name: str) -> None:
        if not name:
            self.say(CHANNEL_USAGE, names=self._channels())
            return
        wanted = name.lstrip("~").lower()
        channels = [c for c in self.mm.channels.values() if c.type == "O"]
        found = [c for c in channels if c.name == wanted] or [
            c for c in channels if c.name.startswith(wanted) or c.display_name.lower().startswith(wanted)]
        if len(found) != 1:
            self.say(UNKNOWN_CHANNEL, name=name, names=self._channels())
        else:
            self.channel = found[0]
            self.say(CHANNEL_NOW, channel=self.channel.display_name)

    def _target(self, spec: str) -> datetime | None:
        """`+30m`, `+2h`, `+1d`; `07:30` (the next 07:30); `2026-11-24 07:30` or `24.11.2026 07:30`."""
        now = self.clock.now().astimezone(self.tz)
        step = _STEP.fullmatch(spec.strip())
        if step:
            amount, unit = int(step[1]), step[2].lower()
            return now + {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
        clock = _CLOCK.fullmatch(spec.strip())
        if not clock:
            return None
        iso_y, iso_m, iso_d, de_d, de_m, de_y, hour, minute = clock.groups()
        try:
            if iso_y:
                day = datetime(int(iso_y), int(iso_m), int(iso_d)).date()
            elif de_d:
                day = datetime(int(de_y) if de_y else now.year, int(de_m), int(de_d)).date()
            else:
                today = datetime(now.year, now.month, now.day, int(hour), int(minute), tzinfo=self.tz)
                return today if today >= now else today + timedelta(days=1)
            return datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=self.tz)
        except ValueError:
            return None

    async def _time(self, spec: str) -> None:
        target = self._target(spec)
        if target is None:
            self.say(TIME_USAGE)
            return
        now = self.clock.now().astimezone(self.tz)
        if target < now:
            self.say(TIME_BACKWARDS, **self._now())
            return
        # Step through the time so that every tick that would have happened does happen.
        step = timedelta(minutes=5)
        while now < target:
            now = min(now + step, target)
            self.clock.set(now)
            await self.runtime.tick()
            await self.runtime.outbox.drain(timeout=5)
        self.say(TIME_NOW, **self._now())

    async def _click(self, number: int) -> None:
        found = self.mm.buttons.find(number)
        if found is None:
            self.say(NO_BUTTON)
            return
        post_id, place = found
        post = self.mm.posts.get(post_id) or self.mm.ephemerals.get(post_id)
        actions = actions_of(post.props) if post is not None else []
        if post is None or place >= len(actions):  # the post was edited since, and the button is gone
            self.say(BUTTON_GONE)
            return
        action = actions[place]
        channel = self.mm.channels.get(post.channel_id)
        if not self.mm.sees(self.user.id, post):
            owner = self._only_for(post)
            if owner is not None:
                self.say(BUTTON_FOR, name=owner.display_name, username=owner.username)
            else:
                self.say(BUTTON_FOR_MEMBERS, channel=channel.display_name if channel else post.channel_id)
            return
        context = dict(action.get("integration", {}).get("context") or {})
        if action.get("type") == "select":  # a menu: choose first, as in Mattermost
            self.out.write(indent(CHOOSE_FOR(self.locale, name=action.get("name", ""))) + "\n")
            chosen = await self._choose(self._options(action))
            if chosen is None:
                return
            context["selected_option"] = chosen
        body = {"user_id": self.user.id, "user_name": self.user.username, "channel_id": post.channel_id,
                "team_id": channel.team_id if channel else TEAM_ID, "post_id": post.id,
                "type": str(action.get("type") or "button"),
                "trigger_id": f"console-trigger-{next(self._trigger_ids)}", "context": context}
        result = await self.runtime.dispatcher.action(json.loads(json.dumps(body)))
        update = result.get("update")
        if update is not None and post.ephemeral_for:
            # As Mattermost (up to the 2025 releases): an ephemeral post is in no database, so an
            # `update` of it fails and the person sees an error instead of any answer.
            self.say(EPHEMERAL_UPDATE)
            return
        if update is not None:
            await self.mm.patch_post(post.id, message=update.get("message", ""), props=update.get("props"))
        if result.get("ephemeral_text"):
            self.out.write(indent(unescape_for_terminal(result["ephemeral_text"])) + "\n")

    # -- dialogs, as Mattermost's client shows them: one field after the other -------------------------

    async def _readline(self) -> str | None:
        if self._interactive:
            self.out.write("    > ")
            self.out.flush()
        line = await asyncio.to_thread(self._lines.readline)
        if not line:
            return None
        if not self._interactive:
            self.out.write(f"    > {line.strip()}\n")
        return line.strip()

    def _options(self, element: dict[str, Any]) -> list[tuple[str, str]]:
        """(value, label) of a select, a menu or a yes/no field; [] for free text."""
        if element.get("data_source") == "users":
            people = [self.mm.users_by_id[uid] for uid in self.mm.members.get(self.channel.id, [])
                      if uid in self.mm.users_by_id]
            return [(u.id, f"{u.display_name} (@{u.username})") for u in people if not u.is_bot]
        if element.get("type") == "bool":
            yes, no = YES_NO(self.locale).split("|")
            return [("true", yes), ("false", no)]
        return [(str(o.get("value")), str(o.get("text"))) for o in element.get("options") or []]

    async def _choose(self, options: list[tuple[str, str]], default: str | None = None) -> str | None:
        """The value of the option whose number is typed; `default` for an empty line; None to cancel."""
        for number, (_, label) in enumerate(options, 1):
            self.out.write(f"    {number}) {label}\n")
        while True:
            line = await self._readline()
            if line is None or line.lower() in _CANCEL_WORDS:
                return None
            if not line and default is not None:
                return default
            if line.isdigit() and 1 <= int(line) <= len(options):
                return options[int(line) - 1][0]
            self.say(NOT_A_CHOICE)

    async def _ask(self, element: dict[str, Any]) -> tuple[bool, Any]:
        """(False, None) if cancelled, else (True, the field's value as the client would send it)."""
        label = str(element.get("display_name") or element.get("name"))
        notes = [OPTIONAL(self.locale)] if element.get("optional") and OPTIONAL(self.locale) not in label else []
        options = self._options(element) if element.get("type") in ("select", "radio", "bool") else []
        default = element.get("default")
        if default not in (None, ""):
            shown = next((text for value, text in options if value == str(default)), str(default))
            notes.append(f"{DEFAULT(self.locale)}: {shown}")
        self.out.write(f"  {label}" + (f" ({'; '.join(notes)})" if notes else "") + "\n")
        if element.get("help_text"):
            self.out.write(f"    {element['help_text']}\n")
        if options:
            value = await self._choose(options, default="" if default in (None, "") else str(default))
            if value is None:
                return False, None
            if element.get("type") == "bool":
                return True, value == "true"
            return True, value or None
        line = await self._readline()
        if line is None or line.lower() in _CANCEL_WORDS:
            return False, None
        return True, line or (default if default not in (None, "") else None)

    async def _fill_dialogs(self) -> None:
        while self.mm.dialogs:
            dialog = self.mm.dialogs.pop(0)
            self.say(DIALOG_HEAD)
            elements = [e for e in dialog.get("elements") or [] if isinstance(e, dict)]
            submission: dict[str, Any] = {}
            pending = elements
            while pending:
                for element in pending:
                    ok, value = await self._ask(element)
                    if not ok:
                        self.say(DIALOG_CANCELLED)
                        return
                    submission[str(element.get("name"))] = value
                reply = await self.runtime.dispatcher.dialog({
                    "type": "dialog_submission", "callback_id": dialog.get("callback_id", ""),
                    "state": dialog.get("state", ""), "user_id": self.user.id, "channel_id": self.channel.id,
                    "team_id": self.channel.team_id, "submission": submission, "cancelled": False})
                errors = reply.get("errors") or {}
                if reply.get("error"):
                    self.out.write(indent(unescape_for_terminal(f"⚠ {reply['error']}")) + "\n")
                if not errors:
                    if not reply.get("error"):
                        self.say(DIALOG_SENT)
                    break
                for element in elements:  # the errors next to their fields, then those fields again
                    if element.get("name") in errors:
                        self.say(DIALOG_ERROR, field=element.get("display_name", ""),
                                 message=unescape_for_terminal(str(errors[element["name"]])))
                pending = [e for e in elements if e.get("name") in errors]
            await self.runtime.outbox.drain(timeout=5)

    def _only_for(self, post: ConsolePost) -> User | None:
        """The one person who sees `post`, if it is a private reply or a DM."""
        channel = self.mm.channels.get(post.channel_id)
        if post.ephemeral_for:
            return self.mm.users_by_id.get(post.ephemeral_for)
        if channel is not None and channel.type == "D" and self.mm.members.get(channel.id):
            return self.mm.users_by_id.get(self.mm.members[channel.id][0])
        return None


async def run_console(settings: Settings, lines: TextIO = sys.stdin, out: TextIO = sys.stdout,
                      start: datetime | None = None) -> None:
    console = Console(settings, out=out, start=start)
    try:
        await console.run(lines)
    finally:
        await console.runtime.outbox.drain(timeout=2)
        console.runtime.db.dispose()
