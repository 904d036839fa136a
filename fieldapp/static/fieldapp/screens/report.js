// 上报: photos from the camera, the GPS fix with its accuracy, a category, a description; 自处置 with photos
// before and after. The report goes into the outbox at once and is sent when the network allows.
import { alertBox, field, h, t, toast } from "../dom.js";
import { get, photoPicker, positionOnce } from "../data.js";
import { outboxAdd } from "../outbox.js";

const DESCRIPTION_MAX = 2000;

/** The categories (grouped by their parent) to choose from; offline, a line saying they are not available. */
export function categoryPicker() {
  const select = h("select", { class: "form-select form-select-lg", name: "category_id" }, h("option", { value: "" }, t("category_pick")));
  get("categories")
    .then((categories) => {
      const groups = new Map();
      for (const category of categories) {
        const label = `${category.parent_name}`;
        if (!groups.has(label)) groups.set(label, h("optgroup", { label }));
        groups.get(label).append(h("option", { value: category.id }, category.name));
      }
      select.append(...groups.values());
    })
    .catch(() => select.append(h("option", { value: "", disabled: true }, t("categories_offline"))));
  return select;
}

export async function reportScreen(view, { go }) {
  let position = null;
  const where = h("p", { class: "m-gps mb-0", id: "m-gps", "aria-live": "polite" }, t("gps_locating"));
  const locate = () => {
    where.textContent = t("gps_locating");
    positionOnce()
      .then((fix) => {
        position = fix;
        where.textContent = t("gps_fix", { accuracy: Math.round(fix.accuracy) });
        where.dataset.accuracy = String(Math.round(fix.accuracy));
      })
      .catch((error) => {
        position = null;
        where.textContent = error.message;
      });
  };
  const photos = photoPicker(t("photos"), "photo");
  const category = categoryPicker();
  const description = h("textarea", { class: "form-control form-control-lg", name: "description", rows: 4, maxlength: DESCRIPTION_MAX, required: true });
  const selfResolved = h("input", { class: "form-check-input", type: "checkbox", role: "switch", id: "m-self-resolved", name: "self_resolved" });
  const before = photoPicker(t("photos_before"), "before");
  const after = photoPicker(t("photos_after"), "after");
  const selfBox = h("div", { hidden: true, id: "m-self-photos" }, before.element, after.element);
  selfResolved.addEventListener("change", () => {
    selfBox.hidden = !selfResolved.checked;
  });
  const problem = h("div", { "aria-live": "polite" });
  const form = h(
    "form",
    { novalidate: true, id: "m-report-form" },
    problem,
    photos.element,
    h("div", { class: "mb-3 d-flex align-items-center justify-content-between gap-2" }, where,
      h("button", { class: "btn btn-outline-secondary m-touch", type: "button", onclick: locate }, t("gps_again"))),
    field(t("category"), category),
    field(t("description"), description),
    h("div", { class: "form-check form-switch mb-3 m-switch" }, selfResolved, h("label", { class: "form-check-label", for: "m-self-resolved" }, t("self_resolved"))),
    selfBox,
    h("button", { class: "btn btn-primary btn-lg w-100", type: "submit" }, t("save_report")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problems = [];
    if (!description.value.trim()) problems.push(t("description_required"));
    if (!position) problems.push(t("gps_required"));
    if (selfResolved.checked && (!before.files().length || !after.files().length)) problems.push(t("self_resolved_photos"));
    if (selfResolved.checked && !category.value) problems.push(t("self_resolved_category"));
    if (problems.length) {
      problem.replaceChildren(alertBox(problems.join(" ")));
      return;
    }
    const payload = {
      source: "grid_worker",
      description: description.value.trim(),
      longitude: position.lon,
      latitude: position.lat,
      category_id: category.value || null,
      self_resolved: selfResolved.checked,
    };
    const files = [...photos.files(), ...(selfResolved.checked ? [...before.files(), ...after.files()] : [])];
    await outboxAdd("report", payload, files);
    toast(t("saved_to_outbox"), "success");
    go("#outbox");
  });
  view.append(form);
  locate();
}
