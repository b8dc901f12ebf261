"""/anwesenheit on demand: what `heute`, `morgen`, a date and `woche` show (who is where), days
that are no working day, forwards of a later day, and the channel's roster region.

Week 48 of 2026 (from Monday 23.11.): group A (Anna, Bernd, Claudia) in the office, group B
(Dieter, Elif, Frank) at home; week 49 the other way round.
"""

from __future__ import annotations

from tests.factories import roster_posts, setup_ab, text_of
from tests.harness import BotHarness, assert_localized

OFFICE_A = "**🏢 Im Büro (3)**: Anna Schmidt, Bernd Müller, Claudia Weber"
HOME_B = "**🏠 Im Home-Office (3)**: Dieter Fischer, Elif Yılmaz, Frank Hoffmann"


def lines_of(text: str) -> list[str]:
    """The roster's lines of text; the blank lines between its blocks are checked in test_words."""
    return [line for line in text.splitlines() if line]


def test_heute_shows_who_is_where_today(bot):
    setup_ab(bot)  # Monday 23.11.2026, 09:00
    text = bot.slash("/anwesenheit heute", as_="bernd.mueller")
    assert lines_of(text) == [
        "#### 📋 Anwesenheit Jugendamt – ASD Team 3 — Mo, 23.11.2026 (KW 48)",
        OFFICE_A, HOME_B, "**🌴 Abwesend (0)**: niemand"]
    assert bot.slash("/anwesenheit", as_="bernd.mueller") == text  # no word: today


def test_morgen_shows_tomorrows_changes_and_absences(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 24.11. Fortbildung", as_="bernd.mueller")
    bot.slash("/homeoffice unterwegs 24.11.", as_="frank.hoffmann")
    bot.slash("/homeoffice büro 24.11.", as_="elif.yilmaz")
    text = bot.slash("/anwesenheit morgen", as_="claudia.weber")
    assert lines_of(text) == [
        "#### 📋 Anwesenheit Jugendamt – ASD Team 3 — Di, 24.11.2026 (KW 48)",
        "**🏢 Im Büro (3)**: Anna Schmidt, Claudia Weber, Elif Yılmaz",
        "**🏠 Im Home-Office (1)**: Dieter Fischer",
        "**🚗 Unterwegs / Außendienst (1)**: Frank Hoffmann",
        "**🌴 Abwesend (1)**: Bernd Müller"]
    assert "Fortbildung" not in text  # Claudia asked: the note is Bernd's
    # ... and today is untouched by tomorrow's changes
    assert OFFICE_A in lines_of(bot.slash("/anwesenheit heute", as_="claudia.weber"))


def test_a_date_shows_that_days_groups_in_english_for_an_english_reader(bot):
    setup_ab(bot)
    bot.slash("/homeoffice zuhause 01.12.", as_="dieter.fischer")
    text = bot.slash("/anwesenheit 01.12.", as_="james.miller")  # week 49: group B in the office
    assert lines_of(text) == [
        "#### 📋 Presence Jugendamt – ASD Team 3 — Tue, 1 Dec 2026 (CW 49)",
        "**🏢 In the office (2)**: Elif Yılmaz, Frank Hoffmann",
        "**🏠 Working from home (4)**: Anna Schmidt, Bernd Müller, Claudia Weber, Dieter Fischer",
        "**🌴 Away (0)**: nobody"]
    assert bot.slash("/anwesenheit 2026-12-01", as_="james.miller") == text


def test_woche_shows_each_working_day_with_who_is_where(bot):
    setup_ab(bot)
    bot.slash("/homeoffice abwesend 25.11.", as_="anna.schmidt")
    bot.slash("/homeoffice unterwegs 26.11.", as_="dieter.fischer")
    text = bot.slash("/anwesenheit woche", as_="bernd.mueller")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines_of(text) if line.startswith("| ")}
    assert "Mo, 23.11.2026" in rows and "Fr, 27.11.2026" in rows
    assert "Sa, 28.11.2026" not in text
    assert rows["Mo, 23.11.2026"] == ("| Mo, 23.11.2026 | Anna Schmidt, Bernd Müller, Claudia Weber | "
                                      "Dieter Fischer, Elif Yılmaz, Frank Hoffmann |  |  |")
    assert rows["Mi, 25.11.2026"] == ("| Mi, 25.11.2026 | Bernd Müller, Claudia Weber | "
                                      "Dieter Fischer, Elif Yılmaz, Frank Hoffmann |  | Anna Schmidt |")
    assert rows["Do, 26.11.2026"] == ("| Do, 26.11.2026 | Anna Schmidt, Bernd Müller, Claudia Weber | "
                                      "Elif Yılmaz, Frank Hoffmann | Dieter Fischer |  |")


