"""Periodic jobs run on each scheduler tick. Each is idempotent and claims its work
from our own tables, so restarts and several replicas never do anything twice.

Every feature declares its jobs (`Feature.jobs`); the shell adds the retention purge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.maintenance import retention_job
from commands.base import Feature, Services

Job = Callable[[Services], Awaitable[Any]]


def all_jobs(features: Sequence[Feature]) -> list[Job]:
    """The features' jobs in registry order, then the retention purge."""
    return [job for feature in features for job in feature.jobs] + [retention_job]
