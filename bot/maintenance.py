"""Housekeeping jobs: retention purge of past presence data and delivered outbox rows."""

from __future__ import annotations

JOBS: list = []
