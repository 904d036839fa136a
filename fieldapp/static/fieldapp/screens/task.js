// A case: its details and photos; for a 核实 or 核查 task assigned to me, the result with photos (into the outbox).
import { alertBox, h, t, toast, when } from "../dom.js";
import { get, loading, photoPicker } from "../data.js";
import { outboxAdd } from "../outbox.js";

const TASKS = {
  verifying: { action: "verify", actions: ["verify_confirm", "verify_deny"], stage: "verify", title: "task_verify", yes: "verify_true", no: "verify_false" },
  checking: { action: "check", actions: ["check_pass", "rework"], stage: "check", title: "task_check", yes: "check_pass", no: "check_rework" },
};
const NOTE_MAX = 2000;

function photoMissing(event) {
  event.target.replaceWith(h("span", { class: "m-photo-missing" }, t("photo_not_here")));
}

function resultForm(item, task, go) {
  const choice = (value, label) => h("div", { class: "form-check m-choice" },
    h("input", { class: "form-check-input", type: "radio", name: "passed", value, id: `m-passed-${value}` }),
    h("label", { class: "form-check-label", for: `m-passed-${value}` }, label));
  const note = h("textarea", { class: "form-control form-control-lg", name: "note", rows: 3, maxlength: NOTE_MAX, id: "m-note" });
  const photos = photoPicker(t("photos"), "photo");
  const problem = h("div", { "aria-live": "polite" });
  const form = h("form", { novalidate: true, id: "m-task-form", class: "mt-4" },
    h("h2", { class: "h5" }, t(task.title)),
    problem,
    h("fieldset", { class: "mb-3" }, h("legend", { class: "form-label fs-6" }, t("result")), choice("true", t(task.yes)), choice("false", t(task.no))),
    h("div", { class: "mb-3" }, h("label", { class: "form-label", for: "m-note" }, t("note")), note),
    photos.element,
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_result")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const picked = form.querySelector("input[name=passed]:checked");
    if (!picked) {
      problem.replaceChildren(alertBox(t("result_required")));
      return;
    }
    const payload = { number: item.number, action: task.action, stage: task.stage, passed: picked.value === "true", note: note.value.trim() };
    await outboxAdd("task", payload, photos.files());
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  return form;
}

export async function taskScreen(view, { args, go }) {
  const number = /^\d{1,20}$/.test(args[0] || "") ? args[0] : "";
  view.append(loading(() => get(`cases/${number}`), (item) => {
    const task = TASKS[item.status] && item.actions.some((action) => TASKS[item.status].actions.includes(action)) ? TASKS[item.status] : null;
    return [
      h("dl", { class: "m-facts" },
        h("dt", {}, t("case_number")), h("dd", { dataset: { number: item.number } }, item.number),
        h("dt", {}, t("status")), h("dd", {}, item.status_label),
        h("dt", {}, t("category")), h("dd", {}, item.category_name || t("no_category")),
        h("dt", {}, t("address")), h("dd", {}, item.address || "—"),
        h("dt", {}, t("reported_at")), h("dd", {}, when(item.created_at))),
      h("p", { class: "m-description" }, item.description),
      item.photos.length
        ? h("div", { class: "m-previews" }, item.photos.map((photo) => h("img", { src: photo.thumbnail, alt: t("photo_of_stage", { stage: photo.stage }), class: "m-preview", loading: "lazy", onerror: photoMissing })))
        : null,
      task ? resultForm(item, task, go) : alertBox(t("no_action_here"), "light"),
    ];
  }));
}
