// 发件箱: every change with its state (待发送 / 发送中 / 已发送 / 被拒绝) and the server's reason; a refused item
// may be sent again or thrown away.
import { h, t, when } from "../dom.js";
import { outboxDelete, outboxFlush, outboxItems, outboxRetry, offOutboxChange, onOutboxChange, REFUSED, SENDING, SENT, WAITING } from "../outbox.js";

const STATE_LABELS = { [WAITING]: "state_waiting", [SENDING]: "state_sending", [SENT]: "state_sent", [REFUSED]: "state_refused" };
const STATE_TONES = { [WAITING]: "warning", [SENDING]: "info", [SENT]: "success", [REFUSED]: "danger" };

function summary(item) {
  const p = item.payload;
  switch (item.kind) {
    case "report":
      return p.description;
    case "task":
      return t(p.action === "verify" ? "task_verify" : "task_check") + ` ${p.number}`;
    case "checkin":
      return t(`checkin_${p.kind}`);
    case "track":
      return t("track_points", { count: p.points.length });
    case "visit":
    case "follow_up":
      return item.label || p.findings || p.description;
    case "diary":
      return p.title;
    case "must_report":
      return [t(`must_${p.item}`), p.description].filter(Boolean).join(" · ");
    default:
      return "";
  }
}

/** What the server made of a sent item: a visit to open (and turn into a case), a case number, a change. */
function outcome(item) {
  const result = item.result;
  if (item.state !== SENT || !result) return null;
  if (item.kind === "visit" && result.id) {
    return h("div", {}, h("a", { class: "btn btn-outline-primary m-touch mt-2", href: `#visit/${result.id}`, dataset: { openVisit: result.id } }, t("visit_open")));
  }
  if (item.kind === "must_report" && result.case_number) return h("div", { class: "text-body-secondary" }, t("must_sent_case", { number: result.case_number }));
  if (item.kind === "must_report" && result.change_id) return h("div", { class: "text-body-secondary" }, t("must_sent_change"));
  if (item.kind === "follow_up" && result.case_number) return h("div", { class: "text-body-secondary" }, t("must_sent_case", { number: result.case_number }));
  return null;
}

function itemRow(item) {
  const reason = item.state === REFUSED || item.last_error
    ? h("div", { class: item.state === REFUSED ? "text-danger" : "text-body-secondary", dataset: { reason: "" } }, item.last_error)
    : null;
  const networkWait = item.state === WAITING && !item.last_error && item.attempts ? h("div", { class: "text-body-secondary" }, t("waiting_network")) : null;
  return h("li", { class: "list-group-item m-row", dataset: { item: item.id, state: item.state, kind: item.kind } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, t(`kind_${item.kind}`)),
      h("span", { class: `badge text-bg-${STATE_TONES[item.state]}`, dataset: { stateLabel: "" } }, t(STATE_LABELS[item.state]))),
    h("div", { class: "m-row-text" }, summary(item)),
    h("small", { class: "text-body-secondary" }, when(item.created_at),
      item.files.length ? ` · ${t("photo_count", { count: item.files.length })}` : "",
      item.state === SENT && item.result && item.result.case ? ` · ${item.result.case.number}` : ""),
    reason,
    networkWait,
    outcome(item),
    item.state === REFUSED
      ? h("div", { class: "m-two mt-2" },
        h("button", { class: "btn btn-outline-primary m-touch", type: "button", dataset: { retry: item.id }, onclick: () => outboxRetry(item.id).then(() => outboxFlush({ force: true })) }, t("retry")),
        h("button", { class: "btn btn-outline-danger m-touch", type: "button", dataset: { delete: item.id }, onclick: () => confirm(t("delete_confirm")) && outboxDelete(item.id) }, t("delete")))
      : null);
}

export async function outboxScreen(view, { session }) {
  const list = h("ul", { class: "list-group", id: "m-outbox" });
  const draw = async () => {
    const items = (await outboxItems()).filter((item) => item.user_id === session.user.id).reverse();
    list.replaceChildren(...(items.length ? items.map(itemRow) : [h("li", { class: "list-group-item text-body-secondary" }, t("outbox_empty"))]));
  };
  const send = h("button", { class: "btn btn-primary btn-lg w-100 mb-3", type: "button", onclick: () => outboxFlush({ force: true }) }, t("send_now"));
  view.append(send, h("p", { class: "text-body-secondary" }, t("outbox_help")), list);
  await draw();
  const listener = () => draw();
  onOutboxChange(listener);
  return () => offOutboxChange(listener);
}
