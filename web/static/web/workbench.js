// The workbench's map: the user's areas (grid or scope) from the area API and, for leaders, the open cases as
// points coloured by their light (data from a JSON block, no inline script). Tiles only when a local or intranet
// tile URL is configured.
(function () {
  const element = document.getElementById("workbench-map");
  if (!element || !window.L) return;
  function textNode(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }
  const map = L.map(element, { zoomSnap: 0.25 }).setView([39.91, 116.41], 13);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const colours = { red: "#dc3545", yellow: "#ffc107", green: "#198754", none: "#6c757d" };
  const bounds = L.latLngBounds([]);
  const points = [];
  const data = document.getElementById("workbench-points");
  if (data) {
    const caseUrl = element.dataset.caseUrl || "";
    JSON.parse(data.textContent).forEach(([lon, lat, light, number]) => {
      const marker = L.circleMarker([lat, lon], {
        radius: light === "red" ? 7 : 5, weight: 1, color: "#333", fillColor: colours[light] || colours.none,
        fillOpacity: 0.9,
      }).addTo(map);
      marker.bindTooltip(textNode(number));
      if (caseUrl) marker.on("click", () => { window.location.href = caseUrl.replace("__number__", number); });
      points.push(marker);
      bounds.extend([lat, lon]);
    });
  }
  element.dataset.points = String(points.length);
  const urls = (element.dataset.geojsonUrls || "").split(" ").filter(Boolean);
  const loads = urls.map((url) =>
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { features: [] }))
      .then((collection) => {
        const layer = L.geoJSON(collection, {
          style: { color: "#1b3a57", weight: 1.5, fillOpacity: 0.08 },
          interactive: false,
        }).addTo(map);
        layer.bringToBack();
        if (collection.features && collection.features.length) bounds.extend(layer.getBounds());
      }),
  );
  Promise.all(loads).finally(() => {
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
    element.classList.add("map-ready");
  });
})();
