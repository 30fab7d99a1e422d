"""quiz attempts an instructor adds for a learner beyond the module's max_attempts

Revision ID: 0014_quiz_extra_attempt
Revises: 0013_credential_lz4
Create Date: 2026-12-07 10:00:00

A learner who used every attempt without passing was told to ask their instructor, who had no
way to give another. quiz_extra_attempt holds each attempt an instructor adds (who, when);
``number`` makes a form sent twice add one.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_quiz_extra_attempt'
down_revision = '0013_credential_lz4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_extra_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('context_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_slug', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_quiz_extra_attempt_context_id_lti_context'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by'], ['lti_user.id'], name=op.f('fk_quiz_extra_attempt_granted_by_lti_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'], name=op.f('fk_quiz_extra_attempt_user_id_lti_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_extra_attempt')),
    sa.UniqueConstraint('context_id', 'user_id', 'module_slug', 'number', name=op.f('uq_quiz_extra_attempt_context_id_user_id_module_slug_number'))
    )
    with op.batch_alter_table('quiz_extra_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_extra_attempt_context_id'), ['context_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_extra_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_extra_attempt_context_id'))
    op.drop_table('quiz_extra_attempt')
