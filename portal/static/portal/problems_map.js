// The public map of open problems: street outlines, one dot per problem, a popup with its category, street,
// state and a link to its progress. Names go in as text, never as HTML.
(function () {
  const element = document.getElementById("problems-map");
  if (!element || !window.L) return;
  const map = L.map(element, { zoomSnap: 0.25 }).setView([39.91, 116.41], 13);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  function line(text, className) {
    const div = document.createElement("div");
    div.textContent = text;
    if (className) div.className = className;
    return div;
  }
  function popup(properties) {
    const box = document.createElement("div");
    box.append(line(properties.category, "fw-bold"), line(properties.street + " · " + properties.reported, "small"));
    box.append(line(properties.status, "small"));
    const link = document.createElement("a");
    link.href = properties.url;
    link.textContent = element.dataset.openLabel;
    box.append(link);
    return box;
  }
  const get = (url) => fetch(url, { headers: { Accept: "application/json" } }).then((response) => response.json());
  Promise.all([get(element.dataset.streetsUrl), get(element.dataset.url)]).then(([streets, problems]) => {
    const outline = L.geoJSON(streets, { style: { color: "#1b3a57", weight: 1, fillOpacity: 0.04 } }).addTo(map);
    const dots = L.geoJSON(problems, {
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 2, fillColor: "#d9480f", fillOpacity: 0.9 }),
      onEachFeature: (feature, layer) => layer.bindPopup(popup(feature.properties)),
    }).addTo(map);
    const bounds = problems.features.length ? dots.getBounds() : outline.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
    element.dataset.problems = String(problems.features.length);
    element.classList.add("map-ready");
  });
})();
