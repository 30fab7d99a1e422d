"""gradebook: scores to placed links' own line items, their progress, the per-module switch

Revision ID: 0008_gradebook
Revises: 0007_theming
Create Date: 2026-12-05 11:30:00

score_outbox gets the link whose own line item receives the score, activityProgress and
gradingProgress (existing rows were FullyGraded/Completed), and a nullable scoreGiven (a score
waiting for a person has none); grade remembers the assignment's status it was computed with;
lti_context gets the instructor's per-module columns switch. Courses whose scores already went
to per-module columns made for modules no link was placed for keep getting them (the switch
is turned on for them), so no column an instructor sees stops being filled.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_gradebook'
down_revision = '0007_theming'
branch_labels = None
depends_on = None

WAITING = "status = 'submitted'"


def upgrade():
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resource_link_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('activity_progress', sa.String(length=12), server_default='Completed', nullable=False))
        batch_op.add_column(sa.Column('grading_progress', sa.String(length=15), server_default='FullyGraded', nullable=False))
        batch_op.alter_column('score_given', existing_type=sa.Float(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_score_outbox_resource_link_id_resource_link'), 'resource_link', ['resource_link_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_score_outbox_resource_link_id'), ['resource_link_id'], unique=False)

    # ALTER TABLE ... ADD COLUMN, never a copy: on SQLite, dropping the old lti_context would
    # cascade to every row that refers to it.
    with op.batch_alter_table('grade', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('assignment_status', sa.String(length=20), nullable=True))

    with op.batch_alter_table('lti_context', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('module_columns', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('assignment_submission', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_submission_waiting', ['id'], unique=False, postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))

    op.execute(
        "UPDATE lti_context SET module_columns = true WHERE id IN ("
        " SELECT o.context_id FROM score_outbox o WHERE o.lineitem_url IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM resource_link l"
        " WHERE l.context_id = o.context_id AND l.module_slug = o.module_slug))"
    )
    # grade.assignment_status stays empty: the grading drain then takes every round waiting
    # for review and tells the gradebook "needs grading" instead of the number it was sent.


def downgrade():
    with op.batch_alter_table('assignment_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_submission_waiting', postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))

    # ALTER TABLE ... DROP COLUMN, not a copy: other tables refer to lti_context (see 0005).
    for table, column in (('lti_context', 'module_columns'), ('grade', 'assignment_status')):
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column(column)

    # Scores without a number cannot be kept in a column that requires one.
    op.execute("DELETE FROM score_outbox WHERE score_given IS NULL")
    with op.batch_alter_table('score_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_score_outbox_resource_link_id'))
        batch_op.drop_constraint(batch_op.f('fk_score_outbox_resource_link_id_resource_link'), type_='foreignkey')
        batch_op.alter_column('score_given', existing_type=sa.Float(), nullable=False)
        batch_op.drop_column('grading_progress')
        batch_op.drop_column('activity_progress')
        batch_op.drop_column('resource_link_id')
