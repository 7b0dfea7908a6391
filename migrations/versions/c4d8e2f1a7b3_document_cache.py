"""document cache: generated price lists shared by every worker

Revision ID: c4d8e2f1a7b3
Revises: ad3a99069211
Create Date: 2026-11-25 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a7b3'
down_revision = 'ad3a99069211'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_cache')),
    sa.UniqueConstraint('key', name=op.f('uq_document_cache_key'))
    )
    with op.batch_alter_table('document_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_cache_catalogue_version'), ['catalogue_version'], unique=False)


def downgrade():
    with op.batch_alter_table('document_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_cache_catalogue_version'))
    op.drop_table('document_cache')
