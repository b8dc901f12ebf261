"""Suite-wide scans: what the bot posts must be inert, what it logs must be clean.

Every test's bot posts, ephemeral replies and button updates are checked for live
channel-wide mentions and attacker-labelled links; at the end of the session all log
output (in-process records and the stderr of bot subprocesses) is checked for tokens,
secrets, Authorization headers, request bodies and phone numbers.
"""

from __future__ import annotations

import logging
import re
import threading

from bot.safetext import has_live_broadcast_mention

SECRETS: set[str] = set()
HARNESSES: list = []  # every BotHarness and stand-in made during the current test
STANDINS: list = []
LOG_TEXTS: list[str] = []
_lock = threading.Lock()

# An attacker-labelled link: a markdown link whose label is not our own. The suite's
# injection payloads all point at this host.
EVIL_HOST = "evil.example"
_LABELLED_EVIL = re.compile(r"(?<!\\)\]\((?:https?:)?//" + re.escape(EVIL_HOST) + r"|(?<!\\)\]\(javascript:", re.I)
_PHONE = re.compile(r"(?<![\w.:/])(?:\+49|0)\d[\d \-/()]{5,}\d(?![\w])")
_BODY_MARKERS = ("token=", "user_id=", "response_url=", '"context":', "trigger_id=", "Authorization", "Bearer ")


def check_text(text: str, where: str) -> list[str]:
    problems = []
    if has_live_broadcast_mention(text):
        problems.append(f"{where}: live channel-wide mention in {text[:120]!r}")
    if _LABELLED_EVIL.search(text):
        problems.append(f"{where}: attacker-labelled link in {text[:120]!r}")
    return problems


def check_post(message: str, props: dict | None, where: str) -> list[str]:
    texts = [message or ""]
    for attachment in (props or {}).get("attachments") or []:
        for key in ("pretext", "title", "text", "footer", "fallback"):
            texts.append(str(attachment.get(key) or ""))
        for f in attachment.get("fields") or []:
            texts.append(str(f.get("value") or ""))
        for action in attachment.get("actions") or []:
            texts.append(str(action.get("name") or ""))
    return [p for t in texts for p in check_text(t, where)]


class CaptureHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:
            return
        with _lock:
            if len(LOG_TEXTS) < 200_000:
                LOG_TEXTS.append(f"{record.name}: {text}")


def add_log_text(text: str) -> None:
    with _lock:
        LOG_TEXTS.append(text)


def log_problems() -> list[str]:
    problems = []
    with _lock:
        texts = list(LOG_TEXTS)
        secrets = {s for s in SECRETS if len(s) >= 8}
    for text in texts:
        for secret in secrets:
            if secret in text:
                problems.append(f"secret in log: {text[:160]!r}")
        for marker in _BODY_MARKERS:
            if marker in text:
                problems.append(f"request body or header in log ({marker}): {text[:160]!r}")
        for match in _PHONE.finditer(text):
            problems.append(f"phone number in log ({match.group()}): {text[:160]!r}")
    return problems
