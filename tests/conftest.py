"""Fixtures of yixian's own suite, on top of the test kit (``yixian.testkit``)."""

from __future__ import annotations

import pytest

from core.db import create_engine, create_sessionmaker


@pytest.fixture
def client(yixian_client):
    """A GraphQL client on the default app and an empty, migrated database."""
    return yixian_client


@pytest.fixture
async def gql(yixian_client):
    """``body = await gql(QUERY, **variables)``: the decoded JSON response."""

    async def execute(query: str, **variables):
        return (await yixian_client.execute(query, **variables)).json

    return execute


@pytest.fixture
async def sessionmaker(yixian_database_url):
    """A sessionmaker on the test's database, for arranging data behind the API."""
    engine = create_engine(yixian_database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()
