"""Work phone numbers: what is accepted, how it is shown, and that errors never repeat a number."""

from __future__ import annotations

import pytest

from base.i18n import LocalizedError
from domain.phone import INVALID_NUMBER, digits_of, has_digits, normalize_number


@pytest.mark.parametrize(("typed", "shown"), [
    ("0391 540-1234", "0391 540-1234"),
    ("0391/540-1234", "0391 540-1234"),
    ("(0391) 540 - 1234", "0391 540-1234"),
    ("  0171   2345678 ", "0171 2345678"),
    ("+49 (0)391 540-1234", "+49 391 540-1234"),
    ("+49(0)391/540-1234", "+49 391 540-1234"),
    ("+ 49 171 2345678", "+49 171 2345678"),
    ("1234", "1234"),
    ("12", "12"),
    ("12345678901234567890", "12345678901234567890"),
])
def test_valid_numbers_are_shown_the_din_way(typed, shown):
    assert normalize_number(typed) == shown


@pytest.mark.parametrize("typed", [
    "", "1", "123456789012345678901", "0391 540-1234 x", "0391.540.1234", "0391 540--1234", "-1234", "1234-",
    "49+1", "((0391)) 540", "(0391 540", "0391) 540", "(abc) 1234", "+", "0171 🙂 2345678", "tel:0391",
])
def test_invalid_numbers_are_refused_without_repeating_them(typed):
    with pytest.raises(LocalizedError) as caught:
        normalize_number(typed)
    for locale in ("de", "en"):
        text = caught.value.render(locale)
        assert "0391 540-1234" in text  # the example, not the input
        assert text in (INVALID_NUMBER.de, INVALID_NUMBER.en)  # a fixed text: nothing typed is repeated


def test_digits_compare_spellings_and_has_digits_spots_numbers():
    assert digits_of("0391 540-1234") == digits_of("(0391) 5401234") == "03915401234"
    assert digits_of("+49 391 5401234") == "+493915401234"
    assert has_digits("bis 14:00") and not has_digits("privat")
