// The auditors' console (GET /console). Plain JavaScript, no build step.
//
// The token lives in sessionStorage only (never a cookie) and goes out as
// "Authorization: Bearer <token>" on each request. Everything shown in the page is inserted
// with textContent (through el() below), never as HTML.
"use strict";

const TOKEN_KEY = "yixian.console.token";
const HISTORY_SIZE = 20;
const UNIT_PAGES = 10; // at most 10 pages of 100 units in a variable's choice

const QUERIES = `query ConsoleQueries {
  savedQueries {
    name version title description tags owner plugin
    versions {
      version createdAt documentHash document
      variables { name type defaultValue description kind choices required }
    }
  }
}`;

const UNITS = `query ConsoleUnits($after: String) {
  units(first: 100, after: $after) {
    edges { node { code name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const RUN = `mutation ConsoleRun($name: String!, $version: Int, $variables: JSON) {
  runSavedQuery(name: $name, version: $version, variables: $variables) {
    run { name version data rowCount digest auditSeq errors }
    errors { code field message }
  }
}`;

const HISTORY = `query ConsoleHistory($first: Int) {
  auditEvents(kind: "QUERY_RUN", first: $first) {
    edges { node { seq occurredAt actor name version variables rowCount resultDigest channel } }
  }
}`;

const CHAIN = `query ConsoleChain {
  auditChain { ok checked headSeq firstBrokenSeq message }
}`;

const RECHECK = `mutation ConsoleRecheck($auditSeq: Int!) {
  recheckRun(auditSeq: $auditSeq) {
    recheck { thenDigest nowDigest same }
    errors { code field message }
  }
}`;

// --- state -------------------------------------------------------------------------------------

const state = {
  queries: [],
  chosen: null, // the saved query (latest version) whose form is shown
  units: null, // [{code, name}] once loaded
  lastRun: null, // {name, version, text: {variable: text}, digest}
  rechecks: new Map(), // audit seq -> {same, nowDigest} | {error}
};

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

// --- DOM helpers (text only) --------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

/** el("td", {className: "mono", title: x}, "text", child…): attributes as properties, text as
 * text nodes. Nothing is ever parsed as HTML. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A bilingual label: 中文 + <span lang=en>English</span>. */
function bilingual(chinese, english) {
  return [chinese + " ", el("span", { lang: "en" }, english)];
}

function clear(node) {
  node.replaceChildren();
  return node;
}

function showError(target, error) {
  target.hidden = !error;
  clear(target);
  if (!error) return;
  const problems = error.problems || [{ code: error.code, message: error.message }];
  target.append(el("strong", {}, ...bilingual("出错", "Error")), ": ");
  problems.forEach((p, i) => {
    target.append(
      el(
        "span",
        {},
        i ? el("br") : null,
        p.code ? [el("code", {}, p.code), " "] : null,
        p.field ? el("span", { className: "mono" }, `(${p.field}) `) : null,
        p.message || "",
      ),
    );
  });
}

const sectionError = (section, error) => showError($(`#${section} .error`), error);

// --- talking to the server ---------------------------------------------------------------------

class ConsoleError extends Error {
  constructor(code, message, problems, status) {
    super(message);
    this.code = code;
    this.problems = problems || null;
    this.status = status || null;
  }
}

/** Turn a failed response into a ConsoleError: JSON errors, or the status and its text. */
async function failure(response) {
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: strawberry answers 401, 413 and 429 as plain text
  }
  if (body && Array.isArray(body.errors) && body.errors.length) {
    return fromGraphQLErrors(body.errors, response.status);
  }
  const codes = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 413: "TOO_LARGE", 429: "RATE_LIMITED" };
  const code = codes[response.status] || `HTTP_${response.status}`;
  const message = `${response.status}: ${text || response.statusText}`;
  return new ConsoleError(code, message, null, response.status);
}

