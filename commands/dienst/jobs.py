"""The duty job, on scheduler ticks: coverage and changes for today and the next working day.

* An uncovered duty day (fewer available participants than `min`) is posted once in the channel
  as a request with the "Ich übernehme" button and sent once to the channel's leads by DM. "Once"
  is a row in the ledger (`duty_ledger`, key `cover:<duty>:<day>`), inserted in the transaction
  that owes the post and the DMs; whoever inserts it sends, across restarts and replicas.
* Whoever gains or loses a duty day there gets a DM. The ledger keeps who held each of these
  days when they were last told (`holders:<duty>:<day>`); a change is claimed by a conditional
  UPDATE from the old holders to the new, so it is told once.

The job runs when this process wrote to a table the holders depend on since it last looked, and
every few minutes anyway (another replica's writes are that replica's to pass on). It reads in
bulk (`storage.duties.duty_plans_many`), as the morning roster does.

Once a day (`carry_job`), and before the retention purge deletes presence data (`keep`), each
duty's carry is moved forward (`storage.duties.carry_forward_all`): where its line stood
`CARRY_LAG` ago, so the rota of today needs no older presence data. Changes to days before the
carry no longer move the rota; those days are past.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from base.chat import MattermostError, User
from base.safetext import plain
from commands.base import Context, Services, user_locale
from commands.channels import channel_locale, channel_region
from commands.dienst.handover import post_request, request_key
from commands.dienst.texts import COVER_DM_LEAD, COVERED_AGAIN_POST, GAINED_DM, LOST_DM
from commands.duty_views import uncovered_text
from commands.leads import channel_leads
from domain import calendar as cal
from storage import duties as duty_store
from storage.duty_models import Duty, DutyLedger, DutyRequest
from storage.models import Rotation
from storage.outbox import URGENT, enqueue_dm, enqueue_patch

log = logging.getLogger("amtsbote.duty")
# How far back the rota's carry is written: an absence entered late for a day of the last two weeks
# (a sick note, say) still moves the rota; one for an older day no longer does.
CARRY_LAG = timedelta(days=14)
LOOK_AT_LEAST_EVERY = timedelta(minutes=5)
# what a duty's holders depend on; the job's own ledger and the outbox are not among them
WATCHED = ("rotation", "rotation_member", "presence_change", "absence", "duty", "duty_participant",
           "duty_handover", "duty_request", "channel_settings")


@dataclass(frozen=True)
class _DayState:
    duty: Duty
    day: date
    holders: tuple[str, ...]
    missing: int
    open_request: bool
    open_covers: tuple[int, ...] = ()  # open coverage requests of the day


def _channels(session: Session, default_region: str) -> tuple[list[str], dict[str, Rotation], dict[str, str]]:
    """The channels with duties, their rotations and their holiday regions."""
    channel_ids = sorted(session.exec(select(Duty.channel_id).distinct()).all())
    rotations = {r.channel_id: r for r in session.exec(select(Rotation).where(
        col(Rotation.channel_id).in_(channel_ids))).all()} if channel_ids else {}
    regions = {cid: channel_region(session, cid, default_region) for cid in channel_ids}
    return channel_ids, rotations, regions


def keep(session: Session, *, day: date, default_region: str) -> int:
    """Carry every duty's line forward to `day` at least (the first day whose presence data is
    kept): run before the retention purge deletes what lies before it. Returns carries written."""
    channel_ids, rotations, regions = _channels(session, default_region)
    written = 0
    for at in range(0, len(channel_ids), 500):
        part = {cid: (rotations.get(cid), regions[cid]) for cid in channel_ids[at:at + 500]}
        written += duty_store.carry_forward_all(session, part, day)
    return written


def carry_day(today: date, retention_days: int) -> date:
    """The day the carries are moved to: CARRY_LAG back, and never before the retention keeps."""
    return today - min(CARRY_LAG, timedelta(days=max(retention_days - 1, 0)))


async def carry_job(services: Services) -> None:
    """Once a day per process: move the duties' carries to `carry_day` (see the module docstring)."""
    today = services.clock.now().astimezone(services.tz).date()
    if services.db.views.get(("duty-carry",)) == today:
        return
    services.db.views[("duty-carry",)] = today
    with services.db.read() as session:
        if session.exec(select(Duty.id).limit(1)).first() is None:
            return
    with services.db.write() as session:
        written = keep(session, day=carry_day(today, services.settings.retention_days),
                       default_region=services.settings.bot_holiday_region)
    if written:
        log.debug("duties: %s carries moved on", written)


def _states(services: Services, today: date) -> list[_DayState]:
    out = []
    with services.db.read() as session:
        channel_ids, rotations, regions = _channels(session, services.settings.bot_holiday_region)
        wanted = {cid: ([today] if cal.is_working_day(today, region) else [])
                  + cal.next_working_days(today + timedelta(days=1), 1, region) for cid, region in regions.items()}
        last = max((days[-1] for days in wanted.values()), default=today)
        for at in range(0, len(channel_ids), 500):
            part = {cid: (rotations.get(cid), regions[cid]) for cid in channel_ids[at:at + 500]}
            for channel_id, plans in duty_store.duty_plans_many(session, part, today, last).items():
                for plan in plans:
                    for day in wanted[channel_id]:
                        dd = plan.days.get(day)
                        if dd is not None:
                            requests = plan.open_drops.get(day, [])
                            out.append(_DayState(plan.duty, day, dd.holders, dd.missing, bool(requests),
                                                 tuple(r.id or 0 for r in requests if r.kind == "cover")))
    return out


def _bot(services: Services) -> User:
    return User(id=getattr(services.mm, "bot_user_id", "") or "amtsbote", username="amtsbote",
                display_name="Amtsbote", locale=services.settings.bot_locale, is_bot=True)


