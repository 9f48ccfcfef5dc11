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
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionResult

from core.access.principal import InvalidToken, Principal, PrincipalCache
from core.access.roles import collect_roles
from core.access.scope import Scope
from core.db import RETRY_AFTER_BUSY, create_engine, create_sessionmaker, unavailable
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
from yixian.protection import (
    BadRequest,
    BodySizeLimit,
    BodyTimeout,
    RequestAborted,
    auth_failure_limiter,
    decode_request_json,
    error_response,
    rate_limiter,
)
from yixian.registry import create_registry

log = logging.getLogger("yixian")


def should_mask(error: GraphQLError) -> bool:
    """Mask every error but the expected ones (``schema.query_errors.is_expected``) and those of
    a database that is busy or unreachable: ``GraphQLApp.process_result`` answers those
    ``UNAVAILABLE``."""
    return not is_expected(error) and unavailable(error.original_error) is None


#: The extensions code of each HTTP status answered before an operation runs.
HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "BODY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "UNAVAILABLE",
}


class HTTPError(HTTPException):
    """An HTTP error answered as a GraphQL error (``extensions.code``), with extra headers."""

    def __init__(
        self, status_code: int, code: str, reason: str, headers: dict[str, str] | None = None
    ):
        super().__init__(status_code, reason)
        self.code = code
        self.headers = headers or {}


def http_error_response(exc: HTTPException) -> Response:
    code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
    return error_response(exc.status_code, code, exc.reason, getattr(exc, "headers", None))


def unavailable_message(retry_after: int) -> str:
    return f"the database is busy or unreachable: try again in {retry_after}s"


#: Where a request notes that part of its answer was shed (the Retry-After to send with 503).
RETRY_AFTER = "yixian.retry_after"
#: Where a request keeps its ``Context`` (to know, when answering, whether it wrote).
CONTEXT = "yixian.context"

#: The message of a field the database was too busy to read after the request's write committed.
PARTLY_ANSWERED = {
    "WRITTEN": "your change was saved, but the database was too busy to read this part of the "
    "answer: read it with a query, or resend with the same Idempotency-Key (it will not write "
    "twice)",
    "UNKNOWN": "the database was too busy to answer while your change was being saved; whether "
    "it was saved is unknown: resend with the same Idempotency-Key to learn it without writing "
    "twice",
}


def _writes_of(request: Any) -> str:
    context = getattr(request, "scope", {}).get(CONTEXT)
    return context.writes.state if isinstance(context, Context) else "NOT_WRITTEN"


def _note_retry(request: Any, seconds: int) -> None:
    scope = getattr(request, "scope", None)
    if scope is not None:
        scope[RETRY_AFTER] = max(seconds, scope.get(RETRY_AFTER, 0))


