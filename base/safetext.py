"""Make user-typed text safe to repeat in a Mattermost post.

Titles and notes that the bot echoes must not notify anyone (`@channel`, `@all`,
`@here`, a user group's `@groupname`, a person's `@username`), must not become
links (markdown links and images, bare `https://…` and `www.…` that Mattermost
would autolink) and must not change the layout of the post (headings, tables,
code fences). The result reads the same to a person and renders as plain text in
Mattermost.

How: markdown characters get a backslash; every "@" and every autolink start gets
an invisible zero-width space (U+200B) right after the "@", the scheme's ":" or the
"www", so no mention and no autolink can form while the text still reads the same.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Control characters, zero-width characters and bidirectional overrides: invisible
# in the client, but able to reorder or hide what a reader sees.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
# Markdown characters that could start formatting, links, images or tables.
_MARKDOWN = re.compile(r"([\\`*_\[\]#|~<>])")
_BREAK = "\u200b"
# A zero-width space after "@" keeps the text readable but no mention can form.
_MENTION_BREAK = "@" + _BREAK
# Where Mattermost would start an autolink: "scheme://", the schemes it links without
# "//" (mailto:, tel:, …), and "www." (also www2. and the like). The break goes after
# the ":" or before the ".", so "https:​//…" and "www​.…" are no longer URLs.
_AUTOLINK = re.compile(
    r"(?<![A-Za-z0-9+.\-])([A-Za-z][A-Za-z0-9+.\-]{0,31}:)(?=//)"
    r"|(?<![A-Za-z0-9+.\-])((?:mailto|tel|callto|sms|xmpp|sip|sips|skype|javascript|vbscript|data|file):)"
    r"|(?<![A-Za-z0-9_\-])(www\d{0,3})(?=\.)",
    re.IGNORECASE,
)

MAX_ECHO_LENGTH = 200
_ZWJ = "\u200d"


def _emoji_end(ch: str) -> bool:
    """A character that may end an emoji before a joiner: a pictograph, a variation selector-16 or a
    skin-tone modifier."""
    return unicodedata.category(ch) == "So" or ch == "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _drop_invisible(text: str) -> str:
    """`text` without invisible characters, except a zero-width joiner inside an emoji sequence
    (👨‍👩‍👧, 🏳️‍🌈), which would otherwise fall apart into its pieces. Such a joiner sits between two
    pictographs, so it can neither hide a mention nor a link."""
    def keep(m: re.Match[str]) -> str:
        i = m.start()
        joins_emoji = (m.group() == _ZWJ and 0 < i < len(text) - 1 and _emoji_end(text[i - 1])
                       and unicodedata.category(text[i + 1]) == "So")
        return m.group() if joins_emoji else ""
    return _INVISIBLE.sub(keep, text)


def plain(text: str, *, max_length: int = MAX_ECHO_LENGTH) -> str:
    """Return `text` as one line of inert plain text for a Mattermost post."""
    text = unicodedata.normalize("NFC", text)
    text = _drop_invisible(text)
    text = " ".join(text.split())
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group() + _BREAK, text)
    # "<!channel>" and "<@user>" are Slack markup that Mattermost converts; the
    # escaped "<" above already breaks them, the mention break covers bare "@".
    return text.replace("@", _MENTION_BREAK)


def unescape_for_terminal(text: str) -> str:
    """Undo the markdown escapes, mention and link breaks when showing a post in a terminal."""
    return re.sub(r"\\([\\`*_\[\]#|~<>])", r"\1", text).replace(_BREAK, "")


# A live mention as Mattermost finds it: "@" not preceded by an ASCII word character
# (the client's `\B@`; "ä@all" still mentions) and followed by a name character.
# Usernames and group names are lower-case ASCII letters, digits, ".", "-" and "_".
_LIVE_AT = re.compile(r"(?<![A-Za-z0-9_])@([A-Za-z0-9_][A-Za-z0-9_.\-]*)")
_SLACK_MENTION = re.compile(r"(?<!\\)<[!@][A-Za-z0-9][^>\s]*>")
_BROADCAST = {"channel", "all", "here", "everyone"}


def live_mentions(text: str) -> list[str]:
    """Every mention in `text` that would take effect when posted: `@name` (a person or
    a group), `@channel`/`@all`/`@here`, and Slack markup such as `<!channel>` or `<@id>`.
    Mentions inside code spans or code blocks do not count; Mattermost ignores them."""
    text = _strip_code(text)
    found = [m.group(0).rstrip(".-") for m in _LIVE_AT.finditer(text)]
    return found + _SLACK_MENTION.findall(text)


def has_live_broadcast_mention(text: str) -> bool:
    """True if `text` would notify a whole channel when posted."""
    return any(m.lstrip("<!@").rstrip(">").split("|")[0].lower() in _BROADCAST for m in live_mentions(text))


_FENCE = re.compile(r"^ {0,3}(```|~~~).*?(?:^ {0,3}\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def _strip_code(text: str) -> str:
    """`text` without fenced code blocks and code spans (an escaped backtick opens none)."""
    return _CODE_SPAN.sub(" ", _FENCE.sub(" ", text))


# Mattermost refuses a post or a command answer longer than this (MATTERMOST-FACTS §4.5:
# PostMessageMaxRunesV2). Lists stop well before it, so that their frame still fits.
MAX_MESSAGE = 16383
LIST_BUDGET = 12_000


def capped(lines: list[str], more: Callable[[int], str], *, budget: int = LIST_BUDGET,
           most: int | None = None) -> list[str]:
    """The first of `lines` that fit into `budget` characters (and `most` lines, if given); when
    some are left out, a last line `more(count left out)`, e.g. "+12 weitere"."""
    kept: list[str] = []
    used = 0
    for line in lines:
        if (most is not None and len(kept) >= most) or used + len(line) + 1 > budget:
            return [*kept, more(len(lines) - len(kept))]
        kept.append(line)
        used += len(line) + 1
    return kept
