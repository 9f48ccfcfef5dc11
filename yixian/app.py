"""The ASGI application: /graphql (GraphiQL in development), /healthz and /readyz."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from cross_web import HTTPException  # what strawberry.asgi turns into a plain HTTP error
from graphql import GraphQLError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from core.access.principal import InvalidToken, Principal, authenticate
from core.access.roles import collect_roles
from core.db import create_engine, create_sessionmaker
from core.errors import DomainError
from core.settings import Settings
from schema.build import compose
from schema.context import Context
from schema.query_errors import QueryError
from yixian.registry import create_registry

log = logging.getLogger("yixian")


def should_mask(error: GraphQLError) -> bool:
    """Mask every error but the expected ones: query errors and GraphQL validation errors."""
    original = error.original_error
    if original is None:
        return False  # syntax and validation errors: about the document, safe to show
    if isinstance(original, (QueryError, DomainError)):
        return False
    if isinstance(original, GraphQLError) and original.original_error is None:
        return False
    log.error("unexpected error at %s", error.path, exc_info=original)
    return True


def schema_extensions(settings: Settings) -> list[Any]:
    """Extensions as factories: a fresh instance per request, never shared between requests."""
    return [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]


def build_schema(registry: Any, settings: Settings):
    config = StrawberryConfig(relay_max_results=settings.max_page_size)
    return compose(registry, schema_extensions(settings), config=config)


class GraphQLApp(GraphQL):
    """Strawberry's ASGI view, with the caller authenticated before the operation runs."""

    def __init__(self, schema, *, sessionmaker, registry, settings: Settings):
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
        )
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.settings = settings
        self.plugin_roles = collect_roles(registry)

    async def get_context(self, request, response) -> Context:  # type: ignore[override]
        return Context(
            sessionmaker=self.sessionmaker,
            registry=self.registry,
            settings=self.settings,
            request=request,
            principal=await self.authenticate(request),
        )

    async def authenticate(self, request) -> Principal | None:
        """The principal of the bearer token; None without one; 401 for a bad one."""
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "Authorization must be: Bearer <token>")
        async with self.sessionmaker() as session:
            try:
                return await authenticate(
                    session, token.strip(), self.settings.token_secret, self.plugin_roles
                )
            except InvalidToken as exc:
                raise HTTPException(401, str(exc)) from exc


def create_app(
    settings: Settings | None = None,
    registry: Any = None,
    *,
    skip_broken_plugins: bool = False,
) -> Starlette:
    settings = settings or Settings()
    settings.check_production()
    registry = registry or create_registry(
        settings, skip_broken=skip_broken_plugins or settings.skip_broken_plugins
    )
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    built = build_schema(registry, settings)
    graphql = GraphQLApp(
        built.schema, sessionmaker=sessionmaker, registry=registry, settings=settings
    )

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("database not reachable: %s", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ready", "database": "reachable"})

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        await engine.dispose()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.schema = built.schema
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    return app
