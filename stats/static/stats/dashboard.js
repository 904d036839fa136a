// The statistics page (stats:dashboard). The filter bar is a plain GET form: any change reloads the page, whose
// charts then read /api/v1/stats/… with the filters the server read (data-query). Each chart can be saved as a PNG
// (ECharts' toolbox) and its data downloaded as .xlsx (the card's link); clicking a bar, a slice, a point or an area
// opens the cases behind that number (stats:cases) with the same filters. Tooltips are drawn on the canvas
// (renderMode "richText"): no HTML with inline styles, which the site's Content-Security-Policy refuses.
(function () {
  const page = document.getElementById("stats-page");
  const form = document.getElementById("stats-filters");
  if (!page || !form) return;
  const labels = JSON.parse(document.getElementById("stats-labels").textContent);
  const periods = JSON.parse(document.getElementById("stats-periods").textContent);
  const query = page.dataset.query;
  const FONT = '-apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", ' +
    '"WenQuanYi Micro Hei", sans-serif';
  const PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#d63384", "#6f42c1", "#20c997", "#ffc107", "#0dcaf0",
    "#6c757d", "#dc3545", "#adb5bd"];
  const SCALE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  const HEAT = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  // --- The filter bar ---------------------------------------------------------------------------------------------
  const kind = form.elements.namedItem("kind");
  const period = form.elements.namedItem("period");
  const start = form.elements.namedItem("start");
  const end = form.elements.namedItem("end");
  function showWindow(chosen) {
    form.querySelectorAll("[data-when=period]").forEach((node) => { node.hidden = chosen === "range"; });
    form.querySelectorAll("[data-when=range]").forEach((node) => { node.hidden = chosen !== "range"; });
  }
  kind.addEventListener("change", () => {
    showWindow(kind.value);
    if (kind.value === "range") return;  // the dates are chosen next
    period.replaceChildren(...(periods[kind.value] || []).map(([key, label]) => new Option(label, key)));
    form.requestSubmit();
  });
  form.addEventListener("change", (event) => {
    const field = event.target;
    if (field === kind) return;
    if ((field === start || field === end) && !(start.value && end.value && start.value <= end.value)) return;
    form.requestSubmit();
  });
  form.addEventListener("submit", () => {
    // Only the window the user chose is sent: the period, or the two dates.
    const range = kind.value === "range";
    period.disabled = range;
    start.disabled = !range;
    end.disabled = !range;
  });

  // --- Shared -----------------------------------------------------------------------------------------------------
  if (!window.echarts) return;
  function casesUrl(extra) {
    const params = new URLSearchParams(query);
    Object.entries(extra).forEach(([key, value]) => {
      if (value === null || value === undefined || value === "") params.delete(key);
      else params.set(key, value);
    });
    if (params.has("start")) params.delete("period");
    return page.dataset.urlCases + "?" + params.toString();
  }
  function open(extra) { window.location.href = casesUrl(extra); }
  function load(url, extra) {
    const params = new URLSearchParams(query);
    Object.entries(extra || {}).forEach(([key, value]) => { if (value) params.set(key, value); });
    return fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json().then((body) => {
        if (!response.ok) throw new Error(body.message || String(response.status));
        return body;
      }));
  }
  function when(iso) { return iso ? iso.replace("T", " ").slice(0, 19) : "—"; }
  function asOf(key, iso) {
    const footer = document.querySelector(`[data-as-of="${key}"]`);
    if (footer) footer.textContent = labels.asOf + " " + when(iso);
  }
  function minutes(value) {
    if (value === null || value === undefined) return "—";
    return value >= 120 ? (value / 60).toFixed(1) + " " + labels.hours : Math.round(value) + " " + labels.minutes;
  }
  const charts = {};
  function chart(key) {
    if (!charts[key]) {
      const element = document.getElementById("chart-" + key);
      charts[key] = window.echarts.init(element, null, { renderer: "canvas" });
      new ResizeObserver(() => charts[key].resize()).observe(element);
    }
    return charts[key];
  }
  function empty(key, isEmpty, message) {
    const element = document.getElementById("chart-" + key);
    const note = document.querySelector(`[data-empty="${key}"]`);
    if (element) element.hidden = isEmpty;
    if (note) {
      note.hidden = !isEmpty;
      note.textContent = message || labels.empty;
    }
    if (element && !isEmpty && charts[key]) charts[key].resize();
  }
  function ready(key) {
    const element = document.getElementById("chart-" + key) || document.querySelector(`[data-card="${key}"]`);
    if (element) element.dataset.ready = "1";
  }
  function failed(key, error) {
    empty(key, true, labels.failed + "：" + error.message);
    ready(key);
  }
  function options(title, rest) {
    return Object.assign({
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      animationDuration: 300,
      aria: { enabled: true },
      toolbox: { right: 8, top: 0, feature: { saveAsImage: {
        title: labels.saveImage, name: title, backgroundColor: "#ffffff", pixelRatio: 2 } } },
      tooltip: { renderMode: "richText", confine: true },
    }, rest);
  }
  function titleOf(key) {
    const card = document.querySelector(`[data-card="${key}"] h2`);
    return card ? card.textContent.trim() : key;
  }

  // --- Trend ------------------------------------------------------------------------------------------------------
  load(page.dataset.urlTrend).then((data) => {
    asOf("trend", data.as_of);
    const isEmpty = data.total === 0;
    empty("trend", isEmpty);
    if (!isEmpty) {
      const names = data.series.map((series) => series.label);
      const target = chart("trend");
      target.setOption(options(titleOf("trend"), {
        tooltip: { trigger: "axis", renderMode: "richText", confine: true },
        legend: { data: names, top: 0, left: 0 },
        grid: { left: 48, right: 56, top: 40, bottom: 32 },
        xAxis: { type: "category", data: data.buckets.map((bucket) => bucket.label) },
        yAxis: [
          { type: "value", name: labels.cases, minInterval: 1 },
          { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } },
        ],
        series: [
          { name: names[0], type: "bar", data: data.buckets.map((bucket) => bucket.report), barMaxWidth: 28 },
          { name: names[1], type: "line", data: data.buckets.map((bucket) => bucket.filed), symbolSize: 7 },
          { name: names[2], type: "line", data: data.buckets.map((bucket) => bucket.closed), symbolSize: 7 },
          { name: names[3], type: "line", yAxisIndex: 1, symbolSize: 7, lineStyle: { type: "dashed" },
            data: data.buckets.map((bucket) => bucket.close_rate.percent) },
        ],
      }));
      target.on("click", (event) => {
        const bucket = data.buckets[event.dataIndex];
        const series = data.series[event.seriesIndex];
        if (bucket && series) open({ measure: series.measure, start: bucket.start, end: bucket.end, period: null });
      });
    }
    ready("trend");
  }).catch((error) => failed("trend", error));

  // --- Composition: categories and sources -------------------------------------------------------------------------
  load(page.dataset.urlComposition).then((data) => {
    asOf("categories", data.as_of);
    asOf("sources", data.as_of);
    const isEmpty = data.total === 0;
    empty("categories", isEmpty);
    empty("sources", isEmpty);
    if (!isEmpty) {
      const rows = data.categories.slice().reverse();
      const bars = chart("categories");
      bars.setOption(options(titleOf("categories"), {
        tooltip: { trigger: "item", renderMode: "richText", confine: true },
        grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: labels.cases, minInterval: 1 },
        yAxis: { type: "category", data: rows.map((row) => row.label), axisLabel: { width: 160, overflow: "truncate" } },
        series: [{ name: data.measure_label, type: "bar", barMaxWidth: 22, label: { show: true, position: "right" },
          data: rows.map((row) => ({ value: row.count, itemStyle: { color: row.query ? PALETTE[0] : "#adb5bd" } })) }],
      }));
      bars.on("click", (event) => {
        const row = rows[event.dataIndex];
        if (row && row.query) open(Object.assign({ measure: data.measure }, row.query));
      });
      const pie = chart("sources");
      pie.setOption(options(titleOf("sources"), {
        tooltip: { trigger: "item", renderMode: "richText", confine: true, formatter: "{b}：{c}（{d}%）" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ name: data.measure_label, type: "pie", radius: ["38%", "66%"], center: ["50%", "46%"],
          label: { formatter: "{b}\n{c}" },
          data: data.sources.map((row) => ({ name: row.label, value: row.count })) }],
      }));
      pie.on("click", (event) => {
        const row = data.sources[event.dataIndex];
        if (row) open(Object.assign({ measure: data.measure }, row.query));
      });
    }
    ready("categories");
    ready("sources");
  }).catch((error) => { failed("categories", error); failed("sources", error); });

  // --- Durations ----------------------------------------------------------------------------------------------------
  load(page.dataset.urlDurations).then((data) => {
    asOf("durations", data.as_of);
    const overall = data.received_to_closed;
    const isEmpty = data.steps.every((step) => !step.count) && !overall.cases;
    empty("durations", isEmpty);
    const note = document.getElementById("durations-note");
    if (note) {
      note.textContent = overall.cases ? labels.median
        .replace("%(cases)s", overall.cases).replace("%(open)s", overall.open)
        .replace("%(median)s", minutes(overall.median)).replace("%(p90)s", minutes(overall.p90))
        .replace("%(mean)s", minutes(overall.mean)) : "";
    }
    if (!isEmpty) {
      const steps = data.steps.slice().reverse();
      const bars = chart("durations");
      bars.setOption(options(titleOf("durations"), {
        tooltip: { trigger: "item", renderMode: "richText", confine: true,
          formatter: (item) => {
            const step = steps[item.dataIndex];
            return `${step.label}（${step.span}）\n${minutes(step.minutes)} · ${step.count} ${labels.times}`;
          } },
        grid: { left: 8, right: 72, top: 28, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: labels.minutes },
        yAxis: { type: "category", data: steps.map((step) => `${step.label}（${step.span}）`) },
        series: [{ type: "bar", barMaxWidth: 22, label: { show: true, position: "right",
          formatter: (item) => minutes(steps[item.dataIndex].minutes) },
          data: steps.map((step) => step.minutes) }],
      }));
      bars.on("click", (event) => {
        const step = steps[event.dataIndex];
        if (step) open({ measure: step.measure });
      });
    }
    ready("durations");
  }).catch((error) => failed("durations", error));

  // --- The map: areas coloured by a metric, or H3 cells; hotspots on top ------------------------------------------
  const mapElement = document.getElementById("stats-map");
  const legend = document.getElementById("map-legend");
  const metric = document.getElementById("map-metric");
  const level = document.getElementById("map-level");
  const resolution = document.getElementById("map-resolution");
  const showHotspots = document.getElementById("map-hotspots");
  const mapExport = document.getElementById("map-export");
  let map = null;
  const layers = window.L ? { shapes: L.layerGroup(), hotspots: L.layerGroup() } : null;
  let fitted = false;
  function text(tag, value, className) {
    const node = document.createElement(tag);
    node.textContent = value === null || value === undefined ? "" : String(value);
    if (className) node.className = className;
    return node;
  }
  function swatch(color) {
    const node = document.createElement("span");
    node.className = "stats-swatch";
    node.style.background = color;  // the CSSOM, which the policy allows
    return node;
  }
  function bins(min, max) {
    if (max <= min) return [{ color: SCALE[SCALE.length - 1], from: min, to: max }];
    const step = (max - min) / SCALE.length;
    return SCALE.map((color, index) => ({ color, from: min + step * index, to: index === SCALE.length - 1 ? max : min + step * (index + 1) }));
  }
  function colour(value, scale) {
    if (value === null || value === undefined) return "#d9d9d9";
    const found = scale.find((bin) => value <= bin.to);
    return (found || scale[scale.length - 1]).color;
  }
  function fmt(value, unit) {
    if (value === null || value === undefined) return "—";
    return unit === "rate" ? value + "%" : unit === "minutes" ? minutes(value) : String(value);
  }
  function legendOf(scale, unit) {
    legend.replaceChildren();
    scale.forEach((bin) => {
      const item = document.createElement("span");
      item.className = "d-inline-flex align-items-center gap-1";
      const from = fmt(Math.round(bin.from * 100) / 100, unit);
      const to = fmt(Math.round(bin.to * 100) / 100, unit);
      item.append(swatch(bin.color), text("span", from === to ? from : `${from}–${to}`));
      legend.append(item);
    });
    const none = document.createElement("span");
    none.className = "d-inline-flex align-items-center gap-1";
    none.append(swatch("#d9d9d9"), text("span", labels.noData));
    legend.append(none);
  }
  function drawAreas(data) {
    layers.shapes.clearLayers();
    const features = data.features.features.filter((feature) => feature.geometry);
    if (!features.length) {
      legend.replaceChildren(text("span", labels.noAreas));
      return;
    }
    const unit = data.metric.unit;
    const scale = bins(data.min || 0, data.max || 0);
    const shapes = L.geoJSON({ type: "FeatureCollection", features }, {
      style: (feature) => ({ color: "#1b3a57", weight: 1, fillOpacity: 0.75,
        fillColor: colour(feature.properties.value, scale) }),
      onEachFeature: (feature, layer) => {
        const props = feature.properties;
        const box = document.createElement("div");
        box.append(text("strong", props.name), document.createElement("br"),
          text("span", `${data.metric.label}：${fmt(props.value, unit)}`));
        if (props.denominator !== null && props.denominator !== undefined) {
          box.append(document.createElement("br"), text("span",
            `${data.metric.numerator_label || labels.numerator} ${props.numerator} / ${data.metric.denominator_label || labels.denominator} ${props.denominator}`, "text-muted"));
        }
        layer.bindTooltip(box, { sticky: true });
        layer.on("click", () => {
          window.location.href = page.dataset.urlCases + "?" + new URLSearchParams(props.query).toString();
        });
      },
    });
    layers.shapes.addLayer(shapes);
    legendOf(scale, unit);
    if (!fitted && shapes.getBounds().isValid()) {
      map.fitBounds(shapes.getBounds(), { padding: [12, 12] });
      fitted = true;
    }
  }
  function drawCells(data) {
    layers.shapes.clearLayers();
    const bounds = [];
    data.cells.forEach((cell) => {
      const latlngs = cell.polygon.map(([lon, lat]) => [lat, lon]);
      bounds.push(...latlngs);
      const step = Math.min(HEAT.length - 1, Math.floor((Math.log(cell.count + 1) / Math.log(data.max + 1)) * HEAT.length));
      const polygon = L.polygon(latlngs, { color: "#7f2704", weight: 0.6, fillColor: HEAT[Math.max(0, step)], fillOpacity: 0.75 });
      polygon.bindTooltip(text("span", `${cell.count} ${labels.cases}`), { sticky: true });
      layers.shapes.addLayer(polygon);
    });
    legend.replaceChildren(text("span", labels.less), ...HEAT.map(swatch), text("span", labels.more),
      text("span", ` · ${labels.h3Total} ${data.total} ${labels.cases}`));
    if (!fitted && bounds.length) {
      map.fitBounds(L.latLngBounds(bounds), { padding: [12, 12] });
      fitted = true;
    }
  }
  function mode() { return document.querySelector("input[name=map-mode]:checked").value; }
  function loadMap() {
    const chosen = mode();
    document.querySelectorAll("[data-map-option]").forEach((node) => { node.hidden = node.dataset.mapOption !== chosen; });
    const extra = chosen === "areas" ? { metric: metric.value, level: level.value } : { resolution: resolution.value };
    const params = new URLSearchParams(query);
    Object.entries(extra).forEach(([key, value]) => { if (value) params.set(key, value); });
    params.set("chart", chosen);
    mapExport.href = page.dataset.urlExport + "?" + params.toString();
    mapElement.dataset.ready = "";
    return load(chosen === "areas" ? page.dataset.urlAreas : page.dataset.urlH3, extra).then((data) => {
      asOf("map", data.as_of);
      if (chosen === "areas") drawAreas(data); else drawCells(data);
      mapElement.dataset.ready = "1";
    }).catch((error) => {
      legend.replaceChildren(text("span", labels.failed + "：" + error.message, "text-danger"));
      mapElement.dataset.ready = "1";
    });
  }
  const hotspotList = document.getElementById("hotspot-list");
  function drawHotspots(data) {
    layers.hotspots.clearLayers();
    hotspotList.replaceChildren();
    document.getElementById("hotspot-rule").textContent = labels.rule.replace("%(days)s", data.days)
      .replace("%(start)s", data.start).replace("%(end)s", data.end).replace("%(min)s", data.min_cases)
      .replace("%(radius)s", data.radius_m);
    const isEmpty = !data.hotspots.length;
    document.querySelector('[data-empty="hotspots"]').hidden = !isEmpty;
    data.hotspots.forEach((spot) => {
      const circle = L.circle([spot.lat, spot.lon], { radius: Math.max(spot.radius_m, 25), color: "#dc3545", weight: 2, fillOpacity: 0.15 });
      circle.bindTooltip(text("span", `${spot.category.label} · ${spot.count} ${labels.hotspotCases}`));
      layers.hotspots.addLayer(circle);
      const item = document.createElement("li");
      item.className = "list-group-item d-flex justify-content-between align-items-start gap-2";
      item.dataset.hotspot = spot.category.id;
      const body = document.createElement("div");
      body.className = "me-auto";
      body.append(text("div", spot.category.label, "fw-semibold"),
        text("div", `${spot.grids.join("、")} · ${spot.first} ~ ${spot.last}`, "small text-muted"));
      const numbers = document.createElement("div");
      numbers.className = "small";
      spot.cases.slice(0, 5).forEach((item, index) => {
        const link = text("a", item.number);
        link.href = page.dataset.urlCase.replace("__number__", encodeURIComponent(item.number));
        if (index) numbers.append(document.createTextNode(" "));
        numbers.append(link);
      });
      body.append(numbers);
      const locate = text("button", labels.locate, "btn btn-sm btn-outline-secondary text-nowrap");
      locate.type = "button";
      locate.addEventListener("click", () => { if (map) map.setView([spot.lat, spot.lon], 17); });
      item.append(body, text("span", `${spot.count} ${labels.hotspotCases}`, "badge text-bg-danger"), locate);
      hotspotList.append(item);
    });
  }
  if (mapElement && window.L) {
    map = L.map(mapElement, { zoomSnap: 0.5, maxZoom: 19 }).setView([39.915, 116.41], 12);
    if (window.gridgovBasemap) window.gridgovBasemap(map);
    layers.shapes.addTo(map);
    layers.hotspots.addTo(map);
    document.querySelectorAll("input[name=map-mode]").forEach((input) => input.addEventListener("change", loadMap));
    [metric, level, resolution].forEach((select) => select.addEventListener("change", loadMap));
    showHotspots.addEventListener("change", () => {
      if (showHotspots.checked) layers.hotspots.addTo(map); else layers.hotspots.remove();
    });
    loadMap();
  }
  load(page.dataset.urlHotspots).then((data) => {
    asOf("hotspots", data.as_of);
    if (layers) drawHotspots(data);
    ready("hotspots");
  }).catch((error) => {
    const note = document.querySelector('[data-empty="hotspots"]');
    note.hidden = false;
    note.textContent = labels.failed + "：" + error.message;
    ready("hotspots");
  });
  window.addEventListener("resize", () => Object.values(charts).forEach((item) => item.resize()));
})();