function fromGraphQLErrors(errors, status) {
  const problems = errors.map((e) => ({
    code: (e.extensions && e.extensions.code) || null,
    field: (e.extensions && e.extensions.field) || null,
    message: e.message,
  }));
  return new ConsoleError(problems[0].code, problems[0].message, problems, status);
}

function authHeaders(extra = {}) {
  return { ...extra, Authorization: `Bearer ${token()}` };
}

async function send(url, options) {
  let response;
  try {
    response = await fetch(url, { ...options, credentials: "omit", cache: "no-store" });
  } catch (exc) {
    throw new ConsoleError("NETWORK", `the server could not be reached (${exc.message})`);
  }
  if (response.status === 401) {
    const error = await failure(response);
    signOut(error); // a refused token is of no further use
    throw error;
  }
  return response;
}

/** POST a GraphQL operation; returns `data`, or throws when the operation gave errors. */
async function graphql(query, variables = {}) {
  const response = await send("/graphql", {
    method: "POST",
    headers: authHeaders({ "Content-Type": "application/json", Accept: "application/json" }),
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw await failure(response);
  const body = await response.json();
  if (body.errors && body.errors.length) throw fromGraphQLErrors(body.errors, response.status);
  return body.data;
}

/** A mutation payload's typed errors ({code field message}) as an exception. */
function payloadErrors(errors) {
  return new ConsoleError(errors[0].code, errors[0].message, errors);
}

// --- signing in and out ------------------------------------------------------------------------

function showSignedIn(signedIn) {
  $("#sign-in").hidden = signedIn;
  $("#workspace").hidden = !signedIn;
  $("#session").hidden = !signedIn;
}

async function signIn(value) {
  const cleaned = value.trim().replace(/^bearer\s+/i, "");
  if (!cleaned) return;
  sessionStorage.setItem(TOKEN_KEY, cleaned);
  showError($("#error"), null);
  await start();
}

async function start() {
  const button = $("#sign-in-button");
  button.disabled = true;
  try {
    await loadQueries(); // the first request: a bad token signs out again here
  } catch (error) {
    if (!token()) return; // signed out by send() with the error shown
    showSignedIn(true);
    sectionError("queries", error);
    return;
  } finally {
    button.disabled = false;
  }
  $("#token").value = "";
  showSignedIn(true);
  await Promise.all([loadChain(), loadHistory()]);
}

function signOut(error) {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state, { queries: [], chosen: null, units: null, lastRun: null });
  state.rechecks.clear();
  for (const body of document.querySelectorAll("#workspace tbody")) clear(body);
  $("#run").hidden = true;
  $("#result").hidden = true;
  showSignedIn(false);
  if (error) {
    showError($("#error"), {
      problems: [{ code: error.code, message: `令牌被拒绝 The token was refused — ${error.message}` }],
    });
    $("#token").value = "";
  } else {
    showError($("#error"), null);
  }
  $("#token").focus();
}

// --- saved queries -----------------------------------------------------------------------------

async function loadQueries() {
  const data = await graphql(QUERIES);
  state.queries = data.savedQueries;
  renderQueries();
  sectionError("queries", null);
}

function renderQueries() {
  const filter = $("#query-filter").value.trim().toLowerCase();
  const body = clear($("#query-table tbody"));
  const shown = state.queries.filter((q) =>
    !filter ||
    [q.title, q.name, q.description || "", ...q.tags].some((t) => t.toLowerCase().includes(filter)),
  );
  for (const query of shown) {
    body.append(
      el(
        "tr",
        {
          dataset: { name: query.name },
          className: state.chosen?.name === query.name ? "chosen" : "",
        },
        el("td", {}, query.title),
        el("td", { className: "mono" }, query.name),
        el("td", { className: "num" }, `v${query.version}`),
        el("td", {}, query.tags.map((t) => el("span", { className: "tag" }, t))),
        el("td", { className: "description" }, query.description || ""),
        el(
          "td",
          {},
          el("button", { type: "button", className: "choose", onclick: () => choose(query) },
            ...bilingual("选择", "Choose")),
        ),
      ),
    );
  }
  if (!shown.length) {
    body.append(
      el("tr", {}, el("td", { colSpan: 6, className: "muted" },
        ...bilingual("没有可运行的查询", "No saved query you may run"))),
    );
  }
}

async function choose(query) {
  state.chosen = query;
  renderQueries();
  $("#run").hidden = false;
  $("#run-title").textContent = query.title;
  $("#run-name").textContent =
    `${query.name} · ${query.plugin ? `plugin ${query.plugin}` : `owner ${query.owner}`}`;
  $("#run-description").textContent = query.description || "";
  sectionError("run", null);
  const picker = clear($("#version"));
  for (const v of [...query.versions].reverse()) {
    const latest = v.version === query.version ? " · 最新 latest" : "";
    const text = `v${v.version} · ${formatTime(v.createdAt)}${latest}`;
    picker.append(el("option", { value: String(v.version) }, text));
  }
  picker.value = String(query.version);
  await renderVariables();
  $("#run").scrollIntoView({ block: "start" });
}

function chosenVersion() {
  const wanted = Number($("#version").value);
  return state.chosen.versions.find((v) => v.version === wanted);
}

async function renderVariables() {
  const version = chosenVersion();
  const box = clear($("#variables"));
  const documentBox = $("#document");
  $("summary .mono", documentBox).textContent = `sha256 ${version.documentHash.slice(0, 16)}…`;
  $("pre", documentBox).textContent = version.document;
  if (!version.variables.length) {
    const none = bilingual("此查询没有变量。", "This query has no variables.");
    box.append(el("p", { className: "muted" }, ...none));
    return;
  }
  if (version.variables.some((v) => v.kind === "UNIT_CODE") && state.units === null) {
    try {
      state.units = await loadUnits();
    } catch (error) {
      sectionError("run", error);
      state.units = [];
    }
  }
  for (const variable of version.variables) box.append(variableField(variable));
}

async function loadUnits() {
  const units = [];
  let after = null;
  for (let page = 0; page < UNIT_PAGES; page += 1) {
    const data = await graphql(UNITS, { after });
    units.push(...data.units.edges.map((e) => e.node));
    if (!data.units.pageInfo.hasNextPage) break;
    after = data.units.pageInfo.endCursor;
  }
  return units;
}

const isList = (variable) => variable.type.startsWith("[");

function variableField(variable) {
  const id = `var-${variable.name}`;
  const hint = [];
  if (variable.description) hint.push(variable.description);
  if (isList(variable)) {
    hint.push(
      ["ENUM", "UNIT_CODE"].includes(variable.kind)
        ? "可多选 (Ctrl/⌘) pick one or more"
        : "用逗号分隔 comma-separated",
    );
  }
  const control = variableControl(variable, id);
  return el(
    "div",
    { className: "field" },
    el(
      "label",
      { htmlFor: id },
      el("span", { className: "mono" }, variable.name),
      variable.required ? el("span", { className: "required", title: "必填 required" }, " *") : null,
      el("span", { className: "muted type" }, ` ${variable.type}`),
    ),
    control,
    hint.length ? el("small", { className: "muted" }, hint.join(" · ")) : null,
  );
}

function variableControl(variable, id) {
  const props = { id, name: variable.name, dataset: { kind: variable.kind, type: variable.type } };
  const initial = variable.defaultValue;
  const choices = (options, label) => {
    const select = el("select", {
      ...props,
      multiple: isList(variable),
      required: variable.required,
    });
    if (!variable.required && !isList(variable)) {
      select.append(el("option", { value: "" }, "— 不限 any —"));
    }
    for (const option of options) select.append(el("option", { value: option }, label(option)));
    const wanted = Array.isArray(initial)
      ? initial.map(String)
      : [initial === null ? "" : String(initial)];
    for (const option of select.options) option.selected = wanted.includes(option.value);
    if (variable.required && !isList(variable) && initial === null && select.options.length) {
      select.selectedIndex = -1; // nothing chosen: the auditor must pick one
    }
    return select;
  };
  switch (variable.kind) {
    case "UNIT_CODE": {
      const names = new Map((state.units || []).map((u) => [u.code, u.name]));
      return choices([...names.keys()], (code) => `${names.get(code)} (${code})`);
    }
    case "ENUM":
      return choices(variable.choices || [], (choice) => choice);
    case "BOOLEAN":
      return choices(["true", "false"], (v) => (v === "true" ? "是 true" : "否 false"));
    default: {
      const type = { DATE: "date", NUMBER: "number" }[variable.kind] || "text";
      const input = el("input", {
        ...props,
        type: isList(variable) ? "text" : type,
        spellcheck: false,
      });
      if (type === "number") {
        input.step = variable.type.replace(/[!\[\]]/g, "") === "Int" ? "1" : "any";
      }
      if (initial !== null && initial !== undefined) {
        input.value = Array.isArray(initial) ? initial.join(", ") : String(initial);
      }
      return input;
    }
  }
}

/** The form's values twice: typed for GraphQL, and as text for the /queries/… download (the
 * same text the HTTP channel turns into the same typed values). Empty ones are left out, so
 * the document's defaults apply. */
function formValues() {
  const typed = {};
  const text = {};
  for (const control of $("#variables").querySelectorAll("[data-kind]")) {
    const { kind, type } = control.dataset;
    const name = control.name;
    let parts;
    if (control.tagName === "SELECT") {
      parts = [...control.selectedOptions].map((o) => o.value).filter((v) => v !== "");
    } else if (type.startsWith("[")) {
      parts = control.value.split(",").map((p) => p.trim()).filter(Boolean);
    } else {
      parts = control.value.trim() === "" ? [] : [control.value.trim()];
    }
    if (!parts.length) continue;
    const convert = (part) => {
      if (kind === "NUMBER") return Number(part);
      if (kind === "BOOLEAN") return part === "true";
      return part;
    };
    typed[name] = type.startsWith("[") ? parts.map(convert) : convert(parts[0]);
    text[name] = parts.join(",");
  }
  return { typed, text };
}

async function run(event) {
  event.preventDefault();
  const query = state.chosen;
  const version = Number($("#version").value);
  const { typed, text } = formValues();
  const button = $("#run-button");
  button.disabled = true;
  for (const control of $("#variables").querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
  }
  sectionError("run", null);
  try {
    const data = await graphql(RUN, { name: query.name, version, variables: typed });
    const payload = data.runSavedQuery;
    if (payload.errors.length) {
      for (const problem of payload.errors) {
        const control = problem.field && $(`#var-${CSS.escape(problem.field)}`);
        if (control) control.setAttribute("aria-invalid", "true");
      }
      throw payloadErrors(payload.errors);
    }
    const { name, version: ran, digest } = payload.run;
    state.lastRun = { name, version: ran, text, digest };
    showResult(payload.run);
  } catch (error) {
    sectionError("run", error);
  } finally {
    button.disabled = false;
  }
  await Promise.all([loadHistory(), loadChain()]);
}

// --- the result, flattened as core/saved_queries/tabular.py flattens it --------------------------

const JOIN = "; ";

function firstList(data) {
  if (Array.isArray(data)) return data;
  if (data !== null && typeof data === "object") {
    for (const value of Object.values(data)) {
      const found = firstList(value);
      if (found !== null) return found;
    }
  }
  return null;
}

function cellValue(value) {
  if (typeof value === "boolean") return value ? "true" : "false";
  return value;
}

function flatten(value, prefix, row) {
  if (Array.isArray(value)) {
    const leaves = new Map();
    for (const item of value) {
      const sub = new Map();
      flatten(item, "", sub);
      for (const [key, leaf] of sub) {
        if (!leaves.has(key)) leaves.set(key, []);
        leaves.get(key).push(leaf === null || leaf === undefined ? "" : String(leaf));
      }
    }
    // an empty list leaves its cells empty
    for (const [key, parts] of leaves) row.set(key ? `${prefix}.${key}` : prefix, parts.join(JOIN));
  } else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      flatten(inner, prefix ? `${prefix}.${key}` : key, row);
    }
  } else {
    row.set(prefix, cellValue(value));
  }
}

