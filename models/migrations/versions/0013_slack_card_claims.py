"""slack_card_claims: a card about to be posted, so that a refresh after a crash between Slack's answer and the
record finds the card in Slack instead of posting it twice.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create slack_card_claims."""
    op.create_table(
        "slack_card_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_slack_card_claims_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_card_claims")),
        sa.UniqueConstraint("invoice_id", "kind", name=op.f("uq_slack_card_claims_invoice_id_kind")),
    )


def downgrade() -> None:
    """Drop slack_card_claims."""
    op.drop_table("slack_card_claims")
