"""The endpoint under abuse: request bodies (size, time, shape), rate limits per token and
failed authentications per address."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import defaultdict
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A GraphQL-shaped error answered before (or instead of) executing anything."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


class RequestAborted(Exception):
    """The request's body was refused while it was being read; the middleware that raised it
    answers."""


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


class BodyTooLarge(RequestAborted):
    pass


class BodyTimeout:
    """Answer 408 when the body of a request has not fully arrived ``seconds`` after the request
    began (a client trickling its body holds a worker's connection and memory)."""

    def __init__(self, app: ASGIApp, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.seconds
        complete = False

        async def timed() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTimedOut from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        try:
            await self.app(scope, timed, send)
        except BodyTimedOut:
            response = error_response(
                408,
                "BODY_TIMEOUT",
                f"the request body did not arrive within {self.seconds:g}s",
                {"Connection": "close"},
            )
            await response(scope, receive, send)


class BodyTimedOut(RequestAborted):
    pass


class BadRequest(Exception):
    """A request body that is not a GraphQL request: answered 400 with ``BAD_REQUEST``."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _nesting(raw: bytes) -> int:
    """How deep lists and objects nest in the JSON text ``raw`` (strings skipped), without
    parsing it: Python's parser recurses and fails past a thousand levels or so."""
    deepest = depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", raw)):
        if bracket in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number: numbers must be finite")


def decode_request_json(data: str | bytes, max_variable_depth: int) -> dict[str, Any]:
    """Decode a GraphQL request (a body, or a GET's ``variables``/``extensions``): UTF-8 JSON of
    one object, variables nested at most ``max_variable_depth`` deep, no lone surrogates
    (``\\ud800``: not Unicode, no database stores them), no NaN or Infinity."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the request body is not valid UTF-8 (byte {exc.start}): send JSON in UTF-8"
        ) from None
    # the request object, then `variables` (or `extensions`), then the value itself
    if _nesting(raw) > max_variable_depth + 2:
        raise BadRequest(
            f"the request nests lists and objects deeper than {max_variable_depth} levels "
            "(YIXIAN_MAX_VARIABLE_DEPTH)"
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the request is not JSON: {exc.msg} at character {exc.pos}") from None
    except RecursionError:  # pragma: no cover - _nesting keeps it far away
        raise BadRequest("the request nests lists and objects too deeply") from None
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number"
        )
        raise BadRequest(f'the request must be a JSON object such as {{"query": "…"}}, not {kind}')
    _check_strings(value)
    return value


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates in any key or string (iteratively: depth is bounded anyway)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise BadRequest(
                    "the request contains a lone surrogate (\\ud800–\\udfff), which is not "
                    "Unicode text"
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class RateLimiter:
    """A fixed window per key and minute, in this process."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._counts: dict[tuple[str, int], int] = defaultdict(int)
        self._lock = asyncio.Lock()
        #: Seconds since the epoch (replaceable in tests).
        self.clock = time.time

    def window(self) -> int:
        return int(self.clock() // 60)

    def retry_after(self) -> int:
        """Seconds until the current window ends (for ``Retry-After``)."""
        return max(1, 60 - int(self.clock()) % 60)

    async def allow(self, key: str) -> bool:
        """Count one request for ``key``; whether it is within the limit."""
        if self.per_minute <= 0:
            return True
        return await self.add(key) <= self.per_minute

    async def exceeded(self, key: str) -> bool:
        """Whether ``key`` has used up this window already (without counting anything)."""
        if self.per_minute <= 0:
            return False
        return await self.count(key) >= self.per_minute

    async def add(self, key: str) -> int:
        window = self.window()
        async with self._lock:
            for old in [k for k in self._counts if k[1] < window]:
                del self._counts[old]
            self._counts[(key, window)] += 1
            return self._counts[(key, window)]

    async def count(self, key: str) -> int:
        return self._counts.get((key, self.window()), 0)


class RedisRateLimiter(RateLimiter):
    """The same window, counted in Redis so that every worker shares it."""

    def __init__(self, per_minute: int, url: str, prefix: str = "yixian:rate"):
        super().__init__(per_minute)
        import redis.asyncio as redis

        self.redis = redis.from_url(url)
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}:{key}:{self.window()}"

    async def add(self, key: str) -> int:
        name = self._name(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, 120).execute()
        return int(count)

    async def count(self, key: str) -> int:
        return int(await self.redis.get(self._name(key)) or 0)

    async def close(self) -> None:
        await self.redis.aclose()


def rate_limiter(settings: Any) -> RateLimiter:
    """Requests per token (or address) and minute."""
    return _limiter(settings, settings.rate_limit_per_minute, "rate")


def auth_failure_limiter(settings: Any) -> RateLimiter:
    """Failed authentications per client address and minute."""
    return _limiter(settings, settings.auth_failures_per_minute, "authfail")


def _limiter(settings: Any, per_minute: int, name: str) -> RateLimiter:
    if settings.redis_url:
        return RedisRateLimiter(per_minute, settings.redis_url, f"{settings.redis_prefix}:{name}")
    return RateLimiter(per_minute)
