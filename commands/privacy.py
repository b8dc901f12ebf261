"""`meine-daten` and `vergessen`: everything stored about a person, and deleting it.

Each feature that stores personal data declares
`my_data(session, user_id, locale) -> list[(section title, line, channel id or None)]`
and `forget(session, user_id)` in its `Feature`; this module asks every feature of the
registry it is handed, so a new table cannot be forgotten by the data-protection commands
without a test noticing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from base.i18n import DAYS, Plural, Text
from base.safetext import plain
from commands.base import Feature
from domain import calendar as cal
from domain.phone import TARGET_LABEL
from domain.swap import SwapState
from storage import presence
from storage.models import (
    Absence,
    AuditEntry,
    CallForward,
    ChannelLead,
    OutboxItem,
    PhoneNumbers,
    PresenceChange,
    RosterPost,
    Rotation,
    RotationMember,
    SwapProposal,
)

Section = tuple[str, str, str | None]

GROUPS = Text(de="Gruppen", en="Groups")
GROUP_LINE = Text(de="Gruppe {group} in {{channel}}", en="group {group} in {{channel}}")
HOME_MARK = Text(de=" (Stammteam: legt deine Tage fest)", en=" (home team: sets your days)")
ROTATIONS = Text(de="Von dir eingerichtete Rotationen", en="Rotations you set up")
ROTATION_LINE = Text(de="{{channel}}, eingerichtet am {day}", en="{{channel}}, set up on {day}")
CHANGES = Text(de="Einmalige Änderungen", en="One-off changes")
ABSENCES = Text(de="Abwesenheiten (Notizen nur für dich)", en="Absences (notes only for you)")
FOR_OTHERS = Text(de="Von dir als Leitung für andere eingetragen", en="Entered by you as a lead for others")
FOR_OTHER_DAY = Text(de="{day}: {name} — {where}", en="{day}: {name} — {where}")
FOR_OTHER_FORWARD = Text(de="Rufumleitung für {name}: → {target}, eingetragen am {day}",
                         en="call forward for {name}: → {target}, entered on {day}")
SWAPS = Text(de="Tauschvorschläge", en="Swap proposals")
SWAP_LINE = Text(de="{day}{back} mit {name}: {state}", en="{day}{back} with {name}: {state}")
SWAP_BACK = Text(de=" (zurück am {day})", en=" (back on {day})")
SWAP_STATE: dict[str, Text] = {SwapState.PROPOSED: Text(de="offen", en="open"), SwapState.ACCEPTED: Text(de="angenommen", en="accepted"),
              SwapState.UNDONE: Text(de="zurückgenommen", en="undone"),
              SwapState.DECLINED: Text(de="abgelehnt", en="declined"),
              SwapState.EXPIRED: Text(de="abgelaufen", en="expired")}
LEADS = Text(de="Leitung", en="Lead")
LEAD_LINE = Text(de="Leitung in {channel}", en="lead in {channel}")
NUMBERS = Text(de="Telefonnummern", en="Phone numbers")
OFFICE = Text(de="Büro: {number}", en="office: {number}")
MOBILE = Text(de="Diensthandy: {number}", en="work mobile: {number}")
AUDIT = Text(de="Änderungen durch Leitungen an deinen Daten", en="Changes to your data by leads")
AUDIT_LINE = Text(de="{at}: {action} (von {actor}){detail}", en="{at}: {action} (by {actor}){detail}")
AUDIT_BY_YOU = Text(de="Deine Änderungen als Leitung an Daten anderer", en="Your changes as a lead to others' data")
AUDIT_BY_YOU_LINE = Text(de="{at}: {action} — {name}{detail}", en="{at}: {action} — {name}{detail}")
OUTBOX = Text(de="Nachrichten des Bots (Zustellprotokoll)", en="The bot's messages (delivery log)")
MESSAGES = Plural(de=("Nachricht", "Nachrichten"), en=("message", "messages"))
OUTBOX_LINE = Text(de="{messages} an dich oder über dich, gesendet oder noch zu senden; "
                      "versandte werden nach einer Woche gelöscht",
                   en="{messages} to you or about you, sent or still to be sent; "
                      "sent ones are deleted after a week")
SOMEONE = Text(de="eine nicht mehr bekannte Person", en="someone no longer known")
FORGOTTEN_PERSON = Text(de="einer gelöschten Person", en="a deleted person")
WHERE = {"office": Text(de="im Büro", en="in the office"), "home": Text(de="zu Hause", en="at home"),
         "field": Text(de="unterwegs", en="in the field"), "away": Text(de="abwesend", en="away")}
ACTIONS = {
    "assign": Text(de="Gruppe zugeordnet", en="put into a group"),
    "remove": Text(de="aus der Rotation genommen", en="taken out of the rotation"),
    "remove:setup": Text(de="aus der Rotation genommen (Gruppe entfällt)", en="taken out of the rotation (group removed)"),
    "remove:delete": Text(de="aus der Rotation genommen (Rotation gelöscht)", en="taken out of the rotation (rotation deleted)"),
    "change:office": Text(de="Büro eingetragen", en="office entered"),
    "change:home": Text(de="Home-Office eingetragen", en="home office entered"),
    "change:field": Text(de="„unterwegs“ eingetragen", en="“in the field” entered"),
    "change:away": Text(de="Abwesenheit eingetragen", en="absence entered"),
    "clear": Text(de="einmalige Änderungen entfernt", en="one-off changes removed"),
    "lead:add": Text(de="als Leitung benannt", en="named lead"),
    "lead:remove": Text(de="als Leitung entfernt", en="no longer lead"),
    "forward:set": Text(de="Rufumleitung eingetragen", en="call forward set"),
    "forward:end": Text(de="Rufumleitung beendet", en="call forward ended"),
    "number:office": Text(de="Büronummer eingetragen", en="office number entered"),
    "number:mobile": Text(de="Diensthandynummer eingetragen", en="work mobile number entered"),
    "meeting:cancel": Text(de="Besprechung abgesagt", en="meeting cancelled"),
}

# What stays where a forgotten person acted for others (set_by, created_by, actor): the rows
# belong to the others, but no longer say who it was. Columns are NOT NULL, hence a word.
FORGOTTEN_ACTOR = "forgotten"


DETAIL_GROUP = Text(de="Gruppe {group}", en="group {group}")
DETAIL_SPLIT = Text(de="Gruppe {group} (aufgeteilt)", en="group {group} (split)")
DETAIL_GONE_GROUP = Text(de="Gruppe {group} entfällt", en="group {group} no longer exists")
DETAIL_WAS_GROUP = Text(de="war in Gruppe {group}", en="was in group {group}")
DETAIL_DAYS = Text(de="{first} – {last} ({days})", en="{first} – {last} ({days})")
DETAIL_MEETING = Text(de="„{title}“", en="“{title}”")
DETAIL_MEETING_DAY = Text(de="„{title}“ am {day}", en="“{title}” on {day}")
DETAIL_UNTIL = Text(de="{target} bis {until}", en="{target} until {until}")


def detail_text(detail: str, locale: str, tz: tzinfo = UTC) -> str:
    """An audit detail in words of `locale` (see `leads.audit`); one stored before details had
    this form is shown as it was stored."""
    try:
        data = json.loads(detail) if detail.startswith("{") else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return plain(detail, max_length=200)
    try:
        def day(value: str) -> str:
            return cal.format_day(date.fromisoformat(value), locale)

        if "days" in data:
            return cal.format_days([date.fromisoformat(d) for d in data["days"]], locale)
        if "from" in data:
            if "n" in data:
                return DETAIL_DAYS(locale, first=day(data["from"]), last=day(data["to"]), days=DAYS.of(int(data["n"])))
            return day(data["from"]) if data["from"] == data["to"] else f"{day(data['from'])} – {day(data['to'])}"
        if "group" in data:
            return (DETAIL_SPLIT if data.get("split") else DETAIL_GROUP)(locale, group=plain(data["group"], max_length=20))
        if "gone_group" in data:
            return DETAIL_GONE_GROUP(locale, group=plain(data["gone_group"], max_length=20))
        if "was_group" in data:
            return DETAIL_WAS_GROUP(locale, group=plain(data["was_group"], max_length=20))
        if "meeting" in data:
            title = plain(data["meeting"], max_length=60)
            return DETAIL_MEETING_DAY(locale, title=title, day=day(data["day"])) if "day" in data else \
                DETAIL_MEETING(locale, title=title)
        if "target" in data:
            label = TARGET_LABEL.get(data["target"])
            target = label(locale) if label else plain(data["target"], max_length=20)
            if "until" not in data:
                return target
            until = datetime.fromisoformat(data["until"]).astimezone(tz)
            return DETAIL_UNTIL(locale, target=target, until=f"{cal.format_day(until.date(), locale)} {until:%H:%M}")
    except (KeyError, TypeError, ValueError):
        pass
    return plain(detail, max_length=200)


def action_text(action: str, locale: str) -> str:
    """An audit action in words ("change:office" -> "Büro eingetragen"); unknown ones as they are."""
    text = ACTIONS.get(action)
    return text(locale) if text is not None else plain(action, max_length=40)


def _outbox_about(user_id: str) -> sa.ColumnElement[bool]:
    """Outbox rows that are the person's (a DM to them) or carry their id (in a key, say)."""
    return sa.or_(col(OutboxItem.user_id) == user_id, col(OutboxItem.key).contains(user_id),
                  col(OutboxItem.target_key).contains(user_id), col(OutboxItem.props).contains(user_id),
                  col(OutboxItem.message).contains(user_id))


