"""Delegations of approval roles, and whom a delegate acted for on each decision.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create delegations; add decisions.for_user_id (empty: every earlier decision was a person's own)."""
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator", sa.String(length=64), nullable=False),
        sa.Column("delegate", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(op.f("ix_delegations_delegator"), "delegations", ["delegator"], unique=False)
    op.create_index(op.f("ix_delegations_delegate"), "delegations", ["delegate"], unique=False)
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("for_user_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop decisions.for_user_id and the delegations."""
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("for_user_id")
    op.drop_index(op.f("ix_delegations_delegate"), table_name="delegations")
    op.drop_index(op.f("ix_delegations_delegator"), table_name="delegations")
    op.drop_table("delegations")
