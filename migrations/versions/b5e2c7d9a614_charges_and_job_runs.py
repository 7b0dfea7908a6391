"""charges and job runs: what each service costs, and the days the renewal job has done

Revision ID: b5e2c7d9a614
Revises: e2b7f4c81d06
Create Date: 2026-11-30 12:40:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'b5e2c7d9a614'
down_revision = 'e2b7f4c81d06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('finished_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job', 'day', name=op.f('pk_job_runs'))
    )
    op.create_table('charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('pbx_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=12), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', hwaas.models.types.Money(precision=12, scale=2), nullable=False),
    sa.Column('amount', hwaas.models.types.Money(precision=12, scale=2), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('initial', 'renewal', 'cancellation_fee')", name=op.f('ck_charges_kind_valid')),
    sa.CheckConstraint("term IN ('monthly', 'yearly', 'five_years')", name=op.f('ck_charges_term_valid')),
    sa.CheckConstraint('amount >= 0 AND unit_price >= 0', name=op.f('ck_charges_amount_positive')),
    sa.CheckConstraint('period_start < period_end', name=op.f('ck_charges_period_valid')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_charges_quantity_positive')),
    sa.ForeignKeyConstraint(['customer_id', 'partner_id'], ['customers.id', 'customers.partner_id'], name=op.f('fk_charges_customer_id_partner_id_customers')),
    sa.ForeignKeyConstraint(['pbx_id', 'customer_id', 'term'], ['pbxs.id', 'pbxs.customer_id', 'pbxs.term'], name=op.f('fk_charges_pbx_id_customer_id_term_pbxs')),
    sa.ForeignKeyConstraint(['service_id'], ['pbx_services.id'], name=op.f('fk_charges_service_id_pbx_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charges')),
    sa.UniqueConstraint('service_id', 'kind', 'period_start', name=op.f('uq_charges_service_id_kind_period_start'))
    )
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.create_index('ix_charges_customer_id_period_start', ['customer_id', 'period_start'], unique=False)
        batch_op.create_index('ix_charges_partner_id_period_start_id', ['partner_id', 'period_start', 'id'], unique=False)
        batch_op.create_index('ix_charges_pbx_id_period_start', ['pbx_id', 'period_start'], unique=False)


def downgrade():
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.drop_index('ix_charges_pbx_id_period_start')
        batch_op.drop_index('ix_charges_partner_id_period_start_id')
        batch_op.drop_index('ix_charges_customer_id_period_start')

    op.drop_table('charges')
    op.drop_table('job_runs')
