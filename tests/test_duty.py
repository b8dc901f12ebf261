"""/dienst (SPEC §2.5): defining duties, the plan, hand-overs, the greeting, privacy, in-process."""

from __future__ import annotations

from sqlmodel import select

from storage.duty_models import Duty, DutyHandover, DutyParticipant
from tests.factories import rows, setup_ab


def two_duties(bot) -> None:
    bot.set_time("2026-11-24 08:00")  # Tuesday; group A in the office this week
    setup_ab(bot)
    reply = bot.slash('/dienst anlegen "Telefondienst" überall nummer 0391 540-2000')
    assert reply.startswith("Dienst „Telefondienst“ angelegt: überall"), reply
    assert "Nummer 0391 540-2000" in reply
    reply = bot.slash('/dienst anlegen "Postdienst" vor-ort')
    assert reply.startswith("Dienst „Postdienst“ angelegt: vor Ort, 1 Person, Mo–Fr, ganztags"), reply


def test_a_lead_defines_duties_and_the_plan_shows_holder_and_stand_in(bot):
    two_duties(bot)
    plan = bot.slash("/dienst plan heute")
    assert "| Di, 24.11.2026 | Postdienst |" in plan
    assert "| Di, 24.11.2026 | Telefondienst |" in plan
    post_row = next(line for line in plan.splitlines() if "Postdienst" in line)
    # on site: only group A (Anna, Bernd, Claudia) is in the office this week
    assert any(name in post_row.split("|")[3] for name in ("Anna Schmidt", "Bernd Müller", "Claudia Weber"))
    roster = bot.slash("/anwesenheit")
    assert "🛎️ Dienste" in roster
    phone = next(line for line in roster.splitlines() if "Telefondienst" in line)
    assert "☎️ 0391 540-2000" in phone and "Vertretung:" in phone
    assert "@" not in phone


def test_staff_cannot_define_duties_and_bad_options_change_nothing(bot):
    two_duties(bot)
    assert "Leitungen" in bot.slash('/dienst anlegen "Präsenz"', as_="bernd.mueller")
    assert "verstehe ich hier nicht" in bot.slash('/dienst anlegen "Präsenz" sofort')
    assert "`zeit`" in bot.slash('/dienst anlegen "Präsenz" zeit 12:00-08:00')
    assert "höchstens 40 Zeichen" in bot.slash('/dienst anlegen "' + "x" * 41 + '"')
    assert "gibt es in diesem Kanal schon" in bot.slash('/dienst anlegen "telefondienst"')
    assert len(rows(bot, Duty)) == 2


def test_drop_posts_a_request_and_the_first_eligible_click_wins(bot):
    two_duties(bot)
    plan = bot.slash('/dienst plan morgen')
    holder_name = next(line for line in plan.splitlines() if "Telefondienst" in line).split("|")[3].strip()
    holder = {"Anna Schmidt": "anna.schmidt", "Bernd Müller": "bernd.mueller", "Claudia Weber": "claudia.weber",
              "Dieter Fischer": "dieter.fischer", "Elif Yılmaz": "elif.yilmaz",
              "Frank Hoffmann": "frank.hoffmann"}[holder_name]
    reply = bot.slash('/dienst abgeben morgen "Telefondienst"', as_=holder)
    assert "Im Kanal ist gefragt" in reply, reply
    post = bot.posts()[-1]
    assert "Vertretung gesucht" in post.message and holder_name in post.message
    others = [u for u in ("bernd.mueller", "claudia.weber", "dieter.fischer") if u != holder][:2]
    first = bot.click(post, "Ich übernehme", as_=others[0])
    assert "Danke!" in first["ephemeral_text"]
    assert "übernommen von" in post.message
    second = bot.click(post, "Ich übernehme", as_=others[1]) if post.props.get("attachments") else None
    assert second is None or "Schon vergeben" in second["ephemeral_text"]
    assert len(rows(bot, DutyHandover)) == 1
    assert any("übernimmt deinen Dienst" in dm.message for dm in bot.dms(holder))


