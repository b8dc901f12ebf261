"""Periodic jobs run on each scheduler tick. Each is idempotent and claims its work
from our own tables, so restarts and several replicas never do anything twice.

Command modules declare their jobs in a module-level `JOBS` list; this module
collects them in a fixed order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from commands.base import Services

Job = Callable[[Services], Awaitable[Any]]


def all_jobs() -> list[Job]:
    import commands
    from bot import maintenance

    jobs: list[Job] = []
    for module in (commands.homeoffice, commands.anwesenheit, commands.rufumleitung, commands.meeting, maintenance):
        jobs.extend(getattr(module, "JOBS", []))
    return jobs
