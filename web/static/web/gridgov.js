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
