"""The /dienst menu (SPEC §2.6) over real HTTP against the Mattermost stand-in: the card, its
buttons and dialogs, which end in the typed `abgeben` / `tausch` with the same checks and rows.

The bot's clock: Monday 11.03.2030, 09:00. Rotation A/B weekly from that Monday (group A: Anna,
Bernd, Claudia; group B: Dieter, Elif, Frank, James) and one duty "Telefondienst" anywhere with the
hotline number, so every rotation member takes part.
"""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from storage.duty_models import Duty, DutyRequest
from tests.live import LiveBot, manual_clock
from tests.test_console import _sections
from tests.test_menus_console import _console, _number
from tests.test_menus_live import card, dialog_of, labels, press, submit

DIENST_DE = ["Abgeben …", "Tausch …", "Dienstplan"]
DIENST_EN = ["Drop …", "Swap …", "Duty plan"]
DAYS = {"2030-03-11": "Mo, 11.03.2030", "2030-03-12": "Di, 12.03.2030", "2030-03-13": "Mi, 13.03.2030",
        "2030-03-14": "Do, 14.03.2030", "2030-03-15": "Fr, 15.03.2030"}


@pytest.fixture
def duty(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2030-03-11 09:00"))
    bot.register()
    bot.start()
    assert bot.slash("einrichten A,B woche ab 11.03.2030").text.startswith("Rotation eingerichtet")
    assert bot.slash("gruppe A @anna.schmidt @bernd.mueller @claudia.weber").text.startswith("Gruppe A")
    assert bot.slash("gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann @james.miller").text.startswith("Gruppe B")
    reply = bot.answer('anlegen "Telefondienst" überall nummer 0391 540-2000', command="/dienst")
    assert reply.startswith("Dienst „Telefondienst“ angelegt"), reply
    bot.mark_dms_read()
    yield bot
    bot.stop()


def holders(bot: LiveBot) -> dict[str, str]:
    """ISO day -> username of the Telefondienst holder this week, as `/dienst plan` shows it."""
    plan = bot.answer("plan", command="/dienst", user="bernd.mueller")
    by_name = {f"{u.first_name} {u.last_name}": name for name, u in bot.world["users"].items()}
    found = {}
    for iso, shown in DAYS.items():
        row = next(line for line in plan.splitlines() if line.startswith(f"| {shown} | Telefondienst |"))
        found[iso] = by_name[row.split("|")[3].replace("⚠️", "").strip()]
    return found


def german_holder(bot: LiveBot) -> tuple[str, str]:
    """(ISO day, username) of the first day this week whose holder reads German (all but James)."""
    return next((iso, who) for iso, who in holders(bot).items() if who != "james.miller")


def duty_id(bot: LiveBot) -> int:
    with bot.runtime.db.read() as session:
        (row,) = session.exec(select(Duty)).all()
    return int(row.id or 0)


def requests_of(bot: LiveBot) -> list[DutyRequest]:
    with bot.runtime.db.read() as session:
        return list(session.exec(select(DutyRequest).order_by(DutyRequest.id)).all())


def request_posts(bot: LiveBot) -> list:
    return [p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).startswith("duty:req:")]


def test_the_card_shows_my_duties_with_the_number_and_the_labels_in_both_languages(duty):
    day, holder = german_holder(duty)
    shown = card(duty, "/dienst", holder)
    assert labels(shown) == DIENST_DE
    lines = shown.message.splitlines()
    first = ("Heute, " if day == "2030-03-11" else "") + DAYS[day]
    assert lines[:2] == ["#### Deine Dienste", f"- {first}: **Telefondienst** · ☎️ 0391 540-2000"]
    here = lines.index("#### Dienste in diesem Kanal")
    assert lines[here + 1] == "**Mo, 11.03.2030**" and "**Di, 12.03.2030**" in lines
    assert lines[here + 2].startswith("- **Telefondienst**: ") and "Vertretung:" in lines[here + 2]
    english = card(duty, "/dienst", "james.miller")
    assert labels(english) == DIENST_EN
    assert english.message.startswith("#### Your duties\n")
    assert "#### Duties in this channel" in english.message and "**Mon, 11 Mar 2030**" in english.message
    if "james.miller" not in holders(duty).values():
        assert "You have no duty in the next 5 working days." in english.message


def test_duty_plan_button_shows_what_the_typed_plan_shows(duty):
    shown = card(duty, "/dienst", "bernd.mueller")
    answer = press(duty, shown, "Dienstplan", "bernd.mueller").ephemeral_text
    assert answer.startswith("#### Dienstplan Jugendamt")
    assert answer == duty.answer("plan", command="/dienst", user="bernd.mueller")
    english = press(duty, card(duty, "/dienst", "james.miller"), "Duty plan", "james.miller").ephemeral_text
    assert english.startswith("#### Duty plan ") and "| Day | Duty | Who | Stand-in |" in english


