// The report builder: the preview follows the form (rows, columns, measures, filters) without a page load, the
// custom date range shows only when no period is chosen, and deleting asks first. Without JavaScript the form still
// saves; the preview needs it.
(function () {
  const form = document.querySelector("form[data-report-builder]");
  if (!form) return;
  const target = document.getElementById("report-preview");
  const state = document.querySelector("[data-preview-state]");
  const ignored = new Set(["csrfmiddlewaretoken", "name", "shared_roles"]);
  let timer = null;
  let controller = null;

  function rangeShown() {
    const custom = !form.elements.namedItem("period").value;
    form.querySelectorAll("[data-custom-range]").forEach((box) => { box.hidden = !custom; });
  }

  function query() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form).entries()) {
      if (!ignored.has(key) && typeof value === "string") params.append(key, value);
    }
    return params.toString();
  }

  async function preview() {
    if (controller) controller.abort();
    controller = new AbortController();
    if (state) state.hidden = false;
    target.dataset.previewLoading = "1";
    try {
      const response = await fetch(`${form.dataset.previewUrl}?${query()}`, {
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      // The fragment is rendered by the server with every value escaped; errors come back as a fragment too.
      target.innerHTML = await response.text();
      target.dataset.previewStatus = String(response.status);
    } catch (error) {
      if (error.name !== "AbortError") target.textContent = "预览失败，请稍后重试。";
    } finally {
      delete target.dataset.previewLoading;
      if (state) state.hidden = true;
    }
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "period") rangeShown();
    if (!ignored.has(event.target.name)) later();
  });
  document.querySelectorAll("form[data-confirm]").forEach((other) => {
    other.addEventListener("submit", (event) => {
      if (!window.confirm(other.dataset.confirm)) event.preventDefault();
    });
  });
  rangeShown();
  preview();
})();
