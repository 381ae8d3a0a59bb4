"""Each revision keeps the QuickBooks vendor it pays, so approvals cover where the money goes.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add invoice_revisions.qb_accounting_name, filled from each invoice's vendor as it is now."""
    with op.batch_alter_table('invoice_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qb_accounting_name', sa.String(length=100), nullable=True))
    op.execute(
        "UPDATE invoice_revisions SET qb_accounting_name = ("
        "SELECT vendors.qb_accounting_name FROM invoices JOIN vendors ON vendors.id = invoices.vendor_id "
        "WHERE invoices.id = invoice_revisions.invoice_id)"
    )


def downgrade() -> None:
    """Drop the column; the vendor's name is used again."""
    with op.batch_alter_table('invoice_revisions', schema=None) as batch_op:
        batch_op.drop_column('qb_accounting_name')
