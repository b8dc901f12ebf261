"""Work phone numbers as people type them: validation and one display form (pure).

Only office numbers, extensions and work mobiles pass through here; a private
number is never asked for. Numbers are shown the German way (DIN 5008): area code
and number separated by a space, an extension joined with a hyphen, no slashes or
parentheses — "0391/540-1234" and "(0391) 540 - 1234" both become "0391 540-1234",
"+49 (0)391 5401234" becomes "+49 391 5401234".

Errors never repeat what was typed: whatever someone types after a command word
may be a number they did not mean to share.
"""

from __future__ import annotations

import re
import unicodedata

from base.i18n import LocalizedError, Text

MIN_DIGITS = 2
MAX_DIGITS = 20

INVALID_NUMBER = Text(
    de="Das ist keine gültige Telefonnummer. Erlaubt sind Ziffern mit Leerzeichen, /, -, ( ) und einem + am "
       "Anfang, 2 bis 20 Ziffern, z. B. 0391 540-1234, +49 391 540-1234 oder eine Durchwahl wie 1234.",
    en="That is not a valid phone number. Use digits with spaces, /, -, ( ) and an optional leading +, "
       "2 to 20 digits, e.g. 0391 540-1234, +49 391 540-1234 or an extension like 1234.",
)

_ALLOWED = re.compile(r"\+?[\d\s/()\-]+")
_PARENS = re.compile(r"\(([^()]*)\)")
_TRUNK_ZERO = re.compile(r"^(\+\d{1,3})\s*\(0\)\s*")  # "+49 (0)391" -> "+49 391"


def _ascii_digits(text: str) -> str:
    """Full-width and other compatibility forms as their plain characters ("０３９１／５４０－１２３４" ->
    "0391/540-1234", NFKC), and any remaining decimal digit as 0-9: a number is stored one way."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalize_number(text: str) -> str:
    """The display form of a work number, or `LocalizedError(INVALID_NUMBER)`."""
    raw = " ".join(_ascii_digits(text).split())
    if not raw or not _ALLOWED.fullmatch(raw):
        raise LocalizedError(INVALID_NUMBER)
    digits = sum(ch.isdigit() for ch in raw)
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise LocalizedError(INVALID_NUMBER)
    value = _TRUNK_ZERO.sub(r"\1 ", raw)
    # Parentheses only group an area code: balanced, not nested, digits inside.
    if any(not re.fullmatch(r"\s*\d+\s*", inner) for inner in _PARENS.findall(value)):
        raise LocalizedError(INVALID_NUMBER)
    value = _PARENS.sub(r" \1 ", value)
    if "(" in value or ")" in value:
        raise LocalizedError(INVALID_NUMBER)
    value = value.replace("/", " ")
    value = re.sub(r"\s*-\s*", "-", value)
    value = re.sub(r"^\+\s+", "+", " ".join(value.split()))
    if "--" in value or not re.fullmatch(r"\+?\d[\d -]*\d", value):
        raise LocalizedError(INVALID_NUMBER)
    return value


def digits_of(number: str) -> str:
    """Only the digits (and a leading +): for comparing two spellings of one number."""
    return ("+" if number.strip().startswith("+") else "") + "".join(ch for ch in number if ch.isdigit())


def has_digits(text: str) -> bool:
    """Whether `text` contains any digit, i.e. might hold (part of) a phone number."""
    return any(ch.isdigit() for ch in text)


# Where a call forward sends calls, in words.
TARGET_LABEL = {
    "mobile": Text(de="Diensthandy", en="work mobile"),
    "colleague": Text(de="Vertretung", en="a colleague"),
    "private": Text(de="Privatanschluss", en="private line"),
    "voicemail": Text(de="Anrufbeantworter", en="voicemail"),
}
