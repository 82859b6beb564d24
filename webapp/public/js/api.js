// The REST API (docs/API.md). Every failure becomes an ApiError with the server's error
// code, or "network" when the server could not be reached at all. The code is what the app
// shows a person (i18n.error turns it into a sentence in their language); the message is
// the server's English, for developers, and is never put on the screen.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
  get offline() {
    return this.code === "network";
  }
}

export class Api {
  constructor() {
    this.token = null;
    this.onUnauthorized = () => {};
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "network", "The server cannot be reached");
    }
    if (response.status === 204) return null;
    const payload = await response.json().catch(() => null);
    if (!response.ok) {
      const error = payload?.error ?? {};
      const code = typeof error.code === "string" && error.code ? error.code : codeOfStatus(response.status);
      const failure = new ApiError(response.status, code, error.message ?? response.statusText,
                                   Number(response.headers.get("Retry-After")) || undefined);
      if (response.status === 401 && this.token) this.onUnauthorized(failure);
      throw failure;
    }
    return payload;
  }

  get(path, query) {
    return this.request("GET", withQuery(path, query));
  }
  post(path, body) {
    return this.request("POST", path, body ?? {});
  }
  put(path, body) {
    return this.request("PUT", path, body);
  }
  delete(path) {
    return this.request("DELETE", path);
  }
}

// An answer without our JSON error body (a proxy's page, a gateway timeout) still gets the
// code its status means in docs/API.md, so that it is said as well as our own errors are.
const STATUS_CODES = {
  400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
  405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
  415: "unsupported_media_type", 429: "rate_limited", 507: "insufficient_storage",
};

export function codeOfStatus(status) {
  return STATUS_CODES[status] ?? (status >= 500 ? "unavailable" : "unknown");
}

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
