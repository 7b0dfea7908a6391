"""device cancellations: devices of one service ending on the PBX's next expiration date; device status

Revision ID: d5e1c0a9f4b2
Revises: b71c0d4e9a25
Create Date: 2026-11-30 12:45:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'd5e1c0a9f4b2'
down_revision = 'b71c0d4e9a25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_cancellations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('pbx_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('fee', hwaas.models.types.Money(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'withdrawn', 'effective')", name=op.f('ck_device_cancellations_status_valid')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_device_cancellations_quantity_positive')),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_device_cancellations_fee_not_negative')),
    sa.CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)", name=op.f('ck_device_cancellations_withdrawn_at_set')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_device_cancellations_partner_id_partners')),
    sa.ForeignKeyConstraint(['pbx_id'], ['pbxs.id'], name=op.f('fk_device_cancellations_pbx_id_pbxs')),
    sa.ForeignKeyConstraint(['service_id'], ['pbx_services.id'], name=op.f('fk_device_cancellations_service_id_pbx_services')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_device_cancellations_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_cancellations'))
    )
    with op.batch_alter_table('device_cancellations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_cancellations_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_cancellations_pbx_id'), ['pbx_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_cancellations_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_device_cancellations_status_effective_on', ['status', 'effective_on'], unique=False)

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('cancellation_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('status_valid', "status IN ('active', 'returned')")
        batch_op.create_foreign_key(batch_op.f('fk_devices_cancellation_id_device_cancellations'),
                                    'device_cancellations', ['cancellation_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_devices_cancellation_id'), ['cancellation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_cancellation_id'))
        batch_op.drop_constraint(batch_op.f('fk_devices_cancellation_id_device_cancellations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_devices_status_valid'), type_='check')
        batch_op.drop_column('cancellation_id')
        batch_op.drop_column('status')

    with op.batch_alter_table('device_cancellations', schema=None) as batch_op:
        batch_op.drop_index('ix_device_cancellations_status_effective_on')
        batch_op.drop_index(batch_op.f('ix_device_cancellations_service_id'))
        batch_op.drop_index(batch_op.f('ix_device_cancellations_pbx_id'))
        batch_op.drop_index(batch_op.f('ix_device_cancellations_partner_id'))

    op.drop_table('device_cancellations')
