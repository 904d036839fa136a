// 轨迹回放 (fieldwork:playback): a worker's filtered track of a day with a time slider (play/pause, speed); the
// marker stands where the worker was at the slider's time, the walked part is drawn darker. Stops (with their
// duration), check-ins and reports stand along the track; the fixes the filters dropped can be shown, each with
// its reason. Data from the page's JSON block.
(function () {
  const element = document.getElementById("playback-map");
  if (!element || !window.L) return;
  const label = element.dataset;
  const data = JSON.parse(document.getElementById("playback-data").textContent);
  const points = data.points; // [time ms, lon, lat, accuracy, speed]
  const times = points.map((p) => p[0]);
  const map = L.map(element, { zoomSnap: 0.5, maxZoom: 19 }).setView([39.915, 116.41], 14);
  if (window.gridgovBasemap) window.gridgovBasemap(map);
  const slider = document.getElementById("playback-slider");
  const play = document.getElementById("playback-play");
  const speed = document.getElementById("playback-speed");
  const clock = document.getElementById("playback-clock");
  const events = document.getElementById("playback-events");
  const bounds = L.latLngBounds([]);

  function node(tag, text, className) {
    const item = document.createElement(tag);
    item.textContent = text == null ? "" : String(text);
    if (className) item.className = className;
    return item;
  }
  // Times in the site's time zone (the page's data names it), whatever the browser's.
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: data.time_zone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  function hhmmss(ms) {
    return format.format(new Date(ms));
  }
  if (data.grid) {
    const grid = L.geoJSON(data.grid, { style: { color: "#1b3a57", weight: 2, fillOpacity: 0.05 }, interactive: false }).addTo(map);
    bounds.extend(grid.getBounds());
  }
  const latlngs = points.map((p) => [p[2], p[1]]);
  const whole = L.polyline(latlngs, { color: "#7aa6d6", weight: 3, opacity: 0.8 }).addTo(map);
  const walked = L.polyline([], { color: "#0b4f9c", weight: 4, opacity: 0.95 }).addTo(map);
  if (latlngs.length) bounds.extend(whole.getBounds());

  const rejected = L.layerGroup();
  data.rejected.forEach(([time, lon, lat, accuracy, , reason]) => {
    L.circleMarker([lat, lon], { radius: 4, color: "#6c757d", weight: 1, fillColor: "#adb5bd", fillOpacity: 0.8 })
      .bindTooltip(hhmmss(time) + " · " + label.labelFiltered + "：" + reason +
        (accuracy != null ? " · " + label.labelAccuracy + " " + Math.round(accuracy) + " m" : ""))
      .addTo(rejected);
  });
  document.getElementById("playback-rejected").addEventListener("change", (event) => {
    if (event.target.checked) rejected.addTo(map); else rejected.remove();
    element.dataset.rejectedShown = event.target.checked ? "1" : "0";
  });

  const listed = [];
  data.stops.forEach((stop) => {
    const minutes = Math.round(stop.duration_s / 60);
    const text = label.labelStop + " " + minutes + " " + label.labelMinutes;
    L.circleMarker([stop.lat, stop.lon], { radius: 6 + Math.min(8, minutes / 5), color: "#ffffff", weight: 2, fillColor: "#6f42c1", fillOpacity: 0.85 })
      .bindTooltip(hhmmss(stop.start) + "–" + hhmmss(stop.end) + " · " + text).addTo(map);
    listed.push({ time: stop.start, kind: "stop", text: text, detail: hhmmss(stop.start) + "–" + hhmmss(stop.end) });
  });
  data.checkins.forEach((checkin) => {
    const text = checkin.kind + (checkin.point ? " · " + checkin.point : "");
    L.circleMarker([checkin.lat, checkin.lon], { radius: 6, color: "#ffffff", weight: 2, fillColor: "#0d6efd", fillOpacity: 0.95 })
      .bindTooltip(hhmmss(checkin.time) + " · " + text).addTo(map);
    listed.push({ time: checkin.time, kind: "checkin", text: text, detail: hhmmss(checkin.time) });
  });
  data.reports.forEach((report) => {
    const marker = L.circleMarker([report.lat, report.lon], { radius: 7, color: "#ffffff", weight: 2, fillColor: "#fd7e14", fillOpacity: 0.95 })
      .bindTooltip(hhmmss(report.time) + " · " + label.labelReport + " " + report.number + " " + report.category).addTo(map);
    marker.on("click", () => { window.location.href = report.url; });
    listed.push({ time: report.time, kind: "report", text: label.labelReport + " " + report.category, detail: report.number, url: report.url });
  });
  listed.sort((a, b) => a.time - b.time);
  events.replaceChildren(...listed.map((item) => {
    const row = node("button", "", "list-group-item list-group-item-action py-1 d-flex gap-2 align-items-center");
    row.type = "button";
    row.dataset.kind = item.kind;
    row.append(node("span", "", "dot dot-" + item.kind), node("span", hhmmss(item.time), "text-muted"), node("span", item.text));
    row.addEventListener("click", () => { stopPlaying(); show(Math.max(times[0] || 0, item.time)); });
    return row;
  }));

  const marker = L.circleMarker([0, 0], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#dc3545", fillOpacity: 1 });
  function where(time) {
    // The position at ``time``: between the two fixes around it, in proportion.
    let high = times.findIndex((t) => t >= time);
    if (high === -1) high = times.length - 1;
    if (high === 0 || times[high] === time) return { index: high, latlng: latlngs[high] };
    const low = high - 1;
    const share = (time - times[low]) / Math.max(1, times[high] - times[low]);
    return {
      index: low,
      latlng: [latlngs[low][0] + (latlngs[high][0] - latlngs[low][0]) * share, latlngs[low][1] + (latlngs[high][1] - latlngs[low][1]) * share],
    };
  }
  function show(time) {
    if (!times.length) return;
    const clamped = Math.min(Math.max(time, times[0]), times[times.length - 1]);
    slider.value = String(clamped);
    const at = where(clamped);
    marker.setLatLng(at.latlng);
    walked.setLatLngs([...latlngs.slice(0, at.index + 1), at.latlng]);
    clock.textContent = hhmmss(clamped);
    element.dataset.time = String(clamped);
    element.dataset.marker = at.latlng[0].toFixed(6) + "," + at.latlng[1].toFixed(6);
  }
  let timer = null;
  let last = 0;
  function stopPlaying() {
    if (timer) window.cancelAnimationFrame(timer);
    timer = null;
    play.textContent = play.dataset.labelPlay;
    element.dataset.playing = "0";
  }
  function frame(now) {
    const elapsed = last ? now - last : 0;
    last = now;
    const next = Number(slider.value) + elapsed * Number(speed.value);
    show(next);
    if (next >= times[times.length - 1]) { stopPlaying(); return; }
    timer = window.requestAnimationFrame(frame);
  }
  play.addEventListener("click", () => {
    if (timer) { stopPlaying(); return; }
    if (Number(slider.value) >= times[times.length - 1]) show(times[0]);
    last = 0;
    play.textContent = play.dataset.labelPause;
    element.dataset.playing = "1";
    timer = window.requestAnimationFrame(frame);
  });
  slider.addEventListener("input", () => { show(Number(slider.value)); });
  if (times.length) {
    slider.min = String(times[0]);
    slider.max = String(times[times.length - 1]);
    marker.addTo(map);
    show(times[0]);
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
  element.classList.add("map-ready");
})();
