"""A meeting's room at its video provider: made before the meeting is stored, handed back when
storing fails or a Zoom series is cancelled, and opened again before someone joins BigBlueButton.

Every call to a provider goes through `provider_config` here: the one seam tests replace to point
the providers at local stand-ins.
"""

from __future__ import annotations

import logging

from commands.meeting import providers
from config.settings import Settings
from storage.meeting_models import Meeting

log = logging.getLogger("amtsbote.meeting")


def provider_config(settings: Settings) -> providers.ProviderConfig:
    """The providers' addresses. A seam for tests, which point Zoom at a local stand-in."""
    return providers.ProviderConfig.from_settings(settings)


async def make_room(settings: Settings, name: str, url: str | None, request: providers.RoomRequest,
                    ) -> tuple[providers.Provider, providers.Room]:
    provider = provider_config(settings).provider(name, url=url)
    return provider, await provider.create_room(request)


async def give_back(provider: providers.Provider, room: providers.Room) -> None:
    """Take a room back from its provider (best effort): after storing failed, or a cancelled series."""
    try:
        await provider.delete_room(room)
    except Exception as e:
        log.warning("could not delete a %s room (%s)", room.provider, type(e).__name__)


async def give_back_zoom(settings: Settings, meeting: Meeting) -> None:
    """A cancelled Zoom meeting would otherwise stay in the account."""
    try:
        zoom = provider_config(settings).provider("zoom")
    except providers.ProviderError:
        log.warning("Zoom is no longer set up; meeting %s stays in the Zoom account", meeting.id)
    else:
        await give_back(zoom, providers.Room(join_url=meeting.join_url, provider="zoom",
                                             external_id=meeting.external_id))


async def open_bbb_room(settings: Settings, meeting: Meeting) -> providers.BigBlueButton:
    """Make sure the BigBlueButton room exists (BigBlueButton removes one nobody entered); raises
    `providers.ProviderError` when it cannot be reached."""
    bbb = provider_config(settings).bbb()
    await bbb.open_room(meeting.external_id, meeting.title)
    return bbb