def people_named(session: Session, user_id: str) -> set[str]:
    """The other people `collect` names (whom the person acted for, swapped with, was changed by),
    so the caller can look up their display names first."""
    ids: set[str] = set()
    for model in (PresenceChange, Absence, CallForward):
        ids.update(session.exec(select(model.user_id).where(model.set_by == user_id)).all())
    for s in session.exec(select(SwapProposal).where(sa.or_(col(SwapProposal.proposer_id) == user_id,
                                                            col(SwapProposal.partner_id) == user_id))).all():
        ids.update((s.proposer_id, s.partner_id))
    ids.update(session.exec(select(AuditEntry.actor_id).where(AuditEntry.subject_id == user_id)).all())
    ids.update(session.exec(select(AuditEntry.subject_id).where(AuditEntry.actor_id == user_id)).all())
    ids.discard(user_id)
    ids.discard(FORGOTTEN_ACTOR)
    return ids


def collect(session: Session, user_id: str, locale: str, features: Sequence[Feature],
            names: Mapping[str, str] | None = None, tz: tzinfo = UTC) -> list[Section]:
    """Everything stored about the person, as (section title, line, channel id or None).

    `names` maps the user ids of others to display names (see `people_named`); lines hold
    `{channel}` where the channel's name goes."""
    names = names or {}

    def name(other: str) -> str:
        if other == FORGOTTEN_ACTOR:
            return FORGOTTEN_PERSON(locale)
        return names.get(other) or SOMEONE(locale)

    def day_of(at: datetime) -> str:
        return cal.format_day(at.astimezone(tz).date(), locale)

    def moment(at: datetime) -> str:
        local = at.astimezone(tz)
        return f"{cal.format_day(local.date(), locale)} {local.strftime('%H:%M')}"

    out: list[Section] = []
    home = presence.homes(session, [user_id]).get(user_id)
    for m in session.exec(select(RotationMember).where(RotationMember.user_id == user_id)).all():
        line = GROUP_LINE(locale, group=m.group)
        if home is not None and m.channel_id == home:
            line += HOME_MARK(locale)
        out.append((GROUPS(locale), line, m.channel_id))
    for r in session.exec(select(Rotation).where(Rotation.created_by == user_id)).all():
        out.append((ROTATIONS(locale), ROTATION_LINE(locale, day=day_of(r.created_at)), r.channel_id))
    for lead in session.exec(select(ChannelLead).where(ChannelLead.user_id == user_id)).all():
        out.append((LEADS(locale), LEAD_LINE(locale, channel="{channel}"), lead.channel_id))
    for c in session.exec(select(PresenceChange).where(PresenceChange.user_id == user_id).order_by(col(PresenceChange.day))).all():
        out.append((CHANGES(locale), f"{cal.format_day(c.day, locale)}: {WHERE[c.where](locale)}", None))
    for a in session.exec(select(Absence).where(Absence.user_id == user_id).order_by(col(Absence.day))).all():
        note = f" — {plain(a.note)}" if a.note else ""
        out.append((ABSENCES(locale), f"{cal.format_day(a.day, locale)}{note}", None))
    # What the person entered as a lead for others (their notes stay private to whoever wrote them).
    entered: list[tuple[tuple[object, ...], str]] = []
    for c in session.exec(select(PresenceChange).where(PresenceChange.set_by == user_id,
                                                       PresenceChange.user_id != user_id)).all():
        entered.append(((c.day, name(c.user_id)), FOR_OTHER_DAY(locale, day=cal.format_day(c.day, locale),
                                                                 name=name(c.user_id), where=WHERE[c.where](locale))))
    for a in session.exec(select(Absence).where(Absence.set_by == user_id, Absence.user_id != user_id)).all():
        entered.append(((a.day, name(a.user_id)), FOR_OTHER_DAY(locale, day=cal.format_day(a.day, locale),
                                                                 name=name(a.user_id), where=WHERE["away"](locale))))
    for f in session.exec(select(CallForward).where(CallForward.set_by == user_id, CallForward.user_id != user_id)).all():
        label = TARGET_LABEL.get(f.target)
        entered.append(((f.created_at.astimezone(tz).date(), name(f.user_id)),
                        FOR_OTHER_FORWARD(locale, name=name(f.user_id), target=label(locale) if label else f.target,
                                          day=day_of(f.created_at))))
    out.extend((FOR_OTHERS(locale), line, None) for _, line in sorted(entered, key=lambda e: str(e[0])))
    for s in session.exec(select(SwapProposal).where(sa.or_(col(SwapProposal.proposer_id) == user_id,
                                                            col(SwapProposal.partner_id) == user_id))
                          .order_by(col(SwapProposal.day))).all():
        other = s.partner_id if s.proposer_id == user_id else s.proposer_id
        back = SWAP_BACK(locale, day=cal.format_day(s.day2, locale)) if s.day2 else ""
        state = SWAP_STATE.get(s.state)
        out.append((SWAPS(locale), SWAP_LINE(locale, day=cal.format_day(s.day, locale), back=back, name=name(other),
                                             state=state(locale) if state else s.state), s.channel_id))
    numbers = session.get(PhoneNumbers, user_id)
    if numbers is not None:
        if numbers.office:
            out.append((NUMBERS(locale), OFFICE(locale, number=numbers.office), None))
        if numbers.mobile:
            out.append((NUMBERS(locale), MOBILE(locale, number=numbers.mobile), None))
    for entry in session.exec(select(AuditEntry).where(AuditEntry.subject_id == user_id).order_by(col(AuditEntry.at))).all():
        detail = f" — {detail_text(entry.detail, locale, tz)}" if entry.detail else ""
        out.append((AUDIT(locale), AUDIT_LINE(locale, at=moment(entry.at), action=action_text(entry.action, locale),
                                              detail=detail, actor=name(entry.actor_id)), entry.channel_id))
    for entry in session.exec(select(AuditEntry).where(AuditEntry.actor_id == user_id).order_by(col(AuditEntry.at))).all():
        detail = f" ({detail_text(entry.detail, locale, tz)})" if entry.detail else ""
        out.append((AUDIT_BY_YOU(locale), AUDIT_BY_YOU_LINE(locale, at=moment(entry.at), name=name(entry.subject_id),
                                                            action=action_text(entry.action, locale), detail=detail),
                    entry.channel_id))
    for feature in features:
        if feature.my_data is not None:
            out.extend(feature.my_data(session, user_id, locale))
    messages = session.exec(select(sa.func.count()).select_from(OutboxItem).where(_outbox_about(user_id))).one()
    if messages:
        out.append((OUTBOX(locale), OUTBOX_LINE(locale, messages=MESSAGES.of(messages)), None))
    return out


