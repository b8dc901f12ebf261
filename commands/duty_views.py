"""What other features read of duties (SPEC §2.5): the roster's "Dienste" section, a person's
duties today for `/anwesenheit @name`, the duties per person and day for the plan export, and
the team's greeting for `/rufumleitung ab`. Shared by /dienst and the features that show duties.

Names are display names made inert (`plain`), never @-mentions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlmodel import Session, col, select

from base.i18n import Text
from base.safetext import plain
from storage import duties as duty_store
from storage.duty_models import DutyGreeting
from storage.models import RotationMember

SECTION = Text(de="🛎️ Dienste", en="🛎️ Duties")
STAND_IN = Text(de="Vertretung: {name}", en="stand-in: {name}")
UNCOVERED = Text(de="⚠️ unbesetzt ({missing} fehlt)", en="⚠️ uncovered ({missing} missing)")
UNCOVERED_MANY = Text(de="⚠️ unbesetzt ({missing} fehlen)", en="⚠️ uncovered ({missing} missing)")
DROPPED = Text(de="gibt ab, Vertretung gesucht", en="dropping it, stand-in wanted")
HOURS = Text(de="{start}–{end} Uhr", en="{start}–{end}")
ON_SITE = Text(de="vor Ort", en="on site")
TODAY_DUTIES = Text(de="Dienste heute: {duties}", en="Duties today: {duties}")
GREETING_SHOWN = Text(
    de="📼 Ansage des Teams für den Anrufbeantworter:\n> {text}\n"
       "Denk daran, die Ansage zurückzustellen, wenn die Umleitung endet.",
    en="📼 The team's answering-machine greeting:\n> {text}\n"
       "Remember to switch the greeting back when the forward ends.")
GREETING_BACK = Text(
    de="📼 Denk daran, die Ansage deines Anrufbeantworters zurückzustellen.",
    en="📼 Remember to switch your answering-machine greeting back.")


def hours_text(hours: str | None, locale: str) -> str:
    if not hours:
        return ""
    start, _, end = hours.partition("-")
    return HOURS(locale, start=start, end=end)


def uncovered_text(missing: int, locale: str) -> str:
    return (UNCOVERED if missing == 1 else UNCOVERED_MANY)(locale, missing=missing)


def _name(names: Mapping[str, str], uid: str) -> str:
    return plain(names.get(uid, "?"), max_length=60)


def reach_of(plan: duty_store.DutyPlan, holders: Sequence[str], numbers: Mapping[str, object],
             forwards: Mapping[str, str]) -> str:
    """The number to reach the duty: its own, else the holders' forwards or office numbers."""
    if plan.duty.number:
        return f"☎️ {plan.duty.number}"
    parts = []
    for uid in holders:
        if uid in forwards:
            parts.append(f"☎️ {forwards[uid]}")
        else:
            office = getattr(numbers.get(uid), "office", None)
            if office:
                parts.append(f"☎️ {office}")
    return ", ".join(parts)


def duty_lines(plans: Sequence[duty_store.DutyPlan], day: date, locale: str, names: Mapping[str, str],
               numbers: Mapping[str, object], forwards: Mapping[str, str]) -> list[str]:
    """One line per duty of `day`: its name, its people, the number to reach it, the stand-in."""
    lines = []
    for plan in plans:
        dd = plan.days.get(day)
        if dd is None:
            continue
        dropping = {r.giver for r in plan.open_drops.get(day, ()) if r.giver}
        label = f"**{plain(plan.duty.name, max_length=40)}**"
        extra = hours_text(plan.duty.hours, locale)
        if extra:
            label += f" ({extra})"
        people = ", ".join(_name(names, uid) + (f" ({DROPPED(locale)})" if uid in dropping else "")
                           for uid in dd.holders)
        parts = [people] if people else []
        if dd.missing:
            parts.append(uncovered_text(dd.missing, locale))
        reach = reach_of(plan, dd.holders, numbers, forwards)
        if reach:
            parts.append(reach)
        if dd.stand_in:
            parts.append(STAND_IN(locale, name=_name(names, dd.stand_in)))
        lines.append(f"- {'⚠️ ' if dd.missing or dropping else ''}{label}: " + " · ".join(parts))
    return lines


def people_of(plans: Sequence[duty_store.DutyPlan]) -> set[str]:
    """Whose names the duty lines may show."""
    return {uid for plan in plans for dd in plan.days.values()
            for uid in (*dd.holders, *((dd.stand_in,) if dd.stand_in else ()))}


def person_duties(session: Session, user_id: str, day: date, default_region: str) -> list[tuple[str, str]]:
    """(duty name, channel id) of every duty the person holds on `day`."""
    from commands.channels import channel_region

    found = []
    for channel_id in duty_store.participant_channels(session, user_id):
        region = channel_region(session, channel_id, default_region)
        for plan in duty_store.duty_plans(session, channel_id, day, day, region=region):
            dd = plan.days.get(day)
            if dd is not None and user_id in dd.holders:
                found.append((plan.duty.name, channel_id))
    return found


def person_duties_line(session: Session, user_id: str, day: date, locale: str, default_region: str) -> str | None:
    """"Dienste heute: Telefondienst, Postdienst" for `/anwesenheit @name`, or None."""
    held = person_duties(session, user_id, day, default_region)
    if not held:
        return None
    return TODAY_DUTIES(locale, duties=", ".join(plain(name, max_length=40) for name, _ in held))


def duties_by_person(session: Session, channel_id: str, start: date, end: date,
                     region: str) -> dict[tuple[str, date], list[str]]:
    """(person, day) -> the names of the channel's duties they hold that day (the plan export)."""
    out: dict[tuple[str, date], list[str]] = {}
    for plan in duty_store.duty_plans(session, channel_id, start, end, region=region):
        for day, dd in plan.days.items():
            for uid in dd.holders:
                out.setdefault((uid, day), []).append(plan.duty.name)
    return out


def greeting_for(session: Session, user_id: str, channel_id: str | None) -> str | None:
    """The greeting of the channel the person typed in, else of their rotations' channels."""
    if channel_id:
        row = session.get(DutyGreeting, channel_id)
        if row is not None:
            return row.text
    channels = session.exec(select(RotationMember.channel_id).where(RotationMember.user_id == user_id)
                            .order_by(col(RotationMember.joined_at))).all()
    for cid in channels:
        row = session.get(DutyGreeting, cid)
        if row is not None:
            return row.text
    return None


def greeting_text(text: str, locale: str) -> str:
    return GREETING_SHOWN(locale, text=plain(text, max_length=500))
