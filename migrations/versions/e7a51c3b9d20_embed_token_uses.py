"""embed token uses: launch token ids already redeemed, shared by every worker

Revision ID: e7a51c3b9d20
Revises: c4d8e2f1a7b3
Create Date: 2026-11-25 15:30:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'e7a51c3b9d20'
down_revision = 'c4d8e2f1a7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('embed_token_uses',
    sa.Column('jti', sa.String(length=128), nullable=False),
    sa.Column('expires_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti', name=op.f('pk_embed_token_uses'))
    )
    with op.batch_alter_table('embed_token_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_embed_token_uses_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('embed_token_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_embed_token_uses_expires_at'))
    op.drop_table('embed_token_uses')