def test_help_for_the_command_and_each_subcommand(bot):
    assert "/dienst anlegen" in bot.slash("/dienst hilfe")
    assert "abgeben" in bot.slash("/dienst abgeben hilfe")
    assert "Das verstehe ich nicht: „quatsch“" in bot.slash("/dienst quatsch")


def test_forget_removes_me_from_every_cycle(bot):
    from tests.factories import all_rows_mentioning

    two_duties(bot)
    dieter = bot.user("dieter.fischer").id
    bot.slash('/dienst mitglieder "Postdienst" @dieter.fischer')
    bot.slash('/dienst ansage "Bitte sprechen Sie nach dem Ton."', as_="anna.schmidt")
    assert any(p.user_id == dieter for p in rows(bot, DutyParticipant))
    holder, _ = holder_of(bot, "Telefondienst")
    if holder != "dieter.fischer":
        bot.slash('/dienst abgeben morgen "Telefondienst"', as_=holder)
        bot.click(bot.posts()[-1], "Ich übernehme", as_="dieter.fischer")
    bot.tick()
    data = bot.slash("/homeoffice meine-daten", as_="dieter.fischer")
    assert "Postdienst" in data and "Telefondienst" in data
    assert all_rows_mentioning(bot, dieter)
    bot.slash("/homeoffice vergessen", as_="dieter.fischer")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="dieter.fischer")
    assert all_rows_mentioning(bot, dieter) == []
    assert "Dieter Fischer" not in bot.slash("/dienst plan diese Woche")


def test_export_rows_carry_duties_and_reach_names_todays_duties(bot):
    from datetime import date

    from bot.cli_ops import export_rows

    two_duties(bot)
    names = {u.id: u.username for u in bot.mm.users_by_id.values()}
    rows_out = export_rows(bot.settings, bot.channel_id(), date(2026, 11, 24), date(2026, 11, 24), names,
                           db=bot.runtime.db)
    held = [r for r in rows_out if r["duties"]]
    assert sorted(d for r in held for d in r["duties"]) == ["Postdienst", "Telefondienst"]
    assert all(r["duties"] == [] for r in rows_out if r not in held)
    reach = bot.slash(f"/anwesenheit @{held[0]['user']}")
    assert "Dienste heute:" in reach and held[0]["duties"][0] in reach


def test_greeting_is_shown_on_voicemail_and_its_switch_back_is_reminded(bot):
    two_duties(bot)
    assert "Leitungen" in bot.slash('/dienst ansage "Hallo"', as_="bernd.mueller")
    text = "Sie erreichen uns morgen ab 8 Uhr. In dringenden Fällen: Kinder- und Jugendnotdienst 0391 540-3000."
    assert bot.slash(f'/dienst ansage "{text}"').startswith("Ansage gespeichert")
    assert "höchstens 500 Zeichen" in bot.slash('/dienst ansage "' + "x" * 501 + '"')
    reply = bot.slash("/rufumleitung ab", as_="bernd.mueller")
    assert "Ansage des Teams" in reply and "Kinder- und Jugendnotdienst" in reply
    assert "zurückzustellen" in reply
    bot.mark_dms_read()
    bot.slash("/rufumleitung aus", as_="bernd.mueller")
    assert any("Ansage deines Anrufbeantworters zurückzustellen" in dm.message for dm in bot.dms("bernd.mueller"))
    assert bot.slash("/dienst ansage aus") == "Ansage entfernt."


