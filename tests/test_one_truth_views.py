"""One truth per person and day, checked in every view (SPEC §2.1): for random rotations in two
channels that share members, random absences, one-off changes and swaps, both rosters (typed and
posted), both plans, `ich`, `@name` and the JSON export give each person the same place on each
day, and each roster's office count is the number of its members shown in the office."""

from __future__ import annotations

import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli_ops import export_rows
from tests.factories import roster_posts
from tests.harness import BotHarness

ASD, WIGU = "jugendamt-asd", "wirtschaftliche-hilfe"
TEAM1 = ["anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer"]
TEAM2 = ["gabriele.wagner", "anna.schmidt", "bernd.mueller"]
LEAD = {ASD: "anna.schmidt", WIGU: "gabriele.wagner"}
DAYS = [date(2026, 11, 24) + timedelta(days=i) for i in range(4)]  # Tue..Fri, today first
WORDS = {"office": "büro", "home": "zuhause", "field": "unterwegs"}
# what each view calls a place
PLAN_COLUMNS = ("office", "home", "field", "away")
ROSTER_HEADS = {"Im Büro": "office", "Im Home-Office": "home", "Unterwegs": "field", "Abwesend": "away"}
ICH = {"🏢": "office", "🏠": "home", "🚗": "field", "🌴": "away"}
AT_NAME = {"im Büro": "office", "im Home-Office": "home", "unterwegs": "field", "abwesend": "away"}


