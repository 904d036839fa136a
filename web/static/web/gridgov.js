// Small behaviours shared by every page (no inline scripts, so a strict CSP can apply).
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

// Progress bars take their width from data-percent (set through the CSSOM, which a strict CSP allows).
function gridgovApplyPercent() {
  document.querySelectorAll("[data-percent]").forEach((bar) => { bar.style.width = `${bar.dataset.percent}%`; });
}
document.addEventListener("DOMContentLoaded", gridgovApplyPercent);
document.addEventListener("htmx:afterSettle", gridgovApplyPercent);

// "Back and retry" on the busy page: the browser's history keeps what was typed into the form.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-history-back]")) window.history.back();
});

// A category select marked data-priority-source preselects the chosen category's default priority (each option's
// data-priority) in the same form; the priority reason box shows only when the priority chosen differs from the
// default (a case's own priority under its own category, data-current, needs no new reason). Without JavaScript
// the box is always shown and the server asks for the reason where one is needed.
function gridgovPriorityReason(form) {
  const priority = form.elements.namedItem("priority");
  const box = form.querySelector('[data-field="priority_reason"]');
  if (!priority || !box || priority.dataset.default === undefined) return;
  const category = form.querySelector("select[data-priority-source]");
  const sameCategory = !category || category.dataset.initial === undefined || category.value === category.dataset.initial;
  const own = sameCategory && priority.dataset.current !== undefined && priority.value === priority.dataset.current;
  box.hidden = priority.value === priority.dataset.default || own;
}
document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (!form) return;
  if (event.target.matches("select[data-priority-source]")) {
    const priority = form.elements.namedItem("priority");
    const chosen = event.target.selectedOptions[0];
    if (priority && chosen && chosen.dataset.priority) {
      priority.dataset.default = chosen.dataset.priority;
      priority.value = chosen.dataset.priority;
    }
  }
  if (event.target.matches("select[data-priority-source], select[name=priority]")) gridgovPriorityReason(form);
});
function gridgovPriorityForms(root) {
  root.querySelectorAll("form").forEach(gridgovPriorityReason);
  if (root.tagName === "FORM") gridgovPriorityReason(root);
}
document.addEventListener("DOMContentLoaded", () => gridgovPriorityForms(document));
document.addEventListener("htmx:load", (event) => gridgovPriorityForms(event.target));
