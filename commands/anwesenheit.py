"""/anwesenheit (/roster): the presence roster, on demand and every working morning (SPEC §2.2).

The morning post is claimed in our own ledger (`roster_post`, one row per channel
and local date, unique) in the same transaction that queues the post in the
outbox. Whoever inserts the row posts; a second run, a restarted process or a
second replica finds the row and does nothing. Later changes that day edit the
post in place. A day that came too late (after ROSTER_LATEST) is a ledger row
with the outbox key "skipped"; only a lead's `posten` turns it into a post, by
a conditional update of that row, so that too happens once.

Holidays of the roster are those of the channel's roster region (`/anwesenheit
region`, default the rotation's region): on-demand, in the morning post and in
its edits alike. A roster for a later day shows the forwards active at that
day's roster time.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.i18n import LocalizedError, Text
from base.safetext import plain
from commands import parsing
from commands.base import Context, Feature, Reply, Services, SlashRequest, split_subcommand
from commands.help import HELP_WORDS, render_help
from commands.leads import require_lead
from domain import calendar as cal
from domain import roster as roster_view
from domain.rotation import Where
from storage import presence
from storage.db import insert_for
from storage.models import (
    Absence,
    ChannelSettings,
    PhoneNumbers,
    PresenceChange,
    RosterPost,
    Rotation,
    RotationMember,
)
from storage.outbox import enqueue_patch, enqueue_posts

log = logging.getLogger("amtsbote.roster")

SUBCOMMANDS = {
    "heute": "today", "today": "today", "morgen": "tomorrow", "tomorrow": "tomorrow",
    "woche": "week", "week": "week",
    "posten": "post", "post": "post",
    "zeit": "time", "time": "time", "tage": "days", "days": "days",
    "aus": "off", "off": "off", "an": "on", "on": "on",
    "region": "region", "sprache": "language", "language": "language",
}
WEEKDAYS = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6,
            "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
DEFAULT_DAYS = "0,1,2,3,4"
SKIPPED = "skipped"  # the ledger's outbox key of a day that got no roster
# Morning rosters composed, claimed and queued together: a few at first, so that the first posts
# go out at once, then more at a time.
FIRST_CHUNK = 50
POST_CHUNK = 200

TITLE = Text(de="Anwesenheit", en="Presence roster")
HELP_ENTRIES = [
    ("[heute|morgen|DATUM]", "[today|tomorrow|DATE]", Text(de="wer ist wann wo (nur für dich)", en="who is where (only you see it)")),
    ("woche", "week", Text(de="die ganze Woche", en="the whole week")),
    ("@name", "@name", Text(de="wie erreiche ich diese Person gerade?", en="how do I reach this person now?")),
    ("posten", "post", Text(de="heutige Anwesenheit jetzt im Kanal posten (Leitung)", en="post today's roster in the channel now (lead)")),
    ("zeit 07:30 | tage Mo-Fr | aus | an", "time 07:30 | days Mon-Fri | off | on",
     Text(de="Morgenpost einstellen (Leitung)", en="configure the morning post (lead)")),
    ("region DE-XX", "region DE-XX",
     Text(de="Feiertage für die Anwesenheit dieses Kanals: an Feiertagen dieser Region keine Morgenpost, "
             "die Abfragen nennen den Feiertag (Leitung); `/homeoffice plan` rechnet mit der Region der Rotation",
          en="holidays for this channel's roster: no morning post on that region's holidays, the roster views "
             "name the holiday (lead); `/homeoffice plan` uses the rotation's region")),
    ("sprache de|en", "language de|en", Text(de="Sprache der Morgenpost (Leitung)", en="language of the morning post (lead)")),
]

NO_ROTATION = Text(de="In diesem Kanal gibt es keine Home-Office-Rotation, daher keine Anwesenheit. Eine Leitung kann sie mit `/homeoffice einrichten` anlegen.",
                   en="This channel has no home-office rotation, so there is no roster. A lead can create one with `/homeoffice setup`.")
NOT_WORKING_DAY = Text(de="{day} ist kein Arbeitstag{holiday}.", en="{day} is not a working day{holiday}.")
HOLIDAY_PART = Text(de=" (Feiertag: {name})", en=" (public holiday: {name})")
NO_POST_TODAY = Text(de="Heute, {day}, ist kein Arbeitstag{holiday}; daher gibt es keine Anwesenheit zum Posten.",
                     en="Today, {day}, is not a working day{holiday}, so there is no roster to post.")
POSTED = Text(de="Die Anwesenheit für heute wird jetzt gepostet.", en="Today's roster is being posted now.")
ALREADY = Text(de="Die Anwesenheit für heute ist schon gepostet; sie wird bei Änderungen automatisch aktualisiert.",
               en="Today's roster is already posted; it is updated automatically when things change.")
TIME_USAGE = Text(de="So geht’s: `/{trigger} zeit 07:30` (zwischen 05:00 und {latest}).", en="Usage: `/{trigger} time 07:30` (between 05:00 and {latest}).")
DAYS_USAGE = Text(de="So geht’s: `/{trigger} tage Mo-Fr` oder `tage Mo,Mi,Fr`.", en="Usage: `/{trigger} days Mon-Fri` or `days Mon,Wed,Fri`.")
LANG_USAGE = Text(de="So geht’s: `/{trigger} sprache de` oder `en`.", en="Usage: `/{trigger} language de` or `en`.")
SAVED = Text(de="Gespeichert: {what}.", en="Saved: {what}.")
WHAT_TIME = Text(de="Morgenpost um {time} Uhr", en="morning post at {time}")
WHAT_DAYS = Text(de="Morgenpost an {days}", en="morning post on {days}")
WHAT_ON = Text(de="Morgenpost an", en="morning post on")
WHAT_OFF = Text(de="Morgenpost aus", en="morning post off")
WHAT_REGION = Text(de="Feiertage für die Anwesenheit nach {region}", en="holidays of {region} for the roster")
WHAT_LANG = Text(de="Sprache {lang}", en="language {lang}")
REACH_AWAY = Text(de="{name} ist heute abwesend.", en="{name} is away today.")
REACH_WHERE = Text(de="{name} ist heute {where}.", en="{name} is {where} today.")
REACH_UNKNOWN = Text(de="Für {name} ist heute nichts eingetragen.", en="Nothing is recorded for {name} today.")
REACH_NUMBER = Text(de="Büronummer: {number}", en="Office number: {number}")
REACH_FORWARD = Text(de="Rufumleitung: {forward}", en="Call forwarding: {forward}")
REACH_STANDIN = Text(de="Vertretung: {name}", en="Standing in: {name}")
WHERE_PHRASE = {Where.OFFICE: Text(de="im Büro", en="in the office"), Where.HOME: Text(de="im Home-Office", en="working from home"),
                Where.FIELD: Text(de="unterwegs", en="in the field"), Where.AWAY: Text(de="abwesend", en="away")}
UNKNOWN_SUB = Text(de="Das verstehe ich nicht: „{word}“.", en="I do not understand “{word}”.")


def help_text(locale: str, trigger: str) -> str:
    return render_help(TITLE, HELP_ENTRIES, locale, trigger)


# -- settings per channel -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelRoster:
    channel_id: str
    enabled: bool
    at: time
    days: frozenset[int]
    region: str
    locale: str


def effective_settings(rotation: Rotation, row: ChannelSettings | None, services: Services) -> ChannelRoster:
    s = services.settings
    at = s.roster_time
    if row is not None and row.roster_time:
        hh, mm = row.roster_time.split(":")
        at = time(int(hh), int(mm))
    days = frozenset(int(d) for d in ((row.roster_days if row is not None and row.roster_days else DEFAULT_DAYS).split(",")))
    return ChannelRoster(
        channel_id=rotation.channel_id,
        enabled=row.roster_enabled if row is not None else True,
        at=at, days=days,
        region=cal.holiday_region(row.region if row is not None else None, rotation.region, s.bot_holiday_region),
        locale=(row.locale if row is not None and row.locale else s.bot_locale),
    )


# -- composing ------------------------------------------------------------------------------------


def _forward_views(session: Session, user_ids: list[str], now: datetime, tz: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Active forwards of these people, and the phone numbers their descriptions need."""
    from commands import rufumleitung

    if not user_ids:
        return {}, {}
    views = rufumleitung.active_forwards(session, user_ids, now, tz=tz)
    if not views:
        return {}, {}
    wanted = list(views) + [v.colleague_id for v in views.values() if getattr(v, "colleague_id", None)]
    numbers = {n.user_id: n for n in session.exec(select(PhoneNumbers).where(col(PhoneNumbers.user_id).in_(wanted))).all()}
    return views, numbers