/** [columns, rows]: rows are Maps from dotted column to cell, as tabular.rows() gives them. */
function tableRows(data) {
  let items = firstList(data);
  if (items === null) items = data && Object.keys(data).length ? [data] : [];
  const columns = new Map();
  const table = items.map((item) => {
    const row = new Map();
    flatten(item, "", row);
    if (row.has("")) {
      const scalar = row.get("");
      row.delete("");
      row.set("value", scalar);
    }
    for (const key of row.keys()) columns.set(key, true);
    return row;
  });
  return [[...columns.keys()], table];
}

function showResult(result) {
  $("#result").hidden = false;
  $("#row-count").textContent = String(result.rowCount);
  $("#digest").textContent = result.digest;
  $("#audit-seq").textContent = String(result.auditSeq);
  $("#download-status").textContent = "";
  sectionError("result", null);
  const warning = $("#result .warning");
  const errors = result.errors || [];
  warning.hidden = !errors.length;
  warning.textContent = errors.length
    ? `部分结果 Partial result — ${errors.map((e) => e.message).join("; ")}`
    : "";
  const [columns, table] = tableRows(result.data);
  const head = clear($("#result-table thead"));
  const body = clear($("#result-table tbody"));
  head.append(el("tr", {}, columns.map((c) => el("th", { className: "mono" }, c))));
  for (const row of table) {
    const cells = columns.map((column) => {
      const value = row.has(column) ? row.get(column) : "";
      const className = typeof value === "number" ? "num" : "";
      return el("td", { className }, value === null ? "" : String(value));
    });
    body.append(el("tr", {}, cells));
  }
  if (!table.length) {
    body.append(el("tr", {}, el("td", { className: "muted" }, ...bilingual("无结果", "No rows"))));
  }
  $("#result").scrollIntoView({ block: "start" });
}

