"""partner teams and languages: a partner user's role in the team, pending invitations, the
user's language, and throttling of password reset requests next to sign-ins

Revision ID: c9f4e1a2b7d5
Revises: b5e2c7d9a113
Create Date: 2026-11-30 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import hwaas.models.types


# revision identifiers, used by Alembic.
revision = 'c9f4e1a2b7d5'
down_revision = 'b5e2c7d9a113'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_role', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('invited_at', hwaas.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    # Every partner user so far could do everything: they become owners of their partner.
    op.execute("UPDATE users SET team_role = 'owner' WHERE role = 'partner'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'team_role_valid',
            "(role = 'partner' AND team_role IN ('owner', 'orderer', 'viewer')) "
            "OR (role <> 'partner' AND team_role IS NULL)")

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='sign_in'))


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('team_role_valid', type_='check')
        batch_op.drop_column('language')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('team_role')
