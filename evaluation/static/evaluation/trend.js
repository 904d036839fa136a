// The last six periods' composite index of each position on a person's page (ECharts line; data from json_script).
(function () {
  const source = document.getElementById("trend-data");
  if (!source || typeof echarts === "undefined") return;
  const trends = JSON.parse(source.textContent);
  Object.keys(trends).forEach((position) => {
    const box = document.getElementById(`trend-${position}`);
    if (!box) return;
    const trend = trends[position];
    const chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      // Tooltips drawn in the canvas: HTML tooltips carry style attributes, which the page's policy refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: trend.periods },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ name: trend.label, type: "line", data: trend.values, connectNulls: false, label: { show: true } }],
    });
    box.dataset.ready = "1";
    window.addEventListener("resize", () => chart.resize());
  });
})();
