"""Localized texts: every text a user reads exists in German and English.

A `Text` holds both languages next to each other, so a missing translation is
impossible by construction. Texts render with `str.format` placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"


def pick_locale(user_locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """The locale for a reply: the user's Mattermost locale if we speak it, else the default."""
    if user_locale:
        base = user_locale.replace("_", "-").split("-")[0].lower()
        if base in LOCALES:
            return base
    return default if default in LOCALES else DEFAULT_LOCALE


@dataclass(frozen=True, slots=True)
class Text:
    de: str
    en: str

    def __call__(self, locale: str, /, **values: Any) -> str:
        template = self.en if locale == "en" else self.de
        return template.format(**values) if values else template


class LocalizedError(Exception):
    """An error whose message is shown to the user in their language; nothing was changed."""

    def __init__(self, text: Text, /, **values: Any) -> None:
        super().__init__(text.en.format(**values) if values else text.en)
        self.text = text
        self.values = values

    def render(self, locale: str) -> str:
        return self.text(locale, **self.values)
