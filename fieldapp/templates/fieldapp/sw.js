// The service worker of 网格助手 (a module worker, scope /m/). It keeps the shell and its files for offline
// use, answers the worker's own data from the last copy when the network is gone, and sends the outbox on
// Background Sync (the same code the pages run, so a report goes out even when no page is open).
import { outboxFlush } from "{{ outbox|escapejs }}";

const VERSION = "{{ version|escapejs }}";
const SHELL_CACHE = `m-shell-${VERSION}`;
const DATA_CACHE = "m-data";
const PRECACHE = JSON.parse("{{ precache_json|escapejs }}");
const SHELL_URL = "/m/";
const NETWORK_WAIT_MS = 6000;
// The API answers kept for offline reading: the worker's own tasks, categories, check-in points and grid,
// today's due visits and recent visits, and the diary.
const KEPT_API = [
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/cases$/,
  /^\/api\/v1\/cases\/\d+$/,
  /^\/api\/v1\/categories$/,
  /^\/api\/v1\/checkpoints$/,
  /^\/api\/v1\/messages\/count$/,
  /^\/api\/v1\/buildings$/,
  /^\/api\/v1\/buildings\/\d+\/houses$/,
  /^\/api\/v1\/persons$/,
  /^\/api\/v1\/persons\/\d+$/,
  /^\/api\/v1\/visits$/,
  /^\/api\/v1\/visits\/\d+$/,
  /^\/api\/v1\/visits\/agenda$/,
  /^\/api\/v1\/visits\/due$/,
  /^\/api\/v1\/diary\/entries$/,
  /^\/api\/v1\/diary\/entries\/\d+$/,
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith("m-shell-") && name !== SHELL_CACHE).map((name) => caches.delete(name))),
      )
      .then(() => self.clients.claim()),
  );
});

function networkFirst(request) {
  const fromNetwork = fetch(request).then(async (response) => {
    if (response.ok) {
      const cache = await caches.open(DATA_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  });
  fromNetwork.catch(() => {}); // answered from the cache below
  const late = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  const fallback = async () => (await caches.match(request, { cacheName: DATA_CACHE })) || null;
  return Promise.race([fromNetwork, late.then(fallback)])
    .then((response) => response || fromNetwork)
    .catch(async () => (await fallback()) || Response.error());
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL_URL) {
    event.respondWith(
      caches.match(SHELL_URL, { cacheName: SHELL_CACHE }).then((cached) => cached || fetch(request)),
    );
    return;
  }
  if (PRECACHE.includes(url.pathname) && !url.search) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL_CACHE }).then((cached) => cached || fetch(request)));
    return;
  }
  if (KEPT_API.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(
    outboxFlush({ force: true }).then((result) => {
      if (result.stopped) throw new Error("the outbox waits for the network"); // the browser tries again later
    }),
  );
});

self.addEventListener("message", (event) => {
  const kind = event.data && event.data.kind;
  if (kind === "flush") {
    event.waitUntil(outboxFlush({ force: true }));
  } else if (kind === "shell-refresh") {
    // The language changed: keep the shell in the new language.
    event.waitUntil(
      caches
        .open(SHELL_CACHE)
        .then((cache) => cache.add(new Request(SHELL_URL, { cache: "reload" })))
        .then(() => event.source && event.source.postMessage({ kind: "shell-refreshed" })),
    );
  }
});
