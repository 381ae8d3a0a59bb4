"""Alembic environment: the URL comes from the caller's config, else from the settings."""

from alembic import context
from sqlalchemy import event

import models
from models.database import make_engine

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from settings import load_settings

    return load_settings().resolved_database_url()


def run_migrations_online() -> None:
    """Apply migrations on a live connection."""
    engine = make_engine(_url())
    if engine.dialect.name == "sqlite":
        # A batch migration rebuilds a table (copy, drop, rename); with foreign keys enforced, dropping it deletes
        # every row that refers to it, ON DELETE CASCADE, e.g. every invoice's revisions. Alembic's batch docs:
        # "this pragma, if in use, must be disabled" while it runs. The migrated data is checked after.
        event.listen(engine, "connect", _foreign_keys_off)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=models.Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left rows referring to nothing (table, rowid, ...): {broken}")
    engine.dispose()


def _foreign_keys_off(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


run_migrations_online()
