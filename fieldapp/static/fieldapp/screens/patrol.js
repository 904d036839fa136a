// 巡查: start and stop a patrol. While the app is open and the screen on, positions are recorded (watchPosition,
// a Screen Wake Lock keeps the screen on) and sent in batches through the outbox every 30 s. A web page cannot
// record with the screen off: the screen says so and points to background tracking with Traccar Client.
import { config, h, t, toast, when } from "../dom.js";
import { db, outboxAdd } from "../outbox.js";

const BATCH_EVERY_MS = 30_000;
const BATCH_MAX = 500; // the most points one POST /api/v1/tracks takes

// The recorder outlives the screen: switching tabs keeps recording.
const recorder = { patrol: null, watch: null, timer: null, lock: null, points: [], last: null, listeners: new Set() };

async function patrolStored() {
  return (await db()).get("kv", "patrol");
}

async function patrolStore(value) {
  const database = await db();
  if (value) await database.put("kv", value, "patrol");
  else await database.delete("kv", "patrol");
}

function changed() {
  recorder.listeners.forEach((listener) => listener());
}

async function batchSave() {
  while (recorder.points.length) {
    const points = recorder.points.splice(0, BATCH_MAX);
    await outboxAdd("track", { patrol_ref: recorder.patrol.ref, points });
  }
  await patrolStore({ ...recorder.patrol, points: [] });
}

async function wakeLockTake() {
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
  try {
    recorder.lock = await navigator.wakeLock.request("screen");
    recorder.lock.addEventListener("release", () => {
      recorder.lock = null;
      changed();
    });
  } catch {
    recorder.lock = null;
  }
  changed();
}

document.addEventListener("visibilitychange", () => {
  if (recorder.patrol && document.visibilityState === "visible" && !recorder.lock) wakeLockTake(); // released when hidden
});

function onFix(fix) {
  const c = fix.coords;
  const point = { time: fix.timestamp, lon: c.longitude, lat: c.latitude, accuracy: c.accuracy };
  if (c.speed !== null) point.speed = c.speed;
  if (c.heading !== null && !Number.isNaN(c.heading)) point.bearing = c.heading;
  if (c.altitude !== null) point.altitude = c.altitude;
  recorder.points.push(point);
  recorder.last = point;
  patrolStore({ ...recorder.patrol, points: recorder.points });
  changed();
}

function recordingStart() {
  if (navigator.geolocation && recorder.watch === null) {
    recorder.watch = navigator.geolocation.watchPosition(onFix, () => changed(), { enableHighAccuracy: true, maximumAge: 0 });
  }
  recorder.timer ??= setInterval(batchSave, BATCH_EVERY_MS);
  wakeLockTake();
}

async function patrolStart() {
  const started_at = new Date().toISOString();
  const item = await outboxAdd("patrol_start", { started_at });
  recorder.patrol = { ref: item.id, started_at, points: [] };
  await patrolStore(recorder.patrol);
  recordingStart();
  changed();
}

async function patrolStop() {
  if (recorder.watch !== null) navigator.geolocation.clearWatch(recorder.watch);
  clearInterval(recorder.timer);
  recorder.watch = null;
  recorder.timer = null;
  await batchSave();
  await outboxAdd("patrol_end", { patrol_ref: recorder.patrol.ref, ended_at: new Date().toISOString() });
  if (recorder.lock) await recorder.lock.release().catch(() => {});
  recorder.patrol = null;
  recorder.last = null;
  await patrolStore(null);
  changed();
}

/** A patrol left open by a closed page goes on when the app opens again (its unsent points included). */
async function patrolResume() {
  if (recorder.patrol) return;
  const stored = await patrolStored();
  if (!stored) return;
  recorder.patrol = stored;
  recorder.points = stored.points || [];
  recordingStart();
}

export async function patrolScreen(view) {
  await patrolResume();
  const status = h("div", { id: "m-patrol-status", "aria-live": "polite" });
  const draw = () => {
    const on = Boolean(recorder.patrol);
    status.replaceChildren(...[
      h("p", { class: `fs-5 ${on ? "text-success" : ""}` }, on ? t("patrol_on", { since: when(recorder.patrol.started_at) }) : t("patrol_off")),
      on ? h("p", {}, recorder.last ? t("patrol_last_fix", { accuracy: Math.round(recorder.last.accuracy), count: recorder.points.length }) : t("gps_locating")) : null,
      on ? h("p", { class: "text-body-secondary" }, recorder.lock ? t("wake_lock_on") : t("wake_lock_off")) : null,
      on
        ? h("button", { class: "btn btn-danger btn-lg w-100", type: "button", onclick: () => patrolStop().then(() => toast(t("patrol_stopped"), "success")) }, t("patrol_stop"))
        : h("button", { class: "btn btn-primary btn-lg w-100", type: "button", onclick: patrolStart }, t("patrol_start")),
    ].filter(Boolean));
  };
  recorder.listeners.add(draw);
  draw();
  view.append(
    status,
    h("div", { class: "alert alert-warning mt-4", role: "note" },
      h("p", { class: "mb-2" }, t("patrol_screen_off")),
      h("a", { href: config.devices, class: "alert-link", rel: "external" }, t("patrol_background_link"))),
  );
  return () => recorder.listeners.delete(draw);
}
