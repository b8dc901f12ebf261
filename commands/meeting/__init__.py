"""/meeting: video meetings with a join link, RSVP, reminders and calendar files (SPEC §2.4).

Where things are:

- `requests`: the text, parsed into a typed request per subcommand;
- `handlers`: the command (help, new, now, list, cancel); `ics`: the calendar file;
- `announcements`: the channel post and how it follows the series; `actions`: its buttons;
- `reminders`: the reminder before each occurrence, sent once;
- `rooms` and `providers`: the video providers (Jitsi, BigBlueButton, Zoom, a typed link);
- `people`, `schedule`, `texts`: who, when, and the words;
- `mydata`: `meine-daten`, `vergessen` and the retention purge.

What the roster reads (`meetings_on`) is in `commands.meeting_views`, the stored schedule in
`storage.meetings`.
"""

from __future__ import annotations

from commands.base import Feature
from commands.meeting import menu
from commands.meeting.actions import join_action, rsvp_action
from commands.meeting.announcements import refresh_announcements
from commands.meeting.mydata import forget, my_data, purge
from commands.meeting.reminders import send_reminders
from commands.meeting.texts import help_text

FEATURE = Feature(kind="meeting", run=menu.run_or_menu, help=help_text,
                  actions={"rsvp": rsvp_action, "join": join_action, **menu.ACTIONS}, dialogs=menu.DIALOGS,
                  jobs=(send_reminders, refresh_announcements), my_data=my_data, forget=forget, purge=purge)
