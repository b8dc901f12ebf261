"""The buttons of a meeting's announcement: accept or decline the next occurrence, and join BigBlueButton."""

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
from commands.meeting_views import load_schedule
from domain import calendar as cal
from domain.recurrence import next_occurrence
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
        # The answer is for the occurrence the card shows as next when the button is pressed; none
        # for a cancelled meeting or one that is over.
        schedule = load_schedule(session, row, ctx.settings.bot_holiday_region)
        answered = next_occurrence(schedule, after=ctx.now) if row.cancelled_at is None else None
        if answered is not None:
            session.merge(MeetingRsvp(meeting_id=meeting_id, user_id=ctx.user.id, day=answered.day, answer=answer,
                                      at=ctx.now))
            session.flush()
        facts = announcement_facts(session, row, ctx.settings, ctx.now)
        message, props = render_announcement(ctx, row, facts, names, organizer=organizer)
    if answered is None:
        reply = RSVP_CLOSED(ctx.locale)
    else:
        reply = (RSVP_YES if answer == "yes" else RSVP_NO)(ctx.locale, day=cal.format_day(answered.day, ctx.locale))
    return ActionResult(update={"message": message, "props": props}, ephemeral_text=reply)


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

