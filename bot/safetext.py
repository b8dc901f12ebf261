"""Make user-typed text safe to repeat in a Mattermost post.

Titles and notes that the bot echoes must not notify a channel (`@channel`,
`@all`, `@here`, group mentions), must not carry labelled links or images, and
must not change the layout of the post (headings, tables, code fences). The
result reads the same to a person and renders as plain text in Mattermost.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters, zero-width characters and bidirectional overrides: invisible
# in the client, but able to reorder or hide what a reader sees.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
# Markdown characters that could start formatting, links, images or tables.
_MARKDOWN = re.compile(r"([\\`*_\[\]#|~<>])")
# A zero-width space after "@" keeps the text readable but no mention can form.
_MENTION_BREAK = "@\u200b"

MAX_ECHO_LENGTH = 200


def plain(text: str, *, max_length: int = MAX_ECHO_LENGTH) -> str:
    """Return `text` as one line of inert plain text for a Mattermost post."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = " ".join(text.split())
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    # "<!channel>" and "<@user>" are Slack markup that Mattermost converts; the
    # escaped "<" above already breaks them, the mention break covers bare "@".
    return text.replace("@", _MENTION_BREAK)


def unescape_for_terminal(text: str) -> str:
    """Undo the markdown escapes and mention breaks when showing a post in a terminal."""
    return re.sub(r"\\([\\`*_\[\]#|~<>])", r"\1", text).replace(_MENTION_BREAK, "@")


_LIVE_MENTION = re.compile(r"(?<![\w\u200b])@(channel|all|here)\b|<!(channel|all|here|everyone)>", re.IGNORECASE)


def has_live_broadcast_mention(text: str) -> bool:
    """True if `text` would notify a whole channel when posted."""
    return bool(_LIVE_MENTION.search(text))
