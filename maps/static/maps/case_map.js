// The case map (maps:cases): open cases in the user's scope for the current view and filters, asked from the
// server on every move. Few cases come as points, drawn in clusters (leaflet.markercluster); many come as
// counts per H3 cell, drawn as hexagons coloured by count (the heat map).
(function () {
  const element = document.getElementById("case-map");
  if (!element || !window.L) return;
  const form = document.getElementById("case-map-filters");
  const summary = document.getElementById("case-map-summary");
  const LIGHTS = { green: "#2e9e44", yellow: "#e0a800", red: "#d7301f", none: "#6c757d" };
  const HEAT = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  const map = L.map(element, { zoomSnap: 0.5, maxZoom: 19 }).setView([39.915, 116.41], 13);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  const cells = L.layerGroup();
  clusters.addTo(map);
  cells.addTo(map);

  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    if (className) node.className = className;
    return node;
  }
  function popup(point) {
    const box = document.createElement("div");
    const link = text("a", point.number, "fw-semibold");
    link.href = element.dataset.caseUrl.replace("__number__", encodeURIComponent(point.number));
    box.append(link, document.createElement("br"), text("span", point.category), document.createElement("br"),
      text("span", point.status_label, "text-muted"));
    return box;
  }
  function heat(count, max) {
    const step = Math.min(HEAT.length - 1, Math.floor((Math.log(count + 1) / Math.log(max + 1)) * HEAT.length));
    return HEAT[Math.max(0, step)];
  }
  function filters() {
    const params = new URLSearchParams();
    new FormData(form).forEach((value, key) => { if (value) params.append(key, value); });
    return params;
  }
  function draw(data) {
    clusters.clearLayers();
    cells.clearLayers();
    if (data.mode === "points") {
      clusters.addLayers(data.points.map((point) =>
        L.circleMarker([point.lat, point.lon], {
          radius: 7, color: "#ffffff", weight: 2, fillColor: LIGHTS[point.light] || LIGHTS.none, fillOpacity: 0.95,
        }).bindPopup(() => popup(point))));
    } else {
      data.cells.forEach((cell) => {
        const polygon = L.polygon(cell.polygon.map(([lon, lat]) => [lat, lon]), {
          color: "#7f2704", weight: 0.6, fillColor: heat(cell.count, data.max), fillOpacity: 0.7,
        });
        polygon.bindTooltip(text("span", cell.count + " " + element.dataset.labelCases), { direction: "center" });
        polygon.on("click", () => map.setView(polygon.getBounds().getCenter(), Math.min(map.getZoom() + 2, 18)));
        cells.addLayer(polygon);
      });
    }
    summary.textContent = element.dataset.labelTotal + " " + data.total + " " + element.dataset.labelCases +
      (data.mode === "cells" ? " · " + element.dataset.labelCells : "");
    element.dataset.mode = data.mode;
    element.dataset.total = String(data.total);
    element.classList.add("map-ready");
  }
  let pending = null;
  let timer = null;
  function load() {
    const bounds = map.getBounds();
    const params = filters();
    params.set("bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((value) => value.toFixed(5)).join(","));
    params.set("zoom", String(Math.round(map.getZoom())));
    if (pending) pending.abort();
    pending = new AbortController();
    element.classList.remove("map-ready");
    fetch(element.dataset.url + "?" + params.toString(), {
      credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal,
    })
      .then((response) => response.json())
      .then(draw)
      .catch((error) => { if (error.name !== "AbortError") summary.textContent = String(error); });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  }
  map.on("moveend", later);
  form.addEventListener("change", () => {
    const params = filters();
    window.history.replaceState(null, "", params.toString() ? "?" + params.toString() : window.location.pathname);
    load();
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  // Start on the user's cases: the whole scope first, then fit the view to what came back.
  fetch(element.dataset.url + "?" + filters().toString() + "&zoom=11", {
    credentials: "same-origin", headers: { Accept: "application/json" },
  })
    .then((response) => response.json())
    .then((data) => {
      const latlngs = data.mode === "points"
        ? data.points.map((point) => [point.lat, point.lon])
        : data.cells.flatMap((cell) => cell.polygon.map(([lon, lat]) => [lat, lon]));
      if (latlngs.length) map.fitBounds(L.latLngBounds(latlngs), { padding: [20, 20], maxZoom: 16 });
      later();
    });
})();
