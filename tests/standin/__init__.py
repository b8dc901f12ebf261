"""A Mattermost stand-in for the bot's tests: REST v4 + websocket over loopback, checked
against the official OpenAPI description. See server.py, mattermost_client.py, fixtures.py."""

from .faults import Fault, Faults, GcraRateLimiter
from .mattermost_client import ActionResult, DialogResult, MattermostClient, SlashResult
from .model import Channel, ChannelMember, Command, Dialog, FileInfo, Post, Team, TeamMember, User, new_id
from .server import (
    ApiError,
    CommandFailure,
    Event,
    MattermostStandin,
    RecordedRequest,
    Violation,
)

__all__ = [
    "ActionResult", "ApiError", "Channel", "ChannelMember", "Command", "CommandFailure", "Dialog", "DialogResult",
    "Event", "Fault", "Faults", "FileInfo", "GcraRateLimiter", "MattermostClient", "MattermostStandin", "Post",
    "RecordedRequest", "SlashResult", "Team", "TeamMember", "User", "Violation", "new_id",
]
