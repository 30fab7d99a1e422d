"""membership launched_at: when the person last launched the tool in the course

Revision ID: 0009_membership_launched
Revises: 0008_gradebook
Create Date: 2026-12-05 12:30:00

The cohort dashboard tells learners who never launched (members from the LMS roster only)
from those who did. Existing rows are filled from what the tables know: a member with any
work in the course launched (their latest work is a lower bound of their last launch); a
member without work in a course that never synced its roster can only have come from a launch
(then its row's creation), and so can a member made before the course's first roster sync.
Other members without work in a course that synced its roster stay unknown (NULL, shown as
never launched) until they launch again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_membership_launched'
down_revision = '0008_gradebook'
branch_labels = None
depends_on = None

_WORK = " UNION ALL ".join(
    f"SELECT max({column}) AS t FROM {table} w"
    " WHERE w.context_id = membership.context_id AND w.user_id = membership.user_id"
    for table, column in (
        ("lesson_view", "viewed_at"),
        ("quiz_attempt", "started_at"),
        ("assignment_submission", "submitted_at"),
        ("assignment_draft", "saved_at"),
    )
)


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('launched_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE membership SET launched_at = (SELECT max(t) FROM ({_WORK}) work)")
    op.execute(
        "UPDATE membership SET launched_at = created_at WHERE launched_at IS NULL AND NOT EXISTS"
        " (SELECT 1 FROM job_run j WHERE j.kind = 'roster_sync'"
        " AND j.context_id = membership.context_id)"
    )
    # A member made before the course's first roster sync started came from a launch too (only
    # launches and roster syncs make members; roster jobs are never deleted).
    op.execute(
        "UPDATE membership SET launched_at = created_at WHERE launched_at IS NULL"
        " AND created_at < (SELECT min(j.created_at) FROM job_run j WHERE j.kind = 'roster_sync'"
        " AND j.context_id = membership.context_id)"
    )


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('launched_at')