def test_an_uncovered_day_is_asked_for_once_in_the_channel_and_once_to_the_leads(bot):
    two_duties(bot)
    for user in ("anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz", "frank.hoffmann"):
        bot.slash("/homeoffice abwesend morgen", as_=user)
    bot.mark_dms_read()
    before = len(bot.posts())
    for _ in range(3):
        bot.tick()
        bot.runtime.db.views.clear()  # as after a restart: the job looks again
        bot.deliver()
    asked = [p for p in bot.posts()[before:] if "ist unbesetzt" in p.message]
    assert sorted(p.message.split("**")[1].split(" am ")[0] for p in asked) == ["Postdienst", "Telefondienst"]
    assert all("Mi, 25.11.2026" in p.message for p in asked)
    lead_dms = [d for d in bot.dms("anna.schmidt") if "ist unbesetzt" in d.message]
    assert len(lead_dms) == 2
    plan = bot.slash("/dienst plan morgen", as_="bernd.mueller")
    assert plan.count("⚠️ unbesetzt (1 fehlt)") == 2


def holder_of(bot, duty: str, day: str = "morgen") -> tuple[str, str]:
    plan = bot.slash(f"/dienst plan {day}")
    cells = next(line for line in plan.splitlines() if f"| {duty} |" in line).split("|")
    by_name = {u.display_name: u.username for u in bot.mm.users_by_id.values()}
    return by_name[cells[3].strip()], by_name.get(cells[4].strip(), "")


def test_whoever_gains_or_loses_a_duty_day_soon_is_told_once(bot):
    two_duties(bot)
    bot.tick()  # the job notes who holds tomorrow's duties
    holder, stand_in = holder_of(bot, "Telefondienst")
    bot.mark_dms_read()
    bot.slash("/homeoffice abwesend morgen", as_=holder)
    for _ in range(2):
        bot.tick()
        bot.runtime.db.views.clear()
        bot.deliver()
    lost = [d for d in bot.dms(holder) if "Nicht mehr bei dir: „Telefondienst“ am Mi, 25.11.2026" in d.message]
    gained = [d for d in bot.dms(stand_in) if "Neu für dich: „Telefondienst“ am Mi, 25.11.2026" in d.message]
    assert len(lost) == 1 and len(gained) == 1
    assert holder_of(bot, "Telefondienst")[0] == stand_in


def test_swap_a_duty_day_by_button_and_both_are_told(bot):
    two_duties(bot)
    holder, _ = holder_of(bot, "Telefondienst")
    partner = next(u for u in ("dieter.fischer", "elif.yilmaz", "frank.hoffmann") if u != holder)
    bot.mark_dms_read()
    reply = bot.slash(f'/dienst tausch @{partner} morgen "Telefondienst"', as_=holder)
    assert "ist gefragt" in reply, reply
    (question,) = [d for d in bot.dms(partner) if "möchte dir den Dienst „Telefondienst“ am Mi, 25.11.2026" in d.message]
    answer = bot.click(question, "Annehmen", as_=partner)
    assert "Erledigt" in answer["update"]["message"]
    assert holder_of(bot, "Telefondienst")[0] == partner
    assert any("hat zugestimmt" in d.message for d in bot.dms(holder))
    again = bot.click(question, "Annehmen", as_=partner) if question.props.get("attachments") else None
    assert again is None  # the DM was edited: no buttons left to press twice


def test_take_an_uncovered_day_at_once_and_a_covered_one_by_asking_its_holder(bot):
    two_duties(bot)
    holder, stand_in = holder_of(bot, "Telefondienst")
    other = next(u for u in ("dieter.fischer", "elif.yilmaz", "frank.hoffmann", "bernd.mueller")
                 if u not in (holder, stand_in))
    bot.mark_dms_read()
    reply = bot.slash('/dienst übernehmen morgen "Telefondienst"', as_=other)
    assert "ist gefragt, ob du übernehmen darfst" in reply, reply
    (question,) = [d for d in bot.dms(holder) if "möchte deinen Dienst „Telefondienst“" in d.message]
    bot.click(question, "Ablehnen", as_=holder)
    assert holder_of(bot, "Telefondienst")[0] == holder
    assert any("hat abgelehnt" in d.message for d in bot.dms(other))
    # a second duty with nobody who can take it on a day: Postdienst on site, all of group A away
    for user in ("anna.schmidt", "bernd.mueller", "claudia.weber"):
        bot.slash("/homeoffice abwesend morgen", as_=user)
    assert "⚠️ unbesetzt" in bot.slash('/dienst plan morgen')
    refused = bot.slash('/dienst übernehmen morgen "Postdienst"', as_="dieter.fischer")
    assert "nicht im Büro" in refused
    bot.slash("/homeoffice büro morgen", as_="dieter.fischer")  # now he can: the rota gives it to him at once
    assert holder_of(bot, "Postdienst")[0] == "dieter.fischer"
    assert "schon" in bot.slash('/dienst übernehmen morgen "Postdienst"', as_="dieter.fischer")


