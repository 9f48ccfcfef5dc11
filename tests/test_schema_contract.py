"""The committed SDL is the contract frontend teams diff; it must match the live schema."""

from pathlib import Path

from core.settings import Settings
from schema.build import sdl
from yixian.app import build_schema
from yixian.testkit import _tree_registry

ROOT = Path(__file__).resolve().parent.parent
SDL_FILE = ROOT / "schema" / "schema.graphql"


def live_sdl() -> str:
    settings = Settings(database_url="sqlite+aiosqlite://")
    return sdl(build_schema(_tree_registry(), settings).schema)


def test_committed_schema_matches_the_live_schema():
    """If this fails, run `yixian schema export` and commit schema/schema.graphql."""
    assert SDL_FILE.read_text(encoding="utf-8") == live_sdl()


def test_every_type_and_root_field_is_described():
    """Frontend teams read descriptions in GraphiQL: roots and object types carry one."""
    schema = build_schema(_tree_registry(), Settings(database_url="sqlite+aiosqlite://")).schema
    graphql_schema = schema._schema
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        missing = [name for name, f in root.fields.items() if not f.description]
        assert missing == [], f"{root.name} fields without a description: {missing}"
    for name in (
        "Unit",
        "Person",
        "Posting",
        "Initiative",
        "MetricDefinition",
        "Observation",
        "UserError",
        "ErrorCode",
    ):
        assert graphql_schema.type_map[name].description, name
