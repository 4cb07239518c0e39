/* A unit's horse-race history: its total (line) and rank (dashed, inverted axis) per period,
   one pair of lines per card. Data from the page's json_script blocks (no inline script). */
(function () {
  "use strict";
  var box = document.getElementById("racing-history");
  var data = JSON.parse(document.getElementById("racing-history-data").textContent);
  var labels = JSON.parse(document.getElementById("racing-history-labels").textContent);
  var periods = [];
  data.forEach(function (s) {
    s.points.forEach(function (p) { if (periods.indexOf(p.period) < 0) { periods.push(p.period); } });
  });
  periods.sort();
  function column(s, key) {
    var by = {};
    s.points.forEach(function (p) { by[p.period] = p[key]; });
    return periods.map(function (d) { return by[d] === undefined ? null : by[d]; });
  }
  var series = [];
  data.forEach(function (s) {
    series.push({ name: s.name + " · " + labels.total, type: "line", connectNulls: true, data: column(s, "total") });
    series.push({ name: s.name + " · " + labels.rank, type: "line", yAxisIndex: 1, connectNulls: true,
      lineStyle: { type: "dashed" }, data: column(s, "rank") });
  });
  var chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { type: "scroll" },
    grid: { left: 45, right: 45, bottom: 30, top: 50 },
    xAxis: { type: "category", data: periods.map(function (d) { return d.slice(0, 7); }) },
    yAxis: [
      { type: "value", name: labels.total, min: 0, max: 100 },
      { type: "value", name: labels.rank, inverse: true, minInterval: 1, min: 1 },
    ],
    series: series,
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
