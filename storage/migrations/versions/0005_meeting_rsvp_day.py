"""meeting RSVPs belong to one occurrence: meeting_rsvp gets the occurrence's day in its key

Revision ID: 0005_rsvp_day
Revises: 0004
Create Date: 2026-12-07 09:00:00

An answer used to belong to the whole meeting, so a "no" for this Monday still counted next
Monday. Now the primary key is (meeting_id, user_id, day). An existing answer is given the day of
the occurrence that was next when it was given (one-off meetings: their day; series: by the
stored rule and called-off days, public holidays aside, which the migration cannot know).

The table is small and is rebuilt: its rows are read, it is dropped and created anew, the rows go
back with their day. A downgrade keeps each person's latest answer per meeting.
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.models
from domain.recurrence import Repeat, Schedule, next_occurrence

revision = '0005_rsvp_day'
down_revision = '0004'
branch_labels = None
depends_on = None


def _create(with_day: bool) -> None:
    op.create_table('meeting_rsvp',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    *([sa.Column('day', sa.Date(), nullable=False)] if with_day else []),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('at', storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', *(['day'] if with_day else []))
    )
    with op.batch_alter_table('meeting_rsvp', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_rsvp_user_id'), ['user_id'], unique=False)


def _rsvp(with_day: bool) -> sa.TableClause:
    return sa.table('meeting_rsvp', sa.column('meeting_id', sa.Integer()), sa.column('user_id', sa.String()),
                    *([sa.column('day', sa.Date())] if with_day else []), sa.column('answer', sa.String()),
                    sa.column('at', storage.models.UTCDateTime()))


def upgrade() -> None:
    conn = op.get_bind()
    old = _rsvp(False)
    meeting = sa.table('meeting', sa.column('id', sa.Integer()), sa.column('first_day', sa.Date()),
                       sa.column('start_time', sa.Time()), sa.column('timezone', sa.String()),
                       sa.column('duration_minutes', sa.Integer()), sa.column('repeat', sa.String()))
    cancellation = sa.table('meeting_cancellation', sa.column('meeting_id', sa.Integer()), sa.column('day', sa.Date()))
    answers = conn.execute(sa.select(old.c.meeting_id, old.c.user_id, old.c.answer, old.c.at)).all()
    schedules = {}
    for row in conn.execute(sa.select(meeting)).all():
        called_off = conn.execute(sa.select(cancellation.c.day).where(cancellation.c.meeting_id == row.id)).scalars()
        schedules[row.id] = Schedule(first_day=row.first_day, start=row.start_time, tz=ZoneInfo(row.timezone),
                                     duration=timedelta(minutes=row.duration_minutes),
                                     repeat=Repeat(row.repeat) if row.repeat else None, cancelled=frozenset(called_off))
    op.drop_table('meeting_rsvp')
    _create(with_day=True)
    rows = []
    for meeting_id, user_id, answer, at in answers:
        schedule = schedules.get(meeting_id)
        if schedule is None:
            continue
        occurrence = next_occurrence(schedule, after=at) if schedule.repeat else None
        day = occurrence.day if occurrence is not None else schedule.first_day
        rows.append({"meeting_id": meeting_id, "user_id": user_id, "day": day, "answer": answer, "at": at})
    if rows:
        op.bulk_insert(_rsvp(True), rows)


def downgrade() -> None:
    conn = op.get_bind()
    new = _rsvp(True)
    latest: dict[tuple[int, str], dict] = {}
    for meeting_id, user_id, answer, at in conn.execute(
            sa.select(new.c.meeting_id, new.c.user_id, new.c.answer, new.c.at).order_by(new.c.at)).all():
        latest[(meeting_id, user_id)] = {"meeting_id": meeting_id, "user_id": user_id, "answer": answer, "at": at}
    op.drop_table('meeting_rsvp')
    _create(with_day=False)
    if latest:
        op.bulk_insert(_rsvp(False), list(latest.values()))
