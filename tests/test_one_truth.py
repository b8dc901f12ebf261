"""One truth per person and day (SPEC §2.1): whatever channel asks, a person is in one place."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.rotation import Membership, Rotation, Where, home_channel, plan, where
from storage import presence
from tests.factories import setup_ab

WIGU = "wirtschaftliche-hilfe"


def two_teams(bot):
    """Jugendamt (weekly A/B, Bernd in A: office this week) and, joined later, the economic youth aid
    (weekly X/Y, Bernd in Y: at home this week)."""
    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    assert bot.slash("/homeoffice einrichten X,Y woche ab 23.11.2026", as_="gabriele.wagner", channel=WIGU).startswith(
        "Rotation eingerichtet")
    bot.set_time("2026-11-24 08:05")
    reply = bot.slash("/homeoffice gruppe Y @bernd.mueller @anna.schmidt", as_="gabriele.wagner", channel=WIGU)
    assert "legt die Rotation ihres Stammteams in einem anderen Kanal fest" in reply
    bot.slash("/homeoffice gruppe X @gabriele.wagner", as_="gabriele.wagner", channel=WIGU)


def place_in(bot, channel: str, username: str) -> Where | None:
    cid = bot.mm.channel_by_name(channel).id
    with bot.runtime.db.read() as session:
        result = presence.channel_plan(session, cid, date(2026, 11, 24), date(2026, 11, 24))
    return result.days[0].entries.get(bot.user(username).id)


def test_a_person_in_two_teams_is_in_one_place_in_every_view(bot):
    two_teams(bot)
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.OFFICE
    assert place_in(bot, WIGU, "bernd.mueller") is Where.OFFICE  # as his home rotation says, not X/Y's "home"
    roster = bot.slash("/anwesenheit", as_="gabriele.wagner", channel=WIGU)
    office = next(line for line in roster.splitlines() if "Im Büro" in line)
    assert "Bernd Müller°" in office and "Anna Schmidt°" in office
    assert "Stammteams in einem anderen Kanal" in roster
    assert "Bernd Müller ist heute im Büro." in bot.slash("/anwesenheit @bernd.mueller", as_="gabriele.wagner",
                                                       channel=WIGU)
    me = bot.slash("/homeoffice ich", as_="bernd.mueller")
    assert "Gruppe A in Jugendamt – ASD Team 3 (Stammteam: legt deine Tage fest)" in me
    assert "Di, 24.11.2026: 🏢" in me
    plan = bot.slash("/homeoffice plan", as_="gabriele.wagner", channel=WIGU)
    assert "Bernd Müller°" in plan

    # Bernd chooses the economic youth aid as his home team: now every view says "at home"
    assert bot.slash("/homeoffice stammteam", as_="bernd.mueller", channel=WIGU).startswith("Stammteam:")
    assert place_in(bot, WIGU, "bernd.mueller") is Where.HOME
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.HOME
    assert "Bernd Müller ist heute im Home-Office." in bot.slash("/anwesenheit @bernd.mueller")
    # an absence belongs to the person: both channels show it
    bot.slash("/homeoffice abwesend heute", as_="bernd.mueller")
    assert place_in(bot, WIGU, "bernd.mueller") is Where.AWAY
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.AWAY


def test_replacing_a_rotation_keeps_members_by_group_position_and_lists_who_is_left_over(bot):
    bot.set_time("2026-11-24 08:00")
    bot.slash("/homeoffice einrichten A,B,C woche ab 23.11.2026")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller")
    bot.slash("/homeoffice gruppe B @claudia.weber")
    bot.slash("/homeoffice gruppe C @dieter.fischer")
    bot.mark_dms_read()
    reply = bot.slash("/homeoffice einrichten Nord,Süd woche ab 23.11.2026")
    assert "A → Nord, B → Süd" in reply
    assert "Ohne Gruppe (ihre Gruppe gibt es nicht mehr): Dieter Fischer." in reply
    assert "Jetzt aufteilen" in str(bot.last_reply)
    assert "A → Nord, B → Süd" in bot.posts()[-1].message
    (dm,) = bot.dms("dieter.fischer")
    assert "deine Gruppe C gibt es dort nicht mehr" in dm.message
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.OFFICE  # Nord, in the office week 0
    # the same setup twice, the clock standing still: two announcements, never one swallowed
    before = len(bot.posts())
    bot.slash("/homeoffice einrichten Nord,Süd woche ab 23.11.2026")
    assert len(bot.posts()) == before + 1


def test_a_rotation_that_starts_later_says_so(bot):
    bot.set_time("2026-11-24 08:00")
    bot.slash("/homeoffice einrichten A,B woche ab 07.12.2026")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller")
    assert "Die Rotation beginnt am Mo, 07.12.2026" in bot.slash("/anwesenheit")
    assert "Die Rotation beginnt am Mo, 07.12.2026" in bot.slash("/homeoffice plan")
    assert "Deine Rotation beginnt am Mo, 07.12.2026." in bot.slash("/homeoffice ich", as_="bernd.mueller")


def test_overlong_note_is_refused_and_min_above_the_team_is_said(bot):
    setup_ab(bot)
    reply = bot.slash("/homeoffice abwesend morgen " + "x" * 3000, as_="bernd.mueller")
    assert "höchstens 200 Zeichen" in reply and "Es wurde nichts geändert" in reply
    assert "ist größer als die Zahl der Personen im Kanal (7)" in bot.slash("/homeoffice einrichten A,B woche min 100")


def test_a_mattermost_admin_removed_from_the_lead_list_is_told_they_stay_a_lead(bot):
    reply = bot.slash("/homeoffice leitung remove @anna.schmidt")
    assert "bleibt trotzdem Leitung" in reply


# -- the rule itself, pure ------------------------------------------------------------------------------------


def test_the_home_rotation_is_the_chosen_one_else_the_first_joined():
    from datetime import UTC, datetime

    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    assert home_channel([Membership("b", late), Membership("a", early)]) == "a"
    assert home_channel([Membership("b", late, home=True), Membership("a", early)]) == "b"
    assert home_channel([Membership("b", None), Membership("a", early)]) == "b"  # joined before it was recorded
    assert home_channel([]) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("AB"), min_size=4, max_size=4), st.lists(st.sampled_from("XY"), min_size=4, max_size=4),
       st.sets(st.tuples(st.integers(0, 3), st.integers(0, 9))), st.booleans())
def test_both_channels_plans_agree_with_the_home_rule(groups1, groups2, absences, daily):
    """Two channels share four people; whichever channel's plan is asked, each person's place is the
    one their home rotation, their absences and the rule `where` give, and each office count equals
    the members shown in the office."""
    one = Rotation.create(groups=("A", "B"), pattern="daily" if daily else "weekly", start=date(2026, 11, 23),
                          min_office=None, region="DE")
    two = Rotation.create(groups=("X", "Y"), pattern="weekly", start=date(2026, 11, 23), min_office=None, region="DE")
    people = [f"p{i}" for i in range(4)]
    home = {p: ("one" if i % 2 == 0 else "two") for i, p in enumerate(people)}
    m1, m2 = dict(zip(people, groups1, strict=True)), dict(zip(people, groups2, strict=True))
    start, end = date(2026, 11, 23), date(2026, 12, 4)
    days = [d for d in (date.fromordinal(start.toordinal() + i) for i in range(12)) if d.weekday() < 5]
    away = {(people[p], days[d]) for p, d in absences}
    rotations = {"one": (one, m1), "two": (two, m2)}

    def expected(person, day):
        rot, members = rotations[home[person]]
        return where(rot, day, members[person], absent=(person, day) in away)

    for name, (rot, members) in rotations.items():
        foreign = {p for p in people if home[p] != name}
        elsewhere = {(p, d): where(rotations[home[p]][0], d, rotations[home[p]][1][p]) for p in foreign for d in days}
        for day_plan in plan(rot, start, end, members, {}, away, elsewhere=elsewhere, foreign=foreign):
            for person in people:
                assert day_plan.entries.get(person) == expected(person, day_plan.day)
            assert day_plan.office_count == sum(1 for w in day_plan.entries.values() if w is Where.OFFICE)


def test_my_data_names_the_home_rotation_and_a_leads_note_is_said_to_be_seen_by_the_person(bot):
    two_teams(bot)
    mine = bot.slash("/homeoffice meine-daten", as_="bernd.mueller")
    assert "Gruppe A in Jugendamt – ASD Team 3 (Stammteam: legt deine Tage fest)" in mine
    assert "Gruppe Y in Wirtschaftliche Jugendhilfe\n" in mine + "\n"
    reply = bot.slash("/homeoffice abwesend morgen Fortbildung für @bernd.mueller")
    assert "Notiz (nur für dich und Bernd Müller sichtbar): Fortbildung" in reply


# -- a swap is one unit -------------------------------------------------------------------------------------


def test_clearing_one_day_of_an_accepted_swap_undoes_both_halves_after_a_confirm_and_tells_both(bot):
    setup_ab(bot)
    bot.slash("/homeoffice gruppe B @james.miller")
    bot.mark_dms_read()
    assert "Tausch vorgeschlagen" in bot.slash("/homeoffice tausch @james.miller 24.11. 01.12.", as_="bernd.mueller")
    (proposal,) = bot.dms("james.miller")
    bot.click(proposal, "Accept", as_="james.miller")
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.HOME  # swapped
    bot.mark_dms_read()

    asked = bot.slash("/homeoffice clear 24.11. to 01.12.", as_="james.miller")
    assert "swap with Bernd Müller" in asked and "both halves" in asked
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.HOME  # nothing happened yet
    answer = bot.click(bot.last_reply, "Undo the swap and change", as_="james.miller")
    assert answer["ephemeral_text"].startswith("The swap is undone.")
    assert place_in(bot, "jugendamt-asd", "bernd.mueller") is Where.OFFICE  # both halves are gone
    assert place_in(bot, "jugendamt-asd", "james.miller") is Where.HOME
    (told,) = bot.dms("bernd.mueller")
    assert told.message.startswith("James Miller hat euren Tausch (Di, 24.11. und Di, 01.12.2026) zurückgenommen")
    # a second press changes nothing more
    again = bot.click(bot.last_reply, "Undo the swap and change", as_="james.miller")
    assert "no longer open" in again["ephemeral_text"]
