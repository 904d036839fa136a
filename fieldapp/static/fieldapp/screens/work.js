// 工作台: shortcuts (签到, 巡查, 走访, 八必报, 民情日志), my 核实/核查 tasks, my reports, my messages; pull down (or the button) to refresh.
import { h, t, when } from "../dom.js";
import { get, loading } from "../data.js";

const TASK_LABELS = { verifying: "task_verify", checking: "task_check" };
const PULL_PX = 70;

function caseRow(item, link) {
  return h(
    "a",
    { class: "list-group-item list-group-item-action m-row", href: link, dataset: { number: item.number } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, item.category_name || t("no_category")),
      h("span", { class: `badge m-light-${item.light || "none"}` }, TASK_LABELS[item.status] ? t(TASK_LABELS[item.status]) : item.status_label)),
    h("div", { class: "m-row-text" }, item.description),
    h("small", { class: "text-body-secondary" }, [item.number, item.address, when(item.created_at)].filter(Boolean).join(" · ")),
  );
}

function section(title, body) {
  return h("section", { class: "mb-4" }, h("h2", { class: "h5" }, title), body);
}

function pullToRefresh(view, refresh) {
  let startY = null;
  const onStart = (event) => {
    startY = window.scrollY === 0 ? event.touches[0].clientY : null;
  };
  const onEnd = (event) => {
    if (startY !== null && event.changedTouches[0].clientY - startY > PULL_PX) refresh();
    startY = null;
  };
  view.addEventListener("touchstart", onStart, { passive: true });
  view.addEventListener("touchend", onEnd, { passive: true });
}

export async function workScreen(view, { session, refresh }) {
  const user = session.user;
  const fill = () => {
    view.replaceChildren(
      h("div", { class: "d-flex justify-content-between align-items-center mb-3" },
        h("p", { class: "mb-0" }, t("hello", { name: user.full_name || user.username })),
        h("button", { class: "btn btn-outline-primary m-touch", type: "button", onclick: fill, dataset: { refresh: "" } }, t("refresh"))),
      h("div", { class: "m-shortcuts mb-4" },
        h("a", { class: "btn btn-light m-shortcut", href: "#checkin" }, t("title_checkin")),
        h("a", { class: "btn btn-light m-shortcut", href: "#patrol" }, t("title_patrol")),
        loading(() => get("messages/count"), (data) => h("span", { class: "btn btn-light m-shortcut", dataset: { messages: data.waiting } }, t("messages_waiting", { count: data.waiting }))),
        h("a", { class: "btn btn-light m-shortcut", href: "#visits" }, t("title_visits")),
        h("a", { class: "btn btn-light m-shortcut", href: "#must" }, t("title_must")),
        h("a", { class: "btn btn-light m-shortcut", href: "#diary" }, t("title_diary"))),
      section(t("my_tasks"), loading(
        () => get("cases", { queue: "mine", page_size: 50 }),
        (page) => page.results.length
          ? h("div", { class: "list-group", id: "m-tasks" }, page.results.map((item) => caseRow(item, `#task/${item.number}`)))
          : h("p", { class: "text-body-secondary", id: "m-tasks" }, t("no_tasks")),
      )),
      section(t("my_reports"), loading(
        () => get("cases", { reported_by_me: "true", page_size: 20 }),
        (page) => page.results.length
          ? h("div", { class: "list-group", id: "m-reports" }, page.results.map((item) => caseRow(item, `#task/${item.number}`)))
          : h("p", { class: "text-body-secondary", id: "m-reports" }, t("no_reports")),
      )),
    );
  };
  fill();
  pullToRefresh(view, fill);
  return null;
}
