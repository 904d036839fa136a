// 网格助手: the shell. It signs the device in, switches screens (#work, #report, #task/N, #visit/new?due=N…), keeps the outbox
// count and the network state in the top bar, and sends the outbox at start, when the network comes back,
// every 30 s and through Background Sync.
import { config, h, t } from "./dom.js";
import { outboxFlush, outboxItems, onOutboxChange, session, REFUSED, SENT } from "./outbox.js";
import { checkinScreen } from "./screens/checkin.js";
import { diaryScreen } from "./screens/diary.js";
import { lookupScreen } from "./screens/lookup.js";
import { meScreen } from "./screens/me.js";
import { mustScreen } from "./screens/must.js";
import { outboxScreen } from "./screens/outbox.js";
import { patrolScreen } from "./screens/patrol.js";
import { reportScreen } from "./screens/report.js";
import { signinScreen } from "./screens/signin.js";
import { taskScreen } from "./screens/task.js";
import { visitScreen } from "./screens/visit.js";
import { visitsScreen } from "./screens/visits.js";
import { workScreen } from "./screens/work.js";

const FLUSH_EVERY_MS = 30_000;
const SCREENS = {
  work: { render: workScreen, title: "title_work", tab: "work" },
  report: { render: reportScreen, title: "title_report", tab: "report" },
  task: { render: taskScreen, title: "title_task", back: "#work" },
  checkin: { render: checkinScreen, title: "title_checkin", tab: "checkin" },
  patrol: { render: patrolScreen, title: "title_patrol", tab: "patrol" },
  lookup: { render: lookupScreen, title: "title_lookup", tab: "lookup" },
  visits: { render: visitsScreen, title: "title_visits", tab: "visits" },
  visit: { render: visitScreen, title: "title_visit", back: "#visits" },
  diary: { render: diaryScreen, title: "title_diary", back: "#work" },
  must: { render: mustScreen, title: "title_must", back: "#work" },
  outbox: { render: outboxScreen, title: "title_outbox", back: "#work" },
  me: { render: meScreen, title: "title_me", tab: "me" },
  signin: { render: signinScreen, title: "title_signin", bare: true },
};

const REREAD = new Set(["work", "task", "lookup", "visits"]);
const main = document.getElementById("m-main");
let shown = null; // the screen on show: {name, cleanup}

async function route() {
  const [path, query = ""] = (location.hash.slice(1) || "work").split("?");
  const [name, ...args] = path.split("/");
  const params = new URLSearchParams(query);
  const current = await session();
  const screenName = !current ? "signin" : SCREENS[name] && name !== "signin" ? name : "work";
  const screen = SCREENS[screenName];
  if (shown && shown.cleanup) shown.cleanup();
  document.getElementById("m-title").textContent = t(screen.title);
  document.title = `${t(screen.title)} · ${t("app_name")}`;
  document.getElementById("m-tabs").hidden = Boolean(screen.bare);
  document.getElementById("m-outbox-link").hidden = Boolean(screen.bare);
  const back = document.getElementById("m-back");
  back.hidden = !screen.back;
  back.setAttribute("href", screen.back || "#work");
  for (const tab of document.querySelectorAll("#m-tabs a")) {
    if (tab.dataset.tab === screen.tab) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const view = h("div", { class: "m-screen", dataset: { screen: screenName } });
  main.replaceChildren(view);
  main.dataset.screen = screenName;
  shown = { name: screenName, cleanup: null };
  const cleanup = await screen.render(view, { args, params, session: current, go, refresh: route });
  if (shown && shown.name === screenName) shown.cleanup = cleanup || null;
  document.body.dataset.ready = "1";
}

/** Show another screen (and let the back button come back here). */
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function countUpdate() {
  const current = await session();
  const items = await outboxItems();
  const waiting = items.filter((item) => item.state !== SENT && (!current || item.user_id === current.user.id));
  const badge = document.getElementById("m-outbox-count");
  badge.hidden = waiting.length === 0;
  badge.textContent = String(waiting.length);
  badge.className = `badge ${waiting.some((item) => item.state === REFUSED) ? "text-bg-danger" : "text-bg-warning"}`;
  badge.setAttribute("aria-label", t("outbox_count", { count: waiting.length }));
}

function networkShow() {
  document.getElementById("m-net").hidden = navigator.onLine;
}

async function flush(force = false) {
  const result = await outboxFlush({ force });
  if (result && result.signedOut && !(await session())) go("#signin");
  return result;
}

async function backgroundSyncAsk() {
  const registration = await navigator.serviceWorker?.ready;
  if (registration && "sync" in registration) {
    await registration.sync.register("outbox").catch(() => {}); // refused without the permission: the timer sends
  }
}

async function start() {
  if ("serviceWorker" in navigator) {
    const controlled = () => {
      document.body.dataset.offlineReady = "1";
    };
    if (navigator.serviceWorker.controller) controlled();
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      // First run: a screen of data read before the service worker took over is read again, so it is kept
      // (a screen with a form is left alone: the worker may be typing).
      if (!document.body.dataset.offlineReady && shown && REREAD.has(shown.name)) route();
      controlled();
    });
    navigator.serviceWorker.register(config.serviceWorker, { scope: config.scope, type: "module" }).catch(() => {});
  }
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => {
    networkShow();
    flush(true);
  });
  window.addEventListener("offline", networkShow);
  onOutboxChange((message) => {
    countUpdate();
    if (message.kind === "signed-out" && shown && shown.name !== "signin") go("#signin");
    if (message.kind === "added") {
      backgroundSyncAsk(); // sent by the service worker if the page is closed before the network returns
      if (navigator.onLine) flush(true);
    }
  });
  setInterval(() => flush(false), FLUSH_EVERY_MS);
  networkShow();
  await countUpdate();
  await route();
  flush(true);
}

start();
