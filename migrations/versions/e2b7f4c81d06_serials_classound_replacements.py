"""serials at shipment, one CLASSOUND per PBX, replacement requests

Revision ID: e2b7f4c81d06
Revises: d5e1c0a9f4b2
Create Date: 2026-11-30 13:05:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'e2b7f4c81d06'
down_revision = 'd5e1c0a9f4b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shipped_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=40), nullable=False),
    sa.Column('mac', sa.String(length=17), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_shipped_units_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_shipped_units_order_line_id_order_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipped_units')),
    sa.UniqueConstraint('serial', name=op.f('uq_shipped_units_serial'))
    )
    with op.batch_alter_table('shipped_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipped_units_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipped_units_order_line_id'), ['order_line_id'], unique=False)

    op.create_table('replacement_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('pbx_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('delivery_recipient', sa.String(length=200), nullable=False),
    sa.Column('delivery_street', sa.String(length=200), nullable=False),
    sa.Column('delivery_postcode', sa.String(length=20), nullable=False),
    sa.Column('delivery_city', sa.String(length=80), nullable=False),
    sa.Column('delivery_country', sa.String(length=2), nullable=False),
    sa.Column('shipment_date', sa.Date(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'approved', 'rejected', 'shipped', 'completed')", name=op.f('ck_replacement_requests_status_valid')),
    sa.CheckConstraint("reason IN ('faulty', 'damaged', 'other')", name=op.f('ck_replacement_requests_reason_valid')),
    sa.CheckConstraint("reason <> 'other' OR note <> ''", name=op.f('ck_replacement_requests_other_has_note')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_replacement_requests_partner_id_partners')),
    sa.ForeignKeyConstraint(['pbx_id'], ['pbxs.id'], name=op.f('fk_replacement_requests_pbx_id_pbxs')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_replacement_requests_product_id_products')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_replacement_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replacement_requests'))
    )
    with op.batch_alter_table('replacement_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replacement_requests_pbx_id'), ['pbx_id'], unique=False)
        batch_op.create_index('ix_replacement_requests_partner_id_status', ['partner_id', 'status'], unique=False)

    op.create_table('replacement_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('new_device_id', sa.Integer(), nullable=True),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['replacement_requests.id'], name=op.f('fk_replacement_items_request_id_replacement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_replacement_items_device_id_devices')),
    sa.ForeignKeyConstraint(['new_device_id'], ['devices.id'], name=op.f('fk_replacement_items_new_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replacement_items'))
    )
    with op.batch_alter_table('replacement_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replacement_items_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_replacement_items_device_id'), ['device_id'], unique=False)
        batch_op.create_index('uq_replacement_items_open_device', ['device_id'], unique=True,
                              sqlite_where=sa.text('open'), postgresql_where=sa.text('open'))

    op.create_table('replacement_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['replacement_requests.id'], name=op.f('fk_replacement_status_changes_request_id_replacement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_replacement_status_changes_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replacement_status_changes'))
    )
    with op.batch_alter_table('replacement_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replacement_status_changes_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('pbx_services', schema=None) as batch_op:
        batch_op.create_index('uq_pbx_services_one_classound', ['pbx_id'], unique=True,
                              sqlite_where=sa.text("kind = 'classound' AND status <> 'cancelled'"),
                              postgresql_where=sa.text("kind = 'classound' AND status <> 'cancelled'"))
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index('uq_devices_serial', ['serial'], unique=True,
                              sqlite_where=sa.text("serial <> ''"), postgresql_where=sa.text("serial <> ''"))


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('uq_devices_serial')
    with op.batch_alter_table('pbx_services', schema=None) as batch_op:
        batch_op.drop_index('uq_pbx_services_one_classound')
    op.drop_table('replacement_status_changes')
    op.drop_table('replacement_items')
    op.drop_table('replacement_requests')
    op.drop_table('shipped_units')
