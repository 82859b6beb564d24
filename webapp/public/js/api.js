// The REST API (docs/API.md). Every failure becomes an ApiError with the server's error
// code, or "network" when the server could not be reached at all.

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
      const failure = new ApiError(response.status, error.code ?? "internal",
                                   error.message ?? response.statusText,
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

function withQuery(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
