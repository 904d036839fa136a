// The 12345 desk, keyboard-first: Ctrl+Enter submits; ↓ in the address field walks its results and Enter picks
// one; the first category suggestion fills an empty category; a knowledge answer fills the reply; once a
// category and a place are known, open cases of the same kind nearby are shown.
(function () {
  const form = document.getElementById("ticket-form");
  if (!form) return;
  const script = document.getElementById("desk-script");
  const category = document.getElementById("id_category");
  const lon = document.getElementById("id_longitude");
  const lat = document.getElementById("id_latitude");
  const address = document.getElementById("id_address");
  const label = document.querySelector("[data-point-label]");
  const area = document.getElementById("id_area");
  const approximate = document.getElementById("id_approximate");
  const suggested = document.getElementById("id_suggested_category");
  const areaPick = document.getElementById("area-pick");
  let categoryChosen = Boolean(category.value);

  // Alt+letter jumps to a field (the same letters as the accesskeys, which browsers map differently).
  const jumps = { p: "id_caller_phone", c: "id_content", a: "id_address", k: "knowledge-q" };
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.altKey && !event.ctrlKey && jumps[event.key.toLowerCase()]) {
      event.preventDefault();
      document.getElementById(jumps[event.key.toLowerCase()]).focus();
    }
  });
  category.addEventListener("change", () => {
    categoryChosen = true;
    duplicates();
  });

  function duplicates() {
    if (!category.value || !lon.value) return;
    const query = new URLSearchParams({ category: category.value, longitude: lon.value, latitude: lat.value });
    htmx.ajax("GET", script.dataset.duplicatesUrl + "?" + query, { target: "#duplicates-panel" });
  }
  // A hit of the gazetteer: a building or place is exact; a road, 小区 or area is its centre (filed as
  // approximate, the address text kept as typed when the seat had typed more than the name).
  function pickPlace(button) {
    lon.value = button.dataset.lon;
    lat.value = button.dataset.lat;
    approximate.value = button.dataset.exact ? "" : "True";
    area.value = button.dataset.area || "";
    if (button.dataset.exact || !address.value.trim()) address.value = button.dataset.label;
    label.textContent = button.dataset.label + (button.dataset.exact ? "" : label.dataset.approximate);
    if (areaPick) areaPick.value = "";
    document.getElementById("address-panel").replaceChildren();
    duplicates();
    category.focus();
  }
  // No address found: a community or grid from the tree, filed at its centre with the address text kept.
  if (areaPick) {
    areaPick.addEventListener("change", () => {
      const option = areaPick.selectedOptions[0];
      if (!option || !option.value) return;
      lon.value = option.dataset.lon;
      lat.value = option.dataset.lat;
      area.value = option.value;
      approximate.value = "True";
      label.textContent = option.dataset.label + label.dataset.approximate;
      duplicates();
    });
  }
  address.addEventListener("keydown", (event) => {
    const first = document.querySelector("[data-address-hit]");
    if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    }
  });
  document.addEventListener("keydown", (event) => {
    const hit = event.target.closest && event.target.closest("[data-address-hit]");
    if (!hit) return;
    if (event.key === "ArrowDown" && hit.nextElementSibling) {
      event.preventDefault();
      hit.nextElementSibling.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (hit.previousElementSibling || address).focus();
    }
  });
  document.addEventListener("click", (event) => {
    const hit = event.target.closest("[data-address-hit]");
    if (hit) return pickPlace(hit);
    const suggestion = event.target.closest("[data-pick-category]");
    if (suggestion) {
      category.value = suggestion.dataset.pickCategory;
      categoryChosen = true;
      return duplicates();
    }
    const article = event.target.closest("[data-use-article]");
    if (article) {
      document.getElementById("id_article").value = article.dataset.useArticle;
      document.getElementById("id_answer").value = article.dataset.answer;
      document.getElementById("id_request_type_0").checked = true; // 咨询
    }
  });
  // The top suggestion fills an empty category and is remembered: filing under another category teaches the
  // suggestion (the server records the correction).
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "suggest-panel") return;
    const top = event.detail.target.querySelector("[data-pick-category]");
    suggested.value = top ? top.dataset.pickCategory : "";
    if (top && !categoryChosen) {
      category.value = top.dataset.pickCategory;
      duplicates();
    }
  });
  // The knowledge panel follows what the caller asks while nothing was searched by hand.
  const content = document.getElementById("id_content");
  const knowledge = document.getElementById("knowledge-q");
  let timer = null;
  content.addEventListener("input", () => {
    if (knowledge.value) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const query = new URLSearchParams({ content: content.value });
      htmx.ajax("GET", script.dataset.knowledgeUrl + "?" + query, { target: "#knowledge-panel" });
    }, 400);
  });
  const map = document.getElementById("report-map");
  // A point clicked on the map is exact: no longer a centre.
  if (map) {
    new MutationObserver(() => {
      approximate.value = "";
      area.value = "";
      if (areaPick) areaPick.value = "";
      duplicates();
    }).observe(map, { attributes: true, attributeFilter: ["data-point"] });
  }
})();
