// The report form's map: draws the user's area, and a click (or "use my location", or dragging the pin)
// sets the hidden longitude/latitude fields. The base layer comes from maps/basemap.js.
// A worker of a single grid starts on that grid (data-preset: the server put the pin at its centre); the device's
// position, when it has a fix, moves the pin there unless the person has already placed it.
(function () {
  const element = document.getElementById("report-map");
  if (!element || !window.L) return;
  // Leaflet inserts a string tooltip as HTML; a node goes in as it is, so names are always text.
  function textNode(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }
  const lon = document.getElementById("id_longitude");
  const lat = document.getElementById("id_latitude");
  const label = document.querySelector("[data-point-label]");
  const map = L.map(element, { zoomSnap: 0.25 }).setView([39.91, 116.41], 13);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  let pin = null;
  let placedByHand = false;
  function place(latlng) {
    lon.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    if (!pin) {
      pin = L.marker(latlng, { draggable: true }).addTo(map);
      pin.on("dragend", () => {
        placedByHand = true;
        place(pin.getLatLng());
      });
    } else {
      pin.setLatLng(latlng);
    }
    if (label) label.textContent = lon.value + ", " + lat.value;
    element.dataset.point = lon.value + "," + lat.value;
  }
  function byHand(latlng) {
    placedByHand = true;
    place(latlng);
  }
  map.on("click", (event) => byHand(event.latlng));
  const preset = element.dataset.preset;
  if (lon.value && lat.value) {
    const said = label ? label.textContent : "";
    const start = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
    place(start);
    map.setView(start, 16);
    if (preset && label) label.textContent = said; // "已预选您的网格…" until the point moves
  }
  function fix(onlyIfUntouched) {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        if (onlyIfUntouched && placedByHand) return;
        const here = L.latLng(position.coords.latitude, position.coords.longitude);
        place(here);
        map.setView(here, 16);
        element.dataset.fix = "1";
      },
      () => {}, // no fix: the preset grid (or the person's click) stands
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }
  const locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation) locate.addEventListener("click", () => fix(false));
  if (preset && navigator.geolocation) fix(true);
  if (element.dataset.geojsonUrl) {
    fetch(element.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((collection) => {
        const layer = L.geoJSON(collection, {
          style: { color: "#1b3a57", weight: 2, fillOpacity: 0.08 },
          // The grid's buildings (maps:report-layer) as small dots under the pointer.
          pointToLayer: (feature, latlng) =>
            L.circleMarker(latlng, { radius: 4, color: "#6c4f2a", weight: 1, fillColor: "#c79a5b", fillOpacity: 0.9 }),
          onEachFeature: (feature, polygon) => {
            polygon.bindTooltip(textNode(feature.properties.name), { sticky: true });
            polygon.on("click", (event) => byHand(event.latlng));
          },
        }).addTo(map);
        // The whole grid in view (a preset pin lies inside it), unless a point was given or found.
        const keep = pin && (!preset || placedByHand || element.dataset.fix);
        if (collection.features.length && !keep) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        element.dataset.features = String(collection.features.length);
        element.classList.add("map-ready");
      });
  } else {
    element.classList.add("map-ready");
  }
})();
