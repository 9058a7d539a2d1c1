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

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json", "Genba-Protocol": String(PROTOCOL) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal, cache: "no-store", credentials: "omit",
    });
  } catch (err) {
    throw new NetworkError(err.message);
  } finally {
    clearTimeout(timer);
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    if (response.ok) throw new NetworkError("the answer was cut off");
  }
  if (!response.ok) throw new ApiError(payload, response.status);
  return payload;
}

export function signIn(login, password, device) {
  return call("POST", "/api/v1/auth/token", { body: { login, password, device } });
}

export function push(token, body) {
  return call("POST", "/api/v1/sync/push", { body, token });
}

export function pull(token, cursor, limit) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  return call("GET", `/api/v1/sync/pull?${query}`, { token });
}

export function searchCustomers(token, q) {
  return call("GET", `/api/v1/customers/search?${new URLSearchParams({ q })}`, { token });
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

/** The inbox as CSV (a Blob) with the given filters. */
/** A file the server makes (CSV, workbook) as a Blob; online only. */
async function download(path, token, filters) {
  let response;
  try {
    response = await fetch(`${path}?${new URLSearchParams(filters)}`, {
      headers: { Authorization: `Bearer ${token}`, "Genba-Protocol": String(PROTOCOL) },
      cache: "no-store", credentials: "omit",
    });
  } catch (err) {
    throw new NetworkError(err.message);
  }
  if (!response.ok) throw new ApiError(await response.json().catch(() => null), response.status);
  return response.blob();
}

/** The inbox export as a Blob: format "csv" or "xlsx". */
export function exportRequests(token, filters, format = "csv") {
  return download(`/api/v1/requests/export.${format}`, token, filters);
}

/** The manager's deal board as CSV (issue 6). */
export function exportDeals(token, filters) {
  return download("/api/v1/deals/export.csv", token, filters);
}

// Past-quote database: quotes most like one (online; the device searches its own quotes).
export function similarQuotes(token, id) {
  return call("GET", `/api/v1/quotes/${encodeURIComponent(id)}/similar`, { token });
}
