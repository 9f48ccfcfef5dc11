"""The auditors' console: ``GET /console``, one server-rendered page and its script and styles.

The page signs in with a pasted token (kept in ``sessionStorage``, never in a cookie), lists the
saved queries, runs one through ``/graphql``, shows the result flattened as the CSV is
(``core.saved_queries.tabular``), downloads CSV or XLSX from ``/queries/{name}.{format}``, and
lists the recent runs with their digests, each of which can be re-checked.

Everything the page inserts into the document is inserted as text, never as HTML. The page is
served with a strict Content-Security-Policy: scripts and styles only from this server
(``/console/console.js`` and ``/console/console.css``), requests only to this server, no frames.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from html import escape
from importlib import resources

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

STATIC_FOLDER = "console_static"
ASSET_TYPES = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    etag: str


@functools.cache
def asset(name: str) -> Asset:
    body = resources.files("yixian").joinpath(STATIC_FOLDER).joinpath(name).read_bytes()
    return Asset(body, hashlib.sha256(body).hexdigest()[:16])


def _label(chinese: str, english: str) -> str:
    """A bilingual label: Chinese first, English after it (marked as such for screen readers)."""
    return f'{escape(chinese)} <span lang="en">{escape(english)}</span>'


def render_page() -> str:
    js, css = asset("console.js").etag, asset("console.css").etag
    label = _label
    sign_in_help = label(
        "粘贴您的访问令牌。令牌只保存在本标签页的会话存储中，关闭标签页或退出即清除。",
        "Paste your access token. It is kept in this tab's session storage only, "
        "and cleared when you sign out or close the tab.",
    )
    history_help = label(
        "最近 20 次查询运行。复核：以您的身份重新运行，比较今天的结果摘要与当时的是否相同。",
        "The last 20 runs. Re-check runs one again, as you, and compares today's digest "
        "with the one recorded then.",
    )
    needs_js = label("此页面需要 JavaScript。", "This page needs JavaScript.")
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>审计控制台 Audit console · yixian 一线</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/console.css?v={css}">
<script src="/console/console.js?v={js}" defer></script>
</head>
<body>
<header class="bar">
  <h1>{label("审计控制台", "Audit console")}</h1>
  <div id="session" hidden>
    <span class="muted">{label("已登录", "Signed in")}</span>
    <button type="button" id="sign-out">{label("退出", "Sign out")}</button>
  </div>
</header>
<noscript><p class="error">{needs_js}</p></noscript>
<p id="error" class="error" role="alert" hidden></p>

<section id="sign-in" class="card" aria-labelledby="sign-in-title" hidden>
  <h2 id="sign-in-title">{label("登录", "Sign in")}</h2>
  <p class="muted">{sign_in_help}</p>
  <form id="sign-in-form" autocomplete="off">
    <label for="token">{label("令牌", "Token")}</label>
    <input id="token" name="token" type="password" required spellcheck="false"
           autocomplete="off" placeholder="yx_…">
    <button type="submit" id="sign-in-button">{label("登录", "Sign in")}</button>
  </form>
</section>

<main id="workspace" hidden>
  <p id="chain" class="status" aria-live="polite">{label("审计链", "Audit chain")}: …</p>

  <section id="queries" class="card" aria-labelledby="queries-title">
    <div class="row">
      <h2 id="queries-title">{label("已保存的查询", "Saved queries")}</h2>
      <label class="filter">{label("筛选", "Filter")}
        <input id="query-filter" type="search" spellcheck="false">
      </label>
    </div>
    <p class="error" role="alert" hidden></p>
    <div class="scroll">
      <table id="query-table">
        <thead><tr>
          <th>{label("标题", "Title")}</th><th>{label("名称", "Name")}</th>
          <th>{label("版本", "Version")}</th><th>{label("标签", "Tags")}</th>
          <th>{label("说明", "Description")}</th><th></th>
        </tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>

  <section id="run" class="card" aria-labelledby="run-title" hidden>
    <h2 id="run-title"></h2>
    <p id="run-name" class="muted mono"></p>
    <p id="run-description"></p>
    <form id="run-form" autocomplete="off" novalidate>
      <div class="field">
        <label for="version">{label("版本", "Version")}</label>
        <select id="version" name="version"></select>
      </div>
      <div id="variables"></div>
      <details id="document">
        <summary>{label("查询文本", "Document")} <span class="mono muted"></span></summary>
        <pre></pre>
      </details>
      <button type="submit" id="run-button" class="primary">{label("运行", "Run")}</button>
    </form>
    <p class="error" role="alert" hidden></p>
  </section>

  <section id="result" class="card" aria-labelledby="result-title" hidden>
    <h2 id="result-title">{label("结果", "Result")}</h2>
    <dl class="facts">
      <dt>{label("行数", "Rows")}</dt><dd id="row-count"></dd>
      <dt>{label("结果摘要", "Digest (SHA-256)")}</dt><dd id="digest" class="mono"></dd>
      <dt>{label("审计序号", "Audit seq")}</dt><dd id="audit-seq" class="mono"></dd>
    </dl>
    <p class="warning" role="status" hidden></p>
    <div class="row">
      <button type="button" id="download-csv">{label("下载 CSV", "Download CSV")}</button>
      <button type="button" id="download-xlsx">{label("下载 XLSX", "Download XLSX")}</button>
      <span id="download-status" class="muted" role="status"></span>
    </div>
    <p class="error" role="alert" hidden></p>
    <div class="scroll"><table id="result-table"><thead></thead><tbody></tbody></table></div>
  </section>

  <section id="history" class="card" aria-labelledby="history-title">
    <div class="row">
      <h2 id="history-title">{label("运行记录", "History")}</h2>
      <button type="button" id="history-refresh">{label("刷新", "Refresh")}</button>
    </div>
    <p class="muted">{history_help}</p>
    <p class="error" role="alert" hidden></p>
    <div class="scroll">
      <table id="history-table">
        <thead><tr>
          <th>{label("序号", "Seq")}</th><th>{label("时间", "Time")}</th>
          <th>{label("操作人", "Actor")}</th><th>{label("查询", "Query")}</th>
          <th>{label("渠道", "Channel")}</th><th>{label("变量", "Variables")}</th>
          <th>{label("行数", "Rows")}</th><th>{label("结果摘要", "Digest")}</th>
          <th>{label("复核", "Re-check")}</th>
        </tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
</main>
</body>
</html>
"""


async def console_page(_request: Request) -> Response:
    """``GET /console``: the page itself. Not cached: it names the current script and styles."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return HTMLResponse(render_page(), headers=headers)


async def console_asset(request: Request) -> Response:
    """``GET /console/console.js`` and ``/console/console.css``, revalidated by ETag."""
    name = request.path_params["asset"]
    if name not in ASSET_TYPES:
        return PlainTextResponse("not found", status_code=404)
    found = asset(name)
    etag = f'"{found.etag}"'
    headers = {**SECURITY_HEADERS, "ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=ASSET_TYPES[name], headers=headers)


def console_documents() -> dict[str, str]:
    """The console's own GraphQL operations (the template strings of console.js), by hash: they
    stay runnable when only trusted documents may run."""
    import re

    from schema.trusted import document_hash

    script = asset("console.js").body.decode("utf-8")
    found = re.findall(r"= `((?:query|mutation) Console\w+[^`]*)`;", script)
    return {document_hash(document): document for document in found}