def _describe_forwards(views: dict[str, Any], numbers: dict[str, Any], user_ids: Any, locale: str,
                       names: dict[str, str]) -> dict[str, str]:
    """Roster text of the active forwards of `user_ids`."""
    from commands.rufumleitung import describe_forward

    return {uid: describe_forward(views[uid], locale, names, numbers) for uid in user_ids if uid in views}


def forwards_instant(services: Services, conf: ChannelRoster, day: date) -> datetime:
    """The moment whose active forwards a roster of `day` shows: now for today (and, for an
    explicit run, a past day), the channel's roster time for a later day, so that a forward
    ending before then is not listed."""
    now = services.clock.now()
    if day <= now.astimezone(services.tz).date():
        return now
    return datetime.combine(day, conf.at, tzinfo=services.tz)


def not_working_day_text(day: date, region: str, locale: str, template: Text = NOT_WORKING_DAY) -> str:
    """„Sa, 28.11.2026 ist kein Arbeitstag.“ / „… (Feiertag: Erster Weihnachtstag).“ in `locale`."""
    name = cal.holiday_name(day, region, locale)
    holiday = HOLIDAY_PART(locale, name=name) if name else ""
    return template(locale, day=cal.format_day(day, locale), holiday=holiday)


def _forwards(session: Session, user_ids: list[str], now: datetime, locale: str, names: dict[str, str],
              tz: Any = None) -> dict[str, str]:
    """Active forwards as roster text."""
    views, numbers = _forward_views(session, user_ids, now, tz)
    return _describe_forwards(views, numbers, views, locale, names)


