"""The buttons of a meeting's announcement: accept or decline, and join BigBlueButton."""

from __future__ import annotations

from base.i18n import LocalizedError
from base.safetext import plain
from commands.base import ActionRequest, ActionResult, Context
from commands.leads import is_lead
from commands.meeting import providers, rooms
from commands.meeting.announcements import announcement_facts, render_announcement
from commands.meeting.people import display_name, display_names, participant_ids
from commands.meeting.schedule import link_target
from commands.meeting.texts import (
    GONE,
    JOIN_LINK,
    JOIN_UNAVAILABLE,
    RSVP_CLOSED,
    RSVP_NO,
    RSVP_NOT_INVITED,
    RSVP_YES,
)
from storage.meeting_models import Meeting, MeetingRsvp


async def rsvp_action(request: ActionRequest, ctx: Context) -> ActionResult:
    meeting_id = int(request.data.get("m") or 0)
    answer = "yes" if request.data.get("r") == "yes" else "no"
    with ctx.db.read() as session:
        meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise LocalizedError(GONE)
    if meeting.audience == "people" and ctx.user.id not in (meeting.organizer_id, *participant_ids(meeting)):
        # A meeting with named participants: the others in the channel see it but do not answer it.
        return ActionResult(ephemeral_text=RSVP_NOT_INVITED(ctx.locale, title=plain(meeting.title)))
    names = await display_names(ctx.mm, participant_ids(meeting))
    organizer = await display_name(ctx.mm, meeting.organizer_id)
    with ctx.db.write() as session:
        row = session.get(Meeting, meeting_id)
        if row is None:
            raise LocalizedError(GONE)
        open_ = row.cancelled_at is None and (row.ends_at is None or row.ends_at > ctx.now)
        if open_:
            session.merge(MeetingRsvp(meeting_id=meeting_id, user_id=ctx.user.id, answer=answer, at=ctx.now))
            session.flush()
        facts = announcement_facts(session, row, ctx.settings, ctx.now)
        message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
    reply = (RSVP_YES if answer == "yes" else RSVP_NO) if open_ else RSVP_CLOSED
    return ActionResult(update={"message": message, "props": props}, ephemeral_text=reply(ctx.locale))


async def join_action(request: ActionRequest, ctx: Context) -> ActionResult:
    """BigBlueButton: a personal join link, after making sure the room exists."""
    with ctx.db.read() as session:
        meeting = session.get(Meeting, int(request.data.get("m") or 0))
    if meeting is None or meeting.provider != "bbb":
        raise LocalizedError(GONE)
    if meeting.cancelled_at is not None:
        raise LocalizedError(RSVP_CLOSED)
    try:
        bbb = await rooms.open_bbb_room(ctx.settings, meeting)
    except providers.ProviderError:
        raise LocalizedError(JOIN_UNAVAILABLE) from None
    # The organizer and the channel's leads moderate; everyone else joins as a participant.
    moderator = ctx.user.id == meeting.organizer_id or await is_lead(ctx, channel_id=meeting.channel_id)
    url = bbb.join_url(meeting.external_id, full_name=ctx.user.display_name, moderator=moderator)
    return ActionResult(ephemeral_text=JOIN_LINK(ctx.locale, title=plain(meeting.title), url=link_target(url)))

