"""Initial schema; on PostgreSQL the audit log refuses UPDATE and DELETE at the database too.

Revision ID: 0001
Revises: 
"""

from alembic import op
import sqlalchemy as sa
import models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table, and on PostgreSQL the trigger that keeps the audit log append-only."""
    op.create_table('qbo_connections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('realm_id', sa.String(length=32), nullable=False),
    sa.Column('refresh_token_encrypted', sa.Text(), nullable=False),
    sa.Column('access_token_encrypted', sa.Text(), nullable=True),
    sa.Column('access_token_expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cdc_checked_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('connected_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qbo_connections')),
    sa.UniqueConstraint('realm_id', name=op.f('uq_qbo_connections_realm_id'))
    )
    op.create_table('vendors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('qb_accounting_name', sa.String(length=100), nullable=True),
    sa.Column('default_class', sa.String(length=100), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendors')),
    sa.UniqueConstraint('code', name=op.f('uq_vendors_code'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('delivery_id', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('source', 'delivery_id', name=op.f('uq_webhook_deliveries_source_delivery_id'))
    )
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('po_number', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=2), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('bill_number', sa.String(length=64), nullable=True),
    sa.Column('bill_id', sa.String(length=32), nullable=True),
    sa.Column('bill_confirmed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_invoices_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('vendor_id', 'number', name=op.f('uq_invoices_vendor_id_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_bill_number'), ['bill_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_po_number'), ['po_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_status'), ['status'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('from_status', sa.String(length=2), nullable=True),
    sa.Column('to_status', sa.String(length=2), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_audit_log_invoice_id_invoices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_decisions_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoice_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('invoice_date', sa.Date(), nullable=False),
    sa.Column('ship_date', sa.Date(), nullable=False),
    sa.Column('po_class', sa.String(length=100), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', models.base.Money(precision=14, scale=2), nullable=False),
    sa.Column('attachment_url', sa.String(length=2000), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('delivery_id', sa.String(length=200), nullable=True),
    sa.Column('received_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_revisions_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_revisions')),
    sa.UniqueConstraint('invoice_id', 'number', name=op.f('uq_invoice_revisions_invoice_id_number'))
    )
    op.create_table('slack_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=False),
    sa.Column('posted_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_slack_cards_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_cards')),
    sa.UniqueConstraint('invoice_id', 'kind', name=op.f('uq_slack_cards_invoice_id_kind'))
    )
    op.create_table('slack_thread_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_key', sa.String(length=200), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('posted_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_slack_thread_posts_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slack_thread_posts')),
    sa.UniqueConstraint('event_key', name=op.f('uq_slack_thread_posts_event_key'))
    )
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_thread_posts_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('invoice_charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('amount', models.base.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['invoice_revisions.id'], name=op.f('fk_invoice_charges_revision_id_invoice_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_charges'))
    )
    with op.batch_alter_table('invoice_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_charges_revision_id'), ['revision_id'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=500), nullable=False),
    sa.Column('boxes', sa.Integer(), nullable=True),
    sa.Column('units', sa.Integer(), nullable=True),
    sa.Column('unit_price', models.base.Money(precision=14, scale=4), nullable=True),
    sa.Column('amount', models.base.Money(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['invoice_revisions.id'], name=op.f('fk_invoice_lines_revision_id_invoice_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_revision_id'), ['revision_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql
"""


def downgrade() -> None:
    """Drop everything upgrade() created."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_revision_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoice_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_charges_revision_id'))

    op.drop_table('invoice_charges')
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_thread_posts_invoice_id'))

    op.drop_table('slack_thread_posts')
    op.drop_table('slack_cards')
    op.drop_table('invoice_revisions')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_invoice_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_invoice_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_status'))
        batch_op.drop_index(batch_op.f('ix_invoices_po_number'))
        batch_op.drop_index(batch_op.f('ix_invoices_bill_number'))
        batch_op.drop_index(batch_op.f('ix_invoices_bill_id'))

    op.drop_table('invoices')
    op.drop_table('webhook_deliveries')
    op.drop_table('vendors')
    op.drop_table('qbo_connections')