def _meetings(session: Session, channel_id: str, day: date, services: Services) -> list[roster_view.RosterMeeting]:
    from commands.meeting import meetings_on

    return [roster_view.RosterMeeting(m.start, m.end, m.title)
            for m in meetings_on(session, channel_id, day, services.tz, default_region=services.settings.bot_holiday_region)]


def _channels_with_meetings(session: Session, channel_ids: list[str], day: date, services: Services) -> set[str]:
    """Which of these channels have a meeting that may occur on `day` (one query for many channels)."""
    from storage.meeting_models import Meeting

    start = datetime.combine(day, time(), tzinfo=services.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=services.tz).astimezone(UTC)
    found: set[str] = set()
    for at in range(0, len(channel_ids), 500):
        found.update(session.exec(select(Meeting.channel_id).distinct().where(
            col(Meeting.channel_id).in_(channel_ids[at:at + 500]), col(Meeting.cancelled_at).is_(None),
            Meeting.starts_at < end, sa.or_(col(Meeting.ends_at).is_(None), col(Meeting.ends_at) > start))).all())
    return found


def channel_roster(session: Session, channel_id: str, services: Services) -> tuple[Rotation, ChannelRoster] | None:
    """The channel's rotation and its effective roster settings, or None without a rotation."""
    rotation = session.get(Rotation, channel_id)
    if rotation is None:
        return None
    return rotation, effective_settings(rotation, session.get(ChannelSettings, channel_id), services)


async def build_roster(services: Services, channel_id: str, day: date, *,
                       locale: str) -> roster_view.Roster | str | None:
    """The roster of one channel and day; on a weekend or a holiday of the channel's roster region
    the sentence saying so instead; None without a rotation."""
    with services.db.read() as session:
        loaded = channel_roster(session, channel_id, services)
        if loaded is None:
            return None
        _, conf = loaded
        if not cal.is_working_day(day, conf.region):
            return not_working_day_text(day, conf.region, locale)
        result = presence.channel_plan(session, channel_id, day, day, locale=locale, region=conf.region)
    if result is None:
        return None
    row, members, days = result
    names = {u.id: u.display_name for u in (await services.mm.users(list(members))).values()}
    try:
        channel_name = (await services.mm.channel(channel_id)).display_name
    except Exception:
        channel_name = ""
    day_plan = _day_plan(days, day)
    with services.db.read() as session:
        forwards = _forwards(session, list(day_plan.entries), forwards_instant(services, conf, day), locale, names,
                             services.tz)
        meetings = _meetings(session, row.channel_id, day, services)
    return roster_view.compose(day_plan, channel_name=channel_name, names=names, forwards=forwards,
                               meetings=meetings, min_office=row.min_office)


def _day_plan(days: list[Any], day: date) -> Any:
    if days:
        return days[0]
    from domain.rotation import DayPlan  # weekend: an empty plan

    return DayPlan(day, None, {}, 0, False)


# -- the command -------------------------------------------------------------------------------


async def run(request: SlashRequest, ctx: Context) -> Reply:
    trigger = request.command.lstrip("/") or "anwesenheit"
    text = request.text.strip()
    if text.lower() in HELP_WORDS:
        return Reply(help_text(ctx.locale, trigger))
    if text.startswith("@"):
        return await reach(request, ctx, text)
    name, rest = split_subcommand(text, SUBCOMMANDS)
    if name is None and text:
        try:
            day = parsing.parse_date(text, today=ctx.today)
        except LocalizedError:
            word = plain(text.split()[0], max_length=30)
            return Reply(UNKNOWN_SUB(ctx.locale, word=word) + "\n\n" + help_text(ctx.locale, trigger))
        if day < ctx.today:
            from commands.plan_views import NO_HISTORY

            raise LocalizedError(NO_HISTORY)
        return await show_day(ctx, day)
    if name in (None, "today"):
        return await show_day(ctx, ctx.today)
    if name == "tomorrow":
        return await show_day(ctx, ctx.today + timedelta(days=1))
    if name == "week":
        return await show_week(ctx)
    if name == "post":
        return await post_now(ctx)
    return await configure(request, ctx, name, rest, trigger)


# The rendered roster per (channel, day, language), for the morning rush when a whole team asks
# at once. An entry is good while this process has written nothing since and for at most
# VIEW_CACHE_SECONDS of the bot's clock, which bounds how late a forward's end or a write by
# another replica shows.
VIEW_CACHE_SECONDS = 2.0


