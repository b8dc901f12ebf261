"""Plan computation, pure: a year of `domain.rotation.plan` for 20,000 people.

    uv run python -m benchmarks.plan [--people 20000] [--repeat 3]

Two shapes of the same 20,000 people over one calendar year (all Mon–Fri days, holidays of
DE-NW), with about 3 % of person-days away and 2 % with a one-off change:

* `2,000 × 10`: 2,000 rotations of 10 people (weekly, daily and custom patterns in turn), one
  `plan()` call each - what `amtsbote plan` over every channel or a year of morning jobs does;
* `1 × 20,000`: one rotation holding everybody.

The reference is the least any implementation must do in Python: touch each person-day once
(a dict comprehension per day and rotation writing office/home). The ratio plan/reference says
how close `plan()` is to that floor; below 1 means it beats it (it shares one mapping between
days without changes instead of building one per day). The first call in a fresh process is
reported on its own: it loads the holiday tables.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from benchmarks.common import table


def build(people: int, per_rotation: int, year: int):  # noqa: ANN201
    from domain.rotation import Rotation, Where

    rng = random.Random(5)
    patterns = [("weekly", None), ("daily", None), ("custom", "AAABB/BBBAA")]
    start, end = date(year, 1, 1), date(year, 12, 31)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    rotations = []
    for r in range(people // per_rotation):
        pattern, custom = patterns[r % 3]
        rotation = Rotation.create("A,B", pattern, start - timedelta(days=21), custom=custom, min_office=3,
                                   region="DE-NW")
        members = {f"u{r}.{p}": "AB"[p % 2] for p in range(per_rotation)}
        changes, absences = {}, set()
        for person in members:
            for day in rng.sample(days, k=len(days) // 20):
                if rng.random() < 0.6:
                    absences.add((person, day))
                else:
                    changes[(person, day)] = rng.choice([Where.OFFICE, Where.HOME, Where.FIELD])
        rotations.append((rotation, members, changes, absences))
    return rotations, start, end, days


def run_plan(rotations, start: date, end: date) -> tuple[float, int]:  # noqa: ANN001
    from domain.rotation import plan

    t = time.perf_counter()
    entries = 0
    for rotation, members, changes, absences in rotations:
        for day in plan(rotation, start, end, members, changes, absences):
            entries += len(day.entries)
    return time.perf_counter() - t, entries


def run_floor(rotations, days) -> float:  # noqa: ANN001
    t = time.perf_counter()
    for _rotation, members, _changes, _absences in rotations:
        for i, _day in enumerate(days):
            _ = {p: ("office" if (g == "A") == (i % 2 == 0) else "home") for p, g in members.items()}
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description="a year of rotation plans, pure")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N")
    parser.add_argument("--year", type=int, default=date.today().year + 1)
    args = parser.parse_args()
    rows = []
    first_call = None
    for per_rotation in (10, args.people):
        rotations, start, end, days = build(args.people, per_rotation, args.year)
        if first_call is None:
            first_call, _ = run_plan(rotations[:1], start, end)
        best = min(run_plan(rotations, start, end)[0] for _ in range(args.repeat))
        _, entries = run_plan(rotations, start, end)
        floor = min(run_floor(rotations, days) for _ in range(args.repeat))
        person_days = args.people * len(days)
        rows.append([f"{len(rotations):,} × {per_rotation:,}", f"{person_days:,}", best, f"{person_days / best:,.0f}",
                     f"{1000 * best / len(rotations):.3f}", floor, f"{best / floor:.2f}", f"{entries:,}"])
    print(f"a year ({args.year}, {len(days)} Mon–Fri days) of plans for {args.people:,} people; best of {args.repeat}")
    print(f"first plan() call in this process (loads holiday tables): {1000 * first_call:.1f} ms")
    print(table(["shape", "person-days", "plan s", "person-days/s", "ms per rotation-year", "floor s",
                 "plan/floor", "entries"], rows))


if __name__ == "__main__":
    main()
