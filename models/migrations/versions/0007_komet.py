"""What Komet Sales was told of each invoice: marked when, its last answer, the calls made, the next one due.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the invoices' Komet columns (nothing due for the invoices already Synchronized)."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("komet_marked_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("komet_answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("komet_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("komet_next_attempt_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_invoices_komet_next_attempt_at"), ["komet_next_attempt_at"], unique=False)


def downgrade() -> None:
    """Drop the invoices' Komet columns."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_komet_next_attempt_at"))
        batch_op.drop_column("komet_next_attempt_at")
        batch_op.drop_column("komet_attempts")
        batch_op.drop_column("komet_answer")
        batch_op.drop_column("komet_marked_at")
