"""/rufumleitung (/forward): call-forwarding announcements (SPEC §2.3, §3).

Staff working from home say where their office line goes (work mobile, a colleague
standing in, voicemail, a private line) and until when; the bot announces it in the
team channel and announces the end. Design choices, and why:

* A private line is announced as "Privatanschluss" only. Its number is never asked
  for, stored, logged or repeated; a number typed after `privat` is refused. No
  error message here repeats what was typed if it might be a number.
* Every change and its announcements are written in one transaction (the durable
  outbox), so an announcement is owed exactly when the change is stored. Outbox
  keys are deterministic per forward, channel and event, so a replayed job, a
  restart or a second replica never posts twice.
* Where: the channel the command was typed in; typed in a DM with the bot, every
  channel whose rotation has the person. The channels are remembered in the
  forward, so its end is announced in the same places.
* The end of a forward is claimed with a conditional UPDATE (`ended_at IS NULL`),
  so on PostgreSQL two replicas cannot both announce it.

The roster and `/anwesenheit @user` read forwards through `active_forwards` and
`describe_forward` in `commands/forward_views.py`; neither ever sees a private number (there is
none).

Where things are: `texts` (every word), `requests` (the text as a typed request), `handlers` (the
command), `store` (storing and announcing), `jobs` (expiry, morning prompts), `actions` (buttons
and the dialog), `mydata` (meine-daten, retention).
"""

from __future__ import annotations

from commands.base import Feature
from commands.rufumleitung import menu
from commands.rufumleitung.actions import (
    colleague_dialog,
    end_action,
    prompt_colleague,
    prompt_mobile,
    prompt_skip,
)
from commands.rufumleitung.jobs import expire_forwards, morning_prompts
from commands.rufumleitung.mydata import my_data, purge
from commands.rufumleitung.texts import help_text

FEATURE = Feature(
    kind="forward", run=menu.run_or_menu, help=help_text,
    actions={"mobile": prompt_mobile, "colleague": prompt_colleague, "skip": prompt_skip, "end": end_action,
             **menu.ACTIONS},
    dialogs={"colleague": colleague_dialog, **menu.DIALOGS},
    jobs=(expire_forwards, morning_prompts), my_data=my_data, purge=purge,
)