def test_drop_dialog_posts_the_request_once_and_a_second_submit_changes_nothing(duty):
    day, holder = german_holder(duty)
    shown = DAYS[day]
    press(duty, card(duty, "/dienst", holder), "Abgeben …", holder)
    dialog = dialog_of(duty, holder, "duty.menudrop")
    assert not dialog.problems
    (element,) = dialog.elements
    assert element["type"] == "select" and element["name"] == "day"
    value = f"{duty_id(duty)}:{day}"
    assert {"text": f"{shown[:10]}: Telefondienst", "value": value} in element["options"]
    assert submit(duty, dialog, holder, {"day": value}).reply == {}
    duty.drain()
    (post,) = request_posts(duty)
    name = f"{duty.world['users'][holder].first_name} {duty.world['users'][holder].last_name}"
    assert post.message == f"🙋 **Vertretung gesucht:** Telefondienst am {shown} – {name} kann nicht. Wer übernimmt?"
    assert [a["name"] for a in post.actions()] == ["Ich übernehme"]
    assert any(f"Du gibst „Telefondienst“ am {shown} ab." in p.message for p in duty.dms(holder))
    (row,) = requests_of(duty)
    me = duty.world["users"][holder].id
    assert (row.kind, row.giver, row.created_by, row.state, row.claimed_by) == ("drop", me, me, "open", None)
    again = submit(duty, dialog, holder, {"day": value})  # the same dialog, submitted twice
    assert again.errors == {"day": f"Für „Telefondienst“ am {shown} wird schon eine Vertretung gesucht."}
    duty.drain()
    assert len(requests_of(duty)) == 1 and len(request_posts(duty)) == 1


def test_a_day_that_is_no_longer_mine_is_refused_next_to_its_field(duty):
    day, holder = german_holder(duty)
    press(duty, card(duty, "/dienst", holder), "Abgeben …", holder)
    dialog = dialog_of(duty, holder, "duty.menudrop")
    # While the dialog is open, the holder records an absence: the day moves on to someone else.
    assert f"abwesend am {DAYS[day]}" in duty.answer(f"abwesend {DAYS[day][4:]}", user=holder)
    assert holders(duty)[day] != holder
    refused = submit(duty, dialog, holder, {"day": f"{duty_id(duty)}:{day}"})
    assert refused.errors == {"day": f"Du hast am {DAYS[day]} keinen Dienst „Telefondienst“. Es wurde nichts geändert."}
    duty.drain()
    assert requests_of(duty) == [] and request_posts(duty) == []


def test_swap_dialog_asks_the_colleague_by_dm_and_refuses_oneself_next_to_the_field(duty):
    day, holder = german_holder(duty)
    partner = next(u for u in ("dieter.fischer", "elif.yilmaz", "frank.hoffmann", "anna.schmidt") if u != holder)
    press(duty, card(duty, "/dienst", holder), "Tausch …", holder)
    dialog = dialog_of(duty, holder, "duty.menuswap")
    assert [e["type"] for e in dialog.elements] == ["select", "select"] and not dialog.problems
    assert dialog.elements[0]["data_source"] == "users"
    users = duty.world["users"]
    value = f"{duty_id(duty)}:{day}"
    assert submit(duty, dialog, holder, {"partner": users[holder].id, "day": value}).errors == {
        "partner": "Mit dir selbst kannst du nicht tauschen."}
    away = next(u for u in ("elif.yilmaz", "frank.hoffmann") if u not in (holder, partner))
    duty.answer(f"abwesend {DAYS[day][4:]}", user=away)
    refused = submit(duty, dialog, holder, {"partner": users[away].id, "day": value}).errors
    assert refused == {"partner": f"{users[away].first_name} {users[away].last_name} kann „Telefondienst“ am "
                                  f"{DAYS[day]} nicht übernehmen: ist an dem Tag abwesend."}
    assert requests_of(duty) == []
    assert submit(duty, dialog, holder, {"partner": users[partner].id, "day": value}).reply == {}
    duty.drain()
    (asked,) = [p for p in duty.dms(partner) if "Telefondienst" in p.message]
    assert f"möchte dir den Dienst „Telefondienst“ am {DAYS[day]} übergeben" in asked.message
    assert [a["name"] for a in asked.actions()] == ["Annehmen", "Ablehnen"]
    (row,) = requests_of(duty)
    assert (row.kind, row.giver, row.taker, row.asked) == ("swap", users[holder].id, users[partner].id,
                                                           users[partner].id)


