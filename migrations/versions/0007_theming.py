"""theming per deployment: institution name, logo, accent colour

Revision ID: 0007_theming
Revises: 0006_credentials
Create Date: 2026-12-05 10:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_theming'
down_revision = '0006_credentials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deployment_theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('institution_name', sa.String(length=100), nullable=True),
    sa.Column('accent', sa.String(length=7), nullable=True),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('logo_sha256', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_deployment_theme_deployment_id_deployment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment_theme')),
    sa.UniqueConstraint('deployment_id', name=op.f('uq_deployment_theme_deployment_id'))
    )
    with op.batch_alter_table('deployment_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_theme_logo_sha256'), ['logo_sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('deployment_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_theme_logo_sha256'))
    op.drop_table('deployment_theme')
