"""Help texts: every command and subcommand answers `hilfe`/`help` in the caller's language."""

from __future__ import annotations

from base.i18n import Text

HELP_WORDS = frozenset({"hilfe", "help", "?", "-h", "--help"})


def render_help(title: Text, entries: list[tuple[str, str, Text]], locale: str, trigger: str) -> str:
    """`entries` are (German usage, English usage, description)."""
    lines = [f"#### /{trigger} — {title(locale)}"]
    for de, en, description in entries:
        usage = en if locale == "en" else de
        lines.append(f"- `/{trigger} {usage}` — {description(locale)}".replace(f"/{trigger} `", f"/{trigger}`"))
    return "\n".join(lines)
