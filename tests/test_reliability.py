"""Reliability under load, faults and bad input (issue: reliability, security, data protection)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEntry, PresenceChange
from storage.outbox import enqueue_post
from tests import scan
from tests.harness import assert_localized
from tests.live import LiveBot, manual_clock
from tests.provider_standins import provider_standin  # noqa: F401

NASTY = st.sampled_from([
    "@channel", "@all", "@here", "<!channel>", "<!here|x>", "@everyone", "[klick](https://evil.example/x)",
    "![img](https://evil.example/i.png)", "\u202eevil\u202c", "\u200b@\u200ball", "\x00", "'; DROP TABLE rotation; --",
    "$(rm -rf /)", "`rm -rf`", "%00%ff", "**fett** _kursiv_ # Titel", "<script>alert(1)</script>", "\n\n| a | b |",
    "a" * 10_000, "für @bernd.mueller", "bis 31.02.", "25:00", "0391 540-1234",
])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=40)), max_size=5).map(" ".join)


def test_fifty_concurrent_writers_on_sqlite_never_see_database_is_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    databases = [Database(url) for _ in range(5)]  # five "processes" worth of engines
    errors: list[BaseException] = []
    written = []
    deadline = time.monotonic() + 3.0

    def writer(n: int) -> None:
        db = databases[n % len(databases)]
        i = 0
        while time.monotonic() < deadline:
            try:
                with db.write() as session:
                    session.merge(PresenceChange(user_id=f"user{n:02d}", day=date(2027, 1, 1) + timedelta(days=i),
                                                 where="office", set_by=f"user{n:02d}"))
                    session.add(AuditEntry(at=__import__("datetime").datetime.now(__import__("datetime").UTC),
                                           actor_id="x", subject_id=f"user{n:02d}", action="load", detail=""))
                written.append((n, i))
                i += 1
            except BaseException as e:  # noqa: BLE001 - any error is a failure here
                errors.append(e)
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with databases[0].read() as session:
        count = session.execute(sa.select(sa.func.count()).select_from(PresenceChange.__table__)).scalar_one()
    assert count == len(written) and count > 50
    for db in databases:
        db.dispose()


def test_fifty_concurrent_slash_commands_all_answered(live):
    live.slash("einrichten A,B woche")
    live.slash("aufteilen")
    users = list(live.world["users"])
    days = ["11.03.2030", "12.03.2030", "13.03.2030", "14.03.2030", "15.03.2030", "18.03.2030", "19.03.2030"]

    def one(i: int):
        # the answer, straight away or (on a busy machine) through response_url after "one moment"
        return live.answer(f"büro {days[i % len(days)]}", user=users[(i // len(days)) % len(users)])

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert all("Büro am" in r or "office on" in r for r in results), \
        [r for r in results if "Büro am" not in r and "office on" not in r][:3]
    with live.runtime.db.read() as session:
        stored = len(session.exec(select(PresenceChange)).all())
    assert stored == len({(i % len(days), (i // len(days)) % len(users)) for i in range(50)})


def test_slow_mattermost_still_answers_within_a_second_and_follows_up(live, standin):
    live.slash("hilfe", user="claudia.weber")  # warm the user cache for the others
    standin.faults.add(method="GET", path=r"^/api/v4/users/", latency=2.0)
    live.runtime.mm.forget_user(live.world["users"]["elif.yilmaz"].id)
    started = time.monotonic()
    result = live.slash("hilfe", user="elif.yilmaz")
    assert time.monotonic() - started < 1.0
    assert result.status == 200 and "Einen Moment" in result.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        follow = [p for p in standin.ephemerals_for(live.world["users"]["elif.yilmaz"]) if "#### /homeoffice" in p.message]
        if follow:
            break
        time.sleep(0.1)
    assert follow, "the real answer never arrived through response_url"


def test_outage_across_roster_time_posts_once_when_mattermost_returns(standin, tmp_path):
    clock = manual_clock("2026-11-23 07:00")
    bot = LiveBot(standin, tmp_path, clock=clock)
    bot.register()
    bot.start()
    try:
        bot.slash("einrichten A,B woche ab 16.11.2026")
        bot.slash("aufteilen")
        bot.drain()
        clock.set(clock.now() + timedelta(minutes=25))  # 07:25
        standin.outage()
        for minutes in (5, 15, 30):  # 07:30 .. 08:20, Mattermost down
            clock.set(clock.now() + timedelta(minutes=minutes))
            bot.tick()
        standin.recover()
        clock.set(clock.now() + timedelta(minutes=40))  # 09:00, before ROSTER_LATEST
        bot.tick()
        assert bot.drain(timeout=60)
        bot.tick()
        bot.drain()
        rosters = [p for p in bot.channel_posts() if (p.props or {}).get("amtsbote_key", "").startswith("roster:")]
        assert len(rosters) == 1 and "Mo, 23.11.2026" in rosters[0].props["attachments"][0]["text"]
    finally:
        bot.stop()


def test_429_storm_never_retries_a_post_before_retry_after_and_own_rate_is_capped(standin, tmp_path):
    bot = LiveBot(standin, tmp_path, outbox_max_rate=5.0, outbox_burst=5)
    bot.register()
    bot.start()
    try:
        standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=429, retry_after=1, times=6)
        with bot.runtime.db.write() as session:
            for i in range(20):
                enqueue_post(session, key=f"storm:{i}", channel_id=bot.world["channel"].id, message=f"Nachricht {i}",
                             now=bot.runtime.clock.now())
        started = time.monotonic()
        bot.runtime.outbox.notify()
        assert bot.drain(timeout=90)
        elapsed = time.monotonic() - started
        attempts = standin.requests_to("POST", r"^/api/v4/posts$")
        by_post: dict[str, list] = {}
        for r in attempts:
            by_post.setdefault(r.json["pending_post_id"], []).append(r)
        for tries in by_post.values():
            for before, after in zip(tries, tries[1:], strict=False):
                if before.status == 429:
                    assert after.time - before.time >= 1.0
        messages = [p.message for p in bot.channel_posts()]
        assert sorted(messages) == sorted(f"Nachricht {i}" for i in range(20))
        assert elapsed >= (20 - 5) / 5.0 * 0.9  # never faster than our own cap of 5/s after a burst of 5
    finally:
        bot.stop()


def test_outbound_requests_go_only_to_mattermost_and_the_meeting_providers(standin, tmp_path, monkeypatch,
                                                                          provider_standin):  # noqa: F811
    from commands.meeting import rooms

    monkeypatch.setattr(rooms, "provider_config", lambda settings: provider_standin.config())
    allowed = {urlsplit(standin.url).netloc, urlsplit(provider_standin.url).netloc}
    seen: list[str] = []
    original = httpx.AsyncHTTPTransport.handle_async_request

    async def guarded(self, request):
        seen.append(request.url.netloc.decode() if isinstance(request.url.netloc, bytes) else request.url.netloc)
        if seen[-1] not in allowed:
            raise AssertionError(f"outbound request to {request.url.host}")
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded)
    bot = LiveBot(standin, tmp_path, clock=manual_clock("2026-11-23 09:00"), **provider_standin.settings_changes())
    allowed.add(urlsplit(bot.url).netloc)
    scan.DELIBERATE_LINKS.add("https://evil.example/raum")  # the typed meeting link is meant to be one
    bot.register()
    bot.start()
    try:
        for text in ("einrichten A,B woche min 3", "aufteilen", "abwesend morgen https://evil.example/x",
                     "plan", "tausch @elif.yilmaz 24.11."):
            bot.slash(text)
        bot.slash("", command="/anwesenheit")
        bot.slash("posten", command="/anwesenheit")
        for via in ("bbb", "zoom", "jitsi", "https://evil.example/raum"):
            assert "ID" in bot.slash(f'neu "Runde" morgen 10:00 über {via}', command="/meeting").text
        bot.slash("handy 0171 2345678", command="/rufumleitung", user="dieter.fischer")
        bot.drain()
    finally:
        bot.stop()
    assert seen and set(seen) <= allowed
    assert urlsplit(provider_standin.url).netloc in seen  # the providers were really used


# -- hostile input ---------------------------------------------------------------------------------
#
# Every fuzz test keeps its example count modest: the file is in the default suite.

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PEOPLE = (("bernd.mueller", "de"), ("james.miller", "en"))  # members, not leads; one of each language


def _snapshot(live) -> dict[str, list[str]]:
    """Every row of every table. Nothing is left out, the technical tables included: a refused
    command or button queues no post (outbox), writes no audit entry and touches no ledger."""
    with live.runtime.db.read() as session:
        connection = session.connection()
        names = sa.inspect(connection).get_table_names()
        missing = set(SQLModel.metadata.tables) - set(names)
        assert not missing, f"tables of the models missing from the database: {missing}"
        return {name: sorted(repr(tuple(row)) for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')))
                for name in names}


def _changed(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    return {name: (len(before.get(name, [])), len(rows)) for name, rows in after.items() if before.get(name) != rows}


def _with_rotation(live) -> None:
    """A rotation with both groups filled, set up once per bot: there is shared state to protect."""
    with live.runtime.db.read() as session:
        if session.execute(sa.text("SELECT count(*) FROM rotation")).scalar_one():
            return
    assert live.slash("einrichten A,B woche").text.startswith("Rotation eingerichtet")
    assert live.slash("aufteilen").status == 200
    live.drain()


# Commands a member who is not a lead may not run, with a hole for the fuzzed text. Whatever
# the text, the answer is a refusal and nothing is stored, queued or posted.
MUST_REFUSE = [
    ("/homeoffice", "einrichten {}"), ("/homeoffice", "setup A,B {}"), ("/homeoffice", "gruppe A {}"),
    ("/homeoffice", "assign B {} @anna.schmidt"), ("/homeoffice", "entfernen @anna.schmidt {}"),
    ("/homeoffice", "aufteilen {}"), ("/homeoffice", "leitung add {}"), ("/homeoffice", "lead remove @anna.schmidt {}"),
    ("/homeoffice", "löschen {}"), ("/homeoffice", "büro {} für @anna.schmidt"),
    ("/homeoffice", "away tomorrow {} for @anna.schmidt"), ("/homeoffice", "unterwegs morgen {} für @claudia.weber"),
    ("/anwesenheit", "posten {}"), ("/anwesenheit", "zeit {}"), ("/anwesenheit", "days {}"),
    ("/anwesenheit", "sprache {}"), ("/anwesenheit", "aus {}"), ("/anwesenheit", "region {}"),
    ("/rufumleitung", "handy {} für @anna.schmidt"), ("/rufumleitung", "voicemail {} for @anna.schmidt"),
    ("/rufumleitung", "aus {} für @anna.schmidt"), ("/rufumleitung", "privat {} für @claudia.weber"),
    ("/meeting", "absagen 999999 {}"), ("/meeting", "cancel 999998 {}"), ("/meeting", "ics 999999 {}"),
]


@FUZZ
@given(template=st.sampled_from(MUST_REFUSE), text=TEXT)
def test_refused_commands_with_hostile_text_change_no_table_and_answer_in_the_callers_language(live, template, text):
    _with_rotation(live)
    command, pattern = template
    line = pattern.format(text)
    before = _snapshot(live)
    for user, locale in PEOPLE:
        result = live.slash(line, command=command, user=user)
        assert result.status == 200, (command, line[:80], result.status)
        assert_localized(result.text, locale, typed=line)
        assert not scan.check_text(result.text, "reply", ephemeral=True)
    after = _snapshot(live)
    assert after == before, f"{command} {line[:80]!r} changed {_changed(before, after)}"


# Tables only a lead or the rotation itself changes: a member's garbage never touches them.
SHARED = ("rotation", "rotation_member", "channel_lead", "channel_settings", "slash_command", "roster_post")


@settings(FUZZ, max_examples=15)
@given(text=TEXT, person=st.sampled_from(PEOPLE))
def test_hostile_command_text_is_answered_in_the_callers_language_and_shared_state_stays(live, text, person):
    _with_rotation(live)
    user, locale = person
    before = {k: v for k, v in _snapshot(live).items() if k in SHARED}
    for command in ("/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"):
        result = live.slash(text, command=command, user=user)
        assert result.status == 200, (command, text[:80], result.status)
        assert_localized(result.text, locale, typed=text)
    after = {k: v for k, v in _snapshot(live).items() if k in SHARED}
    assert after == before, _changed(before, after)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode),
                      st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=8).map(
                          lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode())))
def test_random_form_bodies_never_give_5xx(live, body):
    response = httpx.post(live.url + "/mattermost/command", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 401, 413)


# The text field of an otherwise valid request, as raw bytes of the form body: well encoded odd
# text, and encodings a sloppy or hostile client might send.
ODD_TEXT = st.sampled_from([
    "\u202eevil\u202c hilfe", "\u2067rtl\u2069", "hilfe\u200d\u200b\u2060", "\x00", "a\x00b", "\ufeffhilfe",
    "x" * 10_000, "x" * 10_001, "**fett** _kursiv_ # Titel\n\n| a | b |\n|---|---|", "```\n@all\n```",
    "@all", "@channel", "@here", "@jugendamt-team", "<!channel>", "<!here|hier>", "<@abc>",
    "[klick](https://evil.example/x)", "https://evil.example/x", "www.evil.example", "javascript:alert(1)",
    "'; DROP TABLE rotation; --", "\" OR 1=1 --", "$(rm -rf /)", "`id`", "a; rm -rf / | cat && echo $HOME",
    "büro morgen", "abwesend morgen Notiz @all https://evil.example/x", "für @anna.schmidt", "Ünïcödé ✓ 🏠",
])
RAW_TEXT = st.one_of(
    st.tuples(ODD_TEXT, TEXT).map(lambda t: quote_plus(" ".join(t)).encode()),
    st.sampled_from([b"%zz", b"%", b"%%41", b"%e0%80%80", b"%c3", b"%ed%a0%80", b"%ff%fe%00", b"%C0%AF",
                     b"\xff\xfe", b"\xc3", b"+%2B+", b"a%26token%3Dx", b"%0d%0aX-Injected: 1", b"%F0%9F%8F",
                     "ä".encode("latin-1"), "hilfe".encode("utf-16")]),
    st.binary(max_size=300).map(lambda b: b.replace(b"&", b"").replace(b"=", b"")),
)


def _valid_fields(live, command: str, user: str) -> dict[str, str]:
    person = live.world["users"][user]
    token = next(c.token for c in live.standin.commands("stadtverwaltung") if "/" + c.trigger == command)
    return {"token": token, "team_id": live.world["team"].id, "team_domain": "stadtverwaltung",
            "channel_id": live.world["channel"].id, "channel_name": "jugendamt-asd", "user_id": person.id,
            "user_name": person.username, "command": command, "trigger_id": "t" * 30, "response_url": ""}


@FUZZ
@given(raw=RAW_TEXT, command=st.sampled_from(["/homeoffice", "/anwesenheit", "/rufumleitung", "/meeting"]),
       person=st.sampled_from(PEOPLE), twice=st.booleans())
def test_valid_requests_with_odd_text_encodings_get_a_localized_answer_never_5xx(live, raw, command, person,
                                                                                  twice):
    user, locale = person
    fields = _valid_fields(live, command, user)
    body = urlencode(fields).encode() + b"&text=" + raw + (b"&text=zweimal" if twice else b"")
    response = httpx.post(live.url + "/mattermost/command", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert response.status_code == 200, (raw[:60], response.status_code, response.text[:200])
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    typed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get("text", [""])[0]
    assert_localized(reply["text"], locale, typed=typed)
    assert not scan.check_text(reply["text"], "reply", ephemeral=True), reply["text"][:200]


def test_text_over_the_limit_is_refused_not_cut(live):
    _with_rotation(live)
    before = _snapshot(live)
    # Cut at 10,000 characters, "für @anna.schmidt" would fall off and the absence be Bernd's own.
    line = "abwesend morgen " + "x" * 10_000 + " für @anna.schmidt"
    for user, locale in PEOPLE:
        reply = live.slash(line, user=user)
        assert reply.status == 200 and ("zu lang" in reply.text if locale == "de" else "too long" in reply.text)
    assert _snapshot(live) == before


JSONISH = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
                       lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                       max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(st.sampled_from(["user_id", "channel_id", "team_id", "post_id", "context", "type",
                                                "state", "submission", "cancelled", "callback_id"]), JSONISH, max_size=8))
def test_random_action_and_dialog_payloads_never_give_5xx_or_change_anything(live, payload):
    before = _snapshot(live)
    for path in ("/mattermost/action", "/mattermost/dialog"):
        response = httpx.post(live.url + path, content=json.dumps(payload), headers={"Content-Type": "application/json"})
        assert response.status_code == 200, (path, response.status_code)
        body = response.json()
        assert body.get("ephemeral_text") or body.get("error")
    assert _snapshot(live) == before


# Validly signed button and dialog contexts carrying values the bot never puts there.
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)  # JSON-encodable
ODD_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=False),
    SAFE_TEXT, st.sampled_from(["", "0", "-1", "1e9", "abc", "@all", "<!channel>", "https://evil.example/x",
                                "'; DROP TABLE meeting; --", "\u202e", "\x00", "x" * 2000, "2026-02-31",
                                "9999-12-31", "jugendamt-asd"]),
    st.lists(SAFE_TEXT, max_size=3), st.dictionaries(SAFE_TEXT, SAFE_TEXT, max_size=3),
)
DATA = st.dictionaries(st.one_of(st.sampled_from(["p", "ok", "c", "m", "r", "f", "day", "u"]), SAFE_TEXT), ODD_VALUE,
                       max_size=5)
ACTIONS = ["homeoffice.swap", "homeoffice.delete", "homeoffice.forget", "meeting.rsvp", "meeting.join",
           "forward.mobile", "forward.colleague", "forward.skip", "forward.end"]
DIALOGS = ["homeoffice.setup", "forward.colleague"]
# Buttons that refer to something that does not exist here (no swap, meeting or forward was
# ever made in this test) or that only a lead may press: refused whatever the data says.
DANGLING = ["homeoffice.swap", "homeoffice.delete", "meeting.rsvp", "meeting.join", "forward.end"]


def _press(live, user: str, context, *, dialog: bool = False, submission=None) -> dict:
    person = live.world["users"][user]
    body = {"user_id": person.id, "user_name": person.username, "channel_id": live.world["channel"].id,
            "team_id": live.world["team"].id, "post_id": "p" * 26, "type": "button", "trigger_id": "t" * 30,
            "context": context}
    if dialog:
        body = {**{k: v for k, v in body.items() if k != "context"}, "state": json.dumps(context),
                "submission": submission, "callback_id": "x", "cancelled": False}
    response = httpx.post(live.url + ("/mattermost/dialog" if dialog else "/mattermost/action"),
                          content=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 200, (context, response.status_code)
    return response.json()


def _sign(live, action: str, data: dict, *, user_id, expires_in: timedelta = timedelta(hours=1),
          kind: str = "button") -> dict:
    """A context as the bot signs it; kind="dialog" for a dialog's state (refused as the other kind)."""
    return live.runtime.services.signer.sign(action, data, expires=live.runtime.clock.now() + expires_in,
                                             user_id=user_id, kind=kind)