async def show_day(ctx: Context, day: date) -> Reply:
    views = ctx.db.views
    key = ("roster", ctx.channel_id, day, ctx.locale)
    now = ctx.services.clock.now()
    version = ctx.db.version
    cached = ctx.db.view(key, version, now)
    if cached is not None:
        return Reply(cached)
    # One composition at a time per key: who asks meanwhile waits for it instead of repeating it.
    pending = views.get(("pending", *key))
    if pending is not None and pending[0] == version:
        return Reply(await asyncio.shield(pending[1]))
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    views[("pending", *key)] = (version, future)
    try:
        text = await _roster_text(ctx, day)
    except BaseException as e:
        future.set_exception(e)
        future.exception()  # retrieved: the waiters, if any, raise it themselves
        raise
    else:
        future.set_result(text)
        ctx.db.keep_view(key, version, now + timedelta(seconds=VIEW_CACHE_SECONDS), text)
        return Reply(text)
    finally:
        if views.get(("pending", *key), (0, None))[1] is future:
            del views[("pending", *key)]


async def _roster_text(ctx: Context, day: date) -> str:
    roster = await build_roster(ctx.services, ctx.channel_id, day, locale=ctx.locale)
    if roster is None:
        raise LocalizedError(NO_ROTATION)
    # a weekend or a holiday of the channel's roster region is a sentence, else the roster
    return roster if isinstance(roster, str) else roster_view.render_text(roster, ctx.locale)


async def show_week(ctx: Context) -> Reply:
    from commands.plan_views import default_plan_range as _default_plan_range
    from commands.plan_views import no_history, render_plan

    span = no_history(_default_plan_range(ctx.today), ctx)
    with ctx.db.read() as session:
        loaded = channel_roster(session, ctx.channel_id, ctx.services)
        if loaded is None:
            raise LocalizedError(NO_ROTATION)
        result = presence.channel_plan(session, ctx.channel_id, span.start, span.end, locale=ctx.locale,
                                       region=loaded[1].region)
    if result is None:
        raise LocalizedError(NO_ROTATION)
    row, members, days = result
    users = await ctx.mm.users(list(members))
    channel = await ctx.channel()
    return Reply(render_plan(days, users, row, ctx.locale, channel.display_name, span))


async def reach(request: SlashRequest, ctx: Context, text: str) -> Reply:
    """How to reach a person now: where they work today, their number, a forward, a stand-in."""
    (user,) = await ctx.users_by_mention([text.split()[0]], request.user_mentions)
    name = plain(user.display_name, max_length=60)
    today = ctx.today
    with ctx.db.read() as session:
        where = None
        for row in presence.rotations_of(session, user.id):
            conf = effective_settings(row, session.get(ChannelSettings, row.channel_id), ctx.services)
            result = presence.channel_plan(session, row.channel_id, today, today, region=conf.region)
            if result and result[2] and user.id in result[2][0].entries:
                where = result[2][0].entries[user.id]
                break
        if where is None:
            if session.get(Absence, (user.id, today)) is not None:
                where = Where.AWAY
            elif (change := session.get(PresenceChange, (user.id, today))) is not None:
                where = Where(change.where)
        numbers = session.get(PhoneNumbers, user.id)
        lines = []
        if where is Where.AWAY:
            lines.append(REACH_AWAY(ctx.locale, name=name))
        elif where is not None:
            lines.append(REACH_WHERE(ctx.locale, name=name, where=WHERE_PHRASE[where](ctx.locale)))
        else:
            lines.append(REACH_UNKNOWN(ctx.locale, name=name))
        if numbers is not None and numbers.office:
            lines.append(REACH_NUMBER(ctx.locale, number=numbers.office))
        from commands import rufumleitung

        active = getattr(rufumleitung, "active_forwards", None)
        view = active(session, [user.id], ctx.now, tz=ctx.tz).get(user.id) if active is not None else None
    colleague_id = getattr(view, "colleague_id", None) if view else None
    names = {user.id: user.display_name}
    colleague = await ctx.mm.user(colleague_id) if colleague_id else None
    if colleague is not None:
        names[colleague.id] = colleague.display_name
    if view is not None:
        with ctx.db.read() as session:
            forwards = _forwards(session, [user.id], ctx.now, ctx.locale, names, ctx.tz)
        if user.id in forwards:
            lines.append(REACH_FORWARD(ctx.locale, forward=forwards[user.id]))
    if colleague is not None:
        lines.append(REACH_STANDIN(ctx.locale, name=plain(colleague.display_name, max_length=60)))
    return Reply("\n".join(lines))


async def post_now(ctx: Context) -> Reply:
    """A lead's `posten`: today's roster now, also when the morning post is switched off or today
    was skipped (too late); once a day like the morning post, whoever asks first."""
    await require_lead(ctx)
    with ctx.db.read() as session:
        loaded = channel_roster(session, ctx.channel_id, ctx.services)
        if loaded is None:
            raise LocalizedError(NO_ROTATION)
        ledger = session.get(RosterPost, (ctx.channel_id, ctx.today))
    _, conf = loaded
    if not cal.is_working_day(ctx.today, conf.region):
        return Reply(not_working_day_text(ctx.today, conf.region, ctx.locale, NO_POST_TODAY))
    if ledger is None or ledger.outbox_key == SKIPPED:
        posted = await post_rosters(ctx.services, day=ctx.today, channel_id=ctx.channel_id, ignore_time=True,
                                    requested=True)
        if posted:
            return Reply(POSTED(ctx.locale))
    # posted before, or by a simultaneous `posten` (another lead, another replica): bring it up to date
    await refresh_posted(ctx.services, only_channel=ctx.channel_id, force=True)
    return Reply(ALREADY(ctx.locale))