def test_english_speakers_read_english(bot):
    two_duties(bot)
    plan = bot.slash("/dienst plan", as_="james.miller")
    assert plan.startswith("#### Duty plan") and "| Day | Duty | Who | Stand-in |" in plan
    assert bot.slash("/dienst help", as_="james.miller").startswith("#### /dienst — Duties")
    assert "Your duties" in bot.slash("/dienst", as_="james.miller") or "no duty" in bot.slash("/dienst", as_="james.miller")


def test_the_morning_bulk_path_gives_the_same_rota_as_the_single_channel_path(bot):
    from datetime import date

    from storage import duties as duty_store
    from storage.models import Rotation

    two_duties(bot)
    bot.slash('/dienst mitglieder "Postdienst" @james.miller')
    bot.slash("/homeoffice abwesend morgen", as_="bernd.mueller")
    bot.slash("/homeoffice büro morgen", as_="dieter.fischer")
    holder, _ = holder_of(bot, "Telefondienst")
    bot.slash('/dienst abgeben morgen "Telefondienst"', as_=holder)
    bot.click(bot.posts()[-1], "Ich übernehme", as_="frank.hoffmann" if holder != "frank.hoffmann" else "elif.yilmaz")
    cid = bot.channel_id()
    with bot.runtime.db.read() as session:
        for offset in range(0, 6):
            day = date(2026, 11, 24 + offset)
            single = duty_store.duty_plans(session, cid, day, day, region="DE")
            many = duty_store.duty_plans_many(session, {cid: (session.get(Rotation, cid), "DE")}, day)[cid]
            assert [(p.duty.name, p.days) for p in single] == [(p.duty.name, p.days) for p in many]


def test_a_day_covered_again_closes_its_request_and_edits_the_post(bot):
    two_duties(bot)
    for user in ("anna.schmidt", "bernd.mueller", "claudia.weber"):  # group A: nobody on site tomorrow
        bot.slash("/homeoffice abwesend morgen", as_=user)
    bot.tick()
    bot.deliver()
    (post,) = [p for p in bot.posts() if "Postdienst am Mi, 25.11.2026 ist unbesetzt" in p.message]
    bot.slash("/homeoffice zurücksetzen morgen", as_="claudia.weber")
    bot.tick()
    bot.deliver()
    assert "ist wieder besetzt" in post.message and not post.props.get("attachments")


def test_a_lead_drops_for_someone_who_is_told_and_staff_cannot(bot):
    two_duties(bot)
    holder, _ = holder_of(bot, "Telefondienst")
    other = next(u for u in ("dieter.fischer", "elif.yilmaz") if u != holder)
    refused = bot.slash(f'/dienst abgeben morgen "Telefondienst" für @{holder}', as_=other)
    assert "nur deine eigenen Angaben" in refused
    bot.mark_dms_read()
    if holder == "anna.schmidt":
        return  # the lead is the holder: dropping her own day is covered above
    reply = bot.slash(f'/dienst abgeben morgen "Telefondienst" für @{holder}')
    assert "gibt „Telefondienst“ am Mi, 25.11.2026 ab" in reply, reply
    assert any("hat deinen Dienst „Telefondienst“ am Mi, 25.11.2026 abgegeben" in d.message for d in bot.dms(holder))
    assert "Vertretung gesucht" in bot.posts()[-1].message


