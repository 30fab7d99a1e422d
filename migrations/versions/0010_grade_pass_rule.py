"""grade pass rule: each review records the rule it was graded under

Revision ID: 0010_grade_pass_rule
Revises: 0009_membership_launched
Create Date: 2026-12-06 09:00:00

Issue 15 item 1: an assignment passes when every criterion reaches its minimum level AND the
mean of the criteria reaches ``pass_rule.min_mean`` (CURRICULUM.md: >= 2 and mean >= 3.0). A
review keeps the rule it was graded under, so a grade given before the mean existed keeps
meaning what it meant: review.rule_min_level (the per-criterion minimum) and
review.rule_min_mean (NULL: no mean was required). Existing reviews get the old rule: the
min_criterion_level of the module version their round was submitted on, and no mean.
"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_grade_pass_rule'
down_revision = '0009_membership_launched'
branch_labels = None
depends_on = None

_OLD_DEFAULT_LEVEL = 2  # CURRICULUM.md's per-criterion minimum, if a snapshot lacked its own


def _old_level(data):
    if isinstance(data, str):  # SQLite hands JSON back as text
        data = json.loads(data)
    assignment = (data or {}).get("assignment") or {}
    level = assignment.get("min_criterion_level")
    return level if isinstance(level, int) and not isinstance(level, bool) else _OLD_DEFAULT_LEVEL


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_min_level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rule_min_mean', sa.Double(), nullable=True))

    # One UPDATE per module version reviewed (a handful), in Python so that it reads the JSON
    # snapshot the same way on PostgreSQL and SQLite.
    bind = op.get_bind()
    versions = bind.execute(sa.text(
        "SELECT m.id, m.data FROM content_module m WHERE m.id IN (SELECT s.module_id"
        " FROM assignment_submission s JOIN review r ON r.submission_id = s.id)"
    )).all()
    for module_id, data in versions:
        bind.execute(
            sa.text(
                "UPDATE review SET rule_min_level = :level WHERE submission_id IN"
                " (SELECT s.id FROM assignment_submission s WHERE s.module_id = :module)"
            ),
            {"level": _old_level(data), "module": module_id},
        )
    op.execute(f"UPDATE review SET rule_min_level = {_OLD_DEFAULT_LEVEL} WHERE rule_min_level IS NULL")

    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.alter_column('rule_min_level', existing_type=sa.Integer(), nullable=False)


def downgrade():
    # DROP COLUMN in place (SQLite 3.35+), not a copy of the table, as 0005 does.
    with op.batch_alter_table('review', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('rule_min_mean')
        batch_op.drop_column('rule_min_level')