async def configure(request: SlashRequest, ctx: Context, name: str, rest: str, trigger: str) -> Reply:
    await require_lead(ctx)
    with ctx.db.read() as session:
        if session.get(Rotation, ctx.channel_id) is None:
            raise LocalizedError(NO_ROTATION)
    changes: dict[str, Any] = {}
    if name == "time":
        latest = ctx.settings.roster_latest
        try:
            at = parsing.parse_time(rest)
        except LocalizedError:
            raise LocalizedError(TIME_USAGE, trigger=trigger, latest=latest.strftime("%H:%M")) from None
        if not time(5, 0) <= at < latest:
            raise LocalizedError(TIME_USAGE, trigger=trigger, latest=latest.strftime("%H:%M"))
        changes["roster_time"] = at.strftime("%H:%M")
        what = WHAT_TIME(ctx.locale, time=changes["roster_time"])
    elif name == "days":
        days = parse_days(rest)
        if days is None:
            raise LocalizedError(DAYS_USAGE, trigger=trigger)
        changes["roster_days"] = ",".join(str(d) for d in sorted(days))
        what = WHAT_DAYS(ctx.locale, days=", ".join(cal.format_day_short(date(2026, 11, 23) + timedelta(days=d), ctx.locale).split()[0]
                                                     for d in sorted(days)))
    elif name in ("on", "off"):
        changes["roster_enabled"] = name == "on"
        what = (WHAT_ON if name == "on" else WHAT_OFF)(ctx.locale)
    elif name == "region":
        changes["region"] = cal.validate_region(rest)
        what = WHAT_REGION(ctx.locale, region=changes["region"])
    else:
        lang = rest.strip().lower()
        if lang not in ("de", "en"):
            raise LocalizedError(LANG_USAGE, trigger=trigger)
        changes["locale"] = lang
        what = WHAT_LANG(ctx.locale, lang=lang)
    with ctx.db.write() as session:
        row = session.get(ChannelSettings, ctx.channel_id) or ChannelSettings(channel_id=ctx.channel_id)
        for key, value in changes.items():
            setattr(row, key, value)
        session.add(row)
    return Reply(SAVED(ctx.locale, what=what))


def parse_days(text: str) -> frozenset[int] | None:
    """`Mo-Fr`, `Mo,Mi,Fr`, `Mon-Fri` -> weekday numbers (Monday = 0)."""
    days: set[int] = set()
    for part in text.replace(" ", "").lower().split(","):
        if not part:
            continue
        first, sep, last = part.partition("-")
        a, b = WEEKDAYS.get(first.rstrip(".")), WEEKDAYS.get(last.rstrip(".")) if sep else None
        if a is None or (sep and b is None):
            return None
        days.update(range(a, (b if b is not None else a) + 1) if b is None or b >= a else [])
        if sep and b is not None and b < a:
            return None
    return frozenset(days) or None


# -- the morning job -----------------------------------------------------------------------------


def _roster_key(channel_id: str, day: date) -> str:
    return f"roster:{channel_id}:{day.isoformat()}"


def _claim_many(session: Session, digests: dict[str, str], day: date, now: datetime) -> set[str]:
    """Insert the ledger rows of many channels in one statement; the channels this process won
    (a row another process inserted first is left alone)."""
    if not digests:
        return set()
    table = RosterPost.__table__
    rows = [{"channel_id": cid, "day": day, "outbox_key": _roster_key(cid, day), "content_hash": digest, "edits": 0,
             "claimed_at": now} for cid, digest in sorted(digests.items())]
    stmt = insert_for(session, table).values(rows).on_conflict_do_nothing(index_elements=["channel_id", "day"])
    return set(session.execute(stmt.returning(table.c.channel_id)).scalars().all())


def _claim_skipped(session: Session, channel_id: str, day: date, digest: str, now: datetime) -> bool:
    """Turn the day's "skipped" ledger row into a real post's row; True if this process did it.
    Conditional on the row still saying "skipped", so of simultaneous callers exactly one wins."""
    result = session.execute(
        sa.update(RosterPost)
        .where(col(RosterPost.channel_id) == channel_id, col(RosterPost.day) == day, col(RosterPost.outbox_key) == SKIPPED)
        .values(outbox_key=_roster_key(channel_id, day), content_hash=digest, edits=0, claimed_at=now))
    return result.rowcount == 1


