"""The auditors' console (GET /console), driven in a real browser: Debian's Chromium through
playwright, against the app served by uvicorn on a free local port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
from pathlib import Path

import pytest
import uvicorn

from core.saved_queries.tabular import rows
from tests.factories import create_person, create_tree

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("YIXIAN_SCREENSHOTS", "/tmp"))

SAVE_QUERY = """
mutation($input: SaveQueryInput!) {
  saveQuery(input: $input) { query { name version } errors { code field message } }
}"""

PEOPLE_UNDER = """query People($underUnit: String!) {
  people(filter: {underUnit: $underUnit}, first: 50) {
    edges { node { name homeUnit { code name } } }
  }
}"""

#: Shown as text, never run: the page must not turn data into markup.
HOSTILE = '<img src=x id="injected" onerror="document.title=1"> 人员说明'


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser test (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def server(client):
    """The client's app, served by uvicorn in this event loop (the app's database connections
    belong to it) on a free port of 127.0.0.1. Yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(client.app, lifespan="off", log_level="warning", access_log=False)
    uv = uvicorn.Server(config)
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    for _ in range(200):
        if uv.started or task.done():
            break
        await asyncio.sleep(0.025)
    assert uv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
        sock.close()


@pytest.fixture
async def page(browser):
    """A page that records what the browser complains about (CSP violations, script errors)."""
    context = await browser.new_context(accept_downloads=True, locale="zh-CN")
    page = await context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            page.problems.append(f"console: {msg.text} {msg.location}")
            if msg.type == "error"
            else None
        ),
    )
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        await context.close()


async def arrange(client) -> str:
    """Units, three people, a saved query with a unit variable; returns an AUDITOR's token."""
    await create_tree(client)
    await create_person(client, name="王小明", homeUnitCode="330302101001")
    await create_person(client, name="李秀英", homeUnitCode="330302101002")
    await create_person(client, name="赵敏", homeUnitCode="330304101")  # 瓯海区: out of scope
    result = await client.execute(
        SAVE_QUERY,
        input={
            "name": "people-under-unit",
            "title": "单位下的人员 People under a unit",
            "document": PEOPLE_UNDER,
            "description": HOSTILE,
            "tags": ["人员", "people"],
            "variables": [{"name": "underUnit", "description": "单位 the unit to look under"}],
            "shared": True,  # an admin's query: auditors read it only when shared
        },
    )
    assert result.data["saveQuery"]["errors"] == [], result.data
    auditor = await client.acting_as("AUDITOR", unit="330302")
    try:
        return auditor.headers["Authorization"].removeprefix("Bearer ")
    finally:
        await auditor.aclose()


async def sign_in(page, base: str, token: str) -> None:
    await page.goto(f"{base}/console")
    await page.fill("#token", token)
    await page.click("#sign-in-button")


