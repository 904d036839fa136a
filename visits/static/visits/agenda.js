// 今日走访路线 (planning:agenda): the day's due visits as numbered markers in walking order, the route line from the
// start point, on the site's base map. The data comes in the "agenda-data" JSON block.
(function () {
  const element = document.getElementById("agenda-map");
  const source = document.getElementById("agenda-data");
  if (!element || !source || !window.L) return;
  const data = JSON.parse(source.textContent);
  const label = element.dataset;
  const COLOURS = { red: "#d7301f", yellow: "#b8860b", green: "#198754" };
  const map = L.map(element, { zoomSnap: 0.5, maxZoom: 19 }).setView([39.915, 116.41], 15);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const bounds = L.latLngBounds([]);
  let markers = 0;
  if (data.start) {
    const start = [data.start.lat, data.start.lon];
    L.circleMarker(start, { radius: 6, color: "#1b3a57", fillOpacity: 1 }).bindTooltip(label.labelStart).addTo(map);
    bounds.extend(start);
  }
  // People of one building share its point: their markers fan out on a small ring around it, so every number shows.
  const sharing = {};
  data.stops.forEach((stop) => {
    if (stop.lat != null) (sharing[stop.lat + "," + stop.lon] = sharing[stop.lat + "," + stop.lon] || []).push(stop);
  });
  data.stops.forEach((stop) => {
    if (stop.lat == null) return;
    const group = sharing[stop.lat + "," + stop.lon];
    const index = group.indexOf(stop);
    const ring = group.length > 1 ? 10 + 2 * group.length : 0;
    const angle = (2 * Math.PI * index) / group.length;
    const icon = L.divIcon({
      className: "agenda-marker light-" + (COLOURS[stop.light] ? stop.light : "green"),
      html: "<span>" + Number(stop.order) + "</span>",
      iconSize: [24, 24],
      iconAnchor: [12 - Math.round(ring * Math.cos(angle)), 12 - Math.round(ring * Math.sin(angle))],
    });
    const marker = L.marker([stop.lat, stop.lon], { icon: icon, title: stop.order + ". " + stop.person_name });
    const box = document.createElement("div");
    const name = document.createElement("div");
    name.className = "fw-semibold";
    name.textContent = stop.order + ". " + stop.person_name;
    const plan = document.createElement("div");
    plan.textContent = stop.plan_name;
    const link = document.createElement("a");
    link.href = stop.visit_url;
    link.textContent = label.labelGo;
    box.append(name, plan, link);
    marker.bindPopup(box).addTo(map);
    markers += 1;
    bounds.extend([stop.lat, stop.lon]);
  });
  if (data.route.coordinates.length > 1) {
    L.polyline(data.route.coordinates.map((point) => [point[1], point[0]]), { color: "#0d6efd", weight: 3, dashArray: "6 6" }).addTo(map);
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 18 });
  element.dataset.markers = String(markers);
  element.classList.add("map-ready");
})();
