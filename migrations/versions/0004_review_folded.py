"""review folded_at: which reviews are in their module grade

Revision ID: 0004_review_folded
Revises: 0003_grading_outbox
Create Date: 2026-11-27 06:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_review_folded'
down_revision = '0003_grading_outbox'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('folded_at', sa.DateTime(timezone=True), nullable=True))
    # Reviews made before this column existed were folded by their task.
    op.execute("UPDATE review SET folded_at = created_at")


def downgrade():
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_column('folded_at')