def forget(session: Session, user_id: str, features: Sequence[Feature]) -> None:
    """Delete every row about the person. Where they acted for others (a lead's change, an
    absence entered for someone, a forward set for someone, the rotation they set up, the audit
    entries they caused), the row stays for the others but no longer names them."""
    for model in (RotationMember, PresenceChange, Absence, ChannelLead, PhoneNumbers, CallForward):
        session.execute(sa.delete(model).where(col(model.user_id) == user_id))
    session.execute(sa.delete(SwapProposal).where(sa.or_(col(SwapProposal.proposer_id) == user_id,
                                                         col(SwapProposal.partner_id) == user_id)))
    session.execute(sa.update(CallForward).where(col(CallForward.colleague_id) == user_id).values(colleague_id=None))
    for model in (PresenceChange, Absence, CallForward):
        session.execute(sa.update(model).where(col(model.set_by) == user_id).values(set_by=FORGOTTEN_ACTOR))
    session.execute(sa.update(Rotation).where(col(Rotation.created_by) == user_id).values(created_by=FORGOTTEN_ACTOR))
    session.execute(sa.delete(AuditEntry).where(col(AuditEntry.subject_id) == user_id))
    session.execute(sa.update(AuditEntry).where(col(AuditEntry.actor_id) == user_id).values(actor_id=FORGOTTEN_ACTOR))
    # Messages to the person go, with the later edits of those messages.
    own = list(session.exec(select(OutboxItem.key).where(OutboxItem.user_id == user_id)).all())
    for start in range(0, len(own), 500):
        session.execute(sa.delete(OutboxItem).where(col(OutboxItem.target_key).in_(own[start : start + 500])))
    session.execute(sa.delete(OutboxItem).where(col(OutboxItem.user_id) == user_id))
    for feature in features:
        if feature.forget is not None:
            feature.forget(session, user_id)
    _scrub_outbox(session, user_id)


def _scrub_outbox(session: Session, user_id: str) -> None:
    """Posts and DMs to others can carry the person's id in their outbox key (and so in edits'
    target keys and the roster ledger) or in button data. Replace it with a random token, the
    same in every row, so keys stay unique and edits still find their post."""
    token = "x" + secrets.token_hex(13)[:25]  # as long as a Mattermost id: column lengths hold
    for row in session.exec(select(OutboxItem).where(_outbox_about(user_id))).all():
        for field in ("key", "target_key", "props", "message"):
            value = getattr(row, field)
            if value and user_id in value:
                setattr(row, field, value.replace(user_id, token))
        session.add(row)
    for post in session.exec(select(RosterPost).where(col(RosterPost.outbox_key).contains(user_id))).all():
        post.outbox_key = post.outbox_key.replace(user_id, token)
        session.add(post)
