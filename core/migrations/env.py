"""Alembic environment of yixian: core and plugin branches, run on a connection we hand in.

``core.migrate`` opens the connection (one transaction for the whole upgrade, so a failing plugin
migration leaves nothing half-applied on PostgreSQL) and puts it in ``config.attributes``.
"""

from alembic import context

import core.models  # noqa: F401 - fills Base.metadata with every core table
from core.db import Base

connection = context.config.attributes["connection"]
#: When autogenerating for one branch, the tables that branch owns: other branches' tables (a
#: plugin's, or the core's) are neither created nor dropped by its revision.
owned_tables = context.config.attributes.get("owned_tables")


def include_object(obj, name, type_, reflected, compare_to):
    if owned_tables is None:
        return True
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table is None or table in owned_tables


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
