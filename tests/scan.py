"""Suite-wide scans: what the bot posts must be inert, what it logs must be clean.

Every test's bot posts, ephemeral replies, button answers (`ephemeral_text` and
`update`) are checked for live mentions (any `@name` that would notify a person,
a user group or the whole channel, and Slack mention markup) and for links an
attacker could place (labelled markdown links and bare autolinks to the suite's
attack host). The bot never @-mentions anyone on purpose: the roster and every
announcement name people by display name. The only live `@word`s it writes are
the placeholders of its own usage texts (`@name`, `@username`), and only in
ephemeral replies to the person who asked. At the end of the session all log
output (in-process records and the stderr of bot subprocesses) is checked for
tokens, secrets, Authorization headers, request bodies and phone numbers.
"""

from __future__ import annotations

import logging
import re
import threading

from base.safetext import live_mentions

SECRETS: set[str] = set()
HARNESSES: list = []  # every BotHarness and stand-in made during the current test
STANDINS: list = []
LOG_TEXTS: list[str] = []
_lock = threading.Lock()

# An attacker-labelled link: a markdown link whose label is not our own. The suite's
# injection payloads all point at this host.
EVIL_HOST = "evil.example"
_LABELLED_EVIL = re.compile(r"(?<!\\)\]\((?:https?:)?//" + re.escape(EVIL_HOST) + r"|(?<!\\)\]\(javascript:", re.I)
# A bare link to the attack host that Mattermost would autolink: "https://evil…" or
# "www.evil…" (a zero-width break after the ":" or inside "www." defuses it). The
# destination of a markdown link is reported above, not here.
_BARE_EVIL = re.compile(r"(?<!\]\()(?<![A-Za-z0-9+.\-])[a-z][a-z0-9+.\-]*://(?:[^\s/@]*@)?(?:www\d{0,3}\.)?"
                        + re.escape(EVIL_HOST) + r"|(?<![A-Za-z0-9_\-])www\d{0,3}\." + re.escape(EVIL_HOST), re.I)
# Placeholders in the bot's own usage and error texts ("Bitte Personen mit @name
# angeben."). Allowed only in ephemeral replies; a channel post or DM may carry none.
# Links the product shows on purpose although a user typed them: a meeting's own video
# link ("über https://…"), whose form was checked. Collected per test (see conftest).
DELIBERATE_LINKS: set[str] = set()
USAGE_PLACEHOLDERS = {"@name", "@name2", "@benutzername", "@username", "@kollegin", "@colleague", "@user"}
_PHONE = re.compile(r"(?<![\w.:/])(?:\+49|0)\d[\d \-/()]{5,}\d(?![\w])")
_BODY_MARKERS = ("token=", "user_id=", "response_url=", '"context":', "trigger_id=", "Authorization", "Bearer ")


def _bare_evil_links(text: str, deliberate: set[str] | frozenset[str]) -> list[str]:
    found = []
    for match in _BARE_EVIL.finditer(text):
        token = text[match.start():].split(maxsplit=1)[0].rstrip(".,;:!?)\"'”“»«")
        if token not in deliberate:
            found.append(token)
    return found


def check_text(text: str, where: str, *, ephemeral: bool = False,
               deliberate: set[str] | frozenset[str] = frozenset()) -> list[str]:
    problems = []
    allowed = USAGE_PLACEHOLDERS if ephemeral else set()
    live = [m for m in live_mentions(text) if m.lower() not in allowed]
    if live:
        problems.append(f"{where}: live mention {', '.join(sorted(set(live)))} in {text[:120]!r}")
    if _LABELLED_EVIL.search(text):
        problems.append(f"{where}: attacker-labelled link in {text[:120]!r}")
    if _bare_evil_links(text, deliberate or DELIBERATE_LINKS):
        problems.append(f"{where}: live link to the attack host in {text[:120]!r}")
    return problems


def check_post(message: str, props: dict | None, where: str, *, ephemeral: bool = False) -> list[str]:
    texts = [message or ""]
    for attachment in (props or {}).get("attachments") or []:
        for key in ("pretext", "title", "text", "footer", "fallback"):
            texts.append(str(attachment.get(key) or ""))
        for f in attachment.get("fields") or []:
            texts.append(str(f.get("value") or ""))
        for action in attachment.get("actions") or []:
            texts.append(str(action.get("name") or ""))
    return [p for t in texts for p in check_text(t, where, ephemeral=ephemeral)]


def check_action_result(result: dict, where: str, *, ephemeral_text: bool = True) -> list[str]:
    """A button's answer: its ephemeral text (to the presser) and the post it replaces."""
    problems = []
    if ephemeral_text:
        problems += check_text(str(result.get("ephemeral_text") or ""), f"{where} ephemeral_text", ephemeral=True)
    update = result.get("update")
    if isinstance(update, dict):
        problems += check_post(str(update.get("message") or ""), update.get("props"), f"{where} update")
    return problems


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
