"""lti_user lti1p1_user_id: the person's LTI 1.1 user_id, from the launch's lti1p1 claim

Revision ID: 0012_lti1p1_user
Revises: 0011_practice_log
Create Date: 2026-12-20 10:00:00

A platform that moved from LTI 1.1 to 1.3 sends the 1.1 user_id beside the new sub (LTI 1.3
Migration Guide; Canvas also as lti11_legacy_user_id). The tool keeps it on the user and, when
a sub it has never seen arrives with a 1.1 user_id it knows (as a recorded 1.1 id, or as the
sub of a row made in 1.1 terms), it gives that row the new sub instead of making a stranger.
Looked up within one registration, hence the index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_lti1p1_user'
down_revision = '0011_practice_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lti_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lti1p1_user_id', sa.String(length=255), nullable=True))
        batch_op.create_index(
            'ix_lti_user_registration_id_lti1p1_user_id',
            ['registration_id', 'lti1p1_user_id'],
        )


def downgrade():
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a copy of the table: every learner's work
    # refers to lti_user, and with foreign keys on, dropping the copied table would cascade.
    with op.batch_alter_table('lti_user', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_lti_user_registration_id_lti1p1_user_id')
        batch_op.drop_column('lti1p1_user_id')
