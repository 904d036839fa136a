/* Sparklines of the alert pages: each alert's reports over the eight weeks up to its day (ECharts, canvas).
   Bars of the same weekday as the alert's day are dark (they are the baseline), the alert's own day is red; the
   dashed line is the baseline (expected count), the dotted one the alert's line. Data: the #alert-series JSON. */
(function () {
  "use strict";
  var source = document.getElementById("alert-series");
  if (!source || typeof echarts === "undefined") return;
  var series = JSON.parse(source.textContent);
  var charts = [];

  function colour(index, last) {
    if (index === last) return "#dc3545";
    return (last - index) % 7 === 0 ? "#1b3a57" : "#adb5bd";
  }

  document.querySelectorAll("[data-sparkline]").forEach(function (element) {
    var data = series[element.getAttribute("data-sparkline")];
    if (!data) return;
    var last = data.counts.length - 1;
    var unit = element.getAttribute("data-unit") || "";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 2, right: 2, top: 6, bottom: 2 },
      tooltip: { trigger: "axis", confine: true, formatter: function (items) {
        var item = items[0];
        return item.name + "：" + item.value + " " + unit;
      } },
      xAxis: { type: "category", data: data.days, show: false },
      yAxis: { type: "value", show: false, min: 0,
        max: function (range) { return Math.max(range.max, data.threshold, 1); } },
      series: [{
        type: "bar",
        barCategoryGap: "20%",
        data: data.counts.map(function (value, index) {
          return { value: value, itemStyle: { color: colour(index, last) } };
        }),
        markLine: {
          silent: true, symbol: "none", label: { show: false },
          data: [
            { yAxis: data.expected, lineStyle: { type: "dashed", color: "#0d6efd", width: 1 } },
            { yAxis: data.threshold, lineStyle: { type: "dotted", color: "#dc3545", width: 1 } }
          ]
        }
      }]
    });
    element.setAttribute("data-drawn", "");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
