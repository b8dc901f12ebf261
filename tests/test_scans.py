"""The suite-wide scans themselves catch what they are meant to catch."""

from __future__ import annotations

from tests import scan


def test_post_scan_catches_mentions_and_foreign_links():
    assert scan.check_text("Hallo @channel", "x")
    assert scan.check_text("<!here> bitte", "x")
    assert scan.check_text("[hier klicken](https://evil.example/login)", "x")
    assert not scan.check_text("Hallo @\u200bchannel \\[hier\\](https://evil.example)", "x")


def test_log_scan_catches_phone_numbers_secrets_and_bodies():
    saved = list(scan.LOG_TEXTS)
    try:
        scan.LOG_TEXTS[:] = ["forward to 0171 2345678 set", "POST body token=abc&user_id=x",
                             "Authorization: Bearer abcdefghijkl", "secret supersecretvalue"]
        scan.SECRETS.add("supersecretvalue")
        problems = scan.log_problems()
        assert any("phone number" in p for p in problems)
        assert any("token=" in p for p in problems)
        assert any("Authorization" in p for p in problems)
        assert any("secret in log" in p for p in problems)
        scan.LOG_TEXTS[:] = ["outbox 12: delivered in 0.2 s to channel abc123def456", "listening on 127.0.0.1:8080"]
        assert scan.log_problems() == []
    finally:
        scan.SECRETS.discard("supersecretvalue")
        scan.LOG_TEXTS[:] = saved
