"""customer list index: a partner's customers by lower(name), id (the Customers page)

Revision ID: f3b9c2d41e67
Revises: e7a51c3b9d20
Create Date: 2026-11-25 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b9c2d41e67'
down_revision = 'e7a51c3b9d20'
branch_labels = None
depends_on = None


def upgrade():
    # Expression index (SQLite ≥ 3.9 and PostgreSQL): the page's ORDER BY lower(name), id within
    # one partner is read from the index, so page 1 costs the same for 50 or 50,000 customers.
    op.create_index('ix_customers_partner_id_lower_name_id', 'customers',
                    ['partner_id', sa.text('lower(name)'), 'id'], unique=False)


def downgrade():
    op.drop_index('ix_customers_partner_id_lower_name_id', table_name='customers')
