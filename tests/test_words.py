"""Every word a user reads: one parser and one wording for dates, help per subcommand, plural forms,
day lists, and the sentences a German city clerk (or an English reader) would stumble over."""

from __future__ import annotations

import re
from datetime import date

import pytest

from base.i18n import Plural, Text
from base.safetext import live_mentions, plain
from domain import calendar as cal
from domain.phone import normalize_number
from storage.models import PhoneNumbers
from tests.factories import rows, setup_ab
from tests.harness import BotHarness

MONDAY = "2026-12-07 09:00"  # KW 50; A is in the office this week, B the next


@pytest.fixture
def team(tmp_path):
    harness = BotHarness(tmp_path, start=MONDAY)
    setup_ab(harness)
    yield harness
    harness.close()


# -- point 8: one parser, one wording ------------------------------------------------------------


def test_anwesenheit_refuses_an_impossible_date_as_homeoffice_does(team):
    roster = team.slash("/anwesenheit 31.02.")
    homeoffice = team.slash("/homeoffice abwesend 31.02.")
    assert "„31.02.“ ist kein gültiges Datum. Erlaubt sind z. B." in homeoffice
    assert roster == homeoffice
    assert "Das verstehe ich nicht" not in roster and "####" not in roster


def test_anwesenheit_takes_every_range_form(team):
    week = team.slash("/anwesenheit nächste Woche")
    assert "Mo, 14.12.2026" in week and "Fr, 18.12.2026" in week and "KW 51" in week, week
    assert "verstehe" not in week
    english = team.slash("/anwesenheit next week", as_="james.miller")
    assert "Mon, 14 Dec – Fri, 18 Dec 2026 (CW 51)" in english, english
    assert "Di, 08.12.2026" in team.slash("/anwesenheit Di bis Mi") and "KW 50" in team.slash("/anwesenheit KW 50")


def test_reach_answers_for_the_day_asked(team):
    team.slash("/homeoffice abwesend morgen", as_="bernd.mueller")
    tomorrow = team.slash("/anwesenheit @bernd.mueller morgen")
    assert "Di, 08.12.2026" in tomorrow and "abwesend" in tomorrow, tomorrow
    today = team.slash("/anwesenheit @bernd.mueller")
    assert "heute" in today and "im Büro" in today, today
    bad = team.slash("/anwesenheit @bernd.mueller 31.02.")
    assert "ist kein gültiges Datum" in bad


HELP_CASES = [
    ("/anwesenheit", "zeit", "time"), ("/anwesenheit", "region", "region"), ("/anwesenheit", "woche", "week"),
    ("/homeoffice", "plan", "plan"), ("/homeoffice", "tausch", "swap"), ("/homeoffice", "abwesend", "away"),
    ("/homeoffice", "einrichten", "setup"),
    ("/rufumleitung", "handy", "mobile"), ("/rufumleitung", "nummer", "number"), ("/rufumleitung", "aus", "off"),
    ("/meeting", "neu", "new"), ("/meeting", "absagen", "cancel"), ("/meeting", "jetzt", "now"),
]


@pytest.mark.parametrize(("command", "sub", "sub_en"), HELP_CASES)
def test_each_subcommand_has_its_own_help(team, command, sub, sub_en):
    general = team.slash(f"{command} hilfe")
    after = team.slash(f"{command} {sub} hilfe")
    before = team.slash(f"{command} hilfe {sub}")
    assert after == before, (after, before)
    assert after != general and after.startswith(f"#### {command} {sub}"), after
    assert f"`{command} {sub}" in after and "verstehe" not in after and "Unbekannt" not in after
    english = team.slash(f"{command} {sub_en} help", as_="james.miller")
    assert f"`{command} {sub_en}" in english, english


@pytest.mark.parametrize("command", ["/anwesenheit", "/homeoffice", "/rufumleitung", "/meeting"])
@pytest.mark.parametrize("user", ["anna.schmidt", "james.miller"])
def test_help_leads_with_examples_and_has_no_long_code_lines(team, command, user):
    text = team.slash(f"{command} hilfe", as_=user)
    lines = text.splitlines()
    assert lines[1].startswith(("Zum Beispiel", "For example")), text
    examples = [line for line in lines[2:5] if line.startswith("- `")]
    assert len(examples) >= 2, text
    spans = re.findall(r"`([^`]+)`", text)
    assert spans and max(len(s) for s in spans) <= 70, max(spans, key=len)


# -- point 9: words --------------------------------------------------------------------------------


def test_plural_forms_follow_the_number():
    messages = Plural(de=("Nachricht", "Nachrichten"), en=("message", "messages"))
    assert messages("de", 1) == "1 Nachricht" and messages("de", 2) == "2 Nachrichten"
    assert messages("de", 0) == "0 Nachrichten" and messages("en", 1) == "1 message"
    assert messages("en", 5) == "5 messages"


