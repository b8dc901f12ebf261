"""The data-protection commands (SPEC §3): `meine-daten` shows everything stored about the caller,
`vergessen` deletes it after confirming. Both ask every feature through `commands.privacy`."""

from __future__ import annotations

import logging

from base.safetext import plain
from commands import privacy
from commands.base import ActionRequest, ActionResult, Context, Reply, SlashRequest
from commands.homeoffice.common import confirm
from commands.homeoffice.texts import (
    CANCELLED,
    FORGET_CONFIRM,
    FORGET_YES,
    FORGOTTEN,
    MYDATA_NOTHING,
    MYDATA_TITLE,
)

log = logging.getLogger("amtsbote.homeoffice")


async def my_data(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    with ctx.db.read() as session:
        others = privacy.people_named(session, ctx.user.id)
    try:
        people = await ctx.mm.users(sorted(others)) if others else {}
    except Exception:  # names are a courtesy; the data is shown regardless
        log.warning("names for my-data could not be looked up")
        people = {}
    names = {uid: plain(u.display_name, max_length=60) for uid, u in people.items()}
    with ctx.db.read() as session:
        sections = privacy.collect(session, ctx.user.id, ctx.locale, ctx.services.features, names=names, tz=ctx.tz)
    channel_ids = sorted({cid for _, _, cid in sections if cid})
    names = {}
    for cid in channel_ids:
        try:
            names[cid] = plain((await ctx.mm.channel(cid)).display_name, max_length=60)
        except Exception:
            names[cid] = cid
    if not sections:
        return Reply(MYDATA_NOTHING(ctx.locale))
    lines = [MYDATA_TITLE(ctx.locale)]
    current = None
    for title, line, channel_id in sections:
        if title != current:  # a paragraph of its own: right after a list it would continue the list's last item
            lines += ["", f"**{title}**"]
            current = title
        lines.append("- " + line.replace("{channel}", names.get(channel_id or "", "")))
    return Reply("\n".join(lines))


async def forget(request: SlashRequest, ctx: Context, rest: str) -> Reply:
    return confirm(ctx, FORGET_CONFIRM, FORGET_YES, "homeoffice.forget", {})


async def forget_action(request: ActionRequest, ctx: Context) -> ActionResult:
    if not request.data.get("ok"):
        return ActionResult(ephemeral_text=CANCELLED(ctx.locale))
    with ctx.db.write() as session:
        privacy.forget(session, ctx.user.id, ctx.services.features)
    # With secure_delete on, the erased rows are overwritten in the database file; the checkpoint
    # empties the write-ahead log too, so nothing of them lingers on disk (SQLite).
    ctx.db.checkpoint()
    ctx.mm.forget_user(ctx.user.id)
    return ActionResult(ephemeral_text=FORGOTTEN(ctx.locale))
