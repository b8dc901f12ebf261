"""The people of a meeting: who is invited, their names and languages, and who may refer to it."""

from __future__ import annotations

from base.chat import MattermostError, MattermostPort, User
from base.i18n import LocalizedError
from commands.base import Context
from commands.meeting.texts import NOT_FOUND
from storage.meeting_models import Meeting

FORGOTTEN = "forgotten"  # the organizer of a meeting whose organizer asked to be forgotten


def participant_ids(meeting: Meeting) -> list[str]:
    return [uid for uid in meeting.participants.split(",") if uid]


def locale_of(user: User | None, default: str) -> str:
    return user.locale if user is not None and user.locale in ("de", "en") else default


async def display_names(mm: MattermostPort, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    found = await mm.users(user_ids)
    return {uid: found[uid].display_name for uid in user_ids if uid in found}


async def display_name(mm: MattermostPort, user_id: str) -> str:
    if user_id == FORGOTTEN:
        return "–"
    try:
        return (await mm.user(user_id)).display_name
    except MattermostError:
        return "–"


def meeting_for(ctx: Context, meeting_id: int) -> Meeting:
    """A meeting the caller may refer to: one of this channel, or one they organized or were invited to."""
    with ctx.db.read() as session:
        meeting = session.get(Meeting, meeting_id)
    if meeting is None or not (meeting.channel_id == ctx.channel_id or meeting.organizer_id == ctx.user.id
                               or ctx.user.id in participant_ids(meeting)):
        raise LocalizedError(NOT_FOUND, id=meeting_id)
    return meeting