def test_no_text_guesses_its_plural():
    import gc

    import bot.runtime  # noqa: F401 - loads every text

    bad = [t for t in gc.get_objects() if isinstance(t, Text)
           and re.search(r"\(s\)|\(n\)|\(e\)n|\{(?:n|count|min|limit)\} (?:Nachrichten|Tage|Besprechungen|Minuten|"
                         r"Personen|messages|days|meetings|minutes|people)", t.de + " " + t.en)]
    assert not bad, bad[:5]


def test_meeting_quota_counts_in_the_singular(tmp_path):
    harness = BotHarness(tmp_path, start=MONDAY, meetings_per_person=1)
    try:
        harness.slash('/meeting neu "Teamrunde" morgen 10:00')
        reply = harness.slash('/meeting neu "Zweite" morgen 11:00')
        assert "schon 1 laufende Besprechung;" in reply, reply
    finally:
        harness.close()


def test_forward_help_says_die_oder_der(team):
    assert "die oder der vertritt" in team.slash("/rufumleitung hilfe")


def test_a_single_day_off_is_named_with_its_holiday(team):
    assert team.slash("/homeoffice abwesend Sa") == "Sa, 12.12.2026 ist kein Arbeitstag."
    christmas = team.slash("/homeoffice zuhause 25.12.")
    assert christmas == "Fr, 25.12.2026 ist kein Arbeitstag (Feiertag: Erster Weihnachtstag).", christmas
    weekend = team.slash("/homeoffice abwesend 12.12. bis 13.12.")
    assert weekend == "Vom Sa, 12.12. bis So, 13.12.2026 ist kein Arbeitstag.", weekend


def test_lists_of_days_read_as_sentences(team):
    two = team.slash("/homeoffice zuhause 10.12. bis 11.12.", as_="bernd.mueller")
    assert "zu Hause am Do, 10.12. und Fr, 11.12.2026." in two, two
    three = team.slash("/homeoffice abwesend 14.12. 16.12.", as_="claudia.weber")
    cleared = team.slash("/homeoffice zurücksetzen 10.12. bis 11.12.", as_="bernd.mueller")
    assert "vom Do, 10.12. bis Fr, 11.12.2026" in cleared and "2 einmalige Änderungen" in cleared, cleared
    assert "–" not in cleared
    assert three  # a note after a date stays a note
    assert cal.format_days([date(2026, 12, 10)], "de") == "Do, 10.12.2026"
    assert cal.format_days([date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 14)], "de") == \
        "Do, 10.12., Fr, 11.12. und Mo, 14.12.2026"
    assert cal.format_days([date(2026, 12, 31), date(2027, 1, 4)], "de") == "Do, 31.12.2026 und Mo, 04.01.2027"
    assert cal.format_days([date(2026, 12, 10), date(2026, 12, 11)], "en") == "Thu, 10 Dec and Fri, 11 Dec 2026"
    assert cal.format_span(date(2026, 12, 10), date(2026, 12, 11), "de") == "vom Do, 10.12. bis Fr, 11.12.2026"
    assert cal.format_span(date(2026, 12, 10), date(2026, 12, 11), "en") == "from Thu, 10 Dec to Fri, 11 Dec 2026"


def test_setup_without_minimum_and_language_in_words(team):
    reply = team.slash("/homeoffice einrichten A,B woche ab 07.12.2026 region DE-ST")
    assert "keine Mindestbesetzung" in reply and "Mindestbesetzung –" not in reply, reply
    assert "Feiertage Sachsen-Anhalt" in reply, reply
    assert team.slash("/anwesenheit sprache en") == "Gespeichert: Morgenpost jetzt auf Englisch."
    assert team.slash("/anwesenheit region DE-NW") == \
        "Gespeichert: Feiertage für die Anwesenheit nach Nordrhein-Westfalen."
    assert cal.region_name("DE-ST", "en") == "Saxony-Anhalt" and cal.region_name("DE", "de") == "Deutschland"


def test_english_places_are_lower_case_mid_sentence(team):
    home = team.slash("/homeoffice zuhause 10.12.", as_="james.miller")
    field = team.slash("/homeoffice unterwegs 11.12.", as_="james.miller")
    assert "James Miller: at home on Thu, 10 Dec 2026." in home, home
    assert "James Miller: in the field on Fri, 11 Dec 2026." in field, field


def _announcement(bot, meeting_id: int) -> str:
    post = next(p for p in bot.posts() if p.props.get("amtsbote_key") == f"meeting:{meeting_id}:announce")
    return str(post.props["attachments"][0]["text"])


