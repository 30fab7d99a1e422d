"""practice log and self-assessment: log entries, their reviews, exemptions, self-ratings

Revision ID: 0011_practice_log
Revises: 0010_grade_pass_rule
Create Date: 2026-12-06 10:00:00

Issue 15 items 2 and 3. practice_log_entry holds each learner's entry per module (and the
Level 2 learning-from-failure entry), practice_log_review the instructors' rubric reviews of the
latter, self_assessment each learner's 1-4 rating of the 15 ISP competencies per point.

A module now needs its practice log entry to be complete. Learners who had completed a module
before this revision keep that completion (and any badge issued on it): each module whose grade
is complete gets a practice_log_exemption row, dated when the grade was last computed. Modules
not yet complete ask for the entry.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_practice_log'
down_revision = '0010_grade_pass_rule'
branch_labels = None
depends_on = None


def _learner_scoped():
    return [
        sa.Column('context_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_slug', sa.String(length=200), nullable=False),
    ]


def _learner_keys(table):
    return [
        sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f(f'fk_{table}_context_id_lti_context'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'], name=op.f(f'fk_{table}_user_id_lti_user'), ondelete='CASCADE'),
    ]


def upgrade():
    op.create_table('practice_log_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    *_learner_scoped(),
    *_learner_keys('practice_log_entry'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_log_entry')),
    sa.UniqueConstraint('context_id', 'user_id', 'module_slug', 'kind', name=op.f('uq_practice_log_entry_context_id_user_id_module_slug_kind'))
    )
    with op.batch_alter_table('practice_log_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_log_entry_context_id'), ['context_id'], unique=False)

    op.create_table('practice_log_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('percent', sa.Double(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('rule_min_level', sa.Integer(), nullable=False),
    sa.Column('rule_min_mean', sa.Double(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['practice_log_entry.id'], name=op.f('fk_practice_log_review_entry_id_practice_log_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['lti_user.id'], name=op.f('fk_practice_log_review_reviewer_id_lti_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_log_review')),
    sa.UniqueConstraint('entry_id', 'round', name=op.f('uq_practice_log_review_entry_id_round'))
    )
    with op.batch_alter_table('practice_log_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_log_review_entry_id'), ['entry_id'], unique=False)

    op.create_table('practice_log_exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    *_learner_scoped(),
    *_learner_keys('practice_log_exemption'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_log_exemption')),
    sa.UniqueConstraint('context_id', 'user_id', 'module_slug', name=op.f('uq_practice_log_exemption_context_id_user_id_module_slug'))
    )
    with op.batch_alter_table('practice_log_exemption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_log_exemption_context_id'), ['context_id'], unique=False)

    op.create_table('self_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('point', sa.String(length=50), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_self_assessment_context_id_lti_context'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'], name=op.f('fk_self_assessment_user_id_lti_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessment')),
    sa.UniqueConstraint('context_id', 'user_id', 'point', name=op.f('uq_self_assessment_context_id_user_id_point'))
    )
    with op.batch_alter_table('self_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessment_context_id'), ['context_id'], unique=False)

    # Completed before the log existed: the completion stands (see the docstring).
    op.execute(
        "INSERT INTO practice_log_exemption (context_id, user_id, module_slug, created_at)"
        " SELECT context_id, user_id, module_slug, updated_at FROM grade WHERE complete"
    )


def downgrade():
    for table in ('self_assessment', 'practice_log_exemption', 'practice_log_review', 'practice_log_entry'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_' + ('entry_id' if table == 'practice_log_review' else 'context_id')))
        op.drop_table(table)
