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
