"""A company's QuickBooks connection health: broken since when and why, its probe, and its one alert.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

COLUMNS = (
    ('broken_since', UTCDateTime(timezone=True)), ('broken_kind', sa.String(length=16)), ('broken_reason', sa.Text()),
    ('probed_at', UTCDateTime(timezone=True)), ('alert_claimed_at', UTCDateTime(timezone=True)),
    ('alert_ts', sa.String(length=32)),
)


def upgrade() -> None:
    """Add the connection-health columns to qbo_connections (all empty: every connection starts healthy)."""
    with op.batch_alter_table('qbo_connections', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    """Drop the connection-health columns."""
    with op.batch_alter_table('qbo_connections', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