def schema_extensions(settings: Settings) -> list[Any]:
    """Extensions as factories: a fresh instance per request, never shared between requests.

    A document is parsed and validated once, not on every request: the parse and validation
    caches are keyed by the document's text and by the validation rules, so the depth and alias
    rules are made once here (strawberry's limiters make new rule classes per instance, which
    would defeat the cache). Measured on the town page: validation was half of a request."""
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    cached = settings.document_cache_size
    return [
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=cached),
        lambda: ValidationCache(maxsize=cached),
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

    def __init__(
        self, schema, *, sessionmaker, registry, settings: Settings, read_sessionmaker=None
    ):
        super().__init__(
            schema,
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            # importFiles takes files as GraphQL multipart uploads (the bearer token still
            # authenticates: a form posted from another site carries none)
            multipart_uploads_enabled=True,
        )
        self.sessionmaker = sessionmaker
        #: Sessions that only read, without a transaction (no BEGIN, no ROLLBACK round trips).
        self.read_sessionmaker = read_sessionmaker or sessionmaker
        self.principals = PrincipalCache()
        self.registry = registry
        self.settings = settings
        self.plugin_roles = collect_roles(registry)
        self.rate_limiter = rate_limiter(settings)
        self.auth_failures = auth_failure_limiter(settings)

    async def __call__(self, scope, receive, send) -> None:
        """As strawberry, but every answer is GraphQL-shaped JSON: HTTP errors carry
        ``extensions.code`` (and Retry-After where it applies), a database that is busy or down
        is 503 ``UNAVAILABLE``, and a bug is logged and answered ``Unexpected error.`` — never a
        bare 500 nor a traceback."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = http_error_response(exc)
        except RequestAborted:
            raise  # the middleware that refused the body answers
        except Exception as exc:  # noqa: BLE001 - answered and logged, never a bare 500
            response = self._failure(request, exc)
        await response(scope, receive, send)

    def _failure(self, request: Request, exc: Exception) -> Response:
        retry = unavailable(exc)
        if retry is not None:
            log.warning(
                "%s %s: database unavailable (%s)", request.method, request.url.path, repr(exc)
            )
            return error_response(
                503, "UNAVAILABLE", unavailable_message(retry), {"Retry-After": str(retry)}
            )
        log.error(
            "%s %s from %s failed unexpectedly",
            request.method,
            request.url.path,
            request.client.host if request.client else "?",
            exc_info=exc,
        )
        return error_response(500, "INTERNAL_SERVER_ERROR", "Unexpected error.")

    def decode_json(self, data: str | bytes) -> object:
        """Request bodies (and a GET's variables) as strawberry expects them, or 400
        ``BAD_REQUEST`` naming what is wrong: not UTF-8, not a JSON object, nested deeper than
        ``YIXIAN_MAX_VARIABLE_DEPTH``, NaN, lone surrogates."""
        try:
            return decode_request_json(data, self.settings.max_variable_depth)
        except BadRequest as exc:
            raise HTTPError(400, "BAD_REQUEST", exc.message) from None

    async def process_result(self, request, result):  # type: ignore[override]
        """The last word on every error before it leaves: a busy or unreachable database is
        ``UNAVAILABLE`` (and the answer 503), a ``DomainError`` carries its code, and anything
        unexpected that got past ``MaskErrors`` (an extension's or the session's failure) is
        logged and masked."""
        if result.errors:
            result.errors = [self._outgoing(request, error) for error in result.errors]
        return await super().process_result(request, result)

    def _outgoing(self, request, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            if (error.extensions or {}).get("code") == "UNAVAILABLE":
                _note_retry(request, RETRY_AFTER_BUSY)
            return error

        def replaced(message: str, extensions: dict[str, Any] | None) -> GraphQLError:
            return GraphQLError(
                message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )

        retry = unavailable(original)
        if retry is not None:
            written = _writes_of(request)
            if written != "NOT_WRITTEN":
                # A write of this request committed (or may have): "try again" would write it
                # twice. Say what happened instead, and answer 200.
                return replaced(
                    PARTLY_ANSWERED[written], {"code": "UNAVAILABLE", "outcome": written}
                )
            _note_retry(request, retry)
            return replaced(unavailable_message(retry), {"code": "UNAVAILABLE"})
        if isinstance(original, DomainError) and not (error.extensions or {}).get("code"):
            problem = original.problems[0]
            return replaced(str(original), {"code": problem.code, "field": problem.field})
        if not is_expected(error):
            client = getattr(request, "client", None)
            log.error(
                "unexpected error reached the response (field %s, client %s)",
                ".".join(map(str, error.path or ())) or "-",
                client.host if client else "?",
                exc_info=original,
            )
            return replaced("Unexpected error.", None)
        return error

    async def run(self, request, *args, **kwargs):
        """As strawberry, plus the GraphQL-over-HTTP media type: a client accepting
        ``application/graphql-response+json`` gets it, and a request that never executed (a
        document that does not parse or validate, variables that do not coerce) is then a 400
        without ``data``."""
        try:
            response = await super().run(request, *args, **kwargs)
        finally:
            # The request's session opened with authentication: whatever ended the request (a
            # refused method, a body that does not parse), it is closed (a no-op when the
            # operation closed it already).
            context = getattr(request, "scope", {}).get(CONTEXT)
            if isinstance(context, Context):
                with contextlib.suppress(Exception):
                    await context.finish(None)
        retry = getattr(request, "scope", {}).get(RETRY_AFTER)
        if retry and isinstance(response, Response):
            response.status_code = 503
            response.headers["Retry-After"] = str(retry)
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
            async with asyncio.timeout(self.settings.request_timeout_seconds) as deadline:
                if isinstance(context, Context):
                    context.writes.timeout = deadline
                return await super().execute_operation(request, request_adapter, *args, **kwargs)
        except TimeoutError:
            if isinstance(context, Context):
                context.stopped = True
            outcome = context.writes.state if isinstance(context, Context) else "NOT_WRITTEN"
            return ExecutionResult(data=None, errors=[timeout_error(self.settings, outcome)])
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
                with contextlib.suppress(GraphQLError):  # logged by finish; the answer stands
                    await context.finish(None)

    async def get_context(self, request, response) -> Context:  # type: ignore[override]
        # One session serves the request: authentication reads through it (past scope, before
        # any resolver runs), then it reads in the principal's scope.
        session = None
        if request.headers.get("authorization"):
            session = self.read_sessionmaker(info={"scope": Scope.everything()})
        try:
            principal = await self.authenticate(request, session)
            key = f"user:{principal.user_id}" if principal else f"ip:{request.client.host}"
            if not await self.rate_limiter.allow(key):
                wait = self.rate_limiter.retry_after()
                raise HTTPError(
                    429,
                    "RATE_LIMITED",
                    f"too many requests: try again in {wait}s",
                    {"Retry-After": str(wait)},
                )
        except BaseException:
            if session is not None:
                await session.close()
            raise
        context = Context(
            sessionmaker=self.sessionmaker,
            registry=self.registry,
            settings=self.settings,
            request=request,
            principal=principal,
            read_session=session,
            read_sessionmaker=self.read_sessionmaker,
        )
        request.scope[CONTEXT] = context
        return context

    async def authenticate(self, request, session=None) -> Principal | None:
        """The principal of the bearer token; None without one; 401 for a bad one. An address
        that failed ``YIXIAN_AUTH_FAILURES_PER_MINUTE`` times this minute is refused (429) before
        its token is even looked at; a database that is busy or down is 503 ``UNAVAILABLE``."""
        header = request.headers.get("authorization")
        if not header:
            return None
        address = f"ip:{request.client.host if request.client else 'unknown'}"
        if await self.auth_failures.exceeded(address):
            wait = self.auth_failures.retry_after()
            raise HTTPError(
                429,
                "RATE_LIMITED",
                f"too many failed authentications from this address: try again in {wait}s",
                {"Retry-After": str(wait)},
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await self.auth_failures.add(address)
            raise HTTPError(401, "UNAUTHENTICATED", "Authorization must be: Bearer <token>")
        try:
            if session is not None:
                return await self.principals.authenticate(
                    session, token.strip(), self.settings.token_secret, self.plugin_roles
                )
            async with self.read_sessionmaker() as own:
                return await self.principals.authenticate(
                    own, token.strip(), self.settings.token_secret, self.plugin_roles
                )
        except InvalidToken as exc:
            await self.auth_failures.add(address)
            raise HTTPError(401, "UNAUTHENTICATED", str(exc)) from exc
        except Exception as exc:
            retry = unavailable(exc)
            if retry is None:
                raise
            log.warning("authentication: database unavailable (%s)", repr(exc))
            raise HTTPError(
                503, "UNAVAILABLE", unavailable_message(retry), {"Retry-After": str(retry)}
            ) from exc


#: What a client is told of its writes when the request ran out of time (``WriteProgress``).
TIMEOUT_OUTCOMES = {
    "NOT_WRITTEN": "and was stopped; nothing was written",
    "WRITTEN": "; its changes were saved, but the answer was cut short: send it again with the "
    "same Idempotency-Key to get the answer without writing twice",
    "UNKNOWN": "while saving its changes; whether they were saved is unknown: send it again "
    "with the same Idempotency-Key to learn the outcome without writing twice",
}


def timeout_error(settings: Settings, outcome: str) -> GraphQLError:
    """TIMEOUT, saying truthfully whether the request's writes were saved (``outcome``)."""
    return GraphQLError(
        f"the request took longer than {settings.request_timeout_seconds}s "
        + TIMEOUT_OUTCOMES[outcome],
        extensions={"code": "TIMEOUT", "outcome": outcome},
    )


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
        return http_error_response(exc)
    if principal is None:
        return JSONResponse(_error("UNAUTHENTICATED", "send Authorization: Bearer <token>"), 401)
    if not await graphql.rate_limiter.allow(f"user:{principal.user_id}"):
        wait = graphql.rate_limiter.retry_after()
        return JSONResponse(
            _error("RATE_LIMITED", f"too many requests: try again in {wait}s"),
            429,
            headers={"Retry-After": str(wait)},
        )
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
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    sessionmaker = create_sessionmaker(engine)
    read_sessionmaker = create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
    built = build_schema(registry, settings)
    graphql = GraphQLApp(
        built.schema,
        sessionmaker=sessionmaker,
        registry=registry,
        settings=settings,
        read_sessionmaker=read_sessionmaker,
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
        for limiter in (graphql.rate_limiter, graphql.auth_failures):
            if hasattr(limiter, "close"):
                await limiter.close()

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
            Middleware(BodyTimeout, seconds=settings.body_timeout_seconds),
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
