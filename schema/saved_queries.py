"""Saved queries and the audit trail in GraphQL, for auditors (审计) and admins."""

from __future__ import annotations

import datetime
import enum
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from core.access.roles import known_roles
from core.access.scope import Scope, under_roots
from core.audit.chain import verify
from core.audit.models import AuditEvent as AuditRow
from core.audit.models import AuditEventUnit
from core.errors import DomainError
from core.saved_queries import store
from core.saved_queries.models import SavedQuery as SavedQueryRow
from schema.errors import UserError, user_errors
from schema.pagination import Connection, paginate
from schema.query_errors import QueryError
from schema.saved_query_runs import (
    describe_variables,
    document_problems,
    may_run,
    run_saved_query,
    variables_of,
)


@strawberry.enum(description="How the console offers a variable: a choice or free text.")
class VariableKind(enum.Enum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    UNIT_CODE = "UNIT_CODE"
    ENUM = "ENUM"


@strawberry.type(description="A variable of a saved query, as the auditor fills it in.")
class SavedQueryVariable:
    name: str
    type: str = strawberry.field(description="The GraphQL type, e.g. `String!`, `Date`.")
    default_value: JSON | None
    description: str | None
    kind: VariableKind = strawberry.field(
        description="UNIT_CODE: offer the units in your scope; ENUM: offer `choices`."
    )
    choices: list[str] | None
    required: bool


@strawberry.type(
    description="One version of a saved query. Versions are never overwritten. Read by admins, "
    "its owner, readers whose scope covers its owner's when saved, and everyone when shared."
)
class SavedQuery:
    name: str = strawberry.field(description="A slug, e.g. `recalled-postings`.")
    version: int
    title: str
    description: str | None
    tags: list[str]
    document: str
    document_hash: str = strawberry.field(description="SHA-256 of the document, hex.")
    roles: list[str] = strawberry.field(description="Roles allowed to run it.")
    owner: str
    plugin: str | None = strawberry.field(description="The plugin that ships it, if any.")
    shared: bool = strawberry.field(
        description="Listed to everyone its roles allow, whatever their scope (plugin-shipped "
        "queries are); otherwise only within its owner's scope."
    )
    created_at: datetime.datetime
    variables: list[SavedQueryVariable]

    @strawberry.field(description="Every version of this query you may read, oldest first.")
    async def versions(self, info: strawberry.Info) -> list[SavedQuery]:
        principal = info.context.principal
        rows = await info.context.read(lambda s: store.versions_of(s, self.name, reader=principal))
        return [as_type(r, info.schema._schema) for r in rows if may_run(r, principal)]


def as_type(row: SavedQueryRow, schema: Any = None) -> SavedQuery:
    return SavedQuery(
        name=row.name,
        version=row.version,
        title=row.title,
        description=row.description,
        tags=list(row.tags or []),
        document=row.document,
        document_hash=row.document_hash,
        roles=list(row.roles or []),
        owner=row.owner,
        plugin=row.plugin_key,
        shared=bool(row.shared),
        created_at=row.created_at,
        variables=[
            SavedQueryVariable(
                name=v["name"],
                type=v["type"],
                default_value=v.get("default"),
                description=v.get("description"),
                kind=VariableKind(v["kind"]),
                choices=v.get("choices"),
                required=v["required"],
            )
            for v in (variables_of(row, schema) if schema is not None else row.variables or [])
        ],
    )


@strawberry.type(description="What a run returned, as recorded in the audit trail.")
class SavedQueryRun:
    name: str
    version: int
    data: JSON | None
    errors: JSON | None = strawberry.field(description="GraphQL errors of the run, if any.")
    row_count: int = strawberry.field(description="Rows of the first list (see docs/auditing.md).")
    digest: str = strawberry.field(description="SHA-256 of the canonical JSON of `data`.")
    audit_seq: int = strawberry.field(description="The audit event of this run.")


@strawberry.type
class RunSavedQueryPayload:
    run: SavedQueryRun | None = None
    errors: list[UserError]


@strawberry.type
class SaveQueryPayload:
    query: SavedQuery | None = None
    errors: list[UserError]


@strawberry.type(description="A past run compared with the same run today.")
class RecheckRun:
    then_digest: str
    now_digest: str
    same: bool = strawberry.field(description="Whether today's result has the same digest.")
    run: SavedQueryRun


@strawberry.type
class RecheckRunPayload:
    recheck: RecheckRun | None = None
    errors: list[UserError]


@strawberry.type(description="One event of the audit trail (hash-chained, append-only).")
class AuditEvent:
    seq: int
    occurred_at: datetime.datetime
    actor: str
    kind: str = strawberry.field(description="MUTATION, MUTATION_REFUSED, QUERY_RUN or PII_READ.")
    name: str = strawberry.field(description="The mutation, saved query or operation.")
    channel: str | None = strawberry.field(description="graphql, http or cli.")
    version: int | None
    document_hash: str | None
    variables: JSON | None
    changes: JSON | None = strawberry.field(
        description="Mutations: the records before and after; PII reads: whose and which fields."
    )
    row_count: int | None
    result_digest: str | None
    prev_hash: str
    hash: str


@strawberry.type(description="The chain re-computed from the first event.")
class AuditVerification:
    ok: bool
    checked: int
    head_seq: int | None
    head_hash: str | None
    first_broken_seq: int | None = strawberry.field(
        description="The first event whose hash or link does not hold; null when all do."
    )
    message: str


def visible_to_auditor(principal: Any) -> Any:
    """An auditor of some subtrees reads an event when every unit it concerns lies in them: an
    event spanning districts (an admin's batch, a move between districts) is read by those
    holding all of them (a common ancestor) and by admins, so no district sees another's rows."""
    roots = tuple(principal.audit_roots) or (-1,)
    concerns = select(AuditEventUnit.seq).where(AuditEventUnit.seq == AuditRow.seq)
    outside = concerns.where(~under_roots(AuditEventUnit.unit_id, roots))
    return concerns.exists() & ~outside.exists()


def _require_auditor(info: strawberry.Info) -> Any:
    principal = info.context.principal
    if principal is None or not principal.is_auditor:
        raise QueryError("FORBIDDEN", "only auditors and admins read the audit trail")
    return principal


def _app(info: strawberry.Info) -> SimpleNamespace:
    ctx = info.context
    return SimpleNamespace(
        sessionmaker=ctx.sessionmaker,
        registry=ctx.registry,
        settings=ctx.settings,
        schema=info.schema,
    )


def _run_type(result) -> SavedQueryRun:
    return SavedQueryRun(
        name=result.name,
        version=result.version,
        data=result.data,
        errors=result.errors or None,
        row_count=result.row_count,
        digest=result.digest,
        audit_seq=result.event_seq,
    )


async def _current_version(
    session: Any, name: str, principal: Any
) -> tuple[SavedQueryRow | None, bool]:
    """The newest version of ``name`` whoever may read it, and whether ``principal`` may."""
    newest = await store.get_version(session, name, None, reader=store.SYSTEM)
    if newest is None:
        return None, False
    mine = await store.get_version(session, name, newest.version, reader=principal)
    return newest, mine is not None


async def _system_read(info: strawberry.Info, statement: Any) -> list[Any]:
    async with info.context.sessionmaker(info={"scope": Scope.everything()}) as session:
        return list((await session.execute(statement)).scalars())


@strawberry.type
class SavedQueryQuery:
    @strawberry.field(
        description="Saved queries you may read and run: the latest such version of each."
    )
    async def saved_queries(
        self, info: strawberry.Info, tag: str | None = None
    ) -> list[SavedQuery]:
        principal = info.context.principal
        rows = await info.context.read(lambda s: store.latest_versions(s, tag, reader=principal))
        return [as_type(r, info.schema._schema) for r in rows if may_run(r, principal)]

    @strawberry.field(
        description="One saved query; the latest version you may read unless one is given. "
        "Null for a query you may not read, as for one that does not exist."
    )
    async def saved_query(
        self, info: strawberry.Info, name: str, version: int | None = None
    ) -> SavedQuery | None:
        principal = info.context.principal
        row = await info.context.read(
            lambda s: store.get_version(s, name, version, reader=principal)
        )
        return as_type(row, info.schema._schema) if row and may_run(row, principal) else None

    @strawberry.field(
        description="The audit trail, newest first: for an auditor, the events that concern "
        "their subtrees (rows changed there, records read there, runs by people scoped there); "
        "for an admin, all."
    )
    async def audit_events(
        self,
        info: strawberry.Info,
        kind: str | None = None,
        name: str | None = None,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: str | None = None,
    ) -> Connection[AuditEvent]:
        principal = _require_auditor(info)
        statement = select(AuditRow).order_by(AuditRow.seq.desc())
        if not principal.admin:
            statement = statement.where(visible_to_auditor(principal))
        if kind:
            statement = statement.where(AuditRow.kind == kind)
        if name:
            statement = statement.where(AuditRow.name == name)
        page = await paginate(info, statement, first, after)
        for edge in page.edges:
            row = edge.node
            edge.node = AuditEvent(**{f: getattr(row, f) for f in AuditEvent.__annotations__})
        return page

    @strawberry.field(description="Re-compute the whole chain and report the first broken link.")
    async def audit_chain(self, info: strawberry.Info) -> AuditVerification:
        _require_auditor(info)
        async with info.context.sessionmaker(info={"scope": Scope.everything()}) as session:
            result = await verify(session)
        return AuditVerification(
            ok=result.ok,
            checked=result.checked,
            head_seq=result.head_seq,
            head_hash=result.head_hash,
            first_broken_seq=result.first_broken_seq,
            message=result.message,
        )


@strawberry.input(description="What to show the auditor about a variable.")
class VariableDescription:
    name: str
    description: str


@strawberry.input(description="A saved query, or a new version of one.")
class SaveQueryInput:
    name: str
    title: str
    document: str
    description: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    roles: list[str] = strawberry.field(default_factory=lambda: ["ADMIN", "AUDITOR"])
    variables: list[VariableDescription] = strawberry.field(default_factory=list)
    shared: bool | None = strawberry.field(
        default=None,
        description="List it to everyone its roles allow, whatever their scope. Unset: as the "
        "previous version (not shared for a new name).",
    )


@strawberry.type
class SavedQueryMutation:
    @strawberry.mutation(
        description="Save a query: version 1, or the next version of an existing name. The "
        "document is validated against the live schema first."
    )
    async def save_query(self, info: strawberry.Info, input: SaveQueryInput) -> SaveQueryPayload:
        principal = info.context.principal
        if principal is None or not (principal.admin or principal.is_auditor):
            return SaveQueryPayload(
                errors=[
                    UserError(
                        field=None,
                        code_name="PERMISSION_DENIED",
                        message="auditors and admins save queries",
                    )
                ]
            )
        problems = document_problems(info.schema._schema, input.document)
        if problems:
            return SaveQueryPayload(errors=user_errors(DomainError(*problems)))
        roles = known_roles(info.context.registry)
        unknown = [r for r in input.roles if r not in roles]
        if unknown:
            return SaveQueryPayload(
                errors=[
                    UserError(
                        field="roles", code_name="INVALID", message=f"unknown roles: {unknown}"
                    )
                ]
            )
        current, visible = await info.context.read(
            lambda session: _current_version(session, input.name, principal)
        )
        if current is not None and not visible:
            # the name is taken by a query this caller may not read: say no more than that
            return SaveQueryPayload(
                errors=[
                    UserError(
                        field="name",
                        code_name="INVALID",
                        message=f"the name {input.name} is taken; save yours under another name",
                    )
                ]
            )
        if current is not None and not principal.admin and current.owner != principal.name:
            return SaveQueryPayload(
                errors=[
                    UserError(
                        field="name",
                        code_name="PERMISSION_DENIED",
                        message=f"{input.name} belongs to {current.owner}: only its owner or "
                        "an admin saves new versions of it; save yours under another name",
                    )
                ]
            )
        variables = describe_variables(
            info.schema._schema, input.document, {v.name: v.description for v in input.variables}
        )
        async with info.context.sessionmaker(info={"scope": Scope.everything()}) as session:
            try:
                row = await store.save_version(
                    session,
                    name=input.name,
                    title=input.title,
                    document=input.document,
                    owner=principal.name,
                    variables=variables,
                    description=input.description,
                    tags=input.tags,
                    roles=input.roles,
                    units=() if principal.admin else principal.read_roots,
                    shared=input.shared,
                )
                from core.audit.chain import append

                await append(
                    session,
                    actor=principal.name,
                    kind="MUTATION",
                    name="saveQuery",
                    channel="graphql",
                    version=row.version,
                    document_hash=row.document_hash,
                    variables={
                        "name": input.name,
                        "title": input.title,
                        "shared": row.shared,
                    },
                    units=principal.read_roots,
                )
                await session.commit()
            except DomainError as exc:
                return SaveQueryPayload(errors=user_errors(exc))
        return SaveQueryPayload(query=as_type(row), errors=[])

    @strawberry.mutation(
        description="Run a saved query (as you: your scope applies). The run is recorded in the "
        "audit trail with its row count and the digest of its result."
    )
    async def run_saved_query(
        self,
        info: strawberry.Info,
        name: str,
        version: int | None = None,
        variables: JSON | None = None,
    ) -> RunSavedQueryPayload:
        try:
            result = await run_saved_query(
                app_state=_app(info),
                principal=info.context.principal,
                name=name,
                version=version,
                variables=variables or {},
                channel="graphql",
            )
        except DomainError as exc:
            return RunSavedQueryPayload(errors=user_errors(exc))
        return RunSavedQueryPayload(run=_run_type(result), errors=[])

    @strawberry.mutation(
        description="Run a past run again (same query version and variables, as you) and say "
        "whether today's result has the digest recorded then."
    )
    async def recheck_run(self, info: strawberry.Info, audit_seq: int) -> RecheckRunPayload:
        principal = _require_auditor(info)
        statement = select(AuditRow).where(AuditRow.seq == audit_seq, AuditRow.kind == "QUERY_RUN")
        if not principal.admin:  # a run one may not read looks like no run at all
            statement = statement.where(visible_to_auditor(principal))
        found = await _system_read(info, statement)
        if not found:
            return RecheckRunPayload(
                errors=[
                    UserError(
                        field="auditSeq",
                        code_name="NOT_FOUND",
                        message="no saved-query run has this sequence number",
                    )
                ]
            )
        then = found[0]
        try:
            result = await run_saved_query(
                app_state=_app(info),
                principal=info.context.principal,
                name=then.name,
                version=then.version,
                variables=then.variables or {},
                channel="graphql",
            )
        except DomainError as exc:
            return RecheckRunPayload(errors=user_errors(exc))
        return RecheckRunPayload(
            recheck=RecheckRun(
                then_digest=then.result_digest,
                now_digest=result.digest,
                same=then.result_digest == result.digest,
                run=_run_type(result),
            ),
            errors=[],
        )