def _skip_many(session: Session, channel_days: list[tuple[str, date]], now: datetime) -> list[tuple[str, date]]:
    """Record days as skipped (one statement); the (channel, day) pairs this process recorded."""
    if not channel_days:
        return []
    table = RosterPost.__table__
    rows = [{"channel_id": cid, "day": day, "outbox_key": SKIPPED, "content_hash": "", "edits": 0, "claimed_at": now}
            for cid, day in sorted(channel_days)]
    stmt = insert_for(session, table).values(rows).on_conflict_do_nothing(index_elements=["channel_id", "day"])
    return sorted(tuple(r) for r in session.execute(stmt.returning(table.c.channel_id, table.c.day)).all())


@dataclass
class _RosterData:
    """What many channels' rosters of one day are composed from, read in a few bulk statements."""

    members: dict[str, dict[str, str]]  # channel id -> user id -> group
    changes: dict[Any, Any]
    absences: Any
    instants: dict[str, datetime]  # channel id -> the moment whose forwards its roster shows
    views_at: dict[datetime, dict[str, Any]]  # that moment -> active forwards by user id
    numbers: dict[str, Any]
    meetings: dict[str, list[roster_view.RosterMeeting]]

    def named(self) -> set[str]:
        """Whose names the rosters show: the members, and the colleagues calls are forwarded to."""
        people = {uid for members in self.members.values() for uid in members}
        for views in self.views_at.values():
            people.update(v.colleague_id for v in views.values() if getattr(v, "colleague_id", None))
        return people


def _read_rosters(services: Services, due: list[tuple[Rotation, ChannelRoster]], day: date) -> _RosterData:
    channel_ids = [r.channel_id for r, _ in due]
    with services.db.read() as session:
        member_rows = session.exec(select(RotationMember).where(col(RotationMember.channel_id).in_(channel_ids))).all()
        members_by_channel: dict[str, dict[str, str]] = {}
        for m in member_rows:
            members_by_channel.setdefault(m.channel_id, {})[m.user_id] = m.group
        everyone = list({m.user_id for m in member_rows})
        changes = presence.changes_for(session, everyone, day, day)
        absences = presence.absences_for(session, everyone, day, day)
        # forwards active at the roster's moment: one read for today (now); for a later day one
        # per distinct roster time of the channels (a handful), never one per channel
        instants: dict[str, datetime] = {r.channel_id: forwards_instant(services, conf, day) for r, conf in due}
        people_at: dict[datetime, set[str]] = {}
        for cid, at in instants.items():
            people_at.setdefault(at, set()).update(members_by_channel.get(cid, {}))
        views_at: dict[datetime, dict[str, Any]] = {}
        numbers: dict[str, Any] = {}
        for at, people in people_at.items():
            views_at[at], found = _forward_views(session, sorted(people), at, services.tz)
            numbers.update(found)
        with_meetings = _channels_with_meetings(session, channel_ids, day, services)
        meetings = {cid: _meetings(session, cid, day, services) for cid in with_meetings}
    return _RosterData(members_by_channel, changes, absences, instants, views_at, numbers, meetings)


def _compose_rosters(data: _RosterData, due: list[tuple[Rotation, ChannelRoster]], day: date, *,
                     names: dict[str, str], channels: dict[str, Any],
                     updated: time | None = None) -> dict[str, tuple[str, dict[str, Any], str]]:
    rendered = {}
    for rotation, conf in due:
        channel = channels.get(rotation.channel_id)
        members = data.members.get(rotation.channel_id, {})
        # only this channel's members: a change of someone in another channel must not list them here
        own_changes = {(p, day): data.changes[(p, day)] for p in members if (p, day) in data.changes}
        own_absences = {(p, day) for p in members if (p, day) in data.absences}
        days = presence.roster_days(rotation, conf.region, day, day, members, own_changes, own_absences,
                                    locale=conf.locale)
        day_plan = _day_plan(days, day)
        roster = roster_view.compose(
            day_plan, channel_name=channel.display_name if channel else "", names=names,
            forwards=_describe_forwards(data.views_at[data.instants[rotation.channel_id]], data.numbers,
                                        day_plan.entries, conf.locale, names),
            meetings=data.meetings.get(rotation.channel_id, []), min_office=rotation.min_office)
        rendered[rotation.channel_id] = roster_view.render_post(roster, conf.locale, updated=updated)
    return rendered


async def _names(services: Services, user_ids: Any) -> dict[str, str]:
    user_ids = list(user_ids)
    return {u.id: u.display_name for u in (await services.mm.users(user_ids)).values()} if user_ids else {}