def test_cancelled_series_shows_no_next_date_and_instant_meeting_is_started(team):
    team.slash('/meeting neu "Dienstbesprechung" Mo 10:00 wöchentlich')
    team.slash("/meeting absagen 1")
    cancelled = _announcement(team, 1)
    assert "Nächster Termin" not in cancelled and "Kalenderdatei" not in cancelled, cancelled
    team.slash("/meeting jetzt")
    assert "gestartet von Anna Schmidt" in _announcement(team, 2)


def test_plan_views_are_one_working_week_with_its_calendar_week(team):
    default = team.slash("/homeoffice plan")
    this_week = team.slash("/homeoffice plan diese Woche")
    assert default == this_week, (default, this_week)
    assert "Mo, 07.12. – Fr, 11.12.2026 (KW 50)" in default, default
    assert "So, 13.12.2026" not in this_week
    team.set_time("2026-12-09 09:00")
    clipped = team.slash("/homeoffice plan diese Woche")
    assert "Mi, 09.12." in clipped and "Mo, 07.12.2026 |" not in clipped
    assert "Der Plan beginnt heute: 2 vergangene Arbeitstage fehlen hier" in clipped, clipped
    next_week = team.slash("/homeoffice plan nächste Woche")
    assert "(KW 51)" in next_week and "So, 20.12.2026" not in next_week


def test_swap_words(team):
    both_office = team.slash("/homeoffice tausch @claudia.weber 08.12.", as_="bernd.mueller")
    assert "seid ihr beide im Büro" in both_office, both_office
    proposed = team.slash("/homeoffice tausch @elif.yilmaz 08.12. 15.12.", as_="bernd.mueller")
    assert "Di, 08.12.2026" in proposed and "Di, 15.12.2026" in proposed, proposed


def test_replacing_an_active_forward_says_the_old_one_ended(team):
    team.slash("/rufumleitung handy 0171 2345678")
    reply = team.slash("/rufumleitung @bernd.mueller")
    assert "Die bisherige Rufumleitung (→ Diensthandy 0171 2345678" in reply and "ist damit beendet" in reply, reply


def test_meeting_on_weekend_or_holiday_is_said(team):
    saturday = team.slash('/meeting neu "Klausur" Sa 10:00')
    assert "Hinweis: Sa, 12.12.2026 ist ein Samstag." in saturday, saturday
    holiday = team.slash('/meeting neu "Jahresabschluss" 25.12. 10:00')
    assert "Hinweis: Fr, 25.12.2026 ist ein Feiertag (Erster Weihnachtstag)." in holiday, holiday
    team.slash('/meeting neu "Montagsrunde" Mo 10:00 wöchentlich')
    easter = team.slash("/meeting absagen 3 29.03.2027")
    assert "Mo, 29.03.2027 ist ein Feiertag (Ostermontag)" in easter and "findet" in easter, easter


def test_german_quotes_inside_an_unquoted_title_are_kept(team):
    reply = team.slash("/meeting neu Fallbesprechung „Kinderschutz“ – Teil 1 Fr 10:00")
    assert "„Fallbesprechung „Kinderschutz“ – Teil 1“" in reply, reply


def test_roster_sections_are_spaced_alike(team):
    team.slash("/homeoffice abwesend heute", as_="dieter.fischer")
    team.slash("/rufumleitung handy 0171 2345678", as_="elif.yilmaz")
    text = team.slash("/anwesenheit")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("**") and i > 1:
            assert lines[i - 1] == "", text
    assert "**🌴 Abwesend (1)**: Dieter Fischer" in text


def test_full_width_digits_in_a_phone_number_are_normalised(team):
    assert normalize_number("０３９１ ５４０-１２３４") == "0391 540-1234"
    assert normalize_number("０３９１／５４０－１２３４") == "0391 540-1234"
    reply = team.slash("/rufumleitung nummer ０３９１ ５４０-１２３４")
    assert "0391 540-1234" in reply
    (numbers,) = rows(team, PhoneNumbers)
    assert numbers.office == "0391 540-1234"


def test_emoji_sequences_keep_their_joiners_but_mentions_stay_stopped():
    family = "Familie 👨\u200d👩\u200d👧 und 🏳️\u200d🌈"
    assert plain(family) == family
    assert not live_mentions(plain("@\u200dall und @\u200dchannel"))
    assert "\u200d" not in plain("a\u200db @\u200dall")


def test_my_data_sections_are_paragraphs_not_list_continuations(team):
    team.slash("/rufumleitung nummer 0391 540-1234")
    text = team.slash("/homeoffice meine-daten")
    lines = text.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("**")]
    assert len(headings) >= 2, text
    assert all(lines[i - 1] == "" for i in headings), text