# -- days that are no working day --------------------------------------------------------------------


def test_a_weekend_date_says_it_is_no_working_day(bot):
    setup_ab(bot)
    assert bot.slash("/anwesenheit 28.11.", as_="bernd.mueller") == "Sa, 28.11.2026 ist kein Arbeitstag."
    english = bot.slash("/anwesenheit sunday", as_="james.miller")
    assert english == "Sun, 29 Nov 2026 is not a working day."
    assert_localized(english, "en")


def test_a_holiday_says_it_is_no_working_day_and_names_the_holiday(bot):
    setup_ab(bot)
    assert bot.slash("/anwesenheit 25.12.", as_="bernd.mueller") == \
        "Fr, 25.12.2026 ist kein Arbeitstag (Feiertag: Erster Weihnachtstag)."
    assert bot.slash("/anwesenheit 25.12.", as_="james.miller") == \
        "Fri, 25 Dec 2026 is not a working day (public holiday: Christmas Day)."


def test_today_on_a_saturday_says_so_too(bot):
    bot.set_time("2026-11-20 16:00")
    setup_ab(bot)
    bot.set_time("2026-11-28 10:00")
    assert bot.slash("/anwesenheit", as_="bernd.mueller") == "Sa, 28.11.2026 ist kein Arbeitstag."


# -- forwards of a later day -----------------------------------------------------------------------


def test_tomorrow_shows_the_forwards_active_tomorrow_not_those_ending_today(bot):
    setup_ab(bot)  # Monday 09:00; Dieter, Elif and Frank work from home today and tomorrow
    bot.slash("/rufumleitung handy 0171 2345678", as_="dieter.fischer")  # ends today 18:00
    bot.slash("/rufumleitung ab bis 24.11. 07:00", as_="frank.hoffmann")  # ends before tomorrow's roster time
    bot.slash("/rufumleitung ab bis 24.11. 12:00", as_="elif.yilmaz")
    today = bot.slash("/anwesenheit heute", as_="anna.schmidt")
    assert "- Dieter Fischer — ☎️ → Diensthandy 0171 2345678 bis 18:00 Uhr" in lines_of(today)
    assert "- Frank Hoffmann — ☎️ → Anrufbeantworter bis Di, 24.11.2026, 07:00 Uhr" in lines_of(today)
    assert "- Elif Yılmaz — ☎️ → Anrufbeantworter bis Di, 24.11.2026, 12:00 Uhr" in lines_of(today)
    tomorrow = bot.slash("/anwesenheit morgen", as_="anna.schmidt")
    assert lines_of(tomorrow)[1:] == [
        OFFICE_A, "**🏠 Im Home-Office (3)**",
        "- Dieter Fischer",
        "- Elif Yılmaz — ☎️ → Anrufbeantworter bis 12:00 Uhr",
        "- Frank Hoffmann",
        "**🌴 Abwesend (0)**: niemand"]
    assert "0171" not in tomorrow


