"""/meeting over real HTTP against the Mattermost stand-in (issue 14, the meeting part): an answer
belongs to one occurrence; a monthly series on the 29th–31st falls on the last day of shorter
months; times in the spring gap or the autumn overlap are refused, and a series that runs through a
clock change says how it is handled; the calendar file reads the same in every client, checked with
parsers that know only the file's own VTIMEZONE (icalendar's `to_tz`, and Mozilla's ical.js when
node is installed); the meeting's outbox keys come from what they are about, never from the clock.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar
from sqlmodel import col, select

from storage.db import Database
from storage.meeting_models import Meeting
from storage.models import OutboxItem
from tests.harness import berlin
from tests.live import LiveBot, manual_clock

BERLIN = ZoneInfo("Europe/Berlin")
ICALJS = Path(__file__).resolve().parent / "icaljs"


def announcement(bot):
    return next(p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).endswith(":announce"))


def text_of(post) -> str:
    return post.props["attachments"][0]["text"]


def start_bot(standin, tmp_path, when: str) -> LiveBot:
    bot = LiveBot(standin, tmp_path, clock=manual_clock(when))
    bot.register()
    bot.start()
    return bot


def calendar_file(bot, standin, meeting_id: int) -> bytes:
    before = {p.id for p in bot.channel_posts() if p.file_ids}
    assert "Kalenderdatei" in bot.answer(f"ics {meeting_id}", command="/meeting")
    bot.drain()
    (post,) = [p for p in bot.channel_posts() if p.file_ids and p.id not in before]
    return standin.file_bytes(post.file_ids[0])


def _values(prop) -> list:
    props = prop if isinstance(prop, list) else [prop]
    return [value.dt for p in props for value in p.dts]


def file_instants(data: bytes, start: date, end: date) -> list[datetime]:
    """The event's occurrences starting in [start, end) as a parser that knows only the file's own
    VTIMEZONE reads them (icalendar's `Timezone.to_tz` without a zone database look-up), in UTC."""
    calendar = Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    tz = zone.to_tz(lookup_tzid=False)  # built from the file's observances alone

    def is_utc(value: datetime) -> bool:  # written with a Z
        return value.tzinfo is UTC or getattr(value.tzinfo, "key", None) == "UTC"

    def wall(value: datetime) -> datetime:  # the wall-clock time as written, to be read in the file's zone
        return value.astimezone(UTC) if is_utc(value) else value.replace(tzinfo=None)

    (event,) = calendar.walk("VEVENT")
    first = wall(event.decoded("dtstart"))
    excluded = {wall(d) for d in _values(event.get("exdate", []))}
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=first)
    lo, hi = datetime.combine(start, time()) - timedelta(days=1), datetime.combine(end, time()) + timedelta(days=1)
    found = [d.replace(tzinfo=tz).astimezone(UTC) for d in rule.between(lo, hi, inc=True) if d not in excluded]
    found += [wall(d) if is_utc(d) else wall(d).replace(tzinfo=tz).astimezone(UTC)
              for d in _values(event.get("rdate", []))]
    begin, stop = (datetime.combine(d, time(), tzinfo=BERLIN) for d in (start, end))
    return sorted(d for d in found if begin <= d < stop)


