"""Possible duplicates: each invoice's number as duplicates are compared, indexed by vendor, and the flag.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from invoices.duplicates import number_key

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
_BATCH = 1000


def upgrade() -> None:
    """Add number_key (computed for every stored invoice), its index by vendor, and possible_duplicate_of."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("possible_duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_invoices_possible_duplicate_of_invoices", "invoices", ["possible_duplicate_of"], ["id"]
        )
    # The key is Python's (casefold), not SQL's lower(): computed here, in batches, so both databases agree.
    connection = op.get_bind()
    invoices = sa.table("invoices", sa.column("id", sa.Integer), sa.column("number", sa.String), sa.column("number_key"))
    last = 0
    while rows := connection.execute(
        sa.select(invoices.c.id, invoices.c.number).where(invoices.c.id > last).order_by(invoices.c.id).limit(_BATCH)
    ).all():
        connection.execute(
            invoices.update().where(invoices.c.id == sa.bindparam("row_id")).values(number_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": number_key(number)} for row_id, number in rows],
        )
        last = rows[-1][0]
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.alter_column("number_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ix_invoices_vendor_id_number_key", ["vendor_id", "number_key"])


def downgrade() -> None:
    """Drop the flag, the index and number_key."""
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_vendor_id_number_key")
        batch_op.drop_constraint("fk_invoices_possible_duplicate_of_invoices", type_="foreignkey")
        batch_op.drop_column("possible_duplicate_of")
        batch_op.drop_column("number_key")