async def _render_many(services: Services, due: list[tuple[Rotation, ChannelRoster]], day: date, *,
                       updated: time | None = None) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Compose and render the rosters of many channels with a few bulk reads:
    channel id -> (message, props, content hash)."""
    if not due:
        return {}
    data = _read_rosters(services, due, day)
    everyone = {uid for members in data.members.values() for uid in members}
    names = await _names(services, everyone)
    channels = await services.mm.channels_by_ids([r.channel_id for r, _ in due])
    return _compose_rosters(data, due, day, names=names, channels=channels, updated=updated)


def _load_rotations(services: Services, channel_ids: list[str] | None) -> tuple[list[Rotation], dict[str, ChannelSettings]]:
    with services.db.read() as session:
        query = select(Rotation).order_by(col(Rotation.channel_id))  # every replica claims in the same order
        if channel_ids is not None:
            query = query.where(col(Rotation.channel_id).in_(channel_ids))
        rotations = list(session.exec(query).all())
        settings_rows = {s.channel_id: s for s in session.exec(select(ChannelSettings)).all()} if rotations else {}
    return rotations, settings_rows


async def post_rosters(services: Services, *, day: date | None = None, channel_id: str | None = None,
                       ignore_time: bool = False, requested: bool = False) -> int:
    """Post the roster of `day` (default: today) to every channel that is due; returns how many were posted.

    Without `ignore_time` (the scheduler), a channel is due between its roster time and
    ROSTER_LATEST of today; after ROSTER_LATEST the day is skipped and logged, and a working day
    before it that got no roster at all (the bot was down all that day) is logged as skipped when
    this one is due. The scheduler never posts a roster of another day than today. With
    `ignore_time` (`amtsbote post-rosters`, `posten`), the roster is posted now, whatever the
    channel's roster time and ROSTER_LATEST. `requested` is a lead's `posten` for one channel: it
    posts also when the morning post is switched off or not on today's weekdays, and also after
    the day was skipped. Weekends and holidays of the channel's roster region never get one.
    """
    now = services.clock.now()
    local_now = now.astimezone(services.tz)
    today = local_now.date()
    day = day or today
    if not ignore_time and day != today:
        return 0  # the morning job posts today's roster only, never a past (or future) day's
    rotations, settings_rows = _load_rotations(services, [channel_id] if channel_id else None)
    if not rotations:
        return 0
    with services.db.read() as session:
        query = select(RosterPost.channel_id, RosterPost.outbox_key).where(RosterPost.day == day)
        if channel_id:
            query = query.where(RosterPost.channel_id == channel_id)
        ledger = dict(session.exec(query).all())
    due: list[tuple[Rotation, ChannelRoster]] = []
    too_late: list[tuple[str, date]] = []
    reached: list[tuple[Rotation, ChannelRoster]] = []  # due or too late today: was the day before missed?
    for rotation in rotations:
        key = ledger.get(rotation.channel_id)
        if key is not None and not (requested and key == SKIPPED):
            continue
        conf = effective_settings(rotation, settings_rows.get(rotation.channel_id), services)
        if not cal.is_working_day(day, conf.region):
            continue
        if not requested and (not conf.enabled or day.weekday() not in conf.days):
            continue
        if not ignore_time:
            if local_now.time() < conf.at:
                continue
            if rotation.created_at.astimezone(services.tz) > datetime.combine(day, conf.at, tzinfo=services.tz):
                continue  # set up after this morning's roster time: the first roster comes tomorrow
            reached.append((rotation, conf))
            if local_now.time() > services.settings.roster_latest:
                too_late.append((rotation.channel_id, day))
                continue
        due.append((rotation, conf))
    if reached:
        _skip(services, too_late + _missed_before(services, reached, day), now)
    if not due:
        return 0
    # What Mattermost has to tell us comes in a few large requests (they count against its rate
    # limit as the posts do): the channels' titles and the names of the first chunk's people, and,
    # while the first rosters are being delivered, everyone else's names. The rosters are composed,
    # claimed and queued a chunk at a time; the outbox starts on each chunk while the next one is
    # composed, so the first post goes out within a moment of the job's start.
    channels = await services.mm.channels_by_ids([r.channel_id for r, _ in due])
    with services.db.read() as session:
        everyone = set(session.exec(select(RotationMember.user_id).where(
            col(RotationMember.channel_id).in_([r.channel_id for r, _ in due]))).all())
    names: dict[str, str] = {}
    posted = 0
    bounds = [0, *range(FIRST_CHUNK, len(due), POST_CHUNK), len(due)]
    for i, (start, end) in enumerate(itertools.pairwise(bounds)):
        part = due[start:end]
        data = _read_rosters(services, part, day)
        if i == 0:
            names = await _names(services, data.named() & everyone)
        elif i == 1:
            names.update(await _names(services, everyone - names.keys()))
        chunk = _compose_rosters(data, part, day, names=names, channels=channels)
        with services.db.write() as session:
            won = _claim_many(session, {cid: r[2] for cid, r in chunk.items()}, day, now)
            if requested:  # a lead's `posten` after a skipped day (also one skipped just now by
                # another replica): the skipped row becomes the post's, if it still says skipped
                for cid in chunk:
                    if cid not in won and _claim_skipped(session, cid, day, chunk[cid][2], now):
                        won.add(cid)
            enqueue_posts(session, [{"key": _roster_key(cid, day), "channel_id": cid, "message": chunk[cid][0],
                                     "props": chunk[cid][1]} for cid in sorted(won)], now=now)
            posted += len(won)
        if won:
            services.notify_outbox()
            await asyncio.sleep(0)  # the outbox claims what was just queued before the next chunk is composed
    if posted:
        log.info("roster queued for %s channel(s) on %s", posted, day.isoformat())
    return posted


def _previous_roster_day(conf: ChannelRoster, day: date) -> date | None:
    """The channel's last morning-post day before `day` (within a week), or None."""
    for back in range(1, 8):
        earlier = day - timedelta(days=back)
        if earlier.weekday() in conf.days and cal.is_working_day(earlier, conf.region):
            return earlier
    return None


