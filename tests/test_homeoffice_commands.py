"""/homeoffice subcommands one by one (SPEC §2.1), in German and English, on Monday 23.11.2026.

Week of 23.11. (even): group A (Anna, Bernd, Claudia) in the office; week of 30.11.: group B
(Dieter, Elif, Frank)."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEntry, ChannelLead, PresenceChange, Rotation, RotationMember, SwapProposal
from tests.factories import rows, setup_ab


def changes(bot) -> dict[tuple[str, str], str]:
    names = {bot.user(u).id: u.split(".")[0] for u in ("anna.schmidt", "bernd.mueller", "elif.yilmaz", "dieter.fischer")}
    return {(names.get(c.user_id, c.user_id), c.day.isoformat()): c.where for c in rows(bot, PresenceChange)}


def group_of(bot, username: str) -> str | None:
    with bot.runtime.db.read() as session:
        member = session.get(RotationMember, (bot.channel_id(), bot.user(username).id))
    return member.group if member else None


# -- setup by command ------------------------------------------------------------------------------


def test_setup_daily_advances_one_group_per_working_day_in_the_preview(bot):
    reply = bot.slash("/homeoffice einrichten A,B,C tag ab 23.11.2026 min 1 region DE-ST")
    assert reply == ("Rotation eingerichtet: Gruppen A/B/C, täglich, ab Mo, 23.11.2026, Mindestbesetzung 1 Person "
                     "im Büro, Feiertage Sachsen-Anhalt"), reply
    (post,) = bot.posts()
    for line in ("- Mo, 23.11.2026: A", "- Di, 24.11.2026: B", "- Mi, 25.11.2026: C", "- Do, 26.11.2026: A",
                 "- Fr, 27.11.2026: B", "- Mo, 30.11.2026: C"):
        assert line in post.message, (line, post.message)
    (row,) = rows(bot, Rotation)
    assert (row.groups, row.pattern, row.min_office, row.region) == ("A,B,C", "daily", 1, "DE-ST")


def test_setup_custom_pattern_cycles_its_weeks(bot):
    reply = bot.slash('/homeoffice einrichten A,B muster "AAABB/BBBAA" ab 23.11.2026')
    assert "Muster `AAABB/BBBAA`" in reply, reply
    (post,) = bot.posts()
    expected = ["Mo, 23.11.2026: A", "Mi, 25.11.2026: A", "Do, 26.11.2026: B", "Fr, 27.11.2026: B",
                "Mo, 30.11.2026: B", "Mi, 02.12.2026: B", "Do, 03.12.2026: A", "Fr, 04.12.2026: A"]
    for line in expected:
        assert f"- {line}" in post.message, (line, post.message)
    (row,) = rows(bot, Rotation)
    assert (row.pattern, row.custom) == ("custom", "AAABB/BBBAA")


def test_setup_in_english_words(bot):
    reply = bot.slash("/homeoffice setup A,B weekly from 23.11.2026 min 2 region DE-NW")
    assert reply.startswith("Rotation eingerichtet: Gruppen A/B, wöchentlich")  # Anna reads German
    english = bot.slash("/homeoffice setup A,B custom \"AB-AB\" from 30.11.2026", as_="james.miller")
    assert "Only leads of this channel may do that" in english  # James is no lead
    (row,) = rows(bot, Rotation)
    assert (row.pattern, row.min_office, row.region) == ("weekly", 2, "DE-NW")


# -- membership and leads --------------------------------------------------------------------------


def test_remove_takes_people_out_of_the_rotation_and_is_audited(bot):
    setup_ab(bot)
    assert bot.slash("/homeoffice entfernen @frank.hoffmann @elif.yilmaz") == \
        "Aus der Rotation genommen: Frank Hoffmann, Elif Yılmaz."
    assert group_of(bot, "frank.hoffmann") is None and group_of(bot, "elif.yilmaz") is None
    assert group_of(bot, "dieter.fischer") == "B"
    removed = {e.subject_id for e in rows(bot, AuditEntry) if e.action == "remove"}
    assert removed == {bot.user("frank.hoffmann").id, bot.user("elif.yilmaz").id}
    # someone outside the rotation: a clear error, nothing changes
    reply = bot.slash("/homeoffice entfernen @dieter.fischer @james.miller")
    assert reply == "Nicht in der Rotation: James Miller."
    assert group_of(bot, "dieter.fischer") == "B"
    assert "Das dürfen nur Leitungen" in bot.slash("/homeoffice entfernen @dieter.fischer", as_="bernd.mueller")
    assert group_of(bot, "dieter.fischer") == "B"
    assert bot.slash("/homeoffice remove", as_="anna.schmidt") == "Bitte Personen mit @name angeben."
    assert bot.slash("/homeoffice remove @dieter.fischer").startswith("Aus der Rotation genommen: Dieter Fischer")
    assert group_of(bot, "dieter.fischer") is None


def test_lead_add_grants_lead_rights_and_remove_takes_them_away(bot):
    setup_ab(bot)
    assert "Das dürfen nur Leitungen" in bot.slash("/homeoffice gruppe B @claudia.weber", as_="bernd.mueller")
    assert bot.slash("/homeoffice leitung add @bernd.mueller") == "Leitung für diesen Kanal: Bernd Müller."
    assert [(lead.user_id) for lead in rows(bot, ChannelLead)] == [bot.user("bernd.mueller").id]
    assert bot.slash("/homeoffice gruppe B @claudia.weber", as_="bernd.mueller") == "Gruppe B: Claudia Weber."
    assert group_of(bot, "claudia.weber") == "B"
    # a lead may act for others now
    assert bot.slash("/homeoffice büro 30.11. für @anna.schmidt", as_="bernd.mueller")== "Anna Schmidt: im Büro am Mo, 30.11.2026."
    actions = [(e.actor_id, e.action) for e in rows(bot, AuditEntry) if e.subject_id == bot.user("bernd.mueller").id]
    assert (bot.user("anna.schmidt").id, "lead:add") in actions
    assert bot.slash("/homeoffice lead remove @bernd.mueller") == "Keine Leitung mehr: Bernd Müller."
    assert rows(bot, ChannelLead) == []
    assert "Das dürfen nur Leitungen" in bot.slash("/homeoffice gruppe A @claudia.weber", as_="bernd.mueller")
    assert group_of(bot, "claudia.weber") == "B"
    # a non-lead cannot name leads
    assert "Das dürfen nur Leitungen" in bot.slash("/homeoffice leitung add @bernd.mueller", as_="bernd.mueller")
    assert rows(bot, ChannelLead) == []
    assert bot.slash("/homeoffice leitung add").startswith("So geht’s")


# -- swaps -----------------------------------------------------------------------------------------


def test_swap_dm_reads_as_correct_german_and_english(bot):
    setup_ab(bot)
    bot.slash("/homeoffice gruppe B @james.miller")
    bot.mark_dms_read()
    bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    (dm,) = bot.dms("elif.yilmaz")
    assert dm.message == "Bernd Müller möchte mit dir tauschen: am Mi, 25.11.2026 wärst du im Büro statt zu Hause."
    bot.slash("/homeoffice tausch @james.miller 26.11.", as_="claudia.weber")
    (dm,) = bot.dms("james.miller")
    assert dm.message == "Claudia Weber would like to swap with you: on Thu, 26 Nov 2026 you would be in the office " \
        "instead of at home."


def test_swap_with_a_second_date_exchanges_back_and_both_keep_their_office_days(bot):
    setup_ab(bot)
    reply = bot.slash("/homeoffice tausch @elif.yilmaz 25.11. 02.12.", as_="bernd.mueller")
    assert "Tausch vorgeschlagen" in reply, reply
    (dm,) = bot.dms("elif.yilmaz")
    assert dm.message.endswith("wärst du im Büro statt zu Hause. Am Mi, 02.12.2026 tauscht ihr zurück."), dm.message
    bot.click(dm, "Annehmen", as_="elif.yilmaz")
    assert changes(bot) == {("bernd", "2026-11-25"): "home", ("elif", "2026-11-25"): "office",
                            ("bernd", "2026-12-02"): "office", ("elif", "2026-12-02"): "home"}
    assert dm.message == "✅ Tausch angenommen: Mi, 25.11.2026 im Büro; Mi, 02.12.2026 zu Hause"


def test_swap_back_day_must_reverse_the_roles(bot):
    setup_ab(bot)
    # 26.11. is in the same week: Bernd would be at home on both days and Elif in the office twice.
    reply = bot.slash("/homeoffice tausch @elif.yilmaz 25.11. 26.11.", as_="bernd.mueller")
    assert "zurücktauschen" in reply and "Do, 26.11.2026" in reply, reply
    assert not rows(bot, SwapProposal) and bot.dms("elif.yilmaz") == []


def test_swap_declined_changes_nothing_and_tells_the_proposer(bot):
    setup_ab(bot)
    bot.slash("/homeoffice tausch @elif.yilmaz 25.11.", as_="bernd.mueller")
    (dm,) = bot.dms("elif.yilmaz")
    bot.click(dm, "Ablehnen", as_="elif.yilmaz")
    assert dm.message == "❌ Tausch abgelehnt (Mi, 25.11.2026)."
    assert not rows(bot, PresenceChange)
    (proposal,) = rows(bot, SwapProposal)
    assert proposal.state == "declined"
    told = bot.dms("bernd.mueller")
    assert told[-1].message == "Elif Yılmaz hat deinen Tausch für den Mi, 25.11.2026 abgelehnt."
    # the accept button of the same message no longer works
    result = bot.click(dm, "Annehmen", as_="elif.yilmaz") if dm.props.get("attachments") else {"ephemeral_text": "gone"}
    assert not rows(bot, PresenceChange), result


def test_swap_between_two_people_in_the_office_is_a_clear_error(bot):
    setup_ab(bot)
    reply = bot.slash("/homeoffice tausch @anna.schmidt 25.11.", as_="bernd.mueller")
    assert reply == ("Am Mi, 25.11.2026 seid ihr beide im Büro. Tauschen geht nur, wenn eine Person im Büro und "
                     "die andere zu Hause ist."), reply
    assert not rows(bot, SwapProposal)
    english = bot.slash("/homeoffice swap @frank.hoffmann 30.11.", as_="james.miller")
    assert english == "James Miller is not in this channel's rotation."


# -- limits and messages ---------------------------------------------------------------------------


def test_plan_range_limit_is_stated_as_it_is(bot):
    setup_ab(bot)
    assert bot.slash("/homeoffice plan 23.11.2026 bis 23.01.2027").startswith("#### Plan")  # 62 days
    too_long = bot.slash("/homeoffice plan 23.11.2026 bis 24.01.2027")
    assert too_long == "Der Zeitraum ist zu lang (höchstens 62 Tage).", too_long
    english = bot.slash("/homeoffice plan 23.11.2026 to 24.01.2027", as_="james.miller")
    assert english == "That range is too long (at most 62 days).", english


def test_change_range_limit_is_stated_as_it_is(bot):
    setup_ab(bot)
    assert bot.slash("/homeoffice büro 23.11.2026 bis 23.11.2027", as_="dieter.fischer").startswith("Dieter Fischer")
    reply = bot.slash("/homeoffice büro 23.11.2026 bis 24.11.2027", as_="dieter.fischer")
    assert reply == "Der Zeitraum ist zu lang (höchstens 366 Tage).", reply


# -- audit of lead actions that drop people --------------------------------------------------------


def test_setup_that_drops_a_group_audits_each_person_taken_out(bot):
    bot.slash("/homeoffice einrichten A,B,C woche ab 23.11.2026")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller")
    bot.slash("/homeoffice gruppe C @frank.hoffmann @elif.yilmaz @anna.schmidt")
    before = len(rows(bot, AuditEntry))
    bot.slash("/homeoffice einrichten A,B woche ab 23.11.2026")
    assert group_of(bot, "frank.hoffmann") is None and group_of(bot, "bernd.mueller") == "A"
    new = rows(bot, AuditEntry)[before:]
    assert sorted(e.subject_id for e in new) == sorted([bot.user("frank.hoffmann").id, bot.user("elif.yilmaz").id])
    assert {(e.action, e.detail, e.actor_id, e.channel_id) for e in new} == {
        ("remove:setup", '{"gone_group":"C"}', bot.user("anna.schmidt").id, bot.channel_id())}


def test_deleting_the_rotation_audits_each_member(bot):
    setup_ab(bot)
    before = len(rows(bot, AuditEntry))
    bot.slash("/homeoffice löschen")
    bot.click(bot.last_reply, "Ja, löschen", as_="anna.schmidt")
    new = rows(bot, AuditEntry)[before:]
    others = ["bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann"]
    assert sorted(e.subject_id for e in new) == sorted(bot.user(u).id for u in others)  # not Anna herself
    assert {e.action for e in new} == {"remove:delete"}
    assert not rows(bot, RotationMember)


def test_cancelled_delete_changes_and_audits_nothing(bot):
    setup_ab(bot)
    before = len(rows(bot, AuditEntry))
    bot.slash("/homeoffice delete")
    bot.click(bot.last_reply, "Abbrechen", as_="anna.schmidt")
    assert rows(bot, Rotation) and len(rows(bot, AuditEntry)) == before


# -- English subcommand words ----------------------------------------------------------------------


def test_english_subcommand_words(bot):
    setup_ab(bot)
    bot.slash("/homeoffice assign B @james.miller")
    assert group_of(bot, "james.miller") == "B"
    assert bot.slash("/homeoffice home 24.11.", as_="james.miller") == "James Miller: at home on Tue, 24 Nov 2026."
    assert bot.slash("/homeoffice field 25.11.", as_="james.miller") == "James Miller: in the field on Wed, 25 Nov 2026."
    away = bot.slash("/homeoffice away 26.11. dentist", as_="james.miller")
    assert away == "James Miller: away on Thu, 26 Nov 2026. Note (visible only to you): dentist"
    assert bot.slash("/homeoffice clear 25.11.", as_="james.miller") == "Removed 1 one-off change on Wed, 25 Nov 2026."
    me = bot.slash("/homeoffice me", as_="james.miller")
    assert me.startswith("#### Your next 10 working days") and "dentist" in me
    plan = bot.slash("/homeoffice plan this week", as_="james.miller")
    assert plan.startswith("#### Plan") and "| Day | 🏢 Office |" in plan
    mine = bot.slash("/homeoffice my-data", as_="james.miller")
    assert mine.startswith("#### Stored about you") and "group B" in mine
    assert bot.slash("/homeoffice lead add @james.miller").startswith("Leitung für diesen Kanal")
    assert bot.slash("/homeoffice remove @frank.hoffmann", as_="james.miller") == "Taken out of the rotation: Frank Hoffmann."
    assert bot.slash("/homeoffice split", as_="james.miller").startswith("Split: A: ")
    assert bot.slash("/homeoffice reminder on", as_="james.miller") == "Morning call-forwarding prompts: on."
    assert bot.slash("/homeoffice help", as_="james.miller").startswith("#### ")
    assert bot.slash("/homeoffice delete", as_="james.miller").startswith("Really delete this channel's rotation")
    bot.click(bot.last_reply, "Yes, delete", as_="james.miller")
    assert not rows(bot, Rotation)
    with bot.runtime.db.read() as session:
        assert session.exec(select(RotationMember)).all() == []


def test_a_repeated_plan_costs_no_query_and_a_change_shows_at_once(bot):
    from tests.test_roster_cache import count_queries

    bot.set_time("2026-11-24 08:00")
    setup_ab(bot)
    first = bot.slash("/homeoffice plan", as_="bernd.mueller")
    queries = count_queries(bot)
    assert bot.slash("/homeoffice plan", as_="claudia.weber") == first
    assert [q for q in queries if "rotation" in q.lower() or "presence" in q.lower()] == []  # (the outbox polls)
    bot.slash("/homeoffice zuhause 25.11.", as_="anna.schmidt")  # A is in the office this week
    after = bot.slash("/homeoffice plan", as_="bernd.mueller")
    wednesday = next(line for line in after.splitlines() if "25.11." in line)
    assert "Anna Schmidt" in wednesday.split("|")[3], wednesday  # the home-office column
    assert after != first
