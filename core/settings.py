"""Settings, read from the environment (prefix ``YIXIAN_``) and a ``.env`` file."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YIXIAN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./yixian.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///file.db or postgresql+asyncpg://…",
    )
    env: Environment = Environment.DEVELOPMENT
    redis_url: str | None = Field(
        None,
        description="Redis for state shared by workers (rate limits), e.g. redis://host:6379/0",
    )
    redis_prefix: str = Field("yixian", description="Prefix of every key yixian writes in Redis.")
    plugins: str | None = Field(
        None, description="Comma-separated plugin keys to enable; unset enables every plugin found."
    )
    skip_broken_plugins: bool = Field(
        False, description="Start without plugins that fail to load, reporting them."
    )
    secret: str | None = Field(
        None,
        description="Key for hashing API tokens. Required in production (32+ characters); "
        "development uses a fixed, public one.",
    )
    audit_pii_key: str | None = Field(
        None,
        description="Key of the HMAC that tags personal information in the audit trail; unset: "
        "derived from the secret with a label of its own.",
    )
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS.")
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = Field(2000, description="Largest number of tokens in a document.")
    max_query_cost: int = Field(
        50_000, description="Largest estimated cost: fields, times the page sizes asked."
    )
    max_body_bytes: int = Field(100_000, description="Largest request body.")
    max_variable_depth: int = Field(
        32, description="Deepest nesting of lists and objects in a variable's value."
    )
    body_timeout_seconds: float = Field(
        10.0, description="Time a client has to send the whole request body (else 408)."
    )
    request_timeout_seconds: float = Field(10.0, description="Time limit of one request.")
    document_cache_size: int = Field(
        1000, description="Documents whose parse and validation are kept, per worker."
    )
    idempotency_ttl_hours: float = Field(
        24.0, description="How long an Idempotency-Key is remembered (a later resend writes again)."
    )
    rate_limit_per_minute: int = Field(
        600, description="Requests per token (or address, without one) per minute; 0: none."
    )
    auth_failures_per_minute: int = Field(
        20,
        description="Failed authentications (bad, expired or revoked tokens) per client address "
        "and minute; past it every token from that address is refused (429) until the minute "
        "ends; 0: none.",
    )
    db_pool_size: int = Field(5, description="Database connections kept open per worker.")
    db_max_overflow: int = Field(
        10, description="Connections opened beyond the pool's size while it is busy."
    )
    db_pool_timeout_seconds: float = Field(
        2.0,
        description="How long a request waits for a free connection before it is answered "
        "UNAVAILABLE (503, Retry-After).",
    )
    trusted_documents: bool = Field(
        False,
        description="Only registered documents run (saved queries, the manifest), for every "
        "role but ADMIN.",
    )
    trusted_documents_file: str | None = Field(
        None, description='A JSON manifest of operations: {"<sha256 hex>": "<document>", …}.'
    )

    @property
    def enabled_plugins(self) -> list[str] | None:
        if not self.plugins:
            return None
        return [key.strip() for key in self.plugins.split(",") if key.strip()]

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def token_secret(self) -> str:
        if self.secret:
            return self.secret
        if self.is_production:
            raise MissingSecret(
                "YIXIAN_SECRET is not set: production refuses to start without a secret "
                "(32 or more random characters) to hash API tokens with"
            )
        return DEVELOPMENT_SECRET

    def check_production(self) -> None:
        """Refuse to start production without what it needs."""
        if self.is_production:
            if not self.secret or len(self.secret) < 32:
                raise MissingSecret(
                    "production needs YIXIAN_SECRET of 32 or more random characters"
                )


DEVELOPMENT_SECRET = "yixian-development-secret-do-not-use-in-production"


class MissingSecret(RuntimeError):
    pass
