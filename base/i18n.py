"""Localized texts: every text a user reads exists in German and English.

A `Text` holds both languages next to each other, so a missing translation is
impossible by construction. Texts render with `str.format` placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale

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
        if not values:
            return template
        return template.format(**{k: v.render(locale) if isinstance(v, Counted) else v for k, v in values.items()})


@cache
def _plural_rule(locale: str) -> Any:
    return Locale.parse(locale).plural_form


@dataclass(frozen=True, slots=True)
class Plural:
    """A counted noun in both languages, (singular, plural) each: "1 Nachricht", "3 Nachrichten".

    The form comes from Babel's CLDR plural rules, so a third language would only add its forms.
    `number=False` gives the noun alone ("Tag"/"Tage"), for sentences that place the number
    themselves.
    """

    de: tuple[str, str]
    en: tuple[str, str]

    def word(self, locale: str, n: int) -> str:
        loc = "en" if locale == "en" else "de"
        one, other = self.en if loc == "en" else self.de
        return one if _plural_rule(loc)(abs(n)) == "one" else other

    def __call__(self, locale: str, n: int, /) -> str:
        return f"{n} {self.word(locale, n)}"

    def of(self, n: int) -> Counted:
        """The count as a value for a `Text` placeholder, rendered in the text's language."""
        return Counted(self, n)


@dataclass(frozen=True, slots=True)
class Counted:
    plural: Plural
    n: int

    def render(self, locale: str) -> str:
        return self.plural(locale, self.n)

    def __str__(self) -> str:
        return self.plural("en", self.n)


# Counted nouns used in several places.
DAYS = Plural(de=("Tag", "Tage"), en=("day", "days"))
PEOPLE = Plural(de=("Person", "Personen"), en=("person", "people"))
MINUTES = Plural(de=("Minute", "Minuten"), en=("minute", "minutes"))
CHARACTERS = Plural(de=("Zeichen", "Zeichen"), en=("character", "characters"))


class LocalizedError(Exception):
    """An error whose message is shown to the user in their language; nothing was changed."""

    def __init__(self, text: Text, /, **values: Any) -> None:
        super().__init__(text.en.format(**values) if values else text.en)
        self.text = text
        self.values = values

    def render(self, locale: str) -> str:
        return self.text(locale, **self.values)
