// The API under /api/v1/ with the device's token (used by the pages and the service worker alike).

export const API = "/api/v1/";

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** The network could not be reached (offline, DNS, a dropped connection). */
export class NetworkError extends Error {
  constructor(message) {
    super(message);
    this.status = 0;
    this.code = "network";
  }
}

/**
 * One request. `json` is sent as a JSON body, `body` as is (a FormData); `key` becomes the Idempotency-Key.
 * Answers the parsed body; a refusal throws ApiError (with the server's {code, message}), no answer NetworkError.
 */
export async function api(path, { method = "GET", json, body, token, key, query } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (key) headers["Idempotency-Key"] = key;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const url = new URL(API + path, self.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "omit" });
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (response.type === "error") throw new NetworkError("no response");
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const code = (data && data.code) || `http_${response.status}`;
    const message = (data && data.message) || `HTTP ${response.status}`;
    throw new ApiError(response.status, code, message, data && data.details);
  }
  return data;
}

/** The hex SHA-256 of a Blob (a photo's identity on the server). */
export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
