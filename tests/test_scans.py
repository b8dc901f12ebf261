"""The suite-wide scans themselves catch what they are meant to catch."""

from __future__ import annotations

from tests import scan


def test_post_scan_catches_mentions_and_foreign_links():
    assert scan.check_text("Hallo @channel", "x")
    assert scan.check_text("<!here> bitte", "x")
    assert scan.check_text("[hier klicken](https://evil.example/login)", "x")
    assert not scan.check_text("Hallo @\u200bchannel \\[hier\\](https://evil.example)", "x")


def test_post_scan_catches_group_and_person_mentions_and_slack_markup():
    for text in ("Bitte @jugendamt-team melden", "cc @bernd.mueller", "ä@here", "<@abc123>", "<!subteam^S1>",
                 "@all."):
        assert scan.check_text(text, "x"), text
        assert scan.check_text(text, "x", ephemeral=True), text  # a reply may not mention anyone either
    for text in ("Bitte @\u200bjugendamt-team melden", "max@example.org", "`@name` im Code", "```\n@all\n```",
                 "\\<!channel\\>", "<@\u200babc123>"):
        assert not scan.check_text(text, "x"), text


def test_usage_placeholders_are_allowed_only_in_ephemeral_replies():
    text = "Bitte Personen mit @name angeben."
    assert not scan.check_text(text, "reply", ephemeral=True)
    assert scan.check_text(text, "channel post")
    assert scan.check_text("Bitte mit @bernd.mueller angeben.", "reply", ephemeral=True)
    assert scan.check_text("\\`@all\\` escaped backticks open no code span", "reply", ephemeral=True)


def test_post_scan_catches_bare_links_to_the_attack_host_unless_deliberate():
    for text in ("Notiz: https://evil.example/x", "siehe www.evil.example", "HTTP://EVIL.EXAMPLE", "(https://evil.example)"):
        assert scan.check_text(text, "x"), text
    for text in ("Notiz: https:\u200b//evil.example/x", "www\u200b.evil.example", "https://meet.example.org/r",
                 "[Jetzt beitreten](https://meet.jit.si/x)"):
        assert not scan.check_text(text, "x"), text
    assert not scan.check_text("**Video:** https://evil.example/raum", "x",
                               deliberate={"https://evil.example/raum"})
    assert scan.check_text("Notiz https://evil.example/andere", "x", deliberate={"https://evil.example/raum"})


def test_button_answers_are_scanned():
    assert scan.check_action_result({"ephemeral_text": "Danke @channel"}, "b")
    assert scan.check_action_result({"update": {"message": "", "props": {"attachments": [{"text": "@here"}]}}}, "b")
    assert scan.check_action_result({"update": {"message": "Bitte @name"}}, "b")  # a post, not a reply
    assert not scan.check_action_result({"ephemeral_text": "Bitte @name angeben"}, "b")


def test_harness_records_button_replies_for_the_scan(bot):
    from tests.test_homeoffice import setup_ab

    setup_ab(bot)
    bot.slash("/homeoffice tausch @elif.yilmaz 24.11.", as_="bernd.mueller")
    dm = bot.dms("elif.yilmaz")[-1]
    bot.click(dm, dm.props["attachments"][0]["actions"][0]["name"], as_="elif.yilmaz")
    assert bot.action_results and bot.action_results[-1] in bot.action_results
    texts = [r.get("ephemeral_text") for r in bot.action_results if r.get("ephemeral_text")]
    assert all((bot.user("elif.yilmaz").id, t) in bot.replies for t in texts)


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