DESTRUCTIVE = ["homeoffice.forget", "homeoffice.delete"]  # would delete data if a check were missing
REFUSED_CONTEXT = st.one_of(
    st.tuples(st.just("someone else's"), st.sampled_from(DESTRUCTIVE * 4 + ACTIONS + DIALOGS)),
    st.tuples(st.just("expired"), st.sampled_from(DESTRUCTIVE * 4 + ACTIONS + DIALOGS)),
    st.tuples(st.just("no such action"), st.one_of(SAFE_TEXT, st.sampled_from(
        ["homeoffice.nothing", "meeting.", ".rsvp", "roster.post", "forward.end.x", "homeoffice.setup.x"]))),
    st.tuples(st.just("dangling"), st.sampled_from(DANGLING)),
    st.tuples(st.just("lead only"), st.just("homeoffice.setup")),
)


@FUZZ
@given(case=REFUSED_CONTEXT, data=DATA, person=st.sampled_from(PEOPLE), submission=st.one_of(
    st.none(), JSONISH, st.dictionaries(st.sampled_from(["groups", "pattern", "start", "min", "region", "colleague",
                                                         "until"]), ODD_VALUE, max_size=6)))
def test_signed_contexts_that_must_be_refused_change_nothing_and_never_5xx(live, case, data, person, submission):
    _with_rotation(live)
    kind, action = case
    user, locale = person
    if kind == "expired" and data.get("u"):  # now and then the lead presses her own expired button
        user, locale = "anna.schmidt", "de"
    presser = live.world["users"][user].id
    if kind == "no such action" and action in ACTIONS + DIALOGS:
        action += ".x"
    if kind in ("someone else's", "expired", "no such action"):
        # What would make the button work if the check in question were missing.
        data = {**data, "ok": True, "c": live.world["channel"].id}
    owner = live.world["users"]["anna.schmidt"].id if kind == "someone else's" else presser
    expires_in = -timedelta(seconds=1) if kind == "expired" else timedelta(hours=1)
    context = _sign(live, action, data, user_id=owner, expires_in=expires_in)
    before = _snapshot(live)
    answers = []
    if kind != "lead only":
        reply = _press(live, user, context)
        if kind == "dangling" and reply.get("update"):  # "Cancelled, nothing changed" for a falsy "ok"
            answers.append(reply["update"]["message"])
        else:
            assert reply.get("ephemeral_text") and not reply.get("update"), reply
            answers.append(reply["ephemeral_text"])
    if kind != "dangling":
        state = _sign(live, action, data, user_id=owner, expires_in=expires_in, kind="dialog")
        reply = _press(live, user, state, dialog=True, submission=submission)
        assert reply.get("error") or reply.get("errors"), reply
        answers.append(reply.get("error") or " ".join(map(str, reply["errors"].values())))
    for text in answers:
        assert_localized(text, locale)
        assert not scan.check_text(text, "button reply", ephemeral=True), text
    after = _snapshot(live)
    assert after == before, f"{kind} {action} {data!r} changed {_changed(before, after)}"


