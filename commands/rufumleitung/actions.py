"""The buttons of the morning prompt and reminder, and the dialog choosing a colleague. Each builds
the same `SetForward` the command does, directly from what was pressed or chosen."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from base.i18n import LocalizedError
from commands import parsing
from commands.base import ActionRequest, ActionResult, Context, DialogRequest
from commands.channels import trigger as command_trigger
from commands.rufumleitung.jobs import prompt_key
from commands.rufumleitung.requests import UNTIL_WORDS, SetForward, resolve_until
from commands.rufumleitung.store import (
    describe_stored,
    end_forward,
    rotation_channels,
    split_channels,
    store_forward,
    where_text,
)
from commands.rufumleitung.texts import (
    ALREADY_ENDED,
    BOT_COLLEAGUE,
    DIALOG_SUBMIT,
    DIALOG_TITLE,
    DIALOG_UNTIL,
    DIALOG_UNTIL_HELP,
    DIALOG_WHO,
    PROMPT_DIALOG_OPENED,
    PROMPT_DONE,
    PROMPT_SKIPPED,
    PROMPT_TYPE_COLLEAGUE,
    REMIND_ENDED,
    SELF_COLLEAGUE,
)
from storage.models import CallForward
from storage.outbox import enqueue_patch


def _prompt_day(request: ActionRequest | DialogRequest, ctx: Context) -> date:
    try:
        return date.fromisoformat(str(request.data.get("day")))
    except ValueError:
        return ctx.today


async def _set_from_prompt(ctx: Context, command: SetForward, day: date, *, edit_prompt: bool) -> str:
    """Set a forward from the morning prompt (announced in the rotation channels); the done text.
    With `edit_prompt` (the dialog, which cannot answer with an update) the prompt DM is edited
    through the outbox so its buttons go away."""
    with ctx.db.read() as session:
        channels = rotation_channels(session, ctx.user.id)
    with ctx.db.write() as session:
        forward = store_forward(session, ctx.services, command, channels=channels, actor=ctx.user, now=ctx.now,
                                trigger=command_trigger(ctx.settings, "forward"))
        described = describe_stored(session, forward, command, locale=ctx.locale, now=ctx.now, tz=ctx.tz)
        if edit_prompt:
            enqueue_patch(session, key=f"{prompt_key(ctx.user.id, day)}:done", target_key=prompt_key(ctx.user.id, day),
                          message=PROMPT_DONE(ctx.locale, forward=described, where="").strip(), props={}, now=ctx.now)
    ctx.services.notify_outbox()
    where = await where_text(ctx, channels, dm=True)
    return PROMPT_DONE(ctx.locale, forward=described, where=where).strip()


async def prompt_mobile(request: ActionRequest, ctx: Context) -> ActionResult:
    until = resolve_until([], now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    command = SetForward(subject=ctx.user, target="mobile", until=until)
    text = await _set_from_prompt(ctx, command, _prompt_day(request, ctx), edit_prompt=False)
    return ActionResult(update={"message": text, "props": {}})


async def prompt_colleague(request: ActionRequest, ctx: Context) -> ActionResult:
    """Open a dialog with a people picker if Mattermost sent a trigger id; else explain the command."""
    trigger = command_trigger(ctx.settings, "forward")
    trigger_id = str(getattr(request, "trigger_id", "") or "")
    if not trigger_id:
        return ActionResult(ephemeral_text=PROMPT_TYPE_COLLEAGUE(ctx.locale, trigger=trigger))
    end = ctx.settings.forward_default_end.strftime("%H:%M")
    dialog = {
        "callback_id": "forward.colleague",
        "title": DIALOG_TITLE(ctx.locale),
        "submit_label": DIALOG_SUBMIT(ctx.locale),
        "state": ctx.services.signer.sign_state("forward.colleague", {"day": _prompt_day(request, ctx).isoformat()},
                                                user_id=ctx.user.id, expires=ctx.now + timedelta(hours=2)),
        "elements": [
            {"display_name": DIALOG_WHO(ctx.locale), "name": "colleague", "type": "select", "data_source": "users"},
            {"display_name": DIALOG_UNTIL(ctx.locale), "name": "until", "type": "text", "optional": True,
             "placeholder": end, "help_text": DIALOG_UNTIL_HELP(ctx.locale, end=end), "max_length": 30,
             "min_length": 0},
        ],
    }
    await ctx.mm.open_dialog(trigger_id, ctx.services.dialog_url, dialog)
    return ActionResult(ephemeral_text=PROMPT_DIALOG_OPENED(ctx.locale))


async def colleague_dialog(request: DialogRequest, ctx: Context) -> dict[str, Any]:
    if request.cancelled:
        return {}
    colleague_id = str(request.submission.get("colleague") or "")
    try:
        colleague = await ctx.mm.user(colleague_id) if colleague_id else None
    except Exception:
        colleague = None
    if colleague is None or colleague.deleted:
        return {"errors": {"colleague": DIALOG_WHO(ctx.locale)}}
    if colleague.id == ctx.user.id or colleague.is_bot:
        return {"errors": {"colleague": (SELF_COLLEAGUE if colleague.id == ctx.user.id else BOT_COLLEAGUE)(ctx.locale)}}
    try:
        words = parsing.tokenize(str(request.submission.get("until") or ""))
        if words and words[0].lower() in UNTIL_WORDS:
            words = words[1:]
        until = resolve_until(words, now=ctx.now, tz=ctx.tz, default_end=ctx.settings.forward_default_end)
    except LocalizedError as e:
        return {"errors": {"until": e.render(ctx.locale)}}
    command = SetForward(subject=ctx.user, target="colleague", until=until, colleague=colleague)
    await _set_from_prompt(ctx, command, _prompt_day(request, ctx), edit_prompt=True)
    return {}


async def prompt_skip(request: ActionRequest, ctx: Context) -> ActionResult:
    return ActionResult(update={"message": PROMPT_SKIPPED(ctx.locale), "props": {}})


async def end_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """"Beenden" on the office-day reminder: end that very forward, if it is still running."""
    forward_id = int(request.data.get("f") or 0)
    with ctx.db.write() as session:
        forward = session.get(CallForward, forward_id)
        ok = (forward is not None and forward.user_id == ctx.user.id and forward.until > ctx.now
              and end_forward(session, ctx.services, forward, subject=ctx.user, actor=ctx.user, now=ctx.now))
    if not ok:
        return ActionResult(update={"message": ALREADY_ENDED(ctx.locale), "props": {}})
    assert forward is not None  # `ok` says it was found
    ctx.services.notify_outbox()
    where = await where_text(ctx, split_channels(forward.channels), dm=False)
    return ActionResult(update={"message": REMIND_ENDED(ctx.locale, where=where).strip(), "props": {}})
