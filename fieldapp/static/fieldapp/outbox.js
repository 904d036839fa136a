// The outbox: every change the worker makes waits here (IndexedDB) until the server has it. Each item has a
// client UUID sent as the Idempotency-Key, so sending it twice (a lost answer, two tabs, Background Sync beside
// the page) records it once. Used by the pages and by the service worker.
import { openDB } from "../vendor/idb/index.js";
import { api, ApiError, NetworkError, sha256Hex } from "./api.js";

export const WAITING = "waiting";
export const SENDING = "sending";
export const SENT = "sent";
export const REFUSED = "refused";
/** Sent items are kept this long (then pruned), so the worker can see what went out. */
export const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;
const BACKOFF_FIRST_MS = 5000;
const BACKOFF_MAX_MS = 10 * 60 * 1000;
const LEASE_MS = 2 * 60 * 1000;

let opened = null;

export function db() {
  opened ??= openDB("gridgov-field", 1, {
    upgrade(database) {
      const items = database.createObjectStore("outbox", { keyPath: "id" });
      items.createIndex("created_at", "created_at");
      database.createObjectStore("kv");
    },
  });
  return opened;
}

// --- Changes are announced to every page and the service worker --------------------------------------------
const channel = new BroadcastChannel("gridgov-outbox");
const listeners = new Set();
channel.addEventListener("message", (event) => listeners.forEach((listener) => listener(event.data)));

export function onOutboxChange(listener) {
  listeners.add(listener);
}

export function offOutboxChange(listener) {
  listeners.delete(listener);
}

function announce(data = { kind: "changed" }) {
  channel.postMessage(data);
  listeners.forEach((listener) => listener(data)); // a channel does not deliver to its own sender
}

// --- The session: the device's token and who holds it (never the password) ---------------------------------
export async function session() {
  return (await db()).get("kv", "session");
}

export async function sessionSave(value) {
  await (await db()).put("kv", value, "session");
}

/** The token no longer works (revoked, idle too long) or the worker signed out: the outbox stays. */
export async function sessionForget() {
  await (await db()).delete("kv", "session");
  announce({ kind: "signed-out" });
}

// --- Items ------------------------------------------------------------------------------------------------------
/**
 * A new change to send: `files` are [{field, blob, name}] (photos), hashed now so the record can name them.
 * `kind` is one of SENDERS' names; the item's id is its Idempotency-Key. `label`: how the outbox names the item
 * (kept on this device only, never sent).
 */
export async function outboxAdd(kind, payload, files = [], { label = "" } = {}) {
  const current = await session();
  const hashed = [];
  for (const file of files) {
    hashed.push({ ...file, sha256: await sha256Hex(file.blob), uploaded: false });
  }
  const item = {
    id: crypto.randomUUID(),
    kind,
    payload,
    label,
    files: hashed,
    state: WAITING,
    attempts: 0,
    last_error: "",
    created_at: Date.now(),
    next_at: 0,
    sent_at: null,
    result: null,
    user_id: current ? current.user.id : null,
  };
  await (await db()).put("outbox", item);
  announce({ kind: "added" });
  return item;
}

export async function outboxItems() {
  return (await db()).getAllFromIndex("outbox", "created_at");
}

export async function outboxGet(id) {
  return (await db()).get("outbox", id);
}

async function save(item) {
  await (await db()).put("outbox", item);
  announce();
}

/** Items not yet through: waiting, being sent, or refused and not yet dealt with. */
export async function outboxUnfinished() {
  return (await outboxItems()).filter((item) => item.state !== SENT);
}

export async function outboxRetry(id) {
  const item = await outboxGet(id);
  if (!item || item.state !== REFUSED) return;
  Object.assign(item, { state: WAITING, attempts: 0, last_error: "", next_at: 0 });
  await save(item);
}

export async function outboxDelete(id) {
  const item = await outboxGet(id);
  if (!item || item.state !== REFUSED) return; // only a refused item may be thrown away
  await (await db()).delete("outbox", id);
  announce();
}

async function prune() {
  const database = await db();
  const before = Date.now() - KEEP_SENT_MS;
  for (const item of await outboxItems()) {
    if (item.state === SENT && item.sent_at < before) await database.delete("outbox", item.id);
  }
}

// --- Sending ------------------------------------------------------------------------------------------------
/** Upload each photo of the item not yet uploaded (the server keeps them by their SHA-256). */
async function uploadPhotos(item, token) {
  for (const file of item.files) {
    if (file.uploaded) continue;
    const form = new FormData();
    form.append("file", file.blob, file.name || "photo.jpg");
    await api("uploads", { method: "POST", body: form, token });
    file.uploaded = true;
    await save(item); // a later attempt does not upload it again
  }
}

function digests(item, field) {
  return item.files.filter((file) => file.field === field).map((file) => file.sha256);
}

/** The server's id of the patrol an item belongs to (its start item sent before it), or null. */
async function patrolId(reference) {
  if (!reference) return null;
  const start = await outboxGet(reference);
  return start && start.state === SENT && start.result ? start.result.id : null;
}

/** The fields a sent item does not keep: the server holds them (encrypted); the phone keeps the rest to show. */
const PRIVATE_FIELDS = new Set(["phone", "id_number"]);

function withoutPrivate(value) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !PRIVATE_FIELDS.has(name))
      .map(([name, inner]) => [name, withoutPrivate(inner)]),
  );
}