def test_the_menus_drop_stores_what_the_typed_drop_stores(duty):
    days = holders(duty)
    menu_day, by_menu = german_holder(duty)
    typed_day, by_text = next((iso, who) for iso, who in days.items()
                              if iso > menu_day and who not in (by_menu, "james.miller"))
    press(duty, card(duty, "/dienst", by_menu), "Abgeben …", by_menu)
    submit(duty, dialog_of(duty, by_menu, "duty.menudrop"), by_menu, {"day": f"{duty_id(duty)}:{menu_day}"})
    typed = duty.answer(f'abgeben {DAYS[typed_day][4:]} "Telefondienst"', command="/dienst", user=by_text)
    assert typed.startswith("Du gibst „Telefondienst“")
    duty.drain()
    users = duty.world["users"]
    menu_row, text_row = requests_of(duty)

    def stored(row: DutyRequest, username: str) -> tuple:
        person = users[username].id
        return (row.duty_id, row.kind, row.giver == person, row.created_by == person, row.taker, row.asked,
                row.state, row.claimed_by)

    assert stored(menu_row, by_menu) == stored(text_row, by_text)
    assert (menu_row.day.isoformat(), text_row.day.isoformat()) == (menu_day, typed_day)
    first, second = request_posts(duty)
    assert first.message.split(" – ")[0].replace(DAYS[menu_day], "DAY") == \
        second.message.split(" – ")[0].replace(DAYS[typed_day], "DAY")
    assert [a["name"] for a in first.actions()] == [a["name"] for a in second.actions()] == ["Ich übernehme"]


def test_did_you_mean_and_every_dienst_help_ends_with_the_menu_hint(duty):
    assert "Meintest du `abgeben`?" in duty.slash("abgebn morgen", command="/dienst").text
    assert "Did you mean `drop`?" in duty.slash("dorp tomorrow", command="/dienst", user="james.miller").text
    hint = "💡 Nur `/dienst` ohne Zusatz öffnet das Menü: die wichtigsten Aktionen als Schaltflächen, ganz ohne Befehle."
    for text in ("hilfe", "abgeben hilfe", "hilfe tausch", "quatsch"):
        assert duty.slash(text, command="/dienst").text.endswith(hint), text
    assert duty.slash("help", command="/dienst", user="james.miller").text.splitlines()[-1].startswith(
        "💡 Just `/dienst`")


def test_console_shows_the_card_and_fills_the_drop_dialog(tmp_path):
    out = _console(tmp_path, [
        "/homeoffice einrichten A,B woche ab 23.11.2026",
        "/homeoffice aufteilen",
        '/dienst anlegen "Telefondienst" überall',
        "/dienst",
        ":click 3",     # Dienstplan
        ":click 1",     # Abgeben … : the dialog offers my duty days by number
        "1",
        ":quit",
    ])
    said = _sections(out)
    menu = said["/dienst"]
    assert "#### Deine Dienste" in menu and "#### Dienste in diesem Kanal" in menu
    assert [_number(menu, label) for label in DIENST_DE] == ["1", "2", "3"]
    assert said[":click 3"].lstrip().startswith("#### Dienstplan Jugendamt")
    dialog = said[":click 1"]
    assert "📝 Dialog „Dienst abgeben“" in dialog and "1) " in dialog and ": Telefondienst" in dialog
    assert "✔ Dialog abgeschickt." in dialog and "Vertretung gesucht" in dialog


def test_a_button_acts_for_whoever_presses_it(duty):
    days = holders(duty)
    day, holder = german_holder(duty)
    other = next(u for u in ("anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer") if u != holder)
    shown = card(duty, "/dienst", holder)
    action = next(a for a in shown.actions() if a["name"] == "Abgeben …")
    user = duty.world["users"][other]
    answer = httpx.post(duty.url + "/mattermost/action", json={  # the holder's card, pressed by someone else
        "user_id": user.id, "channel_id": shown.channel_id, "team_id": duty.world["channel"].team_id,
        "post_id": shown.id, "type": "button", "trigger_id": duty.standin.new_trigger_id(user.id),
        "context": action["integration"]["context"]}, timeout=30)
    assert answer.status_code == 200
    assert duty.standin.dialogs_for(duty.world["users"][holder]) == []
    offered = {o["value"].partition(":")[2] for o in dialog_of(duty, other, "duty.menudrop").elements[0]["options"]}
    assert {iso for iso, who in days.items() if who == other} <= offered
    assert day not in offered
