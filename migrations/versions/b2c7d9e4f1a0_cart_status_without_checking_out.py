"""cart status without 'checking_out': no code ever set it (checkout claims a cart with a guarded
UPDATE straight to 'ordered')

Revision ID: b2c7d9e4f1a0
Revises: a8d1e5f0c372
Create Date: 2026-11-30 13:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2c7d9e4f1a0'
down_revision = 'a8d1e5f0c372'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE carts SET status = 'open' WHERE status = 'checking_out'")
    with op.batch_alter_table('carts') as batch:
        batch.drop_constraint(op.f('ck_carts_status_valid'), type_='check')
        batch.create_check_constraint('status_valid', "status IN ('open', 'saved', 'ordered')")


def downgrade():
    with op.batch_alter_table('carts') as batch:
        batch.drop_constraint(op.f('ck_carts_status_valid'), type_='check')
        batch.create_check_constraint('status_valid', "status IN ('open', 'saved', 'checking_out', 'ordered')")
