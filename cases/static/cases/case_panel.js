// The case page's actions post through htmx and the answer replaces #case-panel. A refused action comes back with
// a 4xx status (400 bad input, 403, 409 the case moved on) and its form open with the errors: swap it in too.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (event.detail.target.id === "case-panel" && status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// After a swap, the panel's first message or refused form comes into view.
document.addEventListener("htmx:afterSettle", () => {
  const panel = document.getElementById("case-panel");
  if (!panel) return;
  const focus = panel.querySelector(".is-invalid, [data-errors-for='__all__'], [role=status]");
  if (focus) focus.scrollIntoView({ block: "nearest" });
});
