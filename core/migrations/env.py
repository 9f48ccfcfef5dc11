"""Alembic environment of yixian: core and plugin branches, run on a connection we hand in.

``core.migrate`` opens the connection (one transaction for the whole upgrade, so a failing plugin
migration leaves nothing half-applied on PostgreSQL) and puts it in ``config.attributes``.
"""

from alembic import context

import core.models  # noqa: F401 - fills Base.metadata with every core table
from core.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
