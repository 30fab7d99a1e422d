"""service hosts per platform, refused service URLs, one running roster sync per course

Revision ID: 0005_service_hosts_roster_sync
Revises: 0004_review_folded
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_service_hosts_roster_sync'
down_revision = '0004_review_folded'
branch_labels = None
depends_on = None

RUNNING_ROSTER_SYNC = "kind = 'roster_sync' AND status = 'running'"


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('service_hosts', sa.JSON(), server_default='[]', nullable=False)
        )
    with op.batch_alter_table('lti_context', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_refusals', sa.JSON(), nullable=True))
    with op.batch_alter_table('resource_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_refusals', sa.JSON(), nullable=True))
    # Duplicate running roster syncs made before the index existed: all but the newest of a
    # course are marked failed, so the unique index can be built.
    op.execute(
        "UPDATE job_run SET status = 'failed' WHERE kind = 'roster_sync' AND status = 'running'"
        " AND id < (SELECT max(newer.id) FROM job_run newer WHERE newer.kind = 'roster_sync'"
        " AND newer.status = 'running' AND newer.context_id = job_run.context_id)"
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(
            'uq_job_run_running_roster_sync',
            ['context_id'],
            unique=True,
            postgresql_where=sa.text(RUNNING_ROSTER_SYNC),
            sqlite_where=sa.text(RUNNING_ROSTER_SYNC),
        )


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('uq_job_run_running_roster_sync')
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a copy of the table: other tables refer
    # to these, and with foreign keys on, dropping a referenced table that has rows fails.
    for table, column in (
        ('resource_link', 'service_refusals'),
        ('lti_context', 'service_refusals'),
        ('registration', 'service_hosts'),
    ):
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column(column)
