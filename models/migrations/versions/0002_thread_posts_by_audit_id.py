"""Thread posts name their audit entry and card kind in columns, not in an 'audit:<id>:<kind>' key.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add audit_id and card_kind, fill them from event_key, then drop event_key."""
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('card_kind', sa.String(length=20), nullable=True))
    connection = op.get_bind()
    posts = sa.table('slack_thread_posts', sa.column('id', sa.Integer()), sa.column('event_key', sa.String()),
                     sa.column('audit_id', sa.Integer()), sa.column('card_kind', sa.String()))
    for post_id, key in connection.execute(sa.select(posts.c.id, posts.c.event_key)).all():
        _, audit_id, kind = key.split(":")
        connection.execute(posts.update().where(posts.c.id == post_id).values(audit_id=int(audit_id), card_kind=kind))
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_slack_thread_posts_event_key', type_='unique')
        batch_op.drop_column('event_key')
        batch_op.alter_column('audit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('card_kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_slack_thread_posts_audit_id_audit_log'), 'audit_log',
                                    ['audit_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_slack_thread_posts_audit_id_card_kind'),
                                          ['audit_id', 'card_kind'])


def downgrade() -> None:
    """Put event_key back from audit_id and card_kind."""
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_key', sa.String(length=200), nullable=True))
    connection = op.get_bind()
    posts = sa.table('slack_thread_posts', sa.column('id', sa.Integer()), sa.column('event_key', sa.String()),
                     sa.column('audit_id', sa.Integer()), sa.column('card_kind', sa.String()))
    for post_id, audit_id, kind in connection.execute(sa.select(posts.c.id, posts.c.audit_id, posts.c.card_kind)).all():
        connection.execute(posts.update().where(posts.c.id == post_id).values(event_key=f"audit:{audit_id}:{kind}"))
    with op.batch_alter_table('slack_thread_posts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_slack_thread_posts_audit_id_card_kind', type_='unique')
        batch_op.drop_constraint('fk_slack_thread_posts_audit_id_audit_log', type_='foreignkey')
        batch_op.drop_column('card_kind')
        batch_op.drop_column('audit_id')
        batch_op.alter_column('event_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint('uq_slack_thread_posts_event_key', ['event_key'])
