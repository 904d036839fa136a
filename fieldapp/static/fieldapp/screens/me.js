// 我的: who is signed in on this device, the language, and signing out — refused while the outbox holds items,
// so nothing the worker did is lost with the token.
import { api } from "../api.js";
import { alertBox, config, h, t, when } from "../dom.js";
import { outboxUnfinished, session as sessionNow, sessionForget } from "../outbox.js";

const DATA_CACHE = "m-data";

async function signOut(problem, go) {
  const waiting = await outboxUnfinished();
  const current = await sessionNow();
  const mine = waiting.filter((item) => current && item.user_id === current.user.id);
  if (mine.length) {
    problem.replaceChildren(alertBox(t("signout_refused", { count: mine.length })));
    return;
  }
  try {
    await api(`auth/tokens/${current.token_id}/revoke`, { method: "POST", token: current.token });
  } catch (error) {
    if (error.status !== 401 && error.status !== 404) {
      problem.replaceChildren(alertBox(error.status ? error.message : t("signout_offline")));
      return;
    }
  }
  await caches.delete(DATA_CACHE); // the worker's data read for offline use
  await sessionForget();
  go("#signin");
}

async function languageSwitch(code) {
  document.cookie = `${config.languageCookie}=${code}; path=/; max-age=31536000; samesite=lax`;
  const registration = await navigator.serviceWorker?.getRegistration(config.scope);
  const worker = registration && registration.active;
  if (worker) {
    // The service worker keeps the shell in the new language, then the page opens again in it.
    const done = new Promise((resolve) => {
      navigator.serviceWorker.addEventListener("message", resolve, { once: true });
      setTimeout(resolve, 5000);
    });
    worker.postMessage({ kind: "shell-refresh" });
    await done;
  }
  location.reload();
}

export async function meScreen(view, { session, go }) {
  const user = session.user;
  const problem = h("div", { "aria-live": "polite", id: "m-me-problem" });
  const language = h("select", { class: "form-select form-select-lg", id: "m-language" },
    config.languages.map((item) => h("option", { value: item.code, selected: item.code === config.language }, item.name)));
  language.addEventListener("change", () => languageSwitch(language.value));
  view.append(
    problem,
    h("dl", { class: "m-facts" },
      h("dt", {}, t("name")), h("dd", {}, user.full_name || user.username),
      h("dt", {}, t("username")), h("dd", {}, user.username),
      h("dt", {}, t("grids")), h("dd", {}, (user.grids || []).map((grid) => grid.name).join(t("list_sep")) || "—"),
      h("dt", {}, t("device_name")), h("dd", {}, session.device_name || "—"),
      h("dt", {}, t("signed_in_at")), h("dd", {}, when(session.signed_in_at)),
      h("dt", {}, t("app_version")), h("dd", {}, config.version)),
    h("div", { class: "mb-4" }, h("label", { class: "form-label", for: "m-language" }, t("language")), language),
    h("a", { class: "btn btn-outline-secondary btn-lg w-100 mb-3", href: config.devices, rel: "external" }, t("my_devices")),
    h("button", { class: "btn btn-outline-danger btn-lg w-100", type: "button", id: "m-signout", onclick: () => signOut(problem, go) }, t("sign_out")),
  );
}
