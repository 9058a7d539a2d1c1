// The wire contract over fetch. Every failure becomes an ApiError (the server's JSON error
// shape) or a NetworkError (no answer at all: offline, reset, timeout).

const TIMEOUT_MS = 60000;
/** The protocol version this app speaks (the server answers 426 `client_outdated` when too old). */
export const PROTOCOL = 1;

export class ApiError extends Error {
  constructor(body, status) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.reason = body?.reason || null;
    this.errors = body?.errors || null;
  }
}

export class NetworkError extends Error {}

let speaking = null;

/** The app's language ("ja", "en"), sent as Accept-Language: the server's sentences come in it. */
export function speak(language) {
  speaking = language;
}

/**
 * Send one request with the app's headers and answer the Response when it is ok; otherwise
 * throw: NetworkError when no answer came, ApiError with the server's error shape when one did.
 * `timeout` (ms, null for none) bounds the wait for the answer's headers.
 */
async function send(method, path, { token, headers = {}, body, timeout = TIMEOUT_MS, cache = "no-store" } = {}) {
  const all = { "Genba-Protocol": String(PROTOCOL), ...(speaking ? { "Accept-Language": speaking } : {}), ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = timeout ? setTimeout(() => abort.abort(), timeout) : null;
  let response;
  try {
    response = await fetch(path, { method, headers: all, body, signal: abort.signal, cache, credentials: "omit" });
  } catch (err) {
    throw new NetworkError(err.message);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new ApiError(await response.json().catch(() => null), response.status);
  return response;
}

async function json(response) {
  try {
    return await response.json();
  } catch {
    throw new NetworkError("the answer was cut off");
  }
}

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return json(await send(method, path, {
    token, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

export function signIn(login, password, device) {
  return call("POST", "/api/v1/auth/token", { body: { login, password, device } });
}

/** End this sign-in's token on the server (sign-out). */
export async function signOut(token) {
  await send("DELETE", "/api/v1/auth/token", { token, timeout: 5000 });
}

/** End a sign-in by its token's SHA-256 (hex): a sign-out made offline, sent once online. */
export async function endSignIn(digest) {
  await send("DELETE", `/api/v1/auth/tokens/${digest}`, { timeout: 5000 });
}

/** Push a batch; a refusal's messages come in the app's language, as the sync page shows them. */
export function push(token, body) {
  return call("POST", "/api/v1/sync/push", { body, token });
}

/**
 * One pull page; without a cursor, a prioritised first pull (the lists' records first). With
 * `digest`, the last page carries the server's digest of the scope (check.js).
 */
export function pull(token, cursor, limit, digest = false) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  else query.set("priority", "true");
  if (digest) query.set("digest", "true");
  return call("GET", `/api/v1/sync/pull?${query}`, { token });
}

/** The server's digests of one entity's records in scope whose ids end with `ending`, by the character before. */
export function scopeDigest(token, entity, ending) {
  return call("GET", `/api/v1/sync/digest?${new URLSearchParams({ entity, ending })}`, { token });
}

/** The records in scope of one entity whose ids end with `ending` (413 `range_too_large` past the limit). */
export function recordRange(token, entity, ending) {
  return call("GET", `/api/v1/sync/range?${new URLSearchParams({ entity, ending })}`, { token });
}

export function searchCustomers(token, q) {
  return call("GET", `/api/v1/customers/search?${new URLSearchParams({ q })}`, { token });
}

export function duplicateCustomers(token, { name, phone, email }) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ name, phone, email })) if (value) query.set(key, value);
  return call("GET", `/api/v1/customers/duplicates?${query}`, { token });
}

export function mergeCustomer(token, id, into) {
  return call("POST", `/api/v1/customers/${encodeURIComponent(id)}/merge`, { body: { into }, token });
}

export function calendar(token) {
  return call("GET", "/api/v1/calendar", { token });
}

// Routing rules (office and admins edit them online; there is no offline copy).
export function routingRules(token) {
  return call("GET", "/api/v1/routing/rules", { token });
}

export function addRule(token, rule) {
  return call("POST", "/api/v1/routing/rules", { body: rule, token });
}

export function editRule(token, id, changes) {
  return call("PATCH", `/api/v1/routing/rules/${encodeURIComponent(id)}`, { body: changes, token });
}

export function removeRule(token, id) {
  return call("DELETE", `/api/v1/routing/rules/${encodeURIComponent(id)}`, { token });
}

export function tryRules(token, trial) {
  return call("POST", "/api/v1/routing/test", { body: trial, token });
}

/** A file the server makes (CSV, workbook) as a Blob; online only. */
async function download(path, token, filters) {
  const response = await send("GET", `${path}?${new URLSearchParams(filters)}`, { token, timeout: null });
  return response.blob();
}

/** The inbox export as a Blob: format "csv" or "xlsx". */
export function exportRequests(token, filters, format = "csv") {
  return download(`/api/v1/requests/export.${format}`, token, filters);
}

/** The manager's deal board as a Blob: format "csv" or "xlsx". */
export function exportDeals(token, filters, format = "csv") {
  return download(`/api/v1/deals/export.${format}`, token, filters);
}