def test_the_real_destructive_buttons_expired_or_for_someone_else_are_refused(live):
    _with_rotation(live)
    anna, bernd = live.world["users"]["anna.schmidt"].id, live.world["users"]["bernd.mueller"].id
    channel = live.world["channel"].id
    cases = [  # (presser, action, data, owner, expires in)
        ("anna.schmidt", "homeoffice.delete", {"ok": True, "c": channel}, anna, -timedelta(seconds=1)),
        ("anna.schmidt", "homeoffice.forget", {"ok": True}, anna, -timedelta(minutes=5)),
        ("bernd.mueller", "homeoffice.forget", {"ok": True}, anna, timedelta(hours=1)),
        ("bernd.mueller", "homeoffice.forget", {"ok": True}, None, -timedelta(seconds=1)),
        ("bernd.mueller", "homeoffice.delete", {"ok": True, "c": channel}, bernd, timedelta(hours=1)),  # no lead
    ]
    before = _snapshot(live)
    for user, action, data, owner, expires_in in cases:
        reply = _press(live, user, _sign(live, action, data, user_id=owner, expires_in=expires_in))
        assert reply.get("ephemeral_text") and not reply.get("update"), (action, reply)
        expected = "abgelaufen" if expires_in < timedelta(0) and owner in (None, live.world["users"][user].id) else (
            "ungültig" if owner not in (None, live.world["users"][user].id) else "Leitung")
        assert expected in reply["ephemeral_text"], (action, owner, reply)
    assert _snapshot(live) == before


