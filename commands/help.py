"""Help texts: every command and subcommand answers `hilfe`/`help` in the caller's language.

Every help ends with the hint that the command alone opens its menu, and an unknown subcommand is
answered with the closest known one ("Meintest du `abwesend`?"), taken from the help's own usages
in the caller's language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from base.i18n import Text

HELP_WORDS = frozenset({"hilfe", "help", "?", "-h", "--help"})

MENU_HINT = Text(
    de="💡 Nur `/{trigger}` ohne Zusatz öffnet das Menü: die wichtigsten Aktionen als Schaltflächen, ganz ohne Befehle.",
    en="💡 Just `/{trigger}` with nothing after it opens the menu: the everyday actions as buttons, no commands to learn.",
)
DID_YOU_MEAN = Text(de="Meintest du `{word}`?", en="Did you mean `{word}`?")

_WORD = re.compile(r"[a-zäöüß][a-zäöüß-]*")


def menu_hint(locale: str, trigger: str) -> str:
    return MENU_HINT(locale, trigger=trigger)


def render_help(title: Text, entries: list[tuple[str, str, Text]], locale: str, trigger: str, *,
                footer: str = "") -> str:
    """`entries` are (German usage, English usage, description); `footer` (already in the reader's
    language) comes after them, and the hint to the menu ends every help."""
    lines = [f"#### /{trigger} — {title(locale)}"]
    for de, en, description in entries:
        usage = en if locale == "en" else de
        lines.append(f"- `/{trigger} {usage}` — {description(locale)}".replace(f"/{trigger} `", f"/{trigger}`"))
    parts = ["\n".join(lines)] + ([footer] if footer else []) + [menu_hint(locale, trigger)]
    return "\n\n".join(parts)


def usage_words(entries: Sequence[tuple[str, str, Text]], locale: str) -> list[str]:
    """The subcommand words of a help's usages in one language: `büro|zuhause DATUM` gives büro and
    zuhause, `zeit 07:30 | tage Mo-Fr` gives zeit and tage; placeholders (DATUM, @name) are left out."""
    words: list[str] = []
    for de, en, _ in entries:
        usage = en if locale == "en" else de
        for piece in usage.split(" | "):
            first = piece.strip().split(" ")[0] if piece.strip() else ""
            for candidate in first.strip("[]").split("|"):
                candidate = candidate.strip("[]")
                if _WORD.fullmatch(candidate) and candidate not in words:
                    words.append(candidate)
    return words


def did_you_mean(word: str, known: Iterable[str], locale: str) -> str:
    """" Meintest du `abwesend`?" for the closest known word, "" if none is close."""
    found = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.6)
    return " " + DID_YOU_MEAN(locale, word=found[0]) if found else ""
