// 在岗监控 (fieldwork:live): the watched workers' last fixes on a map, refreshed every 30 s from the JSON endpoint;
// grey when stale, red when outside their grid. The grids' outlines and the first data come in JSON blocks.
(function () {
  const element = document.getElementById("live-map");
  if (!element || !window.L) return;
  const label = element.dataset;
  const COLOURS = { online: "#198754", outside: "#d7301f", stale: "#6c757d" };
  const map = L.map(element, { zoomSnap: 0.5, maxZoom: 19 }).setView([39.915, 116.41], 13);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const grids = JSON.parse(document.getElementById("live-grids").textContent);
  const outlines = L.geoJSON(grids, {
    style: { color: "#1b3a57", weight: 1, fillOpacity: 0.04 },
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name, { sticky: true }),
  }).addTo(map);
  const markers = L.layerGroup().addTo(map);
  const list = document.getElementById("live-list");
  const updated = document.getElementById("live-updated");

  function node(tag, text, className) {
    const item = document.createElement(tag);
    item.textContent = text == null ? "" : String(text);
    if (className) item.className = className;
    return item;
  }
  function state(worker) {
    if (worker.outside) return "outside";
    if (worker.online) return "online";
    if (worker.stale) return "stale";
    return "none";
  }
  function clock(iso) {
    return iso ? iso.slice(11, 19) : "";
  }
  function popup(worker) {
    const box = document.createElement("div");
    box.append(node("div", worker.name, "fw-semibold"));
    box.append(node("div", label.labelGrid + "：" + worker.grid_name));
    const age = worker.age_s == null ? "" : "（" + Math.round(worker.age_s / 60) + " " + label.labelAgo + "）";
    box.append(node("div", label.labelTime + "：" + clock(worker.time) + age));
    box.append(node("div", label.labelBattery + "：" + (worker.battery == null ? "—" : Math.round(worker.battery) + "%")));
    box.append(node("div", label.labelPatrol + "：" + (worker.patrolling ? label.labelOn : label.labelOff)));
    const link = node("a", label.labelPlayback);
    link.href = worker.playback;
    box.append(link);
    return box;
  }
  function badge(worker) {
    const kind = state(worker);
    const classes = { outside: "text-bg-danger", online: "text-bg-success", stale: "text-bg-secondary", none: "text-bg-light" };
    const texts = { outside: label.labelOutside, online: label.labelOnline, stale: label.labelStale, none: label.labelNone };
    return node("span", texts[kind], "badge ms-auto " + classes[kind]);
  }
  let fitted = false;
  function draw(data) {
    markers.clearLayers();
    const bounds = L.latLngBounds([]);
    data.workers.forEach((worker) => {
      if (worker.lat == null) return;
      const kind = state(worker);
      const marker = L.circleMarker([worker.lat, worker.lon], {
        radius: 8, color: "#ffffff", weight: 2, fillColor: COLOURS[kind], fillOpacity: kind === "stale" ? 0.7 : 0.95,
      });
      marker.bindPopup(() => popup(worker));
      marker.bindTooltip(worker.name, { direction: "top", offset: [0, -6] });
      marker.options.workerState = kind;
      markers.addLayer(marker);
      bounds.extend([worker.lat, worker.lon]);
    });
    const items = data.workers.map((worker) => {
      const link = document.createElement("a");
      link.className = "list-group-item list-group-item-action py-1";
      link.href = worker.playback;
      link.dataset.worker = worker.id;
      link.dataset.state = state(worker);
      const top = document.createElement("div");
      top.className = "d-flex align-items-center gap-1";
      top.append(node("span", worker.name, "fw-semibold"), badge(worker));
      const info = worker.grid_name + (worker.time ? " · " + clock(worker.time) : "");
      link.append(top, node("div", info, "small text-muted"));
      return link;
    });
    if (items.length) list.replaceChildren(...items);
    Object.entries(data.counts).forEach(([key, value]) => {
      const cell = document.querySelector('[data-count="' + key + '"]');
      if (cell) cell.textContent = String(value);
    });
    updated.textContent = label.labelUpdated + " " + clock(data.now);
    element.dataset.markers = String(markers.getLayers().length);
    element.dataset.stale = String(markers.getLayers().filter((m) => m.options.workerState === "stale").length);
    if (!fitted) {
      const area = outlines.getLayers().length ? outlines.getBounds() : bounds;
      if (area.isValid()) map.fitBounds(area, { padding: [16, 16], maxZoom: 17 });
      fitted = true;
    }
    element.classList.add("map-ready");
  }
  function refresh() {
    fetch(label.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
      .then(draw)
      .catch(() => { updated.textContent = label.labelError; });
  }
  draw(JSON.parse(document.getElementById("live-initial").textContent));
  window.setInterval(refresh, parseInt(label.refresh || "30000", 10));
})();
