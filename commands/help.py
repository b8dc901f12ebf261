"""Help texts: every command and subcommand answers `hilfe`/`help` in the caller's language.

A command's help is data (`HelpBook`, kept in the feature's texts.py): a few examples a person
can copy, then one short line per subcommand. Each subcommand has its own help (`/homeoffice plan
hilfe` or `/homeoffice hilfe plan`): examples first, then the full form and what it does.

Every help ends with the hint that the command alone opens its menu, and an unknown subcommand is
answered with the closest known one ("Meintest du `abwesend`?"), taken from the help's own usages
in the caller's language.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from base.i18n import Text

HELP_WORDS = frozenset({"hilfe", "help", "?", "-h", "--help"})

EXAMPLES = Text(de="Zum Beispiel:", en="For example:")
ALL_COMMANDS = Text(de="**Alle Befehle** (mehr zu einem: `/{trigger} {sub} hilfe`):",
                    en="**All commands** (more on one: `/{trigger} {sub} help`):")
FULL_FORM = Text(de="**So geht’s:**", en="**Usage:**")
MENU_HINT = Text(
    de="💡 Nur `/{trigger}` ohne Zusatz öffnet das Menü: die wichtigsten Aktionen als Schaltflächen, ganz ohne Befehle.",
    en="💡 Just `/{trigger}` with nothing after it opens the menu: the everyday actions as buttons, no commands to learn.",
)
DID_YOU_MEAN = Text(de="Meintest du `{word}`?", en="Did you mean `{word}`?")
_WORD = re.compile(r"[a-zäöüß][a-zäöüß-]*")


@dataclass(frozen=True)
class HelpEntry:
    """One subcommand (or a few that work alike): the canonical names it explains, its full form
    after the trigger, a one-line summary, copyable examples and, for its own help, details."""

    keys: tuple[str, ...]
    usage: Text
    summary: Text
    examples: tuple[Text, ...] = ()
    details: Text | None = None


@dataclass(frozen=True)
class HelpBook:
    title: Text
    examples: tuple[Text, ...]
    entries: tuple[HelpEntry, ...]
    sample: Text = Text(de="plan", en="plan")  # the subcommand named in "more on one: … hilfe"
    footer: Text | None = None

    def entry(self, key: str) -> HelpEntry | None:
        return next((e for e in self.entries if key in e.keys), None)


def _examples(examples: tuple[Text, ...], locale: str, trigger: str) -> list[str]:
    return [f"- `/{trigger} {e(locale)}`".replace(f"/{trigger} `", f"/{trigger}`") for e in examples]


def render_help(book: HelpBook, locale: str, trigger: str, **values: Any) -> str:
    """The command's help: examples, then every subcommand in one short line."""
    lines = [f"#### /{trigger} — {book.title(locale)}", EXAMPLES(locale), *_examples(book.examples, locale, trigger),
             "", ALL_COMMANDS(locale, trigger=trigger, sub=book.sample(locale))]
    for entry in book.entries:
        usage = entry.usage(locale)
        lines.append(f"- `/{trigger} {usage}`".replace(f"/{trigger} `", f"/{trigger}`")
                     + f" — {entry.summary(locale)}")
    if book.footer is not None:
        lines += ["", book.footer(locale, trigger=trigger, **values)]
    return "\n".join(lines) + menu_hint(locale, trigger)


def render_entry_help(book: HelpBook, key: str, locale: str, trigger: str, *, extra: str = "", **values: Any) -> str:
    """One subcommand's own help: examples, the full form, the details (and `extra`, already in the
    reader's language)."""
    entry = book.entry(key)
    if entry is None:
        return render_help(book, locale, trigger, **values)
    usage = entry.usage(locale)
    lines = [f"#### /{trigger} {usage.split()[0]} — {entry.summary(locale)}"]
    if entry.examples:
        lines += [EXAMPLES(locale), *_examples(entry.examples, locale, trigger), ""]
    lines.append(f"{FULL_FORM(locale)} `/{trigger} {usage}`")
    if entry.details is not None:
        lines += ["", entry.details(locale, trigger=trigger, **values)]
    if extra:
        lines += ["", extra]
    return "\n".join(lines) + menu_hint(locale, trigger)


def menu_hint(locale: str, trigger: str) -> str:
    """What ends every help: the command alone opens its menu."""
    return "\n\n" + MENU_HINT(locale, trigger=trigger)


def usage_words(book: HelpBook, locale: str) -> list[str]:
    """The subcommand words of a help's usages in one language: `büro|zuhause DATUM` gives büro and
    zuhause; placeholders (DATUM, @name) are left out."""
    words: list[str] = []
    for entry in book.entries:
        for piece in entry.usage(locale).split(" | "):
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


def help_topic(text: str, words: Mapping[str, str]) -> str | None:
    """Whether `text` asks for help, and about what: None (not a help request), "" (the whole
    command) or a subcommand's canonical name (`words` maps typed words to those names).
    Reads `hilfe`, `hilfe plan` and `plan hilfe`."""
    tokens = text.lower().split()
    if not tokens:
        return None
    if tokens[0] in HELP_WORDS:
        return words.get(tokens[1], "") if len(tokens) == 2 else ""
    if len(tokens) == 2 and tokens[1] in HELP_WORDS:
        return words.get(tokens[0]) if tokens[0] in words else None
    return None