def _missed_before(services: Services, reached: list[tuple[Rotation, ChannelRoster]], day: date) -> list[tuple[str, date]]:
    """(channel, day) of the working day before `day` of each channel that has no ledger row at all:
    the bot was down from before that day's roster time until the next day. One read for all."""
    wanted: dict[str, date] = {}
    for rotation, conf in reached:
        earlier = _previous_roster_day(conf, day)
        if earlier is not None and rotation.created_at.astimezone(services.tz) <= datetime.combine(
                earlier, conf.at, tzinfo=services.tz):
            wanted[rotation.channel_id] = earlier
    if not wanted:
        return []
    ids = sorted(wanted)
    found: set[tuple[str, date]] = set()
    with services.db.read() as session:
        for at in range(0, len(ids), 500):
            found.update(tuple(r) for r in session.exec(select(RosterPost.channel_id, RosterPost.day).where(
                col(RosterPost.channel_id).in_(ids[at:at + 500]), col(RosterPost.day).in_(set(wanted.values())))).all())
    return [(cid, earlier) for cid, earlier in sorted(wanted.items()) if (cid, earlier) not in found]


def _skip(services: Services, channel_days: list[tuple[str, date]], now: datetime) -> None:
    """Record days that got no roster as skipped, once each (across replicas), and log them."""
    by_day: dict[date, list[str]] = {}
    for start in range(0, len(channel_days), 200):
        with services.db.write() as session:
            for cid, day in _skip_many(session, channel_days[start : start + 200], now):
                by_day.setdefault(day, []).append(cid)
    for day, channels in sorted(by_day.items()):  # one line a day, however many channels
        shown = ", ".join(channels[:5]) + (f" and {len(channels) - 5} more" if len(channels) > 5 else "")
        log.warning("roster for %s channel(s) on %s skipped: the bot was down from before its roster time "
                    "until after ROSTER_LATEST (%s)", len(channels), day.isoformat(), shown)


async def refresh_posted(services: Services, *, only_channel: str | None = None, force: bool = False) -> int:
    """Edit today's posted rosters in place where their content changed since they were posted."""
    now = services.clock.now()
    local_now = now.astimezone(services.tz)
    day = local_now.date()
    with services.db.read() as session:
        query = select(RosterPost).where(RosterPost.day == day, RosterPost.outbox_key != SKIPPED)
        if only_channel:
            query = query.where(RosterPost.channel_id == only_channel)
        ledger = {row.channel_id: row for row in session.exec(query).all()}
    if not ledger:
        return 0
    rotations, settings_rows = _load_rotations(services, list(ledger))
    due = [(r, effective_settings(r, settings_rows.get(r.channel_id), services)) for r in rotations]
    rendered = await _render_many(services, due, day, updated=local_now.time())
    changed = {cid: r for cid, r in rendered.items() if force or r[2] != ledger[cid].content_hash}
    if not changed:
        return 0
    with services.db.write() as session:
        for cid, (message, props, digest) in changed.items():
            current = session.get(RosterPost, (cid, day))
            if current is None or (current.content_hash == digest and not force):
                continue  # another replica edited it already
            current.edits += 1
            current.content_hash = digest
            session.add(current)
            enqueue_patch(session, key=f"{current.outbox_key}:edit:{current.edits}", target_key=current.outbox_key,
                          message=message, props=props, now=now)
    services.notify_outbox()
    return len(changed)


REFRESH_AT_LEAST_EVERY = timedelta(minutes=5)


async def morning_job(services: Services) -> None:
    await post_rosters(services)
    # Today's posted rosters are composed again only when this process wrote something since the
    # last look (another replica's writes are that replica's to pass on), and every few minutes
    # anyway; otherwise a tick would recompose every channel's roster all day long.
    views, now = services.db.views, services.clock.now()
    version = services.db.version
    last = views.get(("refreshed",))
    if last is not None and last[0] == version and now - last[1] < REFRESH_AT_LEAST_EVERY:
        return
    await refresh_posted(services)
    views[("refreshed",)] = (version, now)


def purge(session: Session, *, cutoff: datetime, cutoff_day: date) -> dict[str, int]:
    """Retention: the ledger of posted rosters, for days before the cutoff."""
    return {"roster_post": session.execute(sa.delete(RosterPost).where(RosterPost.day < cutoff_day)).rowcount or 0}


FEATURE = Feature(kind="roster", run=run, help=help_text, jobs=(morning_job,), purge=purge)