def test_a_forward_in_the_office_is_shown_next_to_the_person(bot):
    # SPEC §2.2: forwards appear in the roster next to the person, wherever they work that day
    setup_ab(bot)
    bot.slash("/rufumleitung ab", as_="anna.schmidt")
    text = bot.slash("/anwesenheit heute", as_="bernd.mueller")
    assert lines_of(text)[1:5] == ["**🏢 Im Büro (3)**", "- Anna Schmidt — ☎️ → Anrufbeantworter bis 18:00 Uhr",
                                   "- Bernd Müller", "- Claudia Weber"]


# -- the channel's roster region -----------------------------------------------------------------------


def test_the_channels_roster_region_decides_holidays_for_roster_views_and_morning_post(tmp_path):
    # 06.01.2027 (Wednesday), Heilige Drei Könige: a holiday in DE-BY, a working day in DE-NW.
    bot = BotHarness(tmp_path, start="2026-12-30 09:00")
    try:
        assert bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026 region DE-NW").startswith("Rotation")
        bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
        bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")
        assert bot.slash("/anwesenheit region DE-BY") == "Gespeichert: Feiertage für die Anwesenheit nach Bayern."
        holiday = "Mi, 06.01.2027 ist kein Arbeitstag (Feiertag: Heilige Drei Könige)."
        assert bot.slash("/anwesenheit 06.01.", as_="bernd.mueller") == holiday
        bot.set_time("2027-01-05 09:00")
        week = bot.slash("/anwesenheit woche", as_="bernd.mueller")
        assert "| Mi, 06.01.2027 | Feiertag: Heilige Drei Könige | | | |" in lines_of(week), week
        bot.set_time("2027-01-06 07:45")
        bot.tick()
        assert bot.slash("/anwesenheit", as_="bernd.mueller") == holiday
        assert roster_posts(bot) == []
        bot.set_time("2027-01-07 07:45")
        bot.tick()
        (post,) = roster_posts(bot)
        assert "Do, 07.01.2027" in text_of(post)
    finally:
        bot.close()


def test_a_holiday_only_of_the_rotations_region_is_an_ordinary_roster_day(tmp_path):
    # The rotation counts holidays of DE-BY, the channel's roster those of DE-NW: on 06.01.2027 the
    # roster is an ordinary one, with the group the rotation has in the office that week (A).
    bot = BotHarness(tmp_path, start="2026-12-30 09:00")
    try:
        assert bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026 region DE-BY").startswith("Rotation")
        bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
        bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")
        assert bot.slash("/anwesenheit region DE-NW").startswith("Gespeichert")
        expected = ["#### 📋 Anwesenheit Jugendamt – ASD Team 3 — Mi, 06.01.2027 (KW 1)", OFFICE_A, HOME_B,
                    "**🌴 Abwesend (0)**: niemand"]
        assert lines_of(bot.slash("/anwesenheit 06.01.", as_="bernd.mueller")) == expected
        bot.set_time("2027-01-06 07:45")
        bot.tick()
        (post,) = roster_posts(bot)
        assert lines_of(text_of(post)) == expected
        assert lines_of(bot.slash("/anwesenheit", as_="bernd.mueller")) == expected
        # /homeoffice plan keeps the rotation's own region
        assert "Heilige Drei Könige" in bot.slash("/homeoffice plan 06.01.2027", as_="bernd.mueller")
    finally:
        bot.close()


def test_region_help_says_what_the_channels_region_decides(bot):
    help_de = bot.slash("/anwesenheit hilfe")
    (line,) = [x for x in lines_of(help_de) if "region DE-XX" in x]
    assert "Feiertage für die Anwesenheit dieses Kanals" in line
    assert "/homeoffice plan` rechnet mit der Region der Rotation" in bot.slash("/anwesenheit region hilfe")
    help_en = bot.slash("/anwesenheit help", as_="james.miller")
    (line,) = [x for x in lines_of(help_en) if "region DE-XX" in x]
    assert "holidays for this channel's roster" in line
    assert "rotation's region" in bot.slash("/anwesenheit region help", as_="james.miller")
