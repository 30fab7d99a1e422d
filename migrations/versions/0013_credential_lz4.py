"""award credential and credential_jwt compressed with lz4 on PostgreSQL

Revision ID: 0013_credential_lz4
Revises: 0012_lti1p1_user
Create Date: 2026-12-05 10:00:00

An issued credential is about 25 KB of JSON (the level's achievement with its competency
alignments and rubric) and its VC-JWT about 34 KB more; PostgreSQL compresses both into TOAST
as it writes them. Its default method, pglz, spent about 0.4 ms of the server's time per
credential, which the drain waits for (benchmarks/README.md, "Badges"); lz4 does the same in a
fraction of it. Only values written afterwards change; on a server built without lz4, or on
SQLite, nothing is done.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_credential_lz4'
down_revision = '0012_lti1p1_user'
branch_labels = None
depends_on = None

COLUMNS = ('credential', 'credential_jwt')


def upgrade():
    if _lz4_available():
        for column in COLUMNS:
            op.execute(f'ALTER TABLE award ALTER COLUMN {column} SET COMPRESSION lz4')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for column in COLUMNS:
            op.execute(f'ALTER TABLE award ALTER COLUMN {column} SET COMPRESSION DEFAULT')


def _lz4_available():
    """PostgreSQL 14+ built with lz4: its setting for the default method then offers it."""
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return False
    offered = bind.execute(
        sa.text(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return bool(offered) and 'lz4' in offered
