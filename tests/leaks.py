"""What must never reach a client: the words of SQLAlchemy, the database drivers and SQL (as
they stand in their messages: ``Transaction.rollback()``, ``cursor.execute``, ``SELECT …``; a
Relay ``cursor`` or a typed error about one is not database text)."""

from __future__ import annotations

DATABASE_TEXT = (
    "sqlalchemy",
    "asyncpg",
    "sqlite",
    "psycopg",
    "queuepool",
    "transaction.",
    "transaction(",
    "cursor.",
    "cursorresult",
    "select ",
    "insert into",
    "(background on this error",
    "traceback",
)


def database_text(body: str) -> list[str]:
    """The forbidden words found in a response body."""
    lowered = body.lower()
    return [word for word in DATABASE_TEXT if word in lowered]


def assert_no_database_text(body: str) -> None:
    leaked = database_text(body)
    assert not leaked, (leaked, body[:500])
