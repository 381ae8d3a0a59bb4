"""An index on webhook_deliveries.received_at: each minute's sweep prunes the keys past the retention window and
looks for QuickBooks events still unprocessed after a while, both by when they were received.

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index received_at."""
    op.create_index("ix_webhook_deliveries_received_at", "webhook_deliveries", ["received_at"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_webhook_deliveries_received_at", table_name="webhook_deliveries")
