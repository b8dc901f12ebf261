"""`amtsbote plan` (SPEC §6): one row per rotation member and working day, none for weekends
and holidays, no notes, no past days (SPEC §3)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot import cli
from bot.cli_ops import export_rows, format_rows
from tests.factories import SIX


def usernames(bot) -> dict[str, str]:
    return {u.id: u.username for u in bot.mm.users_by_id.values()}


def export(bot, start: str, end: str) -> list[dict[str, str]]:
    from datetime import date

    return export_rows(bot.settings, bot.channel_id(), date.fromisoformat(start), date.fromisoformat(end),
                       usernames(bot), db=bot.runtime.db)


def setup_rotation(bot, words: str) -> None:
    assert bot.slash(f"/homeoffice einrichten {words}").startswith("Rotation eingerichtet")
    bot.slash("/homeoffice gruppe A @anna.schmidt @bernd.mueller @claudia.weber")
    bot.slash("/homeoffice gruppe B @dieter.fischer @elif.yilmaz @frank.hoffmann")


def test_every_member_every_working_day_none_for_weekends_and_holidays(bot):
    setup_rotation(bot, "A,B woche ab 23.11.2026 region DE-BW")
    bot.slash("/homeoffice abwesend 22.12. Urlaub", as_="dieter.fischer")
    rows = export(bot, "2026-12-19", "2027-01-03")  # Sat to Sun: Christmas on Fri 25.12., New Year on Fri 1.1.
    days = ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31"]
    assert sorted({r["date"] for r in rows}) == days
    assert len(rows) == len(days) * len(SIX)
    assert {(r["date"], r["user"]) for r in rows} == {(d, u) for d in days for u in SIX}
    assert {"date": "2026-12-22", "user": "dieter.fischer", "where": "away", "duties": []} in rows
    assert {"date": "2026-12-21", "user": "dieter.fischer", "where": "home", "duties": []} in rows  # week of 21.12.: A
    assert {"date": "2026-12-28", "user": "dieter.fischer", "where": "office", "duties": []} in rows
    assert "Urlaub" not in json.dumps(rows, ensure_ascii=False)


def test_before_the_rotation_starts_only_people_with_a_change_or_absence_have_rows(bot):
    # Like `plan`: before its start a rotation schedules nobody; one-off changes and absences still count.
    setup_rotation(bot, "A,B woche ab 30.11.2026")
    bot.slash("/homeoffice büro 24.11.", as_="dieter.fischer")
    bot.slash("/homeoffice abwesend 25.11.", as_="anna.schmidt")
    rows = export(bot, "2026-11-23", "2026-12-04")
    before = [r for r in rows if r["date"] < "2026-11-30"]
    assert before == [{"date": "2026-11-24", "user": "dieter.fischer", "where": "office", "duties": []},
                      {"date": "2026-11-25", "user": "anna.schmidt", "where": "away", "duties": []}]
    after = [r for r in rows if r["date"] >= "2026-11-30"]
    assert len(after) == 5 * len(SIX)
    assert {"date": "2026-11-30", "user": "anna.schmidt", "where": "office", "duties": []} in after


def test_table_and_csv_formats(bot):
    setup_rotation(bot, "A,B woche ab 23.11.2026")
    rows = export(bot, "2026-11-27", "2026-11-30")  # Fri, (weekend), Mon
    table = format_rows(rows, "table").splitlines()
    assert table[0] == "date        user            where"
    assert table[1] == "2026-11-27  anna.schmidt    office"
    assert "2026-11-30  frank.hoffmann  office" in table and "2026-11-30  anna.schmidt    home" in table
    assert len(table) == 1 + 2 * len(SIX)
    text = format_rows(rows, "csv")
    assert text.splitlines()[0] == "date,user,where,duties"
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed == [{**r, "duties": ""} for r in rows]
    assert json.loads(format_rows(rows, "json")) == rows


def test_table_of_an_empty_export_has_its_header():
    assert format_rows([], "table") == "date        user  where"
    assert format_rows([], "csv") == "date,user,where,duties"
    assert format_rows([], "json") == "[]"


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("MATTERMOST_URL", "MATTERMOST_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATTERMOST_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MATTERMOST_TOKEN", "abcdefghijklmnop")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_export_refuses_past_days(cli_env, capsys, fmt):
    code = cli.main(["plan", "--channel", "jugendamt-asd", "--from", "2020-01-06", "--to", "2020-01-10", "--format", fmt])
    out = capsys.readouterr()
    assert code == 2 and out.out == ""
    assert "--from: past days are not exported" in out.err


def test_export_refuses_a_range_that_ends_before_it_starts(cli_env, capsys):
    assert cli.main(["plan", "--channel", "x", "--from", "2099-01-10", "--to", "2099-01-06"]) == 2
    assert "--to: must not be before --from" in capsys.readouterr().err
