"""Periodic jobs run on each scheduler tick. Each is idempotent and claims its work
from our own tables, so restarts and several replicas never do anything twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from commands.base import Services

ALL: list[Callable[[Services], Awaitable[Any]]] = []
