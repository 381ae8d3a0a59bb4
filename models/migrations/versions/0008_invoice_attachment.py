"""The invoice's file on its Bill: which Bill it is about, the Attachable linked, why not, the passing failures.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the invoices' attachment columns; Bills made before are left as they are, never fetched for."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_bill_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("attachable_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("attachment_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attachment_tries", sa.Integer(), server_default="0", nullable=False))
    # Otherwise the first sweep would fetch the files of every Bill ever made, months-old dead links included,
    # and tell each old card's thread; only Bills made from now on get their file.
    op.execute(
        "UPDATE invoices SET attachment_bill_id = bill_id, "
        "attachment_note = 'the Bill was made before invoice-sync attached files' "
        "WHERE bill_id IS NOT NULL AND status IN ('S', 'P')"
    )


def downgrade() -> None:
    """Drop the invoices' attachment columns."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("attachment_tries")
        batch_op.drop_column("attachment_note")
        batch_op.drop_column("attachable_id")
        batch_op.drop_column("attachment_bill_id")
