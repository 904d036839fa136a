// The area browser map: draws the selected area's children (or the area itself) from the API and
// loads an area's card when it is clicked. The base layer comes from maps/basemap.js.
(function () {
  const element = document.getElementById("area-map");
  if (!element || !window.L) return;
  // Leaflet inserts a string tooltip as HTML; a node goes in as it is, so names are always text.
  function textNode(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }
  const map = L.map(element, { zoomSnap: 0.25 });
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const colours = ["#2b8cbe", "#31a354", "#e6550d", "#756bb1", "#636363", "#dd1c77", "#3182bd", "#a1d99b"];
  let selected = null;
  fetch(element.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => response.json())
    .then((collection) => {
      const layer = L.geoJSON(collection, {
        style: (feature) => ({
          color: "#1b3a57", weight: 1.2, fillOpacity: 0.35,
          fillColor: colours[parseInt(feature.properties.code.slice(-3), 10) % colours.length],
        }),
        onEachFeature: (feature, polygon) => {
          polygon.bindTooltip(textNode(feature.properties.name), { sticky: true });
          polygon.on("click", () => {
            if (selected) selected.setStyle({ weight: 1.2, color: "#1b3a57" });
            selected = polygon;
            polygon.setStyle({ weight: 3, color: "#d7301f" });
            const url = element.dataset.cardUrl.replace("__code__", feature.properties.code);
            window.htmx.ajax("GET", url, { target: "#area-card", swap: "innerHTML" });
          });
        },
      }).addTo(map);
      element.dataset.features = String(collection.features.length);
      if (collection.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      element.classList.add("map-ready");
    });
})();
