"""customer search trigram indexes (PostgreSQL): name, city and VAT number substrings

Revision ID: a8d1e5f0c372
Revises: f3b9c2d41e67
Create Date: 2026-11-25 16:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8d1e5f0c372'
down_revision = 'f3b9c2d41e67'
branch_labels = None
depends_on = None

COLUMNS = ("name", "city", "vat_number")


def upgrade():
    # The search is `column ILIKE '%text%'` on PostgreSQL, which no b-tree serves; pg_trgm's GIN
    # indexes do (for 3 characters or more). pg_trgm is a trusted extension (PostgreSQL 13+): the database's
    # owner may create it. SQLite has no equivalent: it scans the partner's customers.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        op.execute(f"CREATE INDEX ix_customers_{column}_trgm ON customers USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_customers_{column}_trgm")
