"""The ERP events outbox, the ERP endpoint's state, and each invoice's event sequence.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create erp_events and erp_endpoint; number each invoice's events from 0."""
    op.create_table(
        "erp_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("dead_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_erp_events_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_events")),
        sa.UniqueConstraint("invoice_id", "sequence", name=op.f("uq_erp_events_invoice_id_sequence")),
    )
    op.create_index(op.f("ix_erp_events_next_attempt_at"), "erp_events", ["next_attempt_at"], unique=False)
    op.create_table(
        "erp_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gone_since", UTCDateTime(timezone=True), nullable=True),
        sa.Column("gone_answer", sa.Text(), nullable=True),
        sa.Column("alert_claimed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("alert_ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_endpoint")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop the outbox, the endpoint state and the invoices' event sequence."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("event_sequence")
    op.drop_table("erp_endpoint")
    op.drop_index(op.f("ix_erp_events_next_attempt_at"), table_name="erp_events")
    op.drop_table("erp_events")
