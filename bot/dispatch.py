"""The neutral core: turns what Mattermost sends into handler calls and back.

The web layer (bot/http.py) and the console (bot/console.py) both call this; no
handler ever sees the web framework. Order of business for a slash command:
verify the token (401, nothing happens), find the command, build the context,
run the handler. A handler that is not done within `REPLY_DEADLINE` seconds keeps
running; the user gets a short "one moment" at once and the answer follows
through `response_url`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from prometheus_client import Counter, Histogram
from sqlmodel import select

from base.chat import MattermostError, PermanentError, is_mattermost_id
from base.i18n import LocalizedError, Text
from base.ratelimit import WindowLimit
from base.signing import FORGED, Unsigned
from commands.base import (
    ActionRequest,
    ActionResult,
    Context,
    DialogRequest,
    Feature,
    Reply,
    Services,
    SlashRequest,
    user_locale,
)
from storage.models import SlashCommand, token_digest

log = logging.getLogger("amtsbote.dispatch")

REPLY_DEADLINE = 0.8  # seconds; Mattermost users expect an answer within one second
TOKEN_RELOAD_INTERVAL = 5.0  # seconds: a full re-read of the tokens after a mismatch, at most this often
TOKEN_CHECK_INTERVAL = 1.0  # seconds: the table's version after a mismatch, at most this often (SPEC §4)
_NO_TOKEN = bytes(32)  # what an unknown command's token is compared with

COMMANDS = Counter("amtsbote_commands_total", "Slash commands handled", ["kind", "outcome"])
COMMAND_SECONDS = Histogram("amtsbote_command_seconds", "Time to answer a slash command", ["kind"],
                            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
ACTIONS = Counter("amtsbote_actions_total", "Button presses and dialog submissions", ["outcome"])
REFUSED = Counter("amtsbote_requests_refused_total", "Requests refused before anything ran: a slash command's "
                  "token (401), a button's or dialog's signature", ["reason"])

INTERNAL_ERROR = Text(
    de="Das hat leider nicht geklappt (interner Fehler). Es wurde nichts geändert. Bitte später noch einmal versuchen.",
    en="Sorry, that did not work (internal error). Nothing was changed. Please try again later.",
)
MATTERMOST_DOWN = Text(
    de="Mattermost antwortet gerade nicht. Es wurde nichts geändert. Bitte gleich noch einmal versuchen.",
    en="Mattermost is not answering right now. Nothing was changed. Please try again shortly.",
)
ONE_MOMENT = Text(
    de="⏳ Einen Moment, die Antwort folgt gleich.",
    en="⏳ One moment, the answer follows shortly.",
)
TOO_LONG = Text(
    de="Der Text ist zu lang (höchstens {limit} Zeichen). Es wurde nichts geändert.",
    en="The text is too long (at most {limit} characters). Nothing was changed.",
)
MAX_TEXT = 10_000  # characters of command text; longer text is refused, never cut (a cut "für @name" would change its meaning)
TOO_MANY_COMMANDS = Text(
    de="Zu viele Befehle in kurzer Zeit. Es wurde nichts ausgeführt. Bitte in einer Minute noch einmal versuchen.",
    en="Too many commands in a short time. Nothing was done. Please try again in a minute.",
)
UNKNOWN_COMMAND = Text(
    de="Diesen Befehl kenne ich nicht. Verfügbar: {triggers}",
    en="I do not know this command. Available: {triggers}",
)


def _selected(body: Mapping[str, Any]) -> str:
    """A menu's choice: Mattermost puts it into the context, beside what we signed (FACTS §2.2)."""
    context = body.get("context")
    chosen = context.get("selected_option") if isinstance(context, Mapping) else None
    return chosen[:200] if isinstance(chosen, str) else ""


class Unauthorized(Exception):
    pass


class BadRequest(Exception):
    """The request carries a user, channel or team id that is not of Mattermost's form."""


def _id_or_empty(value: str) -> bool:
    return value == "" or is_mattermost_id(value)