// --- downloads ---------------------------------------------------------------------------------

function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(header);
  return match ? match[1] : fallback;
}

async function download(format) {
  const run = state.lastRun;
  if (!run) return;
  const status = $("#download-status");
  sectionError("result", null);
  status.textContent = "下载中 Downloading…";
  const params = new URLSearchParams(run.text);
  params.set("version", String(run.version));
  const url = `/queries/${encodeURIComponent(run.name)}.${format}?${params}`;
  try {
    const response = await send(url, { method: "GET", headers: authHeaders() });
    if (!response.ok) throw await failure(response);
    const blob = await response.blob();
    const name = filenameOf(response, `${run.name}-v${run.version}.${format}`);
    const link = el("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    const digest = response.headers.get("X-Result-Digest") || "";
    const seq = response.headers.get("X-Audit-Seq") || "?";
    const same = digest === run.digest
      ? "与上方结果相同 same as the result shown"
      : "与上方结果不同 differs from the result shown";
    status.textContent = `已下载 Downloaded ${name} · 审计序号 audit seq ${seq} · ${same}`;
  } catch (error) {
    status.textContent = "";
    sectionError("result", error);
  }
  await Promise.all([loadHistory(), loadChain()]);
}

// --- history and the chain ---------------------------------------------------------------------

async function loadHistory() {
  if (!token()) return;
  try {
    const data = await graphql(HISTORY, { first: HISTORY_SIZE });
    renderHistory(data.auditEvents.edges.map((e) => e.node));
    sectionError("history", null);
  } catch (error) {
    clear($("#history-table tbody"));
    sectionError("history", error);
  }
}

function renderHistory(events) {
  const body = clear($("#history-table tbody"));
  for (const event of events) {
    const outcome = el("span", { className: "outcome", role: "status" });
    renderRecheck(outcome, state.rechecks.get(event.seq));
    const variables = event.variables && Object.keys(event.variables).length
      ? JSON.stringify(event.variables)
      : "—";
    body.append(
      el(
        "tr",
        { dataset: { seq: String(event.seq) } },
        el("td", { className: "num mono" }, String(event.seq)),
        el("td", { title: event.occurredAt }, formatTime(event.occurredAt)),
        el("td", {}, event.actor),
        el(
          "td",
          {},
          el("span", { className: "mono" }, event.name),
          event.version ? ` v${event.version}` : "",
        ),
        el("td", {}, event.channel || ""),
        el("td", { className: "mono variables" }, variables),
        el("td", { className: "num" }, event.rowCount === null ? "" : String(event.rowCount)),
        el("td", { className: "mono digest" }, event.resultDigest || ""),
        el(
          "td",
          {},
          el(
            "button",
            {
              type: "button",
              className: "recheck",
              onclick: (e) => recheck(event.seq, e.currentTarget, outcome),
            },
            ...bilingual("复核", "Re-check"),
          ),
          " ",
          outcome,
        ),
      ),
    );
  }
  if (!events.length) {
    const none = bilingual("尚无运行记录", "No runs yet");
    body.append(el("tr", {}, el("td", { colSpan: 9, className: "muted" }, ...none)));
  }
}

function renderRecheck(target, outcome) {
  clear(target);
  target.className = "outcome";
  if (!outcome) return;
  if (outcome.error) {
    target.classList.add("bad");
    target.append(`${outcome.error.code || "ERROR"}: ${outcome.error.message}`);
  } else if (outcome.same) {
    target.classList.add("good");
    target.append("✓ 相同 same");
  } else {
    target.classList.add("bad");
    const now = `now ${outcome.nowDigest.slice(0, 16)}…`;
    target.append(
      "✗ 不同 different — ",
      el("span", { className: "mono", title: outcome.nowDigest }, now),
    );
  }
}

async function recheck(seq, button, target) {
  button.disabled = true;
  clear(target).append("…");
  let outcome;
  try {
    const data = await graphql(RECHECK, { auditSeq: seq });
    const payload = data.recheckRun;
    if (payload.errors.length) throw payloadErrors(payload.errors);
    outcome = payload.recheck;
  } catch (error) {
    outcome = { error };
  } finally {
    button.disabled = false;
  }
  state.rechecks.set(seq, outcome);
  // the history may have been drawn again meanwhile: show it in the row on the page now
  const shown = $(`#history-table tr[data-seq="${seq}"] .outcome`) || target;
  renderRecheck(shown, outcome);
  await loadChain(); // the re-check is itself a run in the trail
}

async function loadChain() {
  if (!token()) return;
  const line = clear($("#chain"));
  line.className = "status";
  line.append(el("strong", {}, ...bilingual("审计链", "Audit chain")), ": ");
  try {
    const chain = (await graphql(CHAIN)).auditChain;
    if (chain.ok) {
      line.classList.add("good");
      line.append(`✓ 完好 intact — ${chain.message}`);
      if (chain.headSeq !== null) line.append(` (head seq ${chain.headSeq})`);
    } else {
      line.classList.add("bad");
      line.append(`✗ 断裂 BROKEN at seq ${chain.firstBrokenSeq} — ${chain.message}`);
    }
  } catch (error) {
    line.classList.add("bad");
    line.append(`${error.code || "ERROR"}: ${error.message}`);
  }
}

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || "";
  return date.toLocaleString("zh-CN", { hour12: false });
}

// --- wiring ------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("#sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("#token").value);
  });
  $("#sign-out").addEventListener("click", () => signOut(null));
  $("#query-filter").addEventListener("input", renderQueries);
  $("#version").addEventListener("change", renderVariables);
  $("#run-form").addEventListener("submit", run);
  $("#download-csv").addEventListener("click", () => download("csv"));
  $("#download-xlsx").addEventListener("click", () => download("xlsx"));
  $("#history-refresh").addEventListener("click", () => Promise.all([loadHistory(), loadChain()]));
  if (token()) {
    start();
  } else {
    showSignedIn(false);
    $("#token").focus();
  }
});
