// A case page's map (maps/_case_map.html): the case, its grid's outline and the open cases within a few
// hundred metres that the user may see, each linking to its page.
(function () {
  const element = document.getElementById("case-detail-map");
  if (!element || !window.L) return;
  const note = document.getElementById("case-map-note");
  const LIGHTS = { green: "#2e9e44", yellow: "#e0a800", red: "#d7301f", none: "#6c757d" };
  const map = L.map(element, { zoomSnap: 0.5 }).setView([39.915, 116.41], 15);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  function text(tag, value) {
    const node = document.createElement(tag);
    node.textContent = value == null ? "" : String(value);
    return node;
  }
  function link(number) {
    const anchor = text("a", number);
    anchor.href = element.dataset.caseUrl.replace("__number__", encodeURIComponent(number));
    return anchor;
  }
  fetch(element.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((data) => {
      let bounds = null;
      if (data.grid) {
        const grid = L.geoJSON(data.grid, { style: { color: "#1b3a57", weight: 2, fillOpacity: 0.06 } }).addTo(map);
        grid.bindTooltip(text("span", data.grid.properties.name), { sticky: true });
        bounds = grid.getBounds();
      }
      data.nearby.forEach((other) => {
        const box = document.createElement("div");
        box.append(link(other.number), document.createElement("br"), text("span", other.category + " · " +
          other.status_label + " · " + other.distance_m + " m"));
        L.circleMarker([other.lat, other.lon], {
          radius: 6, color: "#ffffff", weight: 1.5, fillColor: LIGHTS[other.light] || LIGHTS.none, fillOpacity: 0.9,
        }).bindPopup(box).addTo(map);
      });
      if (data.case.lat != null) {
        const here = L.latLng(data.case.lat, data.case.lon);
        L.circleMarker(here, { radius: 10, color: "#0d6efd", weight: 3, fillColor: "#ffffff", fillOpacity: 1 })
          .bindTooltip(text("span", data.case.number), { permanent: false }).addTo(map);
        // The whole grid in view when it fits at a street's scale, the case at the centre otherwise.
        if (bounds) map.fitBounds(bounds.extend(here), { padding: [12, 12], maxZoom: 17 });
        if (!bounds || map.getZoom() < 14) map.setView(here, 16);
        note.textContent = element.dataset.labelNearby + " " + data.nearby.length;
      } else {
        if (bounds) map.fitBounds(bounds, { padding: [10, 10] });
        note.textContent = element.dataset.labelNone;
      }
      element.dataset.nearby = String(data.nearby.length);
      element.classList.add("map-ready");
    });
})();