def dm(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def names(cell: str) -> list[str]:
    return [n.strip().rstrip("°") for n in cell.split(",") if n.strip() and n.strip() != "niemand"]


def plan_view(bot: BotHarness, channel: str) -> dict[tuple[str, date], str]:
    text = bot.slash("/homeoffice plan", as_=LEAD[channel], channel=channel)
    seen = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.match(r"\w\w, (\d\d\.\d\d\.\d{4})$", cells[0]) if len(cells) == 5 else None
        if match:
            day = date(*reversed([int(x) for x in match.group(1).split(".")]))
            for where, cell in zip(PLAN_COLUMNS, cells[1:], strict=True):
                for person in names(cell):
                    seen[person, day] = where
    return seen


def roster_view(text: str, day: date) -> dict[tuple[str, date], str]:
    seen = {}
    for line in text.splitlines():
        match = re.match(r"\*\*\S+ (Im Büro|Im Home-Office|Unterwegs|Abwesend) \((\d+)\)\*\*: (.*)$", line)
        if match:
            people = names(match.group(3))
            assert len(people) == int(match.group(2)), line  # the count is the people listed
            for person in people:
                seen[person, day] = ROSTER_HEADS[match.group(1)]
    return seen


def display(bot: BotHarness, username: str) -> str:
    return bot.user(username).display_name


@st.composite
def scenarios(draw):  # noqa: ANN001, ANN201
    return {
        "patterns": (draw(st.sampled_from(["woche", "tag"])), draw(st.sampled_from(["woche", "tag"]))),
        "groups1": draw(st.lists(st.sampled_from("AB"), min_size=len(TEAM1), max_size=len(TEAM1))),
        "groups2": draw(st.lists(st.sampled_from("XY"), min_size=len(TEAM2), max_size=len(TEAM2))),
        "home2": draw(st.sets(st.sampled_from(["anna.schmidt", "bernd.mueller"]))),
        "changes": draw(st.lists(st.tuples(st.sampled_from(sorted(set(TEAM1 + TEAM2))), st.integers(0, 3),
                                           st.sampled_from(["büro", "zuhause", "unterwegs", "abwesend"])),
                                 max_size=5)),
        "swap": draw(st.none() | st.tuples(st.sampled_from(TEAM1), st.sampled_from(TEAM1),
                                           st.integers(0, 3), st.integers(0, 3))),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_view_of_a_persons_day_agrees(case):
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotHarness(Path(tmp), start="2026-11-24 06:00")
        try:
            check_views(bot, case)
        finally:
            bot.close()


def check_views(bot: BotHarness, case) -> None:  # noqa: ANN001
    p1, p2 = case["patterns"]
    assert bot.slash(f"/homeoffice einrichten A,B {p1} ab 23.11.2026").startswith("Rotation eingerichtet")
    assert bot.slash(f"/homeoffice einrichten X,Y {p2} ab 23.11.2026", as_=LEAD[WIGU],
                     channel=WIGU).startswith("Rotation eingerichtet")
    for group in "AB":
        people = [p for p, g in zip(TEAM1, case["groups1"], strict=True) if g == group]
        if people:
            bot.slash(f"/homeoffice gruppe {group} " + " ".join("@" + p for p in people))
    for group in "XY":
        people = [p for p, g in zip(TEAM2, case["groups2"], strict=True) if g == group]
        if people:
            bot.slash(f"/homeoffice gruppe {group} " + " ".join("@" + p for p in people), as_=LEAD[WIGU],
                      channel=WIGU)
    for person in sorted(case["home2"]):
        assert bot.slash("/homeoffice stammteam", as_=person, channel=WIGU).startswith("Stammteam:")
    for person, offset, word in case["changes"]:
        bot.slash(f"/homeoffice {word} {dm(DAYS[offset])}", as_=person)
    if case["swap"]:
        proposer, partner, one, two = case["swap"]
        reply = bot.slash(f"/homeoffice tausch @{partner} {dm(DAYS[one])} {dm(DAYS[two])}", as_=proposer)
        if "Tausch vorgeschlagen" in reply:
            proposal = bot.dms(partner)[-1]
            bot.click(proposal, "Annehmen", as_=partner)

    bot.set_time("2026-11-24 08:00")
    bot.tick()  # the morning roster of today in both channels
    bot.deliver()

    members = {ASD: {display(bot, p) for p in TEAM1}, WIGU: {display(bot, p) for p in TEAM2}}
    truth: dict[tuple[str, date], str] = {}
    for channel in (ASD, WIGU):
        usernames = {bot.user(p).id: display(bot, p) for p in set(TEAM1 + TEAM2)}
        rows = export_rows(bot.settings, bot.channel_id(channel), DAYS[0], DAYS[-1], usernames, db=bot.runtime.db)
        export = {(row["user"], date.fromisoformat(row["date"])): row["where"] for row in rows}
        views = {"export": export, "plan": plan_view(bot, channel)}
        for day in DAYS:
            views[f"roster {day}"] = roster_view(bot.slash(f"/anwesenheit {dm(day)}", as_=LEAD[channel],
                                                           channel=channel), day)
        (posted,) = roster_posts(bot, channel)
        views["posted roster"] = roster_view(posted.message, DAYS[0])
        for name, view in views.items():
            for (person, day), where in view.items():
                assert person in members[channel], (channel, name, person)
                expected = truth.setdefault((person, day), where)
                assert where == expected, (channel, name, person, day, where, expected)
        # every member has a place on every day in the export, the plan and the rosters
        for name in ("export", "plan"):
            assert {(p, d) for p, d in views[name]} >= {(p, d) for p in members[channel] for d in DAYS}, name
        for username in (TEAM1 if channel == ASD else TEAM2):
            answer = bot.slash(f"/anwesenheit @{username}", as_=LEAD[channel], channel=channel)
            word = next(w for w in AT_NAME if f" ist heute {w}" in answer)
            assert AT_NAME[word] == truth[display(bot, username), DAYS[0]], answer
    for username in set(TEAM1 + TEAM2):
        mine = bot.slash("/homeoffice ich", as_=username)
        for day in DAYS:
            line = next(line for line in mine.splitlines() if dm(day) in line)
            icon = next(i for i in ICH if i in line)
            assert ICH[icon] == truth[display(bot, username), day], (username, line)
