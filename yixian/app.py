"""The ASGI application: /graphql (GraphiQL in development), /healthz and /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from types import SimpleNamespace
from typing import Any

from cross_web import HTTPException  # what strawberry.asgi turns into a plain HTTP error
from graphql import GraphQLError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
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
from core.errors import DomainError
from core.saved_queries.tabular import to_csv, to_xlsx
from core.settings import Settings
from schema.build import compose
from schema.context import Context
from schema.limits import NoNulCharacters, QueryCostLimit
from schema.query_errors import is_expected
from schema.saved_query_runs import run_saved_query
from schema.trusted import TrustedDocuments
from yixian.console import console_asset, console_documents, console_page
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
        functools.partial(TrustedDocuments, built_in=console_documents()),
        lambda: MaskErrors(should_mask_error=should_mask),
    ]


def build_schema(registry: Any, settings: Settings):
    config = StrawberryConfig(
        relay_max_results=settings.max_page_size,
        disable_field_suggestions=settings.is_production,
    )
    return compose(registry, schema_extensions(settings), config=config)


GRAPHQL_RESPONSE = "application/graphql-response+json"


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

    async def run(self, request, *args, **kwargs):
        """As strawberry, plus the GraphQL-over-HTTP media type: a client accepting
        ``application/graphql-response+json`` gets it, and a request that never executed (a
        document that does not parse or validate, variables that do not coerce) is then a 400
        without ``data``."""
        response = await super().run(request, *args, **kwargs)
        accept = request.headers.get("accept", "") if hasattr(request, "headers") else ""
        if GRAPHQL_RESPONSE not in accept or not isinstance(response, Response):
            return response
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response
        body = json.loads(response.body)
        status = response.status_code
        if (
            isinstance(body, dict)
            and body.get("data") is None
            and body.get("errors")
            and all("path" not in error for error in body["errors"])
        ):
            body.pop("data", None)
            status = 400
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-length", "content-type")
        }
        return Response(
            json.dumps(body, ensure_ascii=False),
            status_code=status,
            headers=headers,
            media_type=GRAPHQL_RESPONSE,
        )

    async def execute_operation(self, request, request_adapter, *args, **kwargs):
        """As strawberry, but a mutation sent with GET is 405 Method Not Allowed, as the
        GraphQL-over-HTTP spec asks (strawberry answers 400)."""
        context = kwargs.get("context")
        try:
            async with asyncio.timeout(self.settings.request_timeout_seconds):
                return await super().execute_operation(request, request_adapter, *args, **kwargs)
        except TimeoutError:
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"the request took longer than {self.settings.request_timeout_seconds}s "
                        "and was stopped",
            # importFiles takes files as GraphQL multipart uploads (the bearer token still
            # authenticates: a form posted from another site carries none)
            multipart_uploads_enabled=True,
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
        finally:
            # Normally the operation closed its session already; an operation stopped early
            # (a timeout, a refused request) cannot, so close it here.
            if isinstance(context, Context):
                await context.finish(None)

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


EXPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def export_saved_query(request: Request, graphql: GraphQLApp, schema: Any) -> Response:
    """``GET /queries/{name}.json|csv|xlsx?var=value&version=N`` with a bearer token."""
    name, fmt = request.path_params["name"], request.path_params["format"]
    if fmt not in EXPORT_TYPES:
        return JSONResponse(_error("INVALID", "format must be json, csv or xlsx", "format"), 404)
    try:
        principal = await graphql.authenticate(request)
    except HTTPException as exc:
        return JSONResponse(_error("UNAUTHENTICATED", exc.reason), exc.status_code)
    if principal is None:
        return JSONResponse(_error("UNAUTHENTICATED", "send Authorization: Bearer <token>"), 401)
    if not await graphql.rate_limiter.allow(f"user:{principal.user_id}"):
        return JSONResponse(_error("RATE_LIMITED", "too many requests: wait a minute"), 429)
    params = dict(request.query_params)
    version = params.pop("version", None)
    if version is not None and not version.isdigit():
        return JSONResponse(_error("INVALID", "version must be a number", "version"), 400)
    if any("\x00" in key or "\x00" in value for key, value in params.items()):
        return JSONResponse(_error("INVALID", "text must not contain NUL characters"), 400)
    state = SimpleNamespace(
        sessionmaker=graphql.sessionmaker,
        registry=graphql.registry,
        settings=graphql.settings,
        schema=schema,
    )
    try:
        result = await run_saved_query(
            app_state=state,
            principal=principal,
            name=name,
            version=int(version) if version else None,
            variables=params,
            channel="http",
            text_variables=True,
        )
    except DomainError as exc:
        problem = exc.problems[0]
        status = 404 if problem.code == "NOT_FOUND" else 400
        return JSONResponse(_error(problem.code, problem.message, problem.field), status)
    headers = {
        "X-Result-Digest": result.digest,
        "X-Audit-Seq": str(result.event_seq),
        "X-Row-Count": str(result.row_count),
    }
    if result.errors and fmt != "json":
        # a table cannot carry errors: say what went wrong instead of an empty file
        return JSONResponse({"errors": result.errors}, 400, headers=headers)
    if fmt == "json":
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = result.errors
        return JSONResponse(body, headers=headers)
    filename = f"{result.name}-v{result.version}.{fmt}"
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    content = to_csv(result.data) if fmt == "csv" else to_xlsx(result.data, result.name)
    return Response(content, media_type=EXPORT_TYPES[fmt], headers=headers)


def _error(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code, "field": field}}]}


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

    async def saved_query_export(request: Request) -> Response:
        return await export_saved_query(request, graphql, built.schema)

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/queries/{name}.{format:str}", saved_query_export, methods=["GET"]),
            Route("/console", console_page, methods=["GET"]),
            Route("/console/{asset:str}", console_asset, methods=["GET"]),
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
