"""`aufteilen` / `split`: the channel's members evenly over the groups, moving as few
already-assigned people as possible (SPEC §2.1)."""

from __future__ import annotations

import itertools

import pytest

from commands.homeoffice.membership import split_evenly
from storage.models import AuditEntry, RotationMember
from tests.factories import rows


def sizes(result: dict[str, str], groups: list[str]) -> list[int]:
    return [list(result.values()).count(g) for g in groups]


def moved(existing: dict[str, str], result: dict[str, str]) -> int:
    return sum(1 for p, g in existing.items() if p in result and result[p] != g)


def test_five_in_a_none_in_b_and_two_new_becomes_four_and_three_with_one_move():
    people = [f"p{i}" for i in range(7)]
    existing = {p: "A" for p in people[:5]}
    result = split_evenly(["A", "B"], existing, people)
    assert set(result) == set(people)
    assert sizes(result, ["A", "B"]) == [4, 3]
    assert moved(existing, result) == 1
    assert result["p5"] == result["p6"] == "B"


def test_already_even_assignments_are_kept_and_newcomers_fill_the_smallest_groups():
    people = ["a", "b", "c", "d", "e"]
    existing = {"a": "A", "b": "B", "c": "C"}
    result = split_evenly(["A", "B", "C"], existing, people)
    assert {p: result[p] for p in existing} == existing
    assert sorted(sizes(result, ["A", "B", "C"])) == [1, 2, 2]


def test_people_outside_the_list_and_unknown_groups_are_ignored():
    result = split_evenly(["A", "B"], {"gone": "A", "x": "Z", "y": "A"}, ["x", "y"])
    assert result == {"y": "A", "x": "B"}


@pytest.mark.parametrize("n_groups", [2, 3, 4])
def test_result_is_always_even_and_moves_the_fewest_possible(n_groups):
    groups = "ABCD"[:n_groups]
    for n_people in range(0, 7):
        people = [f"p{i}" for i in range(n_people)]
        # every way of pre-assigning the people (or leaving them unassigned)
        for combo in itertools.product([None, *groups], repeat=n_people):
            existing = {p: g for p, g in zip(people, combo, strict=True) if g}
            result = split_evenly(list(groups), existing, people)
            counts = sizes(result, list(groups))
            assert set(result) == set(people) and max(counts) - min(counts) <= 1, (existing, result)
            # fewest moves: everyone above their group's share must move, nobody else
            base, extra = divmod(n_people, n_groups)
            have = sorted((list(existing.values()).count(g) for g in groups), reverse=True)
            targets = [base + 1] * extra + [base] * (n_groups - extra)
            assert moved(existing, result) == sum(max(0, h - t) for h, t in zip(have, targets, strict=True))


def test_split_over_the_dispatcher_evens_out_an_uneven_rotation(bot):
    bot.slash("/homeoffice einrichten A,B woche")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber @dieter.fischer @elif.yilmaz")
    reply = bot.slash("/homeoffice aufteilen")
    assert reply.startswith("Aufgeteilt")
    groups = {m.user_id: m.group for m in rows(bot, RotationMember)}
    assert sorted(list(groups.values()).count(g) for g in "AB") == [3, 4]
    five = [bot.user(u).id for u in ("anna.schmidt", "bernd.mueller", "claudia.weber", "dieter.fischer", "elif.yilmaz")]
    assert sum(1 for uid in five if groups[uid] == "A") == 4  # exactly one of them moved
    moved_entries = [e for e in rows(bot, AuditEntry) if e.detail == '{"group":"B","split":true}' and e.subject_id in five]
    assert len(moved_entries) == 1
