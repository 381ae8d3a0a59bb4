"""Approval reminders: when each invoice entered its status, and the reminders of that stage (count, last time).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add stage_since, reminders_sent and reminded_at; an invoice's stage began at its last allowed status change."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_since", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reminded_at", UTCDateTime(timezone=True), nullable=True))
    # The audit log knows when each invoice last moved (an allowed entry with a to_status); one that never moved
    # since its upload waits since it was created. An invoice already waiting a long time is reminded of at once.
    op.execute(
        "UPDATE invoices SET stage_since = COALESCE((SELECT MAX(a.at) FROM audit_log a WHERE a.invoice_id = "
        "invoices.id AND a.outcome = 'allowed' AND a.to_status IS NOT NULL), created_at)"
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.alter_column("stage_since", existing_type=UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    """Drop the reminder columns."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("stage_since")
