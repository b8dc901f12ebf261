"""Logging setup. Logs never carry secrets, tokens, Authorization headers or phone numbers:
a filter scrubs them from every record as a last line of defence."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from datetime import datetime

# Phone numbers: a run of 6+ digits with optional separators, optionally with +49 / 0 prefix.
# Dates, times and date-times (ISO 8601, as the logs write them) are matched first and kept, and so
# is a plain run of digits that does not start with 0 (a count, an id, a timestamp): German phone
# numbers without separators start with 0 or +.
_DATE_OR_PHONE = re.compile(
    r"(?P<keep>(?<![\w.])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?(?![\w])"
    r"|(?<![\w.:])\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\w]))"
    r"|(?P<phone>(?<![\w.])\+?\(?\d[\d ()/\-]{5,}\d(?![\w.]))")


def _phone_masked(match: re.Match[str]) -> str:
    phone = match.group("phone")
    if phone is None or (phone.isdigit() and not phone.startswith("0")):
        return match.group()
    return "[number]"


_SCRUB: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"(?i)(bearer|token)\s+[A-Za-z0-9._\-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"(?i)(token|secret|password|authorization)([\"']?\s*[:=]\s*[\"']?)[^\s,\"'&}]+"), r"\1\2[redacted]"),
    (re.compile(r"/hooks/commands/[A-Za-z0-9]+"), "/hooks/commands/[redacted]"),
    (_DATE_OR_PHONE, _phone_masked),
]


def scrub(text: str) -> str:
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class Formatter(logging.Formatter):
    """One line per record; the time in ISO 8601 with milliseconds and the UTC offset of the
    server's local time (2026-11-23T07:30:00.123+01:00), so that lines from machines in other
    zones, or from either side of a daylight-saving change, can be put in order."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


def setup_logging(level: str = "INFO", stream: object = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, including response_url secrets; keep it quiet.
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The Mattermost client library logs refused requests and websocket failures on its own
    # (twice, and with tracebacks); bot/mattermost.py says what matters, once per state change.
    for name in ("mattermostautodriver", "mattermostautodriver.api", "mattermostautodriver.websocket"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
