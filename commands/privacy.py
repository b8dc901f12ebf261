"""`meine-daten` and `vergessen`: everything stored about a person, and deleting it.

Each command module that stores personal data may define
`my_data(session, user_id, locale) -> list[(section title, line, channel id or None)]`
and `forget(session, user_id)`; this module asks every one of them, so a new
table cannot be forgotten by the data-protection commands without a test noticing.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.i18n import Text
from bot.safetext import plain
from domain import calendar as cal
from storage.models import (
    Absence,
    AuditEntry,
    CallForward,
    ChannelLead,
    OutboxItem,
    PhoneNumbers,
    PresenceChange,
    RotationMember,
    SwapProposal,
)

Section = tuple[str, str, str | None]

GROUPS = Text(de="Gruppen", en="Groups")
GROUP_LINE = Text(de="Gruppe {group} in {{channel}}", en="group {group} in {{channel}}")
CHANGES = Text(de="Einmalige Änderungen", en="One-off changes")
ABSENCES = Text(de="Abwesenheiten (Notizen nur für dich)", en="Absences (notes only for you)")
SWAPS = Text(de="Tauschvorschläge", en="Swap proposals")
SWAP_LINE = Text(de="{day}: {state}", en="{day}: {state}")
LEADS = Text(de="Leitung", en="Lead")
LEAD_LINE = Text(de="Leitung in {channel}", en="lead in {channel}")
NUMBERS = Text(de="Telefonnummern", en="Phone numbers")
OFFICE = Text(de="Büro: {number}", en="office: {number}")
MOBILE = Text(de="Diensthandy: {number}", en="work mobile: {number}")
FORWARDS = Text(de="Rufumleitungen", en="Call forwards")
FORWARD_LINE = Text(de="{target} bis {until}", en="{target} until {until}")
AUDIT = Text(de="Änderungen durch Leitungen an deinen Daten", en="Changes to your data by leads")
AUDIT_LINE = Text(de="{at}: {action} {detail}", en="{at}: {action} {detail}")
WHERE = {"office": Text(de="Büro", en="office"), "home": Text(de="zuhause", en="home"),
         "field": Text(de="unterwegs", en="in the field")}

FORGOTTEN_ACTOR = "forgotten"


def _modules() -> list[object]:
    from commands import anwesenheit, meeting, rufumleitung

    return [rufumleitung, meeting, anwesenheit]


def collect(session: Session, user_id: str, locale: str) -> list[Section]:
    out: list[Section] = []
    for m in session.exec(select(RotationMember).where(RotationMember.user_id == user_id)).all():
        out.append((GROUPS(locale), GROUP_LINE(locale, group=m.group), m.channel_id))
    for c in session.exec(select(PresenceChange).where(PresenceChange.user_id == user_id).order_by(PresenceChange.day)).all():
        out.append((CHANGES(locale), f"{cal.format_day(c.day, locale)}: {WHERE[c.where](locale)}", None))
    for a in session.exec(select(Absence).where(Absence.user_id == user_id).order_by(Absence.day)).all():
        note = f" — {plain(a.note)}" if a.note else ""
        out.append((ABSENCES(locale), f"{cal.format_day(a.day, locale)}{note}", None))
    for s in session.exec(select(SwapProposal).where(sa.or_(SwapProposal.proposer_id == user_id,
                                                            SwapProposal.partner_id == user_id))).all():
        out.append((SWAPS(locale), SWAP_LINE(locale, day=cal.format_day(s.day, locale), state=s.state), s.channel_id))
    for lead in session.exec(select(ChannelLead).where(ChannelLead.user_id == user_id)).all():
        out.append((LEADS(locale), LEAD_LINE(locale, channel="{channel}"), lead.channel_id))
    numbers = session.get(PhoneNumbers, user_id)
    if numbers is not None:
        if numbers.office:
            out.append((NUMBERS(locale), OFFICE(locale, number=numbers.office), None))
        if numbers.mobile:
            out.append((NUMBERS(locale), MOBILE(locale, number=numbers.mobile), None))
    for entry in session.exec(select(AuditEntry).where(AuditEntry.subject_id == user_id).order_by(AuditEntry.at)).all():
        out.append((AUDIT(locale), AUDIT_LINE(locale, at=entry.at.strftime("%d.%m.%Y %H:%M UTC"), action=entry.action,
                                              detail=entry.detail), entry.channel_id))
    for module in _modules():
        contribute = getattr(module, "my_data", None)
        if contribute is not None:
            out.extend(contribute(session, user_id, locale))
        elif module.__name__.endswith("rufumleitung"):
            for f in session.exec(select(CallForward).where(CallForward.user_id == user_id,
                                                            col(CallForward.ended_at).is_(None))).all():
                out.append((FORWARDS(locale), FORWARD_LINE(locale, target=f.target, until=f.until.isoformat()), None))
    return out


def forget(session: Session, user_id: str) -> None:
    """Delete every row about the person. Audit entries they caused as a lead keep the
    action but no longer name them."""
    for model in (RotationMember, PresenceChange, Absence, ChannelLead, PhoneNumbers, CallForward):
        session.execute(sa.delete(model).where(model.user_id == user_id))
    session.execute(sa.delete(SwapProposal).where(sa.or_(SwapProposal.proposer_id == user_id,
                                                         SwapProposal.partner_id == user_id)))
    session.execute(sa.update(CallForward).where(CallForward.colleague_id == user_id).values(colleague_id=None))
    session.execute(sa.delete(AuditEntry).where(AuditEntry.subject_id == user_id))
    session.execute(sa.update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=FORGOTTEN_ACTOR))
    session.execute(sa.delete(OutboxItem).where(OutboxItem.user_id == user_id))
    for module in _modules():
        erase = getattr(module, "forget", None)
        if erase is not None:
            erase(session, user_id)
