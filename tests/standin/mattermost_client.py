"""What the real Mattermost server does *towards the bot*: slash commands, button clicks and
dialog submissions, built exactly as the server builds them (MATTERMOST-FACTS §1-3) and
their replies applied to the stand-in as the server applies them.

Every call exists twice: `slash()` blocks (use it when the bot runs in another thread),
`aslash()` awaits (use it when the bot's app runs on the test's own event loop, e.g. via
`transport=httpx.ASGITransport(app)`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from .model import Channel, Dialog, Post, User
from .server import (
    _CHANNEL_MENTION,
    _MENTION,
    INTEGRATION_TIMEOUT,
    MAX_INTEGRATION_RESPONSE,
    USER_AGENT,
    CommandFailure,
    MattermostStandin,
)


@dataclass
class SlashResult:
    """`status`/`json`/`body`: the bot's HTTP answer (status None: no answer in 30 s or unreachable).
    `client_status`/`error`: what the Mattermost client got back (200, or the server's error).
    `text`: the first ephemeral message shown to the user; `ephemerals`/`posts` hold all of them."""

    status: int | None
    json: Any
    body: str
    headers: dict[str, str]
    text: str
    ephemerals: list[Post]
    posts: list[Post]
    client_status: int
    error: str
    elapsed: float
    trigger_id: str
    response_url: str
    form: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ActionResult:
    """A button click or menu choice. `client_status` is what the clicking client sees
    (200, or 400 "Action integration error."); `post` is the post after an `update`."""

    status: int | None
    json: Any
    client_status: int
    error: str
    ephemeral_text: str
    post: Post | None
    elapsed: float
    trigger_id: str
    payload: dict[str, Any]


@dataclass
class DialogResult:
    """A dialog submission. `reply` is the parsed §3.5 answer ({} for an empty body)."""

    status: int | None
    reply: dict[str, Any]
    client_status: int
    error: str
    elapsed: float
    sent: bool
    payload: dict[str, Any]

    @property
    def errors(self) -> dict[str, str]:
        return dict(self.reply.get("errors") or {})

    @property
    def closed(self) -> bool:
        """The webapp closes the dialog: no `error`, no `errors` (the submission was taken)."""
        return self.client_status == 200 and not self.reply.get("error") and not self.reply.get("errors")


@dataclass
class _Outgoing:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    finish: Callable[[int | None, dict[str, str], bytes, float], Any]


def _rebase(url: str, bot_base_url: str | None) -> str:
    """Send to `bot_base_url` (where the bot listens in the test) instead of its public host."""
    if not bot_base_url:
        return url
    target, base = urlsplit(url), urlsplit(bot_base_url)
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + target.path, target.query, ""))


class MattermostClient:
    """Acts as the Mattermost server towards the bot, on behalf of the stand-in's users."""

    def __init__(self, standin: MattermostStandin, *, transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = INTEGRATION_TIMEOUT) -> None:
        self.standin = standin
        self.transport = transport
        self.async_transport = async_transport
        self.timeout = timeout

    # -- slash commands ----------------------------------------------------------------------

    def slash(self, bot_base_url: str | None = None, *, user: User | str, channel: Channel | str,
              command: str = "/homeoffice", text: str = "", token: str | None = None, team: Any = None,
              root_id: str = "") -> SlashResult:
        return self._send(self._slash(bot_base_url, user, channel, command, text, token, team, root_id))

    async def aslash(self, bot_base_url: str | None = None, *, user: User | str, channel: Channel | str,
                     command: str = "/homeoffice", text: str = "", token: str | None = None, team: Any = None,
                     root_id: str = "") -> SlashResult:
        return await self._asend(self._slash(bot_base_url, user, channel, command, text, token, team, root_id))

    def _slash(self, bot_base_url: str | None, user_ref: User | str, channel_ref: Channel | str, command: str,
               text: str, token: str | None, team_ref: Any, root_id: str) -> _Outgoing:
        mm = self.standin
        user, channel = mm.user(user_ref), mm.channel(channel_ref)
        if channel.type in ("O", "P"):
            team = mm.team(channel.team_id)  # executeCommand: the channel's team, whatever the client says
        elif team_ref is not None:
            team = mm.team(team_ref)
        else:
            with mm._lock:
                team = next(t for t in mm._teams.values() if mm._is_team_member(t.id, user.id))
        if not mm._can_post(user, channel):
            raise PermissionError(f"{user.username} may not post in {channel.name}: Mattermost refuses the command")
        trigger = command.lstrip("/").split(" ")[0].lower()
        found = [c for c in mm.commands(team) if c.trigger == trigger]
        if not found:
            raise LookupError(f"no custom command /{trigger} registered in team {team.name}")
        cmd = found[0]
        trigger_id = mm.new_trigger_id(user.id)
        hook = mm.new_command_hook(cmd, user_id=user.id, channel_id=channel.id, root_id=root_id, team_id=team.id)
        response_url = f"{mm.url}/hooks/commands/{hook.id}"
        fields: list[tuple[str, str]] = [
            ("channel_id", channel.id), ("channel_name", channel.name), ("command", f"/{trigger}"),
            ("response_url", response_url), ("team_domain", team.name), ("team_id", cmd.team_id),
            ("text", text), ("token", cmd.token), ("trigger_id", trigger_id), ("user_id", user.id),
            ("user_name", user.username),
        ]
        fields += self._mentions(f"/{trigger} {text}", team.id)
        fields.sort(key=lambda kv: kv[0])  # url.Values.Encode sorts by key, stable within a key
        used_token = cmd.token if token is None else token
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if used_token:
            headers["Authorization"] = f"Token {used_token}"
        fields = [(k, used_token if k == "token" else v) for k, v in fields]
        url = _rebase(cmd.url, bot_base_url)
        if cmd.method == "G":
            url += ("&" if urlsplit(url).query else "?") + urlencode(fields)
            content = None
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            content = urlencode(fields).encode()

        def finish(status: int | None, resp_headers: dict[str, str], body: bytes, elapsed: float) -> SlashResult:
            body = body[:MAX_INTEGRATION_RESPONSE]
            text_body = body.decode("utf-8", "replace")
            parsed: Any = None
            failed = f"Command with a trigger of '{trigger}' failed."
            result = SlashResult(status=status, json=None, body=text_body, headers=resp_headers, text="",
                                 ephemerals=[], posts=[], client_status=200, error="", elapsed=elapsed,
                                 trigger_id=trigger_id, response_url=response_url, form=fields)
            if status is None:
                result.client_status, result.error = 500, failed
                return result
            if status != 200:
                result.client_status = 500
                result.error = f"Command with a trigger of '{trigger}' returned response {status}."
                return result
            media = resp_headers.get("content-type", "").split(";")[0].strip()
            if media == "application/json":
                try:
                    parsed = json.loads(body)
                    _check_command_response(parsed)
                except (ValueError, TypeError) as e:
                    result.client_status, result.error = 500, f"{failed} ({e})"
                    return result
                response = parsed
            else:
                response = {"text": text_body}
            result.json = parsed
            try:
                posts, ephemerals = mm.apply_command_response(cmd, user_id=user.id, channel_id=channel.id,
                                                              root_id=root_id, response=response)
            except CommandFailure as e:
                result.client_status, result.error = e.status, e.message
                return result
            result.posts, result.ephemerals = posts, ephemerals
            result.text = ephemerals[0].message if ephemerals else ""
            return result

        return _Outgoing(cmd.method == "G" and "GET" or "POST", url, headers, content, finish)

    def _mentions(self, message: str, team_id: str) -> list[tuple[str, str]]:
        """MentionsToTeamMembers / MentionsToPublicChannels: team members and open channels only."""
        mm = self.standin
        fields: list[tuple[str, str]] = []
        seen: set[str] = set()
        for raw in _MENTION.findall(message):
            name = raw.lower()
            while name and name not in seen:
                seen.add(name)
                try:
                    found = mm.user(name)
                except KeyError:
                    found = None
                if found is not None:
                    with mm._lock:
                        member = mm._is_team_member(team_id, found.id)
                    if member:
                        fields += [("user_mentions", name), ("user_mentions_ids", found.id)]
                    break
                if name[-1] not in ".-_":
                    break
                name = name[:-1]  # TrimUsernameSpecialChar
        with mm._lock:
            channels = {c.name: c for c in mm._channels.values() if c.team_id == team_id and c.type == "O"}
        for name in dict.fromkeys(n.lower() for n in _CHANNEL_MENTION.findall(message)):
            if name in channels:
                fields += [("channel_mentions", name), ("channel_mentions_ids", channels[name].id)]
        return fields

    # -- interactive message actions ----------------------------------------------------------

    def click(self, bot_base_url: str | None = None, *, post_id: str, action_id: str, user: User | str,
              selected_option: str | None = None) -> ActionResult:
        return self._send(self._click(bot_base_url, post_id, action_id, user, selected_option))

    async def aclick(self, bot_base_url: str | None = None, *, post_id: str, action_id: str, user: User | str,
                     selected_option: str | None = None) -> ActionResult:
        return await self._asend(self._click(bot_base_url, post_id, action_id, user, selected_option))

    def _click(self, bot_base_url: str | None, post_id: str, action_id: str, user_ref: User | str,
               selected_option: str | None) -> _Outgoing:
        mm = self.standin
        user = mm.user(user_ref)
        # An ephemeral post is in no database: its client sends the action's encrypted `cookie` instead.
        post = mm.post(post_id) or mm.ephemeral_post(post_id, user.id)
        if post is None:
            raise LookupError(f"no post {post_id} that {user.username} sees")
        channel = mm.channel(post.channel_id)
        if not mm._can_read_channel(user, channel):
            raise PermissionError(f"{user.username} cannot see post {post_id} (403)")
        action = next((a for a in post.actions() if a.get("id") == action_id), None)
        if action is None or not action.get("integration"):
            raise LookupError(f"post {post_id} has no action {action_id!r} with an integration (server: 404)")
        team = mm.team(channel.team_id) if channel.team_id else None
        context = dict((action.get("integration") or {}).get("context") or {})
        data_source = ""
        if action.get("type") == "select" and selected_option:
            context["selected_option"] = selected_option
            data_source = str(action.get("data_source") or "")
        trigger_id = mm.new_trigger_id(user.id)
        payload: dict[str, Any] = {
            "user_id": user.id, "user_name": user.username, "channel_id": channel.id, "channel_name": channel.name,
            "team_id": channel.team_id, "team_domain": team.name if team else "", "post_id": post.id,
            "trigger_id": trigger_id, "type": str(action.get("type") or ""), "data_source": data_source,
        }
        if context:
            payload["context"] = context
        url = _rebase(str(action["integration"].get("url") or ""), bot_base_url)
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}
        root_id = post.root_id or post.id

        def finish(status: int | None, resp_headers: dict[str, str], body: bytes, elapsed: float) -> ActionResult:
            result = ActionResult(status=status, json=None, client_status=200, error="", ephemeral_text="",
                                  post=None, elapsed=elapsed, trigger_id=trigger_id, payload=payload)
            integration_error = "Action integration error."
            if status != 200:
                result.client_status, result.error = 400, integration_error
                return result
            reply: dict[str, Any] = {}
            if body:
                try:
                    reply = json.loads(body)
                    if not isinstance(reply, dict):
                        raise ValueError("not an object")
                except ValueError:
                    result.client_status, result.error = 400, integration_error
                    return result
            result.json = reply
            update = reply.get("update")
            if isinstance(update, dict) and post.ephemeral_for:
                # DoPostActionWithCookie up to the 2025 releases: `update` goes through app.UpdatePost,
                # which finds no ephemeral post in the database, so the click fails (and its
                # `ephemeral_text` is never sent). MATTERMOST-FACTS §2.3.
                mm.refuse_ephemeral_update(post)
                result.client_status, result.error = 404, "Unable to get the post."
                return result
            if isinstance(update, dict):
                result.post = mm.update_post(post.id, update)
            text = reply.get("ephemeral_text")
            if isinstance(text, str) and text:
                message = text if reply.get("skip_slack_parsing") else mm.slack_to_markdown(text)
                retained = {k: post.props[k] for k in ("from_webhook", "override_username", "override_icon_url")
                            if k in post.props}
                mm.send_ephemeral(user.id, channel_id=channel.id, message=message, props=retained, root_id=root_id)
                result.ephemeral_text = message
            return result

        return _Outgoing("POST", url, headers, json.dumps(payload).encode(), finish)

    # -- dialogs ------------------------------------------------------------------------------

    def submit_dialog(self, bot_base_url: str | None = None, *, dialog: Dialog, user: User | str,
                      channel: Channel | str, submission: dict[str, Any], cancelled: bool = False,
                      state: str | None = None) -> DialogResult:
        return self._send(self._submit(bot_base_url, dialog, user, channel, submission, cancelled, state))

    async def asubmit_dialog(self, bot_base_url: str | None = None, *, dialog: Dialog, user: User | str,
                             channel: Channel | str, submission: dict[str, Any], cancelled: bool = False,
                             state: str | None = None) -> DialogResult:
        return await self._asend(self._submit(bot_base_url, dialog, user, channel, submission, cancelled, state))

    def _submit(self, bot_base_url: str | None, dialog: Dialog, user_ref: User | str, channel_ref: Channel | str,
                submission: dict[str, Any], cancelled: bool, state: str | None) -> _Outgoing | DialogResult:
        mm = self.standin
        user, channel = mm.user(user_ref), mm.channel(channel_ref)
        if not cancelled:
            _check_submission(mm, dialog, submission)
        payload = {"type": "dialog_submission", "callback_id": dialog.callback_id,
                   "state": dialog.state if state is None else state, "user_id": user.id, "channel_id": channel.id,
                   "team_id": channel.team_id, "submission": {} if cancelled else dict(submission),
                   "cancelled": cancelled}
        if cancelled and not dialog.dialog.get("notify_on_cancel"):
            # The webapp just closes the dialog; nothing reaches the bot.
            return DialogResult(status=None, reply={}, client_status=200, error="", elapsed=0.0, sent=False,
                                payload=payload)
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}

        def finish(status: int | None, _headers: dict[str, str], body: bytes, elapsed: float) -> DialogResult:
            result = DialogResult(status=status, reply={}, client_status=200, error="", elapsed=elapsed, sent=True,
                                  payload=payload)
            if status != 200:
                result.client_status, result.error = 400, "Action integration error."
                return result
            if body:
                try:
                    reply = json.loads(body)
                    if not isinstance(reply, dict):
                        raise ValueError("not an object")
                    result.reply = reply
                except ValueError:
                    # SubmitInteractiveDialog: an empty body is fine, invalid JSON is an error.
                    result.client_status, result.error = 500, "Encountered an error decoding the JSON response."
            names = {str(e.get("name")) for e in dialog.elements if isinstance(e, dict)}
            lost = sorted(set(result.errors) - names)
            if lost:
                # interactive_dialog.tsx shows `errors` only next to fields it has; these reach nobody.
                mm._protocol_problem(f"dialog {dialog.callback_id!r}", f"errors for {lost}, which are no element "
                                     "names: the webapp shows them nowhere (name an element, or answer `error`)")
            return result

        return _Outgoing("POST", _rebase(dialog.url, bot_base_url), headers, json.dumps(payload).encode(), finish)

    # -- transport ------------------------------------------------------------------------------

    def _send(self, out: _Outgoing | Any) -> Any:
        if not isinstance(out, _Outgoing):
            return out
        started = time.monotonic()
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout, follow_redirects=False) as client:
                response = client.request(out.method, out.url, headers=out.headers, content=out.content)
        except httpx.HTTPError:
            return out.finish(None, {}, b"", time.monotonic() - started)
        return out.finish(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                          response.content, time.monotonic() - started)

    async def _asend(self, out: _Outgoing | Any) -> Any:
        if not isinstance(out, _Outgoing):
            return out
        started = time.monotonic()
        try:
            async with httpx.AsyncClient(transport=self.async_transport, timeout=self.timeout,
                                         follow_redirects=False) as client:
                response = await client.request(out.method, out.url, headers=out.headers, content=out.content)
        except httpx.HTTPError:
            return out.finish(None, {}, b"", time.monotonic() - started)
        return out.finish(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                          response.content, time.monotonic() - started)


