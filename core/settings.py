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
    redis_url: str | None = None
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
    cors_origins: str = Field("", description="Comma-separated origins allowed by CORS.")
    max_page_size: int = 100
    default_page_size: int = 20
    max_query_depth: int = 10
    max_aliases: int = 30

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
