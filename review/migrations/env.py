"""Alembic environment: always run with a connection handed over by `exportdesk.review.migrate`."""

from __future__ import annotations

from alembic import context

from exportdesk.review.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "Run migrations through exportdesk.review.migrate.upgrade(engine), which passes the "
        "connection; the alembic command line is not configured for this package."
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
