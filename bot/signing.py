"""HMAC-signed, expiring contexts for buttons and dialogs.

Mattermost does not sign action callbacks; any user who can post could craft an
attachment pointing at our URL. Only a signature made with `BOT_SECRET` proves
that the bot created the button. The signature binds the action, its data, who
may press it and when it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from bot.i18n import LocalizedError, Text

FORGED = Text(
    de="Diese Schaltfläche ist ungültig. Bitte den Befehl neu ausführen.",
    en="This button is not valid. Please run the command again.",
)
EXPIRED = Text(
    de="Diese Schaltfläche ist abgelaufen. Bitte den Befehl neu ausführen.",
    en="This button has expired. Please run the command again.",
)


class Signer:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("amtsbote-context:" + secret).encode()).digest()

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode().rstrip("=")

    def sign(self, action: str, data: dict[str, Any], *, expires: datetime, user_id: str | None = None) -> dict[str, str]:
        """A context dict for `integration.context` or a dialog `state`."""
        payload = {"a": action, "d": data, "e": int(expires.timestamp()), "u": user_id}
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
        return {"p": base64.urlsafe_b64encode(body).decode(), "s": self._mac(body)}

    def verify(self, context: Any, *, now: datetime, user_id: str) -> tuple[str, dict[str, Any]]:
        """Return (action, data) or raise LocalizedError (forged, tampered, expired, or not yours)."""
        if not isinstance(context, dict) or not isinstance(context.get("p"), str) or not isinstance(context.get("s"), str):
            raise LocalizedError(FORGED)
        try:
            body = base64.urlsafe_b64decode(context["p"].encode())
        except (ValueError, TypeError):
            raise LocalizedError(FORGED) from None
        if not hmac.compare_digest(self._mac(body), context["s"]):
            raise LocalizedError(FORGED)
        payload = json.loads(body)
        if payload.get("u") and payload["u"] != user_id:
            raise LocalizedError(FORGED)
        if int(payload["e"]) < now.timestamp():
            raise LocalizedError(EXPIRED)
        return payload["a"], payload["d"]

    def sign_state(self, action: str, data: dict[str, Any], *, expires: datetime, user_id: str) -> str:
        """A dialog `state` string (dialogs carry a string, not an object)."""
        return json.dumps(self.sign(action, data, expires=expires, user_id=user_id), separators=(",", ":"))

    def verify_state(self, state: Any, *, now: datetime, user_id: str) -> tuple[str, dict[str, Any]]:
        try:
            context = json.loads(state) if isinstance(state, str) else None
        except ValueError:
            context = None
        return self.verify(context, now=now, user_id=user_id)