def _first(form: Mapping[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[0] if values else ""


def parse_slash_form(form: Mapping[str, list[str]]) -> SlashRequest:
    """Build a SlashRequest from Mattermost's form fields (repeated keys paired by position)."""
    def pairs(names: str, ids: str) -> dict[str, str]:
        return {n.lower(): i for n, i in zip(form.get(names, []), form.get(ids, []), strict=False)
                if is_mattermost_id(i)}

    return SlashRequest(
        command=_first(form, "command")[:130],
        text=_first(form, "text")[:MAX_TEXT],
        user_id=_first(form, "user_id")[:26],
        user_name=_first(form, "user_name")[:64],
        channel_id=_first(form, "channel_id")[:26],
        channel_name=_first(form, "channel_name")[:128],
        team_id=_first(form, "team_id")[:26],
        team_domain=_first(form, "team_domain")[:64],
        trigger_id=_first(form, "trigger_id")[:1000],
        response_url=_first(form, "response_url")[:1000],
        user_mentions=pairs("user_mentions", "user_mentions_ids"),
        channel_mentions=pairs("channel_mentions", "channel_mentions_ids"),
    )


class TokenStore:
    """The registered slash-command tokens, kept in memory.

    `amtsbote register` in another process, or an operator who set a command up by hand in
    the System Console, may store a new token while `serve` runs; SPEC §4 wants it accepted
    within one second. So when a command is unknown or its token does not match, the table's
    version (its row ids and token hashes: a few short rows per team) is read, at most once per
    `TOKEN_CHECK_INTERVAL`, and the tokens are re-read in full when it changed, or when the
    last full read is older than `TOKEN_RELOAD_INTERVAL`. A command that comes a second or
    more after `register` finished therefore finds the new token, and a flood of wrong tokens
    costs one small query a second, however many requests it sends.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self._tokens: dict[tuple[str, str], tuple[bytes, str]] = {}
        self._version: tuple[tuple[int, str], ...] = ()
        self._loaded_at = -1e9
        self._checked_at = -1e9
        self.monotonic = services.clock.monotonic

    def reload(self) -> None:
        with self.services.db.read() as session:
            rows = session.exec(select(SlashCommand)).all()
        self._tokens = {(r.team_id, r.trigger): (bytes.fromhex(r.token_hash), r.kind) for r in rows}
        self._version = tuple(sorted((r.id or 0, r.token_hash) for r in rows))
        self._loaded_at = self._checked_at = self.monotonic()

    def read_version(self) -> tuple[tuple[int, str], ...]:
        """The table's version: what changes whenever a token is stored, added or removed."""
        with self.services.db.read() as session:
            rows = session.execute(select(SlashCommand.id, SlashCommand.token_hash)).all()
        return tuple(sorted((row_id or 0, digest) for row_id, digest in rows))

    def _refresh(self) -> None:
        """After a mismatch: re-read what may have changed, no more often than the intervals allow."""
        now = self.monotonic()
        if now - self._loaded_at > TOKEN_RELOAD_INTERVAL:
            self.reload()
        elif now - self._checked_at >= TOKEN_CHECK_INTERVAL:
            self._checked_at = now
            if self.read_version() != self._version:
                self.reload()

    def kind_of(self, team_id: str, command: str) -> str:
        """The kind registered for this command in this team, "" if there is none (for logs and metrics)."""
        entry = self._tokens.get((team_id, command.strip().lstrip("/").lower()))
        return entry[1] if entry is not None else ""

    def _matches(self, key: tuple[str, str], token: str) -> tuple[bool, str]:
        entry = self._tokens.get(key)
        expected, kind = entry if entry is not None else (_NO_TOKEN, "")
        # Always one constant-time comparison of the hashes, whether or not the command is known.
        same = hmac.compare_digest(expected, token_digest(token))
        return same and bool(token) and entry is not None, kind

    def check(self, team_id: str, command: str, token: str) -> str:
        """The command's kind if `token` is the one registered for exactly this command."""
        key = (team_id, command.strip().lstrip("/").lower())
        ok, kind = self._matches(key, token)
        if not ok:
            self._refresh()
            ok, kind = self._matches(key, token)
        if not ok:
            raise Unauthorized
        return kind


class _RefusalLog:
    """One log line per command and minute about refused tokens, with how many were refused: a
    regenerated token shows up in the log, a flood of forged requests does not flood it."""

    def __init__(self, monotonic: Callable[[], float], every: float = 60.0) -> None:
        self.monotonic = monotonic
        self.every = every
        self._last: dict[tuple[str, str], tuple[float, int]] = {}

    def note(self, key: tuple[str, str]) -> int | None:
        """How many were refused since the last line if a line is due now, else None."""
        now = self.monotonic()
        last, count = self._last.get(key, (-1e9, 0))
        if now - last < self.every:
            self._last[key] = (last, count + 1)
            return None
        if len(self._last) > 1000:
            self._last.clear()
        self._last[key] = (now, 0)
        return count + 1


class Dispatcher:
    def __init__(self, services: Services, registry: Mapping[str, Feature]) -> None:
        self.services = services
        self.registry = registry
        self.tokens = TokenStore(services)
        self._refusals = _RefusalLog(services.clock.monotonic)
        self._background: set[asyncio.Task[Any]] = set()
        # The locale of people seen recently: "one moment" is sent before the user is looked
        # up, and a refused button must still answer in the presser's language.
        self._locales: dict[str, str] = {}
        self.quota = WindowLimit(services.settings.commands_per_minute, 60.0, monotonic=services.clock.monotonic)

    def _remember_locale(self, user_id: str, locale: str) -> None:
        if len(self._locales) >= 10_000:
            self._locales.clear()
        self._locales[user_id] = locale

    def _known_locale(self, user_id: str) -> str:
        """The person's locale if it is at hand without asking Mattermost, else the bot's."""
        known = self._locales.get(user_id)
        if known is not None:
            return known
        user = self.services.mm.known_user(user_id) if is_mattermost_id(user_id) else None
        return user_locale(user, self.services.settings) if user is not None else self.services.settings.bot_locale

    async def _locale_of(self, user_id: str) -> str:
        """The person's locale for a refusal, without ever failing (bot locale if unknown). Only for
        requests that carry a context we signed: anyone can send the others, by the thousand."""
        if user_id in self._locales or not is_mattermost_id(user_id):
            return self._known_locale(user_id)
        try:
            user = await self.services.mm.user(user_id)
        except Exception:  # noqa: BLE001 - a refusal must not fail on a lookup
            return self.services.settings.bot_locale
        locale = user_locale(user, self.services.settings)
        self._remember_locale(user_id, locale)
        return locale

    # -- slash commands ------------------------------------------------------------------

    def _unauthorized(self, request: SlashRequest) -> None:
        """Count a command refused for its token, and say so in the log (never the token)."""
        kind = self.tokens.kind_of(request.team_id, request.command)
        COMMANDS.labels(kind or "unknown", "unauthorized").inc()
        REFUSED.labels("token").inc()
        # Commands we know are logged each on their own; anything else shares one line a minute.
        key = (request.team_id, kind) if kind else ("", "")
        refused = self._refusals.note(key)
        if refused is None:
            return
        if kind:
            log.warning("command %r in team %s refused (401): its token is not the one registered for it "
                        "(%s in the last minute). If it was regenerated in the System Console, run "
                        "`amtsbote register`", request.command[:40], request.team_id, refused)
        else:
            log.warning("slash command %r refused (401): no such command is registered for team %r "
                        "(%s unknown commands in the last minute). Run `amtsbote register`, or check that "
                        "its request URL is meant for this bot", request.command[:40], request.team_id[:26], refused)

    async def command(self, form: Mapping[str, list[str]], authorization: str = "", *,
                      answer_now: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any] | None:
        """Answer a slash command; raises Unauthorized if the token is not this command's, and
        BadRequest if the user, channel or team id is not of Mattermost's form.

        With `answer_now` (the HTTP endpoint, which can answer while it goes on working), the
        handler runs in the caller's own task. If it is not done within REPLY_DEADLINE, "one
        moment" goes to `answer_now` at once, the real answer follows through response_url, and
        this returns None. Without it (the console), the handler runs in a task of its own and
        "one moment" is what this returns.
        """
        token = _first(form, "token") or authorization.removeprefix("Token ").strip()
        request = parse_slash_form(form)
        try:
            kind = self.tokens.check(request.team_id, request.command, token)
        except Unauthorized:
            self._unauthorized(request)
            raise
        if not (is_mattermost_id(request.user_id) and is_mattermost_id(request.channel_id)
                and _id_or_empty(request.team_id)):
            raise BadRequest
        if not self.quota.allow(request.user_id):
            COMMANDS.labels(kind, "throttled").inc()
            log.info("command %s refused: more than %s commands in a minute from one person", kind, self.quota.limit)
            return Reply(TOO_MANY_COMMANDS(self._known_locale(request.user_id))).to_json()
        started = time.perf_counter()
        too_long = len(_first(form, "text")) > MAX_TEXT
        if answer_now is not None:
            return await self._command_inline(kind, request, too_long, answer_now, started)
        task = asyncio.create_task(self._run(kind, request, too_long=too_long))
        try:
            reply = await asyncio.wait_for(asyncio.shield(task), REPLY_DEADLINE)
        except TimeoutError:
            self._background.add(task)
            task.add_done_callback(lambda t: self._follow_up(t, request))
            locale = self._locales.get(request.user_id, self.services.settings.bot_locale)
            return Reply(ONE_MOMENT(locale)).to_json()
        finally:
            COMMAND_SECONDS.labels(kind).observe(time.perf_counter() - started)
        return reply.to_json()

    async def _command_inline(self, kind: str, request: SlashRequest, too_long: bool,
                              answer_now: Callable[[dict[str, Any]], None], started: float) -> dict[str, Any] | None:
        # No task per command: most answers are ready long before the deadline, and a task of
        # their own would cost every one of them two more turns of the event loop.
        answered: list[bool] = []

        def one_moment() -> None:
            answered.append(True)
            answer_now(Reply(ONE_MOMENT(self._locales.get(request.user_id, self.services.settings.bot_locale))).to_json())

        timer = asyncio.get_running_loop().call_later(REPLY_DEADLINE, one_moment)
        try:
            reply = await self._run(kind, request, too_long=too_long)
        finally:
            timer.cancel()
            COMMAND_SECONDS.labels(kind).observe(time.perf_counter() - started)
        if not answered:
            return reply.to_json()
        if request.response_url:
            await self._post_response_url(request.response_url, reply.to_json())
        return None

    def _follow_up(self, task: asyncio.Task[Reply], request: SlashRequest) -> None:
        self._background.discard(task)
        if task.cancelled() or not request.response_url:
            return
        reply = task.result()  # _run never raises
        follow = asyncio.create_task(self._post_response_url(request.response_url, reply.to_json()))
        self._background.add(follow)
        follow.add_done_callback(self._background.discard)

    async def _post_response_url(self, url: str, body: dict[str, Any]) -> None:
        for attempt in range(3):
            try:
                await self.services.mm.post_response_url(url, body)
                return
            except PermanentError as e:  # refused, or not a URL of our Mattermost: asking again will not help
                log.warning("response_url follow-up refused (%s)", e)
                return
            except MattermostError as e:
                log.warning("response_url follow-up failed (%s), attempt %s", e, attempt + 1)
                await asyncio.sleep(1 + attempt)

    async def _run(self, kind: str, request: SlashRequest, *, too_long: bool = False) -> Reply:
        locale = self.services.settings.bot_locale
        try:
            user = await self.services.mm.user(request.user_id)
            locale = user_locale(user, self.services.settings)
            self._remember_locale(request.user_id, locale)
            ctx = Context(services=self.services, user=user, channel_id=request.channel_id,
                          team_id=request.team_id, locale=locale, now=self.services.clock.now())
            if too_long:
                limit = f"{MAX_TEXT:,}".replace(",", "." if locale == "de" else ",")
                raise LocalizedError(TOO_LONG, limit=limit)
            command = self.registry.get(kind)
            if command is None:
                triggers = ", ".join("/" + t for t in self.services.settings.command_triggers.values())
                return Reply(UNKNOWN_COMMAND(locale, triggers=triggers))
            reply = await command.run(request, ctx)
            COMMANDS.labels(kind, "ok").inc()
            return reply
        except LocalizedError as e:
            COMMANDS.labels(kind, "refused").inc()
            return Reply(e.render(locale))
        except MattermostError as e:
            COMMANDS.labels(kind, "mattermost_error").inc()
            log.warning("command %s: Mattermost error %s", kind, e)
            return Reply(MATTERMOST_DOWN(locale))
        except Exception:
            COMMANDS.labels(kind, "error").inc()
            log.exception("command %s failed", kind)
            return Reply(INTERNAL_ERROR(locale))

    # -- buttons and dialogs ---------------------------------------------------------------

    async def action(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A button press: the signed context names the handler; every answer is an ActionResult."""
        return await self._callback(
            body, "actions", verify=self.services.signer.verify, signed=body.get("context"),
            request=lambda ctx, data: ActionRequest(user_id=ctx.user.id, channel_id=ctx.channel_id,
                                                    team_id=ctx.team_id, post_id=str(body.get("post_id") or ""),
                                                    data=data, trigger_id=str(body.get("trigger_id") or "")[:1000],
                                                    selected_option=_selected(body)),
            answer=lambda result: result.to_json(),
            refuse=lambda text: ActionResult(ephemeral_text=text).to_json())

    async def dialog(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A dialog submission: the signed state names the handler; a refusal is the dialog's `error`."""
        submission = body.get("submission")
        return await self._callback(
            body, "dialogs", verify=self.services.signer.verify_state, signed=body.get("state"),
            request=lambda ctx, data: DialogRequest(user_id=ctx.user.id, channel_id=ctx.channel_id,
                                                    team_id=ctx.team_id,
                                                    submission=submission if isinstance(submission, dict) else {},
                                                    data=data, cancelled=bool(body.get("cancelled"))),
            answer=lambda result: result,
            refuse=lambda text: {"error": text})

    async def _callback(self, body: Mapping[str, Any], table: str, *, verify: Callable[..., tuple[str, dict[str, Any]]],
                        signed: Any, request: Callable[[Context, dict[str, Any]], Any],
                        answer: Callable[[Any], dict[str, Any]],
                        refuse: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """The one error ladder of buttons and dialogs: check the signature, find the handler, run it;
        a refusal, a Mattermost failure or a bug each becomes a short answer in the person's language."""
        user_id, channel_id, team_id, post_id = (str(body.get(k) or "") for k in ("user_id", "channel_id", "team_id",
                                                                                   "post_id"))
        locale = self.services.settings.bot_locale
        if not (is_mattermost_id(user_id) and _id_or_empty(channel_id) and _id_or_empty(team_id)
                and _id_or_empty(post_id)):
            ACTIONS.labels("refused").inc()
            log.info("%s refused: a user, channel, team or post id not of Mattermost's form", table)
            return refuse(FORGED(locale))
        try:
            action, data = verify(signed, now=self.services.clock.now(), user_id=user_id)
        except Unsigned as e:  # forged, tampered or no context at all: costs nothing, asks no one
            ACTIONS.labels("refused").inc()
            REFUSED.labels("signature").inc()
            log.debug("%s refused: not signed by us", table)
            return refuse(e.render(self._known_locale(user_id)))
        except LocalizedError as e:  # ours, but expired, someone else's or of the other kind
            ACTIONS.labels("refused").inc()
            return refuse(e.render(await self._locale_of(user_id)))
        except Exception:  # noqa: BLE001 - whatever was sent, it is not a context we made
            ACTIONS.labels("refused").inc()
            REFUSED.labels("signature").inc()
            log.info("%s refused: unreadable context", table)
            return refuse(FORGED(self._known_locale(user_id)))
        try:
            user = await self.services.mm.user(user_id)
            locale = user_locale(user, self.services.settings)
            self._remember_locale(user_id, locale)
            feature_kind, _, name = action.partition(".")
            feature = self.registry.get(feature_kind)
            handler = getattr(feature, table).get(name) if feature is not None else None
            if handler is None:  # signed by us, but no such button or dialog (any more)
                raise LocalizedError(FORGED)
            ctx = Context(services=self.services, user=user, channel_id=channel_id, team_id=team_id, locale=locale,
                          now=self.services.clock.now())
            result = await handler(request(ctx, data), ctx)
            ACTIONS.labels("ok").inc()
            return answer(result)
        except LocalizedError as e:
            ACTIONS.labels("refused").inc()
            return refuse(e.render(locale))
        except MattermostError:
            ACTIONS.labels("mattermost_error").inc()
            return refuse(MATTERMOST_DOWN(locale))
        except Exception:
            ACTIONS.labels("error").inc()
            log.exception("%s failed", table)
            return refuse(INTERNAL_ERROR(locale))