/** How each kind of item is sent; each answers the server's body. */
const SENDERS = {
  async report(item, token) {
    await uploadPhotos(item, token);
    const form = new FormData();
    for (const [name, value] of Object.entries(item.payload)) {
      if (value !== null && value !== undefined) form.append(name, value);
    }
    form.append("idempotency_key", item.id);
    for (const [field, name] of [["photo", "photo_sha256"], ["before", "before_photo_sha256"], ["after", "after_photo_sha256"]]) {
      for (const digest of digests(item, field)) form.append(name, digest);
    }
    return api("reports", { method: "POST", body: form, token, key: item.id });
  },
  async task(item, token) {
    // 核实 (verify) or 核查 (check): the photos first, then the result.
    const { number, action, passed, note, stage } = item.payload;
    await uploadPhotos(item, token);
    const photos = digests(item, "photo");
    if (photos.length) {
      const json = { stage, photo_sha256: photos };
      await api(`cases/${number}/photos`, { method: "POST", json, token, key: `${item.id}:photos` });
    }
    return api(`cases/${number}/${action}`, { method: "POST", json: { passed, note }, token, key: item.id });
  },
  async checkin(item, token) {
    await uploadPhotos(item, token);
    const [photo] = digests(item, "photo");
    const json = { ...item.payload, ...(photo ? { photo_sha256: photo } : {}) };
    return api("checkins", { method: "POST", json, token, key: item.id });
  },
  async patrol_start(item, token) {
    return api("patrols", { method: "POST", json: item.payload, token, key: item.id });
  },
  async patrol_end(item, token) {
    const id = await patrolId(item.payload.patrol_ref);
    if (id === null) return { skipped: true }; // its start never reached the server
    const json = { ended_at: item.payload.ended_at };
    return api(`patrols/${id}/end`, { method: "POST", json, token, key: item.id });
  },
  async visit(item, token) {
    await uploadPhotos(item, token);
    const json = { ...item.payload, photo_sha256: digests(item, "photo") };
    return api("visits", { method: "POST", json, token, key: item.id });
  },
  async follow_up(item, token) {
    await uploadPhotos(item, token);
    const { visit_id: visit, ...rest } = item.payload;
    const json = { ...rest, photo_sha256: digests(item, "photo") };
    return api(`visits/${visit}/follow-ups`, { method: "POST", json, token, key: item.id });
  },
  async diary(item, token) {
    return api("diary/entries", { method: "POST", json: item.payload, token, key: item.id });
  },
  async must_report(item, token) {
    await uploadPhotos(item, token);
    const json = { ...item.payload, photo_sha256: digests(item, "photo") };
    return api("must-reports", { method: "POST", json, token, key: item.id });
  },
  async track(item, token) {
    const id = await patrolId(item.payload.patrol_ref);
    const json = { points: item.payload.points, ...(id === null ? {} : { patrol_id: id }) };
    return api("tracks", { method: "POST", json, token, key: item.id });
  },
};

function retriable(error) {
  if (error instanceof NetworkError) return true;
  if (!(error instanceof ApiError)) return false;
  return error.status >= 500 || error.status === 408 || error.status === 429 || error.code === "idempotency_key_in_flight";
}

function backoff(attempts) {
  return Math.min(BACKOFF_FIRST_MS * 2 ** (attempts - 1), BACKOFF_MAX_MS) * (0.75 + Math.random() / 2);
}

async function sendAll(force) {
  const current = await session();
  if (!current || !current.token) return { signedOut: true };
  await prune();
  let sent = 0;
  for (const item of await outboxItems()) {
    if (item.user_id !== current.user.id) continue; // another person's, kept until they sign in again
    if (item.state === SENDING) item.state = WAITING; // left by a sender that stopped (we hold the lock)
    if (item.state !== WAITING) continue;
    if (!force && item.next_at > Date.now()) return { stopped: true, sent }; // in order: later ones wait too
    item.state = SENDING;
    await save(item);
    try {
      const result = await SENDERS[item.kind](item, current.token);
      Object.assign(item, { state: SENT, sent_at: Date.now(), result, last_error: "", next_at: 0 });
      item.files = item.files.map(({ blob, ...kept }) => kept); // the server has the photos now
      item.payload = withoutPrivate(item.payload); // nor does a resident's phone or ID number stay on the phone
      await save(item);
      sent += 1;
    } catch (error) {
      item.attempts += 1;
      if (error instanceof ApiError && error.status === 401) {
        Object.assign(item, { state: WAITING, last_error: error.message });
        await save(item);
        await sessionForget();
        return { signedOut: true, sent };
      }
      if (retriable(error)) {
        const reason = error instanceof NetworkError ? "" : error.message;
        Object.assign(item, { state: WAITING, last_error: reason, next_at: Date.now() + backoff(item.attempts) });
        await save(item);
        return { stopped: true, network: error instanceof NetworkError, sent };
      }
      if (!(error instanceof ApiError)) throw error;
      Object.assign(item, { state: REFUSED, last_error: error.message, last_code: error.code });
      await save(item);
    }
  }
  return { sent };
}

/** One sender at a time, across pages and the service worker: the Web Locks API, or a lease in IndexedDB. */
async function withLock(run) {
  if (self.navigator && self.navigator.locks) {
    return self.navigator.locks.request("gridgov-outbox", { ifAvailable: true }, (lock) => (lock ? run() : { busy: true }));
  }
  const database = await db();
  const mine = crypto.randomUUID();
  const transaction = database.transaction("kv", "readwrite");
  const lease = await transaction.store.get("lease");
  if (lease && lease.until > Date.now()) return { busy: true };
  await transaction.store.put({ owner: mine, until: Date.now() + LEASE_MS }, "lease");
  await transaction.done;
  try {
    return await run();
  } finally {
    const held = await database.get("kv", "lease");
    if (held && held.owner === mine) await database.delete("kv", "lease");
  }
}

/** Send what waits, oldest first. `force`: do not wait out the backoff (the network came back, the user asked). */
export async function outboxFlush({ force = false } = {}) {
  return withLock(() => sendAll(force));
}
