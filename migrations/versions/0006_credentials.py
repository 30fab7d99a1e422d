"""completion credentials: issuer keys (sealed), awards, revocation status lists

Revision ID: 0006_credentials
Revises: 0005_service_hosts_roster_sync
Create Date: 2026-12-05 09:35:32.668516

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_credentials'
down_revision = '0005_service_hosts_roster_sync'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('issuer_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('kid', sa.String(length=100), nullable=False),
    sa.Column('private_key_pem', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issuer_key')),
    sa.UniqueConstraint('kid', name=op.f('uq_issuer_key_kid'))
    )
    with op.batch_alter_table('issuer_key', schema=None) as batch_op:
        batch_op.create_index('uq_issuer_key_active_kind', ['kind'], unique=True, postgresql_where=sa.text("state = 'active'"), sqlite_where=sa.text("state = 'active'"))

    op.create_table('status_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('bits', sa.LargeBinary(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=True),
    sa.Column('document_version', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list'))
    )
    op.create_table('award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('context_id', sa.Integer(), nullable=True),
    sa.Column('program_slug', sa.String(length=200), nullable=False),
    sa.Column('program_version', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject_id', sa.String(length=45), nullable=False),
    sa.Column('credential', sa.JSON(), nullable=True),
    sa.Column('credential_jwt', sa.Text(), nullable=True),
    sa.Column('status_list_id', sa.Integer(), nullable=True),
    sa.Column('status_index', sa.Integer(), nullable=True),
    sa.Column('show_name', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['context_id'], ['lti_context.id'], name=op.f('fk_award_context_id_lti_context'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['status_list_id'], ['status_list.id'], name=op.f('fk_award_status_list_id_status_list')),
    sa.ForeignKeyConstraint(['user_id'], ['lti_user.id'], name=op.f('fk_award_user_id_lti_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award')),
    sa.UniqueConstraint('status_list_id', 'status_index', name=op.f('uq_award_status_list_id_status_index')),
    sa.UniqueConstraint('user_id', 'program_slug', name=op.f('uq_award_user_id_program_slug')),
    sa.UniqueConstraint('uuid', name=op.f('uq_award_uuid'))
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_context_id'), ['context_id'], unique=False)
        batch_op.create_index('ix_award_status_next', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index('ix_award_status_next')
        batch_op.drop_index(batch_op.f('ix_award_context_id'))

    op.drop_table('award')
    op.drop_table('status_list')
    with op.batch_alter_table('issuer_key', schema=None) as batch_op:
        batch_op.drop_index('uq_issuer_key_active_kind', postgresql_where=sa.text("state = 'active'"), sqlite_where=sa.text("state = 'active'"))

    op.drop_table('issuer_key')
