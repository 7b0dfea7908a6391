"""orders remember the address book entry they were delivered to (checkout's default address)

Revision ID: b71c0d4e9a25
Revises: b2c7d9e4f1a0
Create Date: 2026-11-30 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b71c0d4e9a25'
down_revision = 'b2c7d9e4f1a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_address_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_orders_delivery_address_id_addresses'), 'addresses',
                                    ['delivery_address_id'], ['id'], ondelete='SET NULL')
    # Orders placed before: the partner's first book entry equal to the copy on the order, if any
    # (the copy is exact: checkout copied it from the book).
    op.execute("""
        UPDATE orders SET delivery_address_id = (
            SELECT MIN(a.id) FROM addresses a
            WHERE a.partner_id = orders.partner_id AND a.recipient = orders.delivery_recipient
              AND a.street = orders.delivery_street AND a.postcode = orders.delivery_postcode
              AND a.city = orders.delivery_city AND a.country = orders.delivery_country)
    """)


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_delivery_address_id_addresses'), type_='foreignkey')
        batch_op.drop_column('delivery_address_id')