def _check_submission(mm: MattermostStandin, dialog: Dialog, submission: dict[str, Any]) -> None:
    """What the webapp can submit at all: the dialog's own fields, a static select's or a radio's
    value among its options, a `users` select's value a user's id. A test that submits anything
    else tests something no Mattermost client sends."""
    elements = {str(e.get("name")): e for e in dialog.elements if isinstance(e, dict)}
    for name, value in submission.items():
        element = elements.get(name)
        if element is None:
            raise ValueError(f"dialog {dialog.callback_id!r} has no field {name!r}: no client submits it")
        if value in (None, ""):
            continue
        kind, source = element.get("type"), element.get("data_source") or ""
        if kind in ("select", "radio") and not source:
            options = [o.get("value") for o in element.get("options") or [] if isinstance(o, dict)]
            if value not in options:
                raise ValueError(f"dialog {dialog.callback_id!r}: {value!r} is not an option of {name!r}")
        if kind == "select" and source == "users":
            try:
                mm.user(str(value))
            except Exception:
                raise ValueError(f"dialog {dialog.callback_id!r}: {value!r} in {name!r} is no user id") from None


def _check_command_response(data: Any) -> None:
    """json.Unmarshal into model.CommandResponse: a wrong JSON type fails the command."""
    if not isinstance(data, dict):
        raise TypeError("the JSON body is not an object")
    kinds: dict[str, tuple[type, ...]] = {
        "response_type": (str,), "text": (str,), "username": (str,), "channel_id": (str,), "icon_url": (str,),
        "type": (str,), "props": (dict,), "goto_location": (str,), "trigger_id": (str,),
        "skip_slack_parsing": (bool,), "attachments": (list,), "extra_responses": (list,),
    }
    for key, kind in kinds.items():
        value = data.get(key)
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"json: cannot unmarshal {type(value).__name__} into CommandResponse.{key}")
    for extra in data.get("extra_responses") or []:
        _check_command_response(extra)