def test_deleting_a_duty_asks_first_and_the_roster_marks_an_uncovered_one(bot):
    two_duties(bot)
    for user in ("anna.schmidt", "bernd.mueller", "claudia.weber"):
        bot.slash("/homeoffice abwesend heute", as_=user)
    roster = bot.slash("/anwesenheit")
    assert "- ⚠️ **Postdienst**: ⚠️ unbesetzt (1 fehlt)" in roster
    assert bot.slash('/dienst löschen "Postdienst"').startswith("Dienst „Postdienst“ wirklich löschen?")
    assert len(rows(bot, Duty)) == 2  # nothing yet
    bot.click(bot.last_reply, "Ja, löschen", as_="anna.schmidt")
    assert [d.name for d in rows(bot, Duty)] == ["Telefondienst"]
    assert "Postdienst" not in bot.slash("/anwesenheit")


def test_old_presence_data_goes_and_the_rota_stays_because_its_line_was_written_down(bot):
    from datetime import date

    from bot.maintenance import purge
    from storage.models import Absence

    two_duties(bot)
    bot.slash("/homeoffice abwesend 30.12.2026-08.01.2027", as_="bernd.mueller")
    bot.slash("/homeoffice abwesend 26.01.2027-05.02.2027", as_="bernd.mueller")
    bot.slash("/homeoffice abwesend 04.01.2027-08.01.2027", as_="elif.yilmaz")
    bot.slash("/homeoffice abwesend 12.01.2027", as_="claudia.weber")
    for day in ("2026-12-28", "2027-01-11", "2027-01-25", "2027-02-15"):
        bot.set_time(f"{day} 07:00")
        bot.tick()
    # Once a day the duty job writes down where each duty's line stood two weeks ago.
    assert {d.carry_day for d in rows(bot, Duty)} == {date(2027, 2, 1)}
    plan = bot.slash("/dienst plan nächste Woche")
    assert "Bernd Müller" in plan and "Elif Yılmaz" in plan
    data = bot.slash("/homeoffice meine-daten", as_="bernd.mueller")
    assert "Platz in der Reihenfolge von „Telefondienst“, festgehalten am Mo, 01.02.2027" in data, data

    # The retention purge (here: keep one day) first moves the line on, then deletes the absences.
    with bot.runtime.db.write() as session:
        purge(session, now=bot.clock.now(), retention_days=1, tz=bot.runtime.services.tz)
    assert rows(bot, Absence) == []
    assert {d.carry_day for d in rows(bot, Duty)} == {date(2027, 2, 14)}
    assert bot.slash("/dienst plan nächste Woche") == plan

    # Without the line written down, the rota would have changed: the absences were what made it.
    with bot.runtime.db.write() as session:
        for duty in session.exec(select(Duty)).all():
            duty.carry_day, duty.carry = None, None
            session.add(duty)
    assert bot.slash("/dienst plan nächste Woche") != plan


def test_forgetting_takes_the_person_out_of_the_written_down_line(bot):
    two_duties(bot)
    bernd = bot.user("bernd.mueller").id
    for day in ("2026-12-28", "2027-01-25"):
        bot.set_time(f"{day} 07:00")
        bot.tick()
    assert all(bernd in (d.carry or "") for d in rows(bot, Duty))
    bot.slash("/homeoffice vergessen", as_="bernd.mueller")
    bot.click(bot.last_reply, "Ja, alles löschen", as_="bernd.mueller")
    assert all(bernd not in (d.carry or "") and d.carry for d in rows(bot, Duty))
    plan = bot.slash("/dienst plan diese Woche")
    assert "Bernd Müller" not in plan and "Anna Schmidt" in plan
