"""HMAC-signed, expiring contexts for buttons and dialogs.

Mattermost does not sign action callbacks; any user who can post could craft an
attachment pointing at our URL. Only a signature made with `BOT_SECRET` proves
that the bot created the button. The signature binds the action, its data, who
may press it, when it expires, and its kind: a button's context (`BUTTON`) and a dialog's
state (`DIALOG`) share key and format, so the kind is what keeps one from being sent as
the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from base.i18n import LocalizedError, Text

FORGED = Text(
    de="Diese Schaltfläche ist ungültig. Bitte den Befehl neu ausführen.",
    en="This button is not valid. Please run the command again.",
)
EXPIRED = Text(
    de="Diese Schaltfläche ist abgelaufen. Bitte den Befehl neu ausführen.",
    en="This button has expired. Please run the command again.",
)
class Unsigned(LocalizedError):
    """Not signed with our key (forged, tampered, or not a context at all): nothing in it may be
    believed, not even the user id the request names."""


BUTTON = "button"
DIALOG = "dialog"


class Signer:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("amtsbote-context:" + secret).encode()).digest()

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode().rstrip("=")

    def sign(self, action: str, data: dict[str, Any], *, expires: datetime, user_id: str | None = None,
             kind: str = BUTTON) -> dict[str, str]:
        """A context dict for `integration.context` (or, with kind=DIALOG, inside a dialog `state`)."""
        payload = {"a": action, "d": data, "e": int(expires.timestamp()), "u": user_id, "k": kind}
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
        return {"p": base64.urlsafe_b64encode(body).decode(), "s": self._mac(body)}

    def verify(self, context: Any, *, now: datetime, user_id: str, kind: str = BUTTON) -> tuple[str, dict[str, Any]]:
        """Return (action, data) or raise LocalizedError (forged, tampered, expired, not yours, or
        signed as another kind).

        Whatever a caller puts into `context` ends here as a refusal, never as another error."""
        if not isinstance(context, dict) or not isinstance(context.get("p"), str) or not isinstance(context.get("s"), str):
            raise Unsigned(FORGED)
        try:
            body = base64.urlsafe_b64decode(context["p"].encode("utf-8", "surrogatepass"))
            signature = context["s"].encode("utf-8", "surrogatepass")
        except (ValueError, TypeError):  # binascii.Error and UnicodeError are ValueErrors
            raise Unsigned(FORGED) from None
        # Bytes on both sides: compare_digest refuses non-ASCII str, and a caller may send any.
        if not hmac.compare_digest(self._mac(body).encode(), signature):
            raise Unsigned(FORGED)
        try:
            payload = json.loads(body)
            action, data, expires, owner = payload["a"], payload["d"], int(payload["e"]), payload.get("u")
            # Contexts signed before kinds were signed carry none: those were all made as buttons
            # or as dialog states that expire within hours; they pass as buttons only.
            signed_kind = payload.get("k", BUTTON)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):  # signed by us: never expected
            raise LocalizedError(FORGED) from None
        if not isinstance(action, str) or not isinstance(data, dict) or signed_kind != kind:
            raise LocalizedError(FORGED)
        if owner and owner != user_id:
            raise LocalizedError(FORGED)
        if expires < now.timestamp():
            raise LocalizedError(EXPIRED)
        return action, data

    def sign_state(self, action: str, data: dict[str, Any], *, expires: datetime, user_id: str) -> str:
        """A dialog `state` string (dialogs carry a string, not an object)."""
        return json.dumps(self.sign(action, data, expires=expires, user_id=user_id, kind=DIALOG), separators=(",", ":"))

    def verify_state(self, state: Any, *, now: datetime, user_id: str) -> tuple[str, dict[str, Any]]:
        try:
            context = json.loads(state) if isinstance(state, str) else None
        except (ValueError, RecursionError):
            context = None
        return self.verify(context, now=now, user_id=user_id, kind=DIALOG)