@FUZZ
@given(action=st.sampled_from(ACTIONS + DIALOGS), data=DATA, person=st.sampled_from(PEOPLE),
       submission=st.dictionaries(st.sampled_from(["colleague", "until", "groups", "pattern", "start"]), ODD_VALUE,
                                  max_size=4))
def test_signed_contexts_with_odd_data_never_give_5xx_and_answer_in_the_pressers_language(live, action, data,
                                                                                         person, submission):
    user, locale = person
    presser = live.world["users"][user].id
    context = _sign(live, action, data, user_id=presser, kind="dialog" if action in DIALOGS else "button")
    reply = _press(live, user, context, dialog=action in DIALOGS, submission=submission)
    if action in DIALOGS:
        assert isinstance(reply, dict) and set(reply) <= {"error", "errors"}, reply
        text = reply.get("error") or ""
    else:
        assert scan.check_action_result(reply, "button") == [], reply
        text = reply.get("ephemeral_text") or ""
    if text:
        assert_localized(text, locale)


@pytest.mark.parametrize("attack", ["@channel", "@all", "@here", "<!channel>", "[klick](https://evil.example/x)",
                                    "@jugendamt-team", "@bernd.mueller", "https://evil.example/x",
                                    "www.evil.example/login", "mailto:chef@evil.example"])
def test_echoed_text_cannot_notify_or_link(bot, attack):
    from tests.test_homeoffice import setup_ab

    setup_ab(bot)
    reply = bot.slash(f"/homeoffice abwesend 24.11. {attack} Notiz", as_="bernd.mueller")
    assert "Notiz" in reply
    assert not scan.check_text(reply, "reply", ephemeral=True), reply
    bot.slash(f"/homeoffice tausch @elif.yilmaz 25.11. {attack}", as_="bernd.mueller")
    bot.slash(f"/homeoffice gruppe {attack} @bernd.mueller")
    bot.slash(f'/meeting neu "Runde {attack}" 30.11. 10:00')
    assert bot.posts() and not any(scan.check_post(p.message, p.props, "post") for p in bot.posts())
    # and the suite-wide scan (tests/conftest.py) checks every reply and post of this test
