"""Menus and dialogs (SPEC §2.6): what every command's menu shares.

A command typed without arguments answers with a *card*: an ephemeral reply about the person
who typed it, with buttons for the everyday actions (`card`). A button acts for whoever presses
it (its context is signed without a person, and every check is made on the presser), answers
with `ephemeral_text` (an ephemeral card cannot be updated in place, MATTERMOST-FACTS §2.3), and
goes through the very handler the typed form goes through: `as_typed` builds the slash request
the typed form would be, and `answer` turns the handler's reply into the button's answer.

Actions that need more than a press open a dialog (`open_dialog`, at once: a trigger id lives
only seconds) with the elements of Mattermost Team Edition: text, textarea, select with static
options or `users`, bool, radio. Days, times, durations, recurrences, reminders and providers
are offered as selects (the builders below). A submission builds the same typed request as the
typed form; a refusal comes back next to its field through Mattermost's `errors` answer
(`field_error`).

A command gets its menu in a few lines: a `menu(request, ctx)` that returns `card(...)`, the
feature's `run=with_menu(run, menu)`, and the card's actions (and dialogs) registered in the
feature's `actions` / `dialogs` under the names the buttons carry (`"<kind>.<name>"`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from base.chat import PermanentError
from base.i18n import LocalizedError, Text
from commands import channels
from commands.base import ActionRequest, ActionResult, Context, DialogRequest, Handler, Reply, SlashRequest
from config.settings import Settings
from domain import calendar as cal
from domain.recurrence import Repeat
from storage.outbox import enqueue_dm

CARD_HOURS = 12  # a menu card's buttons work this long; after that the command is typed again
DIALOG_HOURS = 1  # a dialog's state is good this long

T = Text
DIALOG_NEEDS_MATTERMOST = T(
    de="Dieses Formular öffnet sich nur in Mattermost. Bitte die Kurzform tippen: `{example}`",
    en="This form opens in Mattermost only. Please type the short form: `{example}`")
DIALOG_TOO_LATE = T(de="Das Formular ließ sich nicht mehr öffnen (Mattermost gibt dafür nur Sekunden). Bitte noch "
                       "einmal drücken. Es wurde nichts geändert.",
                    en="The form could not be opened any more (Mattermost allows only seconds for it). Please press "
                       "again. Nothing was changed.")
CONFIRM_BY_TYPING = T(de="Zum Bestätigen bitte `{command}` tippen, dann erscheinen die Schaltflächen dazu.",
                      en="To confirm, please type `{command}`; its buttons come with the answer.")
NOT_AN_OPTION = T(de="Bitte eine der angebotenen Möglichkeiten wählen.", en="Please choose one of the options offered.")
REQUIRED = T(de="Bitte ausfüllen.", en="Please fill this in.")
SAVE = T(de="Speichern", en="Save")
NO_REPEAT = T(de="einmalig", en="once")
REPEAT_LABELS = {
    Repeat.DAILY: T(de="täglich", en="daily"),
    Repeat.WEEKDAYS: T(de="werktags", en="on weekdays"),
    Repeat.WEEKLY: T(de="wöchentlich", en="weekly"),
    Repeat.BIWEEKLY: T(de="alle zwei Wochen", en="every two weeks"),
    Repeat.MONTHLY: T(de="monatlich", en="monthly"),
}
NO_REMINDER = T(de="keine Erinnerung", en="no reminder")
MINUTES_BEFORE = T(de="{n} Min. vorher", en="{n} min before")
MINUTES = T(de="{n} Min.", en="{n} min")
HOURS = T(de="{h} Std.", en="{h} h")
HOURS_MINUTES = T(de="{h} Std. {m} Min.", en="{h} h {m} min")
PROVIDER_LABELS = {"jitsi": "Jitsi", "bbb": "BigBlueButton", "zoom": "Zoom"}


# -- the card ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuButton:
    """A button of a card: its label, the action it runs (`"<kind>.<name>"`) and what it carries."""

    label: Text
    action: str
    data: dict[str, Any] = field(default_factory=dict)
    style: str = "default"
    users: bool = False  # a menu of the team's people instead of a button (the choice: `selected_option`)


def card(ctx: Context, body: str, buttons: Sequence[MenuButton]) -> Reply:
    """The ephemeral card: `body` (about the person who typed the command) and its buttons.

    The buttons are signed for nobody in particular: whoever presses one is who it acts for (an
    ephemeral card reaches only its reader, but every check is made on the presser all the same).
    Each carries the card's time (`t`), so an action that must not happen twice can tell a
    second press of the same card from a new card."""
    shown = int(ctx.now.timestamp())
    # The same buttons within the same second sign to the same thing, for whoever asks: signed once.
    key = (ctx.services.signer, ctx.services.action_url, ctx.locale, shown, tuple((b.label(ctx.locale), b.action, repr(sorted(b.data.items())),
                                                       b.style, b.users) for b in buttons))
    actions = _signed_cards.get(key)
    if actions is None:
        expires = ctx.now.replace(microsecond=0) + timedelta(hours=CARD_HOURS)
        actions = []
        for i, b in enumerate(buttons):
            action = ctx.button(b.label, b.action, {**b.data, "t": shown}, user_id=None, expires=expires,
                                style=b.style, action_id=f"m{i}" + "".join(ch for ch in b.action if ch.isalnum())[:30])
            if b.users:
                action.update(type="select", data_source="users")
                action.pop("style", None)
            actions.append(action)
        if len(_signed_cards) >= SIGNED_CARDS_KEPT:
            _signed_cards.clear()
        _signed_cards[key] = actions
    return Reply(body, attachments=[{"text": "", "actions": [dict(a) for a in actions]}])


SIGNED_CARDS_KEPT = 256
_signed_cards: dict[tuple[Any, ...], list[dict[str, Any]]] = {}


def with_menu(run: Handler, menu: Handler) -> Handler:
    """A command's handler that answers with `menu` when nothing follows the command, else runs `run`
    (the typed command). A feature gets its menu with `Feature(run=with_menu(run, my_menu), …)` and its
    buttons and dialogs in `actions` / `dialogs`."""

    async def run_or_menu(request: SlashRequest, ctx: Context) -> Reply:
        return await (run if request.text.strip() else menu)(request, ctx)

    return run_or_menu


def card_time(request: ActionRequest) -> datetime | None:
    """When the card whose button was pressed was shown."""
    try:
        return datetime.fromtimestamp(int(request.data["t"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def as_utc(moment: datetime) -> datetime:
    """A stored moment as aware UTC (SQLite gives it back without its zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def tell(ctx: Context, text: str) -> None:
    """A dialog's confirmation, by DM: a submission can only close its dialog or name errors, and
    the bot may not post ephemeral messages on its own (MATTERMOST-FACTS §3.5, §4.4)."""
    with ctx.db.write() as session:
        enqueue_dm(session, key=f"menu:{ctx.user.id}:{uuid.uuid4().hex}", user_id=ctx.user.id, message=text,
                   now=ctx.now)
    ctx.services.notify_outbox()


def as_typed(request: ActionRequest | DialogRequest, ctx: Context, kind: str, text: str,
             mentions: Mapping[str, str] | None = None) -> SlashRequest:
    """The slash request the typed form of a press or a submission would be: the presser, here,
    `/trigger text`; `mentions` (username -> id) are those Mattermost would have resolved."""
    return SlashRequest(command="/" + channels.trigger(ctx.settings, kind), text=text, user_id=ctx.user.id,
                        user_name=ctx.user.username, channel_id=ctx.channel_id, channel_name="",
                        team_id=ctx.team_id, team_domain="",
                        trigger_id=request.trigger_id if isinstance(request, ActionRequest) else "",
                        user_mentions={k.lower(): v for k, v in (mentions or {}).items()})


def typed_line(slash: SlashRequest) -> str:
    return f"{slash.command} {slash.text}".strip()


def answer(ctx: Context, reply: Reply, slash: SlashRequest | None = None) -> ActionResult:
    """The handler's reply as a button's answer. A reply with buttons of its own (a question to
    confirm) cannot travel as `ephemeral_text`: the reader is told what to type to get them."""
    text = reply.text
    if reply.attachments and slash is not None:
        text += "\n\n" + CONFIRM_BY_TYPING(ctx.locale, command=typed_line(slash))
    return ActionResult(ephemeral_text=text)


# -- dialogs ---------------------------------------------------------------------------------------


async def open_dialog(request: ActionRequest | SlashRequest, ctx: Context, callback: str, title: Text,
                      elements: list[dict[str, Any]], *, example: str, data: Mapping[str, Any] | None = None,
                      submit: Text = SAVE) -> None:
    """Open the dialog `callback` (`"<kind>.<name>"`) at once. Its state is signed for the person
    who opens it and names the channel it was opened in. Without a trigger id (a client that
    cannot show dialogs) the typed `example` is offered instead."""
    if not request.trigger_id:
        raise LocalizedError(DIALOG_NEEDS_MATTERMOST, example=example)
    state = ctx.services.signer.sign_state(callback, {**(data or {}), "c": ctx.channel_id}, user_id=ctx.user.id,
                                           expires=ctx.now + timedelta(hours=DIALOG_HOURS))
    dialog = {"callback_id": callback, "title": title(ctx.locale)[:24], "submit_label": submit(ctx.locale),
              "notify_on_cancel": False, "state": state, "elements": elements}
    try:
        await ctx.mm.open_dialog(request.trigger_id, ctx.services.dialog_url, dialog)
    except PermanentError as e:  # 400: the trigger id ran out (it lives seconds only) or was refused
        if e.status != 400:
            raise
        raise LocalizedError(DIALOG_TOO_LATE) from None


def dialog_channel(request: DialogRequest, ctx: Context) -> None:
    """A submission acts in the channel the dialog was opened in (named in its signed state)."""
    ctx.channel_id = str(request.data.get("c") or ctx.channel_id)


def select(name: str, label: Text, locale: str, options: list[dict[str, str]], *, default: str | None = None,
           optional: bool = False, help_text: Text | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"display_name": label(locale)[:24], "name": name, "type": "select",
                               "options": options, "optional": optional}
    if default is not None and any(o["value"] == default for o in options):
        element["default"] = default
    if help_text is not None:
        element["help_text"] = help_text(locale)[:150]
    return element


def users_select(name: str, label: Text, locale: str, *, optional: bool = False,
                 help_text: Text | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"display_name": label(locale)[:24], "name": name, "type": "select",
                               "data_source": "users", "optional": optional}
    if help_text is not None:
        element["help_text"] = help_text(locale)[:150]
    return element


def text_field(name: str, label: Text, locale: str, *, max_length: int, optional: bool = False,
               placeholder: str = "", area: bool = False, help_text: Text | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"display_name": label(locale)[:24], "name": name,
                               "type": "textarea" if area else "text", "optional": optional,
                               "min_length": 0, "max_length": max_length}
    if placeholder:
        element["placeholder"] = placeholder
    if help_text is not None:
        element["help_text"] = help_text(locale)[:150]
    return element


def day_label(day: date, locale: str) -> str:
    """"Di, 08.12." (de) / "Tue, 8 Dec" (en): the day as a select offers it."""
    return cal.format_day(day, locale).rsplit(" " if locale == "en" else str(day.year), 1)[0].strip()


def day_options(start: date, count: int, region: str, locale: str) -> list[dict[str, str]]:
    """The next `count` working days from `start` (itself included), weekends and the region's
    holidays left out; values are ISO dates, which every date parser here reads."""
    return [{"text": day_label(d, locale), "value": d.isoformat()} for d in cal.next_working_days(start, count, region)]


def time_options(first: time = time(7, 0), last: time = time(20, 0), *, step: int = 15,
                 after: time | None = None) -> list[dict[str, str]]:
    """Times of day in `step`-minute steps from `first` to `last`, later than `after` if given."""
    out = []
    minute = first.hour * 60 + first.minute
    while minute <= last.hour * 60 + last.minute:
        at = time(minute // 60, minute % 60)
        if after is None or at > after:
            out.append({"text": at.strftime("%H:%M"), "value": at.strftime("%H:%M")})
        minute += step
    return out


def _minutes_label(n: int, locale: str) -> str:
    hours, minutes = divmod(n, 60)
    if not hours:
        return MINUTES(locale, n=n)
    return HOURS(locale, h=hours) if not minutes else HOURS_MINUTES(locale, h=hours, m=minutes)


def duration_options(locale: str, minutes: Sequence[int] = (15, 30, 45, 60, 90, 120, 180)) -> list[dict[str, str]]:
    """Durations; values are typed durations ("90m")."""
    return [{"text": _minutes_label(n, locale), "value": f"{n}m"} for n in minutes]


def recurrence_options(locale: str) -> list[dict[str, str]]:
    """Once, or a series; values "none" or the `Repeat` values."""
    return [{"text": NO_REPEAT(locale), "value": "none"}] + [
        {"text": label(locale), "value": repeat.value} for repeat, label in REPEAT_LABELS.items()]


def reminder_options(locale: str, minutes: Sequence[int] = (5, 10, 15, 30, 60)) -> list[dict[str, str]]:
    """No reminder ("off"), or so many minutes before ("10m")."""
    return [{"text": NO_REMINDER(locale), "value": "off"}] + [
        {"text": MINUTES_BEFORE(locale, n=n) if n < 60 else _minutes_label(n, locale), "value": f"{n}m"}
        for n in minutes]


def provider_options(settings: Settings) -> list[dict[str, str]]:
    """The video providers this deployment has set up (the configured default first)."""
    ready = {"jitsi": bool(settings.jitsi_url), "bbb": bool(settings.bbb_url and settings.bbb_secret),
             "zoom": bool(settings.zoom_account_id and settings.zoom_client_id and settings.zoom_client_secret)}
    names = [settings.meeting_provider] + [n for n in PROVIDER_LABELS if n != settings.meeting_provider]
    return [{"text": PROVIDER_LABELS[n], "value": n} for n in names if n in PROVIDER_LABELS and ready.get(n)]


# -- reading a submission ----------------------------------------------------------------------------


class FieldError(LocalizedError):
    """A refusal that belongs next to one field of the dialog."""

    def __init__(self, field_name: str, text: Text, /, **values: Any) -> None:
        super().__init__(text, **values)
        self.field = field_name


def value(request: DialogRequest, name: str) -> str:
    """A submitted value as text ("" for a field left empty; a number or bool as typed)."""
    raw = request.submission.get(name)
    if raw is None or raw is False:
        return ""
    return str(raw).strip()


def chosen(request: DialogRequest, name: str, options: list[dict[str, str]], *, optional: bool = False) -> str:
    """A select's value, which must be one of its options ("" for an optional one left empty)."""
    picked = value(request, name)
    if not picked:
        if optional:
            return ""
        raise FieldError(name, REQUIRED)
    if picked not in {o["value"] for o in options}:
        raise FieldError(name, NOT_AN_OPTION)
    return picked


def field_error(ctx: Context, error: LocalizedError, fields: Mapping[Text, str], default: str) -> dict[str, Any]:
    """The answer that shows `error` next to its field: a `FieldError`'s own field, else the field
    `fields` names for its text, else `default`."""
    name = error.field if isinstance(error, FieldError) else fields.get(error.text, default)
    return {"errors": {name: error.render(ctx.locale)}}
