"""QuickBooks events are keyed by the SHA-256 of their whole id and name the entity they are about.

Revision ID: 0004
Revises: 0003
"""

import hashlib

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    """Add webhook_deliveries.subject (indexed), fill it for QuickBooks events, and hash their keys."""
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_subject'), ['subject'], unique=False)
    connection = op.get_bind()
    deliveries = sa.table('webhook_deliveries', sa.column('id', sa.Integer()), sa.column('source', sa.String()),
                          sa.column('delivery_id', sa.String()), sa.column('subject', sa.String()),
                          sa.column('payload', sa.JSON()))
    rows = connection.execute(sa.select(deliveries.c.id, deliveries.c.payload)
                              .where(deliveries.c.source == 'quickbooks')).all()
    for delivery_id, event in rows:
        connection.execute(deliveries.update().where(deliveries.c.id == delivery_id).values(
            delivery_id=_digest(event["key"]), subject=_digest(f"{event['realm']}:{event['entity']}:{event['id']}")))


def downgrade() -> None:
    """Drop subject; QuickBooks event keys stay hashed (a hash cannot be turned back into the id)."""
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_subject'))
        batch_op.drop_column('subject')
