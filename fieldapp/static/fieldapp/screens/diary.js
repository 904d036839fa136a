// 民情日志: my entries (visits and patrols write theirs), the leaders' comments (点评) on them, and a new entry
// written here — into the outbox, so it can be written offline. #diary, #diary/new, #diary/N.
import { alertBox, field, h, t, toast, when } from "../dom.js";
import { choiceSelect, get, loading, today } from "../data.js";
import { outboxAdd, outboxItems, SENT } from "../outbox.js";

const ENTRY_KINDS = ["visit", "patrol", "meeting", "service", "mediation", "other"];
const TITLE_MAX = 120;
const CONTENT_MAX = 10000;
const SUMMARY_MAX = 500;
const LIST_MAX = 50;

function unread(entry) {
  return (entry.comments || []).filter((comment) => !comment.read).length;
}

function entryRow(entry) {
  const comments = (entry.comments || []).length;
  return h("a", { class: "list-group-item list-group-item-action m-row", href: `#diary/${entry.id}`, dataset: { entry: entry.id } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, entry.title),
      h("span", { class: "text-body-secondary text-nowrap" }, entry.day)),
    h("div", { class: "m-row-text text-body-secondary" }, entry.summary || entry.content.slice(0, 80)),
    h("small", {}, entry.kind_label,
      comments ? h("span", { class: `badge ms-2 ${unread(entry) ? "text-bg-primary" : "text-bg-light"}`, dataset: { comments: comments } }, t("comment_count", { count: comments })) : null));
}

function waitingRow(item) {
  return h("a", { class: "list-group-item list-group-item-action m-row", href: "#outbox", dataset: { waiting: item.id } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, item.payload.title),
      h("span", { class: "badge text-bg-warning" }, t("state_waiting"))),
    h("small", { class: "text-body-secondary" }, item.payload.day));
}

async function listScreen(view, session) {
  const waiting = (await outboxItems()).filter((item) => item.kind === "diary" && item.state !== SENT && item.user_id === session.user.id);
  view.append(...[
    h("a", { class: "btn btn-primary btn-lg w-100 mb-3", href: "#diary/new", id: "m-diary-new" }, t("diary_new")),
    waiting.length ? h("div", { class: "list-group mb-3", id: "m-diary-waiting" }, waiting.reverse().map(waitingRow)) : null,
    loading(() => get("diary/entries", { mine: "true", limit: LIST_MAX }), (entries) => {
      const list = Array.isArray(entries) ? entries : entries.results || [];
      return list.length
        ? h("div", { class: "list-group", id: "m-diary" }, list.map(entryRow))
        : h("p", { class: "text-body-secondary", id: "m-diary" }, t("diary_empty"));
    }),
  ].filter(Boolean)); // append() would write a null as the text "null"
}

function comment(item) {
  return h("div", { class: `m-comment${item.read ? "" : " m-comment-new"}`, dataset: { comment: item.id } },
    h("div", { class: "d-flex justify-content-between gap-2" },
      h("strong", {}, item.author_name),
      h("small", { class: "text-body-secondary" }, when(item.created_at), item.read ? "" : ` · ${t("comment_new")}`)),
    h("div", { class: "m-description" }, item.text));
}

function entryDetail(entry) {
  const persons = entry.persons || [];
  const cases = entry.cases || [];
  return [
    h("h2", { class: "h5", id: "m-entry", dataset: { entry: entry.id } }, entry.title),
    h("p", { class: "text-body-secondary" }, [entry.day, entry.kind_label, entry.auto ? t("entry_auto") : "", entry.edited ? t("entry_edited") : ""].filter(Boolean).join(" · ")),
    h("p", { class: "m-description" }, entry.content),
    entry.summary ? h("p", { class: "m-description fw-semibold" }, `${t("summary")}: ${entry.summary}`) : null,
    h("dl", { class: "m-facts" },
      persons.length ? [h("dt", {}, t("related_persons")), h("dd", {}, persons.map((person) => person.name).join(t("list_sep")))] : null,
      cases.length ? [h("dt", {}, t("related_cases")), h("dd", {}, cases.map((item) => item.number).join(" "))] : null),
    h("section", { class: "mt-3", id: "m-comments" },
      h("h3", { class: "h6" }, t("comments")),
      (entry.comments || []).length ? entry.comments.map(comment) : h("p", { class: "text-body-secondary" }, t("no_comments"))),
  ];
}

function entryForm(view, go) {
  const day = h("input", { class: "form-control form-control-lg", type: "date", name: "day", value: today(), max: today(), required: true });
  const kind = choiceSelect("kind", "entry_kind_", ENTRY_KINDS, "visit"); // as on the web form
  const title = h("input", { class: "form-control form-control-lg", type: "text", name: "title", maxlength: TITLE_MAX, required: true });
  const content = h("textarea", { class: "form-control form-control-lg", name: "content", rows: 6, maxlength: CONTENT_MAX });
  const summary = h("textarea", { class: "form-control form-control-lg", name: "summary", rows: 2, maxlength: SUMMARY_MAX });
  const problem = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, id: "m-diary-form" },
    problem,
    field(t("day"), day),
    field(t("entry_kind"), kind),
    field(t("entry_title"), title),
    field(t("content"), content),
    field(t("summary"), summary),
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_entry")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = [];
    if (!title.value.trim()) problems.push(t("title_required"));
    if (!day.value) problems.push(t("must_date_required"));
    if (problems.length) {
      problem.replaceChildren(alertBox(problems.join(" ")));
      return;
    }
    const payload = {
      day: day.value,
      kind: kind.value,
      title: title.value.trim(),
      content: content.value.trim(),
      summary: summary.value.trim(),
      person_ids: [],
      household_ids: [],
      place_ids: [],
      case_ids: [],
      visit_ids: [],
    };
    await outboxAdd("diary", payload, [], { label: payload.title });
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  view.append(form);
}

export async function diaryScreen(view, { args, session, go }) {
  const what = args[0] || "";
  if (what === "new") entryForm(view, go);
  else if (/^\d{1,20}$/.test(what)) view.append(loading(() => get(`diary/entries/${what}`), entryDetail));
  else await listScreen(view, session);
}