/** Past quotes (見積台帳): see `importList`. */
export function importQuotes(token, file, options) {
  return importList("/api/v1/quotes/import", token, file, options);
}

/** Every customer and its contact people as an Excel workbook, in the import's columns. */
export function exportCustomers(token) {
  return download("/api/v1/customers/export.xlsx", token, {});
}

/** Every quote as the import's Excel workbook (見積台帳), a Blob. */
export function exportQuotes(token) {
  return download("/api/v1/quotes/export.xlsx", token, {});
}

/** A visit's service report (作業報告書) as the server prints it, a PDF Blob. */
export function visitReportPdf(token, visitId) {
  return download(`/api/v1/visits/${encodeURIComponent(visitId)}/report.pdf`, token, {});
}

// Past-quote database: quotes most like one (online; the device searches its own quotes).
/** The server's search over the full quote history the user may see (online). */
export function searchQuotes(token, params) {
  return call("GET", `/api/v1/quotes/search?${new URLSearchParams(params)}`, { token });
}

export function similarQuotes(token, id) {
  return call("GET", `/api/v1/quotes/${encodeURIComponent(id)}/similar`, { token });
}

// Factory load: the server's answer to "which week fits this order", and a production plan's import.
export function fitLoad(token, order) {
  return call("POST", "/api/v1/load/fit", { body: order, token });
}

/** Post a plan file (CSV or .xlsx); a 422 carries the errors by row number. */
export async function importLoad(token, file) {
  const body = new FormData();
  body.append("file", file, file.name);
  const headers = { Accept: "application/json" };
  return json(await send("POST", "/api/v1/load/import", { token, body, headers }));
}

/**
 * Post a list kept in Excel (CSV or .xlsx) to `path`; `dryRun` answers what it would create and
 * writes nothing; `reassign`
 * (the customer list) moves kept customers to the 営業担当 their rows name, and `owner` (a user's
 * id) owns its new customers whose rows name none.
 */
async function importList(path, token, file, { dryRun = false, reassign = false, owner = null } = {}) {
  const body = new FormData();
  body.append("file", file, file.name);
  const headers = { Accept: "application/json" };
  const query = new URLSearchParams({ ...(dryRun ? { dry_run: "true" } : {}), ...(reassign ? { reassign: "true" } : {}),
    ...(owner ? { owner } : {}) }).toString();
  return json(await send("POST", `${path}${query ? `?${query}` : ""}`, { token, body, headers }));
}

/** A customer list (顧客台帳): see `importList`. */
export function importCustomers(token, file, options) {
  return importList("/api/v1/customers/import", token, file, options);
}

// Attachment files: uploads in parts that resume where the server's copy ends, and downloads
// of others' photos. No timeout: a part on a poor line may take longer than a JSON answer, and
// a cut connection fails on its own.

function contentPath(id, what = "content") {
  return `/api/v1/attachments/${encodeURIComponent(id)}/${what}`;
}

/** How much of an attachment's file the server holds: `{received, complete}`. */
export async function uploadOffset(token, id) {
  const response = await send("HEAD", contentPath(id), { token, timeout: null });
  return { received: Number(response.headers.get("Upload-Offset") || 0),
    complete: response.headers.get("Upload-Complete") === "?1" };
}

/** Send a part of an attachment's file (`range` as in Content-Range); answers `{received, uploaded, record}`. */
export async function uploadPart(token, id, part, range) {
  return json(await send("PUT", contentPath(id), { token, body: part, timeout: null,
    headers: { "Content-Type": "application/octet-stream", "Content-Range": range } }));
}

/** An attachment's file (`what`: "content") or its thumbnail ("thumbnail") as a Blob. */
export async function attachmentFile(token, id, what) {
  // The browser's HTTP cache may answer: the server marks these immutable.
  const response = await send("GET", contentPath(id, what), { token, timeout: null, cache: "default" });
  return response.blob();
}

// People (admins; online only): users, their devices, and the audit trail.
export function adminUsers(token) {
  return call("GET", "/api/v1/admin/users", { token });
}

export function addUser(token, user) {
  return call("POST", "/api/v1/admin/users", { body: user, token });
}

export function changeUser(token, id, changes) {
  return call("PATCH", `/api/v1/admin/users/${encodeURIComponent(id)}`, { body: changes, token });
}

export function userDevices(token, id) {
  return call("GET", `/api/v1/admin/users/${encodeURIComponent(id)}/devices`, { token });
}

export function revokeDevice(token, id) {
  return call("POST", `/api/v1/admin/devices/${encodeURIComponent(id)}/revoke`, { token });
}

/** Audit events newest first: `{action, before, limit}` (before: the last event id shown). */
export function auditEvents(token, { action = "", before = null, limit = 50 } = {}) {
  const query = new URLSearchParams({ order: "newest", limit: String(limit) });
  if (action) query.set("action", action);
  if (before) query.set("before", String(before));
  return call("GET", `/api/v1/admin/audit?${query}`, { token });
}

/** The server's vocabulary (roles, permissions, enumerations with labels); no token needed. */
export function vocabulary() {
  return call("GET", "/api/v1/vocabulary");
}
