"""The ASGI application: /graphql (GraphiQL in development), /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from cross_web import HTTPException  # what strawberry.asgi turns into a plain HTTP error
from graphql import GraphQLError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from core.access.principal import InvalidToken, Principal, authenticate
from core.access.roles import collect_roles
from core.db import create_engine, create_sessionmaker
from core.settings import Settings
from schema.build import compose
from schema.context import Context
from schema.limits import NoNulCharacters, QueryCostLimit
from schema.query_errors import is_expected
from schema.trusted import TrustedDocuments
from yixian.protection import BodySizeLimit, rate_limiter
from yixian.registry import create_registry

log = logging.getLogger("yixian")


def should_mask(error: GraphQLError) -> bool:
    """Mask every error but the expected ones (``schema.query_errors.is_expected``)."""
    return not is_expected(error)


def schema_extensions(settings: Settings) -> list[Any]:
    """Extensions as factories: a fresh instance per request, never shared between requests."""
    return [
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        QueryCostLimit,
        NoNulCharacters,
        TrustedDocuments,
        lambda: MaskErrors(should_mask_error=should_mask),
    ]


def build_schema(registry: Any, settings: Settings):
    config = StrawberryConfig(
        relay_max_results=settings.max_page_size,
        disable_field_suggestions=settings.is_production,
    )
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
        self.rate_limiter = rate_limiter(settings)

    async def execute_operation(self, request, request_adapter, *args, **kwargs):
        """As strawberry, but a mutation sent with GET is 405 Method Not Allowed, as the
        GraphQL-over-HTTP spec asks (strawberry answers 400)."""
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                return await super().execute_operation(request, request_adapter, *args, **kwargs)
        except TimeoutError:
            context = kwargs.get("context", args[1] if len(args) > 1 else None)
            if isinstance(context, Context):
                await context.finish(None)  # the cancelled operation could not
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"the request took longer than {self.settings.request_timeout_seconds}s "
                        "and was stopped",
                        extensions={"code": "TIMEOUT"},
                    )
                ],
            )
        except HTTPException as exc:
            if (
                request_adapter.method == "GET"
                and exc.status_code == 400
                and ("mutation" in exc.reason.lower())
            ):
                raise HTTPException(405, "mutations must be sent with POST") from exc
            raise

    async def get_context(self, request, response) -> Context:  # type: ignore[override]
        principal = await self.authenticate(request)
        key = f"user:{principal.user_id}" if principal else f"ip:{request.client.host}"
        if not await self.rate_limiter.allow(key):
            raise HTTPException(429, "too many requests: wait a minute")
        return Context(
            sessionmaker=self.sessionmaker,
            registry=self.registry,
            settings=self.settings,
            request=request,
            principal=principal,
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
        if hasattr(graphql.rate_limiter, "close"):
            await graphql.rate_limiter.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            ),
        ],
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.schema = built.schema
    app.state.graphql = graphql
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    return app
