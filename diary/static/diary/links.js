// The diary's link pickers (Tom Select, from npm): a select marked data-links="person|household|place|case"
// searches what the user may see through /diary/links.json as they type; data-single keeps one choice.
(function () {
  if (!window.TomSelect) return;
  const endpoint = document.body.dataset.diaryLinks || "/diary/links.json";
  document.querySelectorAll("select[data-links]").forEach((select) => {
    if (select.tomselect) return;
    const kind = select.dataset.links;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      maxItems: select.hasAttribute("data-single") ? 1 : null,
      loadThrottle: 250,
      shouldLoad: (query) => query.length >= 1,
      load(query, callback) {
        const url = `${endpoint}?kind=${encodeURIComponent(kind)}&q=${encodeURIComponent(query)}`;
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((data) => callback(data.results))
          .catch(() => callback());
      },
      onItemAdd() {
        this.setTextboxValue("");
      },
    });
  });
})();