async def duty_job(services: Services) -> None:
    views, now = services.db.views, services.clock.now()
    version = services.db.table_version(*WATCHED)
    last = views.get(("duties",))
    if last is not None and last[0] == version and now - last[1] < LOOK_AT_LEAST_EVERY:
        return
    views[("duties",)] = (version, now)
    with services.db.read() as session:
        if session.exec(select(Duty.id).limit(1)).first() is None:
            return
    today = now.astimezone(services.tz).date()
    states = _states(services, today)
    await _coverage(services, [s for s in states if s.missing and not s.open_request], now)
    _covered_again(services, [s for s in states if not s.missing and s.open_covers], now)
    await _changes(services, states, now)


async def _coverage(services: Services, uncovered: list[_DayState], now: datetime) -> None:
    if not uncovered:
        return
    keys = {f"cover:{s.duty.id}:{s.day.isoformat()}": s for s in uncovered}
    with services.db.read() as session:
        done = set(session.exec(select(DutyLedger.key).where(col(DutyLedger.key).in_(sorted(keys)))).all())
    todo = {k: s for k, s in keys.items() if k not in done}
    if not todo:
        return
    bot = _bot(services)
    leads: dict[str, list[User]] = {}
    channels: dict[str, str] = {}
    for state in todo.values():
        cid = state.duty.channel_id
        if cid in leads:
            continue
        ctx = Context(services=services, user=bot, channel_id=cid, team_id="", locale=services.settings.bot_locale,
                      now=now)
        leads[cid] = await channel_leads(ctx, cid)
        try:
            channels[cid] = plain((await services.mm.channel(cid)).display_name, max_length=60)
        except MattermostError:
            channels[cid] = ""
    sent = 0
    with services.db.write() as session:
        for key, state in sorted(todo.items()):
            if not duty_store.claim_notice(session, key, state.day, now):
                continue  # another replica, or an earlier run, has told it
            cid = state.duty.channel_id
            ctx = Context(services=services, user=bot, channel_id=cid, team_id="",
                          locale=channel_locale(session, cid, services.settings.bot_locale), now=now)
            request = DutyRequest(duty_id=state.duty.id or 0, day=state.day, kind="cover", created_by=bot.id,
                                  created_at=now)
            session.add(request)
            session.flush()
            post_request(session, ctx, state.duty, request, {}, state.missing)
            for lead in leads.get(cid, []):
                locale = user_locale(lead, services.settings)
                enqueue_dm(session, key=f"duty:{key}:lead:{lead.id}", user_id=lead.id, now=now,
                           message=COVER_DM_LEAD(locale, channel=channels.get(cid, ""),
                                                 name=plain(state.duty.name, max_length=40),
                                                 day=cal.format_day(state.day, locale),
                                                 missing=uncovered_text(state.missing, locale)))
            sent += 1
    if sent:
        services.notify_outbox()
        log.info("duties: %s uncovered duty day(s) asked for", sent)


def _covered_again(services: Services, states: list[_DayState], now: datetime) -> None:
    """A day asked for that is covered again (an absence taken back, say): its request closes and
    its post says so, once (the close is a conditional UPDATE)."""
    if not states:
        return
    with services.db.write() as session:
        for state in states:
            locale = channel_locale(session, state.duty.channel_id, services.settings.bot_locale)
            for request_id in state.open_covers:
                if duty_store.close_request(session, request_id, now):
                    enqueue_patch(session, key=f"{request_key(request_id)}:covered", target_key=request_key(request_id),
                                  message=COVERED_AGAIN_POST(locale, name=plain(state.duty.name, max_length=40),
                                                             day=cal.format_day(state.day, locale)),
                                  props={}, now=now, priority=URGENT)
    services.notify_outbox()


async def _changes(services: Services, states: list[_DayState], now: datetime) -> None:
    keys = {f"holders:{s.duty.id}:{s.day.isoformat()}": s for s in states}
    if not keys:
        return
    with services.db.read() as session:
        known = dict(session.exec(select(DutyLedger.key, DutyLedger.value)
                                  .where(col(DutyLedger.key).in_(sorted(keys)))).all())
    changed = {k: s for k, s in keys.items() if k in known and known[k] != ",".join(sorted(s.holders))}
    new = {k: s for k, s in keys.items() if k not in known}
    people = {p for k, s in changed.items() for p in set(known[k].split(",")) ^ set(s.holders) if p}
    users = await services.mm.users(sorted(people)) if people else {}
    names: dict[str, str] = {}
    for cid in {s.duty.channel_id for s in changed.values()}:
        try:
            names[cid] = plain((await services.mm.channel(cid)).display_name, max_length=60)
        except MattermostError:
            names[cid] = ""
    with services.db.write() as session:
        for key, state in new.items():
            duty_store.claim_notice(session, key, state.day, now, ",".join(sorted(state.holders)))
        for key, state in changed.items():
            value = ",".join(sorted(state.holders))
            if not duty_store.move_snapshot(session, key, known[key], value):
                continue
            before = {p for p in known[key].split(",") if p}
            digest = hashlib.sha256(f"{known[key]}>{value}".encode()).hexdigest()[:12]
            for person in sorted(before ^ set(state.holders)):
                user = users.get(person)
                if user is None or user.is_bot:
                    continue
                locale = user_locale(user, services.settings)
                text = (GAINED_DM if person in state.holders else LOST_DM)(
                    locale, name=plain(state.duty.name, max_length=40), day=cal.format_day(state.day, locale),
                    channel=names.get(state.duty.channel_id, ""))
                enqueue_dm(session, key=f"duty:{key}:{person}:{digest}", user_id=person, message=text, now=now)
    if changed:
        services.notify_outbox()