def icaljs_instants(data: bytes, start: date, end: date) -> list[datetime]:
    """The same, as Mozilla's ical.js (Thunderbird's parser) reads the file; skipped without node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed, so ical.js cannot run here")
    if not (ICALJS / "node_modules" / "ical.js").is_dir():
        if npm is None:
            pytest.skip("npm is not installed, so ical.js cannot be installed")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ICALJS, capture_output=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"ical.js could not be installed from the npm registry: {done.stderr[-300:]!r}")
    lo, hi = (start - timedelta(days=2)).isoformat(), (end + timedelta(days=2)).isoformat()
    out = subprocess.run([node, "expand.mjs", lo, hi], cwd=ICALJS, input=data, capture_output=True, timeout=60,
                         check=True)
    begin, stop = (datetime.combine(d, time(), tzinfo=BERLIN) for d in (start, end))
    found = (datetime.fromtimestamp(seconds, UTC) for _, seconds in json.loads(out.stdout))
    return sorted(d for d in found if begin <= d < stop)


# -- 5. an answer belongs to one occurrence ------------------------------------------------------------------


def test_an_answer_belongs_to_one_occurrence_names_its_date_and_the_next_one_starts_at_zero(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2026-12-07 07:00")
    users = bot.world["users"]
    try:
        bot.slash('neu "Teamrunde" heute 10:00 wöchentlich', command="/meeting")
        bot.drain()
        post = announcement(bot)
        ids = {a["name"]: a["id"] for a in post.actions()}
        declined = standin.click(bot.url, post_id=post.id, action_id=ids["Absage"], user=users["bernd.mueller"])
        assert declined.ephemeral_text == "Du hast für Mo, 07.12.2026 abgesagt."
        assert "✅ Zusagen: 0 · ❌ Absagen: 1" in text_of(declined.post)
        accepted = standin.click(bot.url, post_id=post.id, action_id=ids["Zusage"], user=users["james.miller"])
        assert accepted.ephemeral_text == "You accepted for Mon, 7 Dec 2026."

        bot.clock.set(berlin("2026-12-07 10:35"))  # this Monday's meeting is over
        bot.tick()
        bot.drain()
        text = text_of(standin.post(post.id))
        assert "**Nächster Termin:** Mo, 14.12.2026, 10:00–10:30 Uhr" in text
        assert "✅ Zusagen: 0 · ❌ Absagen: 0" in text  # the answers were for the 7th

        again = standin.click(bot.url, post_id=post.id, action_id=ids["Zusage"], user=users["bernd.mueller"])
        assert again.ephemeral_text == "Du hast für Mo, 14.12.2026 zugesagt."
        assert "✅ Zusagen: 1 · ❌ Absagen: 0" in text_of(again.post)
        mine = bot.slash("meine-daten", user="bernd.mueller").text
        assert "Absage zu „Teamrunde“ am Mo, 07.12.2026" in mine and "Zusage zu „Teamrunde“ am Mo, 14.12.2026" in mine
    finally:
        bot.stop()


# -- 6. monthly on the 29th–31st ---------------------------------------------------------------------------------


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months_and_says_so(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2027-03-01 09:00")
    try:
        reply = bot.slash('neu "Monatsabschluss" 31.03.2027 13:00 monatlich', command="/meeting").text
        assert "monatlich am 31., in kürzeren Monaten am Monatsletzten. Die Ankündigung" in reply, reply
        assert ".." not in reply
        data = calendar_file(bot, standin, 1)
        (event,) = Calendar.from_ical(data).walk("VEVENT")
        assert event["rrule"].to_ical() == b"FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
        days = [d.astimezone(BERLIN).date() for d in file_instants(data, date(2027, 3, 1), date(2028, 4, 1))]
        assert days[:4] == [date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31), date(2027, 6, 30)]
        assert date(2028, 2, 29) in days and len(days) == 13

        bot.clock.set(berlin("2027-03-31 13:35"))
        bot.tick()
        bot.drain()
        text = text_of(announcement(bot))
        assert "**Nächster Termin:** Fr, 30.04.2027, 13:00–13:30 Uhr" in text
        assert "monatlich am 31., in kürzeren Monaten am Monatsletzten" in text

        english = bot.slash('new "Month end" 30.01.2028 09:00 monthly', command="/meeting", user="james.miller").text
        assert "monthly on the 30th, on the last day in shorter months. The announcement" in english, english
        plain_monthly = bot.slash('neu "Jour fixe" 15.04.2027 09:00 monatlich', command="/meeting").text
        assert "monatlich am 15. Die Ankündigung" in plain_monthly, plain_monthly  # one full stop, not two
    finally:
        bot.stop()


# -- 7. the clock change --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "user", "expected"), [
    ('neu "X" 28.03.2027 02:30', "anna.schmidt",
     "Am So, 28.03.2027 gibt es 02:30 Uhr nicht: Um 02:00 Uhr werden die Uhren auf 03:00 Uhr vorgestellt."),
    ('neu "X" 31.10.2027 02:30', "anna.schmidt",
     "Am So, 31.10.2027 gibt es 02:30 Uhr zweimal: Um 03:00 Uhr werden die Uhren auf 02:00 Uhr zurückgestellt."),
    ('neu "X" 28.03.2027 02:30 täglich', "anna.schmidt", "Am So, 28.03.2027 gibt es 02:30 Uhr nicht"),
    ('new "X" 28.03.2027 2:00 weekly', "james.miller",
     "On Sun, 28 Mar 2027 there is no 02:00: at 02:00 the clocks go forward to 03:00."),
    ('new "X" 31.10.2027 02:59', "james.miller",
     "On Sun, 31 Oct 2027 02:59 happens twice: at 03:00 the clocks go back to 02:00."),
])
def test_a_time_that_does_not_exist_or_happens_twice_is_refused_naming_the_day(standin, tmp_path, line, user,
                                                                              expected):
    bot = start_bot(standin, tmp_path, "2027-03-01 09:00")
    try:
        reply = bot.slash(line, command="/meeting", user=user)
        assert expected in reply.text, reply.text
        assert "ID 1" not in reply.text
        bot.drain()
        assert announcement_or_none(bot) is None
        db = Database(bot.database_url)
        with db.read() as session:
            assert session.exec(select(Meeting)).all() == []
        db.dispose()
    finally:
        bot.stop()


def announcement_or_none(bot):
    return next((p for p in bot.channel_posts() if str((p.props or {}).get("amtsbote_key", "")).endswith(":announce")),
                None)


def test_a_series_through_the_clock_changes_says_how_and_the_calendar_file_agrees(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2027-03-20 09:00")
    try:
        spring = bot.slash('neu "Nachtdienst" 27.03.2027 02:30 täglich', command="/meeting").text
        assert "ID 1" in spring
        assert ("An Tagen der Zeitumstellung gibt es 02:30 Uhr nicht (zuerst So, 28.03.2027): Der Termin beginnt "
                "dann um 03:30 Uhr.") in spring, spring
        listing = bot.slash("liste", command="/meeting").text
        assert "So, 28.03.2027, 03:30–04:00 Uhr" in listing and "Di, 30.03.2027, 02:30–03:00 Uhr" in listing
        data = calendar_file(bot, standin, 1)
        announced = [berlin("2027-03-27 02:30"), datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN),
                     berlin("2027-03-30 02:30")]  # the 29th is Easter Monday
        assert file_instants(data, date(2027, 3, 27), date(2027, 3, 31)) == announced
        # in autumn the first 02:30, still in summer time
        assert file_instants(data, date(2027, 10, 31), date(2027, 11, 1)) == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]

        autumn = bot.slash('new "Night shift" 30.10.2027 02:30 daily', command="/meeting", user="james.miller").text
        assert ("On clock-change days 02:30 happens twice (first on Sun, 31 Oct 2027): the meeting then starts at the "
                "first 02:30, before the clocks go back (CEST).") in autumn, autumn
        bot.clock.set(berlin("2027-10-30 12:00"))
        listing = bot.slash("liste", command="/meeting").text
        assert "So, 31.10.2027, 02:30 Uhr MESZ – 02:00 Uhr MEZ · **Night shift**" in listing, listing
        assert "02:30–02:00" not in listing
    finally:
        bot.stop()


def test_ical_js_reads_a_series_through_the_clock_changes_as_the_bot_announces_it(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2027-03-20 09:00")
    try:
        bot.slash('neu "Nachtdienst" 27.03.2027 02:30 täglich', command="/meeting")
        data = calendar_file(bot, standin, 1)
        for start, end in ((date(2027, 3, 27), date(2027, 3, 30)), (date(2027, 10, 30), date(2027, 11, 2)),
                           (date(2035, 3, 24), date(2035, 3, 27))):
            assert icaljs_instants(data, start, end) == file_instants(data, start, end), start
        assert icaljs_instants(data, date(2027, 3, 28), date(2027, 3, 29)) == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]
    finally:
        bot.stop()


# -- 11. calendar files every common client reads the same way ----------------------------------------------------


@pytest.fixture
def weekly_file(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2026-11-23 09:00")
    try:
        bot.slash('neu "Teamrunde" 30.11. 10:00 wöchentlich', command="/meeting")
        yield calendar_file(bot, standin, 1)
    finally:
        bot.stop()


def test_the_calendar_files_zone_has_yearly_rules_for_any_year(weekly_file):
    (zone,) = Calendar.from_ical(weekly_file).walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Berlin" and "COMMENT" not in zone
    observances = {sub.name: sub for sub in zone.subcomponents}
    assert sorted(observances) == ["DAYLIGHT", "STANDARD"] and len(zone.subcomponents) == 2
    assert dict(observances["DAYLIGHT"]["rrule"]) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert dict(observances["STANDARD"]["rrule"]) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert "RDATE" not in weekly_file.decode()


@pytest.mark.parametrize("year", [2027, 2028, 2035])
@pytest.mark.parametrize("reader", [file_instants, icaljs_instants], ids=["icalendar-to_tz", "ical.js"])
def test_every_occurrence_of_a_weekly_ten_oclock_series_reads_as_ten_oclock(weekly_file, reader, year):
    found = reader(weekly_file, date(year, 1, 1), date(year + 1, 1, 1))
    assert len(found) >= 48
    local = [d.astimezone(BERLIN) for d in found]
    assert {d.time() for d in local} == {time(10)}, [d for d in local if d.time() != time(10)]
    assert {d.utcoffset() for d in local} == {timedelta(hours=1), timedelta(hours=2)}  # winter and summer
    assert {d.weekday() for d in local} == {0}


def test_holidays_are_excluded_for_at_least_ten_years(weekly_file):
    (event,) = Calendar.from_ical(weekly_file).walk("VEVENT")
    excluded = {d.date() for d in _values(event["exdate"])}
    assert {date(2027, 3, 29), date(2036, 4, 14), date(2036, 6, 2)} <= excluded  # Easter and Whit Mondays
    days = {d.astimezone(BERLIN).date() for d in file_instants(weekly_file, date(2036, 4, 1), date(2036, 7, 1))}
    assert date(2036, 4, 14) not in days and date(2036, 4, 21) in days


# -- 4. keys from what they are about ---------------------------------------------------------------------------


def test_meeting_outbox_keys_come_from_what_they_are_about_never_from_the_clock(standin, tmp_path):
    bot = start_bot(standin, tmp_path, "2026-11-23 09:00")  # the clock stands still throughout
    now = bot.clock.now()
    try:
        for _ in range(2):
            assert "ID" in bot.slash('neu "Teamrunde" heute 10:00 wöchentlich', command="/meeting").text
        bot.slash("absagen 1 30.11.", command="/meeting")
        bot.slash("absagen 1 7.12.", command="/meeting")
        bot.slash("absagen 2", command="/meeting")
        bot.drain()
        notices = [p.message for p in bot.channel_posts() if p.message.startswith("❌")]
        assert len(notices) == 3, notices  # none swallowed by a key another action already used
        db = Database(bot.database_url)
        with db.read() as session:
            keys = session.exec(select(OutboxItem.key).where(col(OutboxItem.key).like("meeting:%"))).all()
        db.dispose()
        clock_marks = {str(int(now.timestamp())), str(int(now.timestamp() * 1000)), now.strftime("%Y%m%d")}
        assert not [k for k in keys if any(mark in k for mark in clock_marks)], keys
        allowed = re.compile(r"meeting:\d+:(announce|patch:[0-9a-f]{32}|cancel:(all|\d{4}-\d{2}-\d{2}))")
        assert all(allowed.fullmatch(k) for k in keys), keys
    finally:
        bot.stop()
