// The case list: searchable pickers for the area tree and the two-level categories (Tom Select over the plain
// selects, which work alone without JavaScript), and the bulk bar's "select all" and count of checked cases.
(function () {
  function pickers(root) {
    root.querySelectorAll("select[data-picker]:not(.tomselected)").forEach((select) => {
      const picker = new TomSelect(select, {
        allowEmptyOption: true,
        closeAfterSelect: true,
        openOnFocus: false,
        maxOptions: 500,
        searchField: ["text", "value"],
        render: {
          option: (data, escape) =>
            `<div class="picker-depth-${Number(data.depth) || 0}">${escape(data.text)}` +
            (data.value ? ` <small class="text-muted">${escape(data.value)}</small>` : "") + "</div>",
          item: (data, escape) => `<div>${escape(data.text)}</div>`,
          no_results: () => `<div class="no-results">${escape(select.dataset.empty || "—")}</div>`,
        },
      });
      // Only the chosen value changes the list: typing into the search box is not a change of the filters.
      picker.control_input.addEventListener("change", (event) => event.stopPropagation());
    });
  }

  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function bulkCount(root) {
    const form = root.querySelector("#bulk-form");
    if (!form) return;
    const checked = form.querySelectorAll("[data-bulk-case]:checked").length;
    form.querySelectorAll("[data-bulk-count]").forEach((badge) => { badge.textContent = checked; });
    form.querySelectorAll("[data-bulk-submit]").forEach((button) => { button.disabled = checked === 0; });
  }

  document.addEventListener("change", (event) => {
    const all = event.target.closest("[data-bulk-all]");
    if (all) {
      all.form.querySelectorAll("[data-bulk-case]").forEach((box) => { box.checked = all.checked; });
    }
    if (event.target.closest("#bulk-form")) bulkCount(document);
  });

  htmx.onLoad((element) => {
    pickers(element);
    bulkCount(document);
  });
})();