async def test_an_auditor_signs_in_runs_a_query_downloads_it_and_rechecks_it(client, server, page):
    token = await arrange(client)
    await sign_in(page, server, token)

    # the token is kept for this tab only, never as a cookie
    assert await page.evaluate("sessionStorage.getItem('yixian.console.token')") == token
    assert await page.context.cookies() == []

    row = page.locator('#query-table tr[data-name="people-under-unit"]')
    await row.wait_for()
    assert "单位下的人员 People under a unit" in await row.inner_text()
    assert HOSTILE in await row.inner_text()  # shown as text …
    assert await page.locator("#injected").count() == 0  # … not as an element
    await page.wait_for_selector("#chain.good")
    await row.get_by_role("button").click()

    # the unit variable is a choice among the units the auditor may see (鹿城区 and below)
    units = page.locator("#var-underUnit option")
    await units.first.wait_for(state="attached")
    offered = await units.evaluate_all("options => options.map(o => o.value)")
    assert "330302" in offered and "330302101001" in offered
    assert "330304" not in offered and "330000" not in offered
    assert "单位 the unit to look under" in await page.inner_text("#run-form")
    await page.select_option("#var-underUnit", "330302")
    await page.click("#run-button")

    table = page.locator("#result-table")
    await table.locator("tbody tr").nth(1).wait_for()
    text = await table.inner_text()
    assert "王小明" in text and "李秀英" in text and "岙底村" in text
    assert "赵敏" not in text
    headers = await table.locator("thead th").all_inner_texts()
    assert headers == ["node.name", "node.homeUnit.code", "node.homeUnit.name"]
    assert await page.inner_text("#row-count") == "2"
    digest = await page.inner_text("#digest")
    assert len(digest) == 64
    seq = int(await page.inner_text("#audit-seq"))

    # the history lists the run with its digest
    run_row = page.locator(f'#history-table tr[data-seq="{seq}"]')
    await run_row.wait_for()
    assert digest in await run_row.inner_text()
    assert "people-under-unit" in await run_row.inner_text()

    # CSV through /queries/…, saved from a blob: UTF-8 with BOM, the same names
    async with page.expect_download() as info:
        await page.click("#download-csv")
    download = await info.value
    assert download.suggested_filename == "people-under-unit-v1.csv"
    content = Path(await download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    csv_text = content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "node.name,node.homeUnit.code,node.homeUnit.name"
    assert "王小明" in csv_text and "李秀英" in csv_text and "赵敏" not in csv_text
    status = page.locator("#download-status")
    await status.filter(has_text="same as the result shown").wait_for()

    # the download is a run too, over HTTP, with the same digest
    http_row = page.locator(f'#history-table tr[data-seq="{seq + 1}"]')
    await http_row.wait_for()
    assert "http" in await http_row.inner_text() and digest in await http_row.inner_text()

    async with page.expect_download() as info:
        await page.click("#download-xlsx")
    xlsx = Path(await (await info.value).path()).read_bytes()
    assert xlsx.startswith(b"PK")  # a zip: the workbook

    # re-checking the first run gives the same digest today
    await run_row.get_by_role("button").click()
    await run_row.locator(".outcome.good").wait_for()
    assert "same" in await run_row.locator(".outcome").inner_text()
    await page.wait_for_selector("#chain.good")

    await page.screenshot(path=str(SCREENSHOTS / "yixian-console.png"), full_page=True)
    assert page.problems == []

    # signing out forgets the token
    await page.click("#sign-out")
    await page.locator("#sign-in").wait_for()
    assert await page.evaluate("sessionStorage.getItem('yixian.console.token')") is None
    assert await page.locator("#workspace").is_hidden()


async def test_a_wrong_token_is_refused_in_the_page(client, server, page):
    await sign_in(page, server, "not-a-token")
    error = page.locator("#error")
    await error.wait_for()
    text = await error.inner_text()
    assert "UNAUTHENTICATED" in text and "The token was refused" in text
    assert "unknown, expired or revoked" in text and "null" not in text
    assert await page.locator("#workspace").is_hidden()
    assert await page.locator("#sign-in").is_visible()
    assert await page.evaluate("sessionStorage.getItem('yixian.console.token')") is None
    await page.screenshot(path=str(SCREENSHOTS / "yixian-console-refused.png"))


async def test_a_required_variable_left_empty_is_a_typed_error(client, server, page):
    token = await arrange(client)
    await sign_in(page, server, token)
    row = page.locator('#query-table tr[data-name="people-under-unit"]')
    await row.get_by_role("button").click()
    await page.locator("#var-underUnit").wait_for()
    await page.click("#run-button")
    error = page.locator("#run .error")
    await error.wait_for()
    assert "REQUIRED" in await error.inner_text()
    assert await page.get_attribute("#var-underUnit", "aria-invalid") == "true"
    assert await page.locator("#result").is_hidden()


FINDINGS = """query Findings($underUnit: String!, $status: [FourVisitsFindingStatus!],
    $kind: FourVisitsFindingKind, $unresolved: Boolean! = false, $olderThanDays: Int = 30,
    $asOf: Date) {
  fourVisitsFindings(underUnit: $underUnit, status: $status, kind: $kind,
      unresolved: $unresolved, olderThanDays: $olderThanDays, asOf: $asOf, first: 10) {
    edges { cursor }
  }
}"""


async def test_variables_are_offered_by_kind_and_sent_typed(client, server, page):
    """Choices for units, enums and booleans, a date picker, a number; the download sends the
    same values as text and gets the same digest."""
    token = await arrange(client)
    result = await client.execute(
        SAVE_QUERY,
        input={
            "name": "findings",
            "title": "诉求 Findings",
            "document": FINDINGS,
            "shared": True,
        },
    )
    assert result.data["saveQuery"]["errors"] == [], result.data
    await sign_in(page, server, token)
    await page.click('#query-table tr[data-name="findings"] button')
    await page.locator("#var-underUnit option").first.wait_for(state="attached")

    kinds = await page.eval_on_selector_all(
        "#variables [data-kind]",
        "cs => cs.map(c => [c.name, c.dataset.kind, c.tagName, c.type, c.value, c.multiple])",
    )
    assert kinds == [
        ["underUnit", "UNIT_CODE", "SELECT", "select-one", "", False],
        ["status", "ENUM", "SELECT", "select-multiple", "", True],
        ["kind", "ENUM", "SELECT", "select-one", "", False],
        ["unresolved", "BOOLEAN", "SELECT", "select-one", "false", False],
        ["olderThanDays", "NUMBER", "INPUT", "number", "30", False],
        ["asOf", "DATE", "INPUT", "date", "", False],
    ]
    statuses = await page.eval_on_selector_all("#var-status option", "os => os.map(o => o.value)")
    assert "OPEN" in statuses and "ASSIGNED" in statuses

    await page.select_option("#var-underUnit", "330302101")
    await page.select_option("#var-status", ["OPEN", "ASSIGNED"])
    await page.select_option("#var-unresolved", "true")
    await page.fill("#var-olderThanDays", "7")
    await page.fill("#var-asOf", "2024-06-30")
    await page.locator("#run").screenshot(path=str(SCREENSHOTS / "yixian-console-variables.png"))
    await page.click("#run-button")
    seq = page.locator("#audit-seq")
    await seq.filter(has_text=re.compile(r"\d")).wait_for()
    run_row = page.locator(f'#history-table tr[data-seq="{await seq.inner_text()}"]')
    await run_row.wait_for()
    sent = json.loads(await run_row.locator(".variables").inner_text())
    assert sent == {
        "underUnit": "330302101",
        "status": ["OPEN", "ASSIGNED"],
        "unresolved": True,
        "olderThanDays": 7,
        "asOf": "2024-06-30",
    }

    async with page.expect_download():
        await page.click("#download-csv")
    await page.locator("#download-status", has_text="same as the result shown").wait_for()
    assert page.problems == []


FLATTEN_SAMPLES = [
    {
        "people": {
            "edges": [
                {
                    "node": {
                        "name": "王小明",
                        "active": True,
                        "age": None,
                        "score": 0.5,
                        "postings": [
                            {"hostUnit": {"code": "330302101001"}, "current": False},
                            {"hostUnit": {"code": "330304101"}, "current": True},
                        ],
                        "tags": ["甲", "乙"],
                        "none": [],
                    }
                },
                {"node": {"name": "李秀英", "extra": 3, "postings": [{"hostUnit": None}]}},
            ]
        }
    },
    {"unit": {"code": "330302", "name": "鹿城区", "parent": {"code": "330300"}}},
    {"codes": ["330302", "330304"]},
    {"matrix": [[1, 2], [3]]},
    {"people": {"edges": []}},
    None,
    {},
]


async def test_the_page_flattens_results_as_the_csv_does(client, server, page):
    """The page's table and core.saved_queries.tabular.rows give the same columns and cells."""
    await page.goto(f"{server}/console")
    for sample in FLATTEN_SAMPLES:
        columns, table = await page.evaluate(
            "data => { const [c, t] = tableRows(data); return [c, t.map(Object.fromEntries)]; }",
            sample,
        )
        assert (columns, table) == tuple(rows(sample)), sample


async def test_the_page_is_served_with_a_strict_policy(client):
    response = await client.http.get("/console")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "set-cookie" not in response.headers
    assert "审计控制台" in response.text and "Audit console" in response.text
    assert "<script>" not in response.text  # no inline script: the policy would refuse it

    script = await client.http.get("/console/console.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text
    again = await client.http.get(
        "/console/console.js", headers={"If-None-Match": script.headers["etag"]}
    )
    assert again.status_code == 304
    assert (await client.http.get("/console/console.css")).status_code == 200
    assert (await client.http.get("/console/app.py")).status_code == 404
