"""The endpoint under abuse: request body size, rate limits per token, trusted documents."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuse (413) a request whose body is larger than ``max_bytes``, announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = JSONResponse(
            {
                "errors": [
                    {
                        "message": f"the request body is larger than {self.max_bytes} bytes",
                        "extensions": {"code": "BODY_TOO_LARGE"},
                    }
                ]
            },
            status_code=413,
        )
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await too_large(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            await too_large(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class RateLimiter:
    """A fixed window per key and minute, in this process."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._counts: dict[tuple[str, int], int] = defaultdict(int)
        self._lock = asyncio.Lock()

    async def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        window = int(time.time() // 60)
        async with self._lock:
            for old in [k for k in self._counts if k[1] < window]:
                del self._counts[old]
            self._counts[(key, window)] += 1
            return self._counts[(key, window)] <= self.per_minute


class RedisRateLimiter(RateLimiter):
    """The same window, counted in Redis so that every worker shares it."""

    def __init__(self, per_minute: int, url: str, prefix: str = "yixian:rate"):
        super().__init__(per_minute)
        import redis.asyncio as redis

        self.redis = redis.from_url(url)
        self.prefix = prefix

    async def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        window = int(time.time() // 60)
        name = f"{self.prefix}:{key}:{window}"
        async with self.redis.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, 120).execute()
        return int(count) <= self.per_minute

    async def close(self) -> None:
        await self.redis.aclose()


def rate_limiter(settings: Any) -> RateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(
            settings.rate_limit_per_minute, settings.redis_url, f"{settings.redis_prefix}:rate"
        )
    return RateLimiter(settings.rate_limit_per_minute)
