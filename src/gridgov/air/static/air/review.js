/* Data review page: one pollutant's values over the day, marked points coloured by their state
   (counted, suspect, invalid or rejected, confirmed). Data come from a JSON script element. */
(function () {
  "use strict";
  var box = document.getElementById("review-chart");
  var source = document.getElementById("review-data");
  if (!box || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  // Flag bits (air/models.py Flag).
  var INVALID = 1 | 2 | 4 | 32, SUSPECT = 8 | 16 | 8192, CONFIRMED = 64, REJECTED = 128;
  var groups = { counted: [], suspect: [], invalid: [], confirmed: [] };
  var line = [];
  for (var i = 0; i < data.times.length; i++) {
    var t = data.times[i], v = data.values[i], f = data.flags[i];
    line.push([t, data.counted[i] ? v : null]);
    if (v === null) { continue; }
    if (f & CONFIRMED) { groups.confirmed.push([t, v]); }
    else if ((f & REJECTED) || !data.counted[i] || (f & INVALID)) { groups.invalid.push([t, v]); }
    else if (f & SUSPECT) { groups.suspect.push([t, v]); }
  }
  function points(name, colour, rows) {
    return { name: name, type: "scatter", symbolSize: 6, itemStyle: { color: colour }, data: rows };
  }
  var chart = echarts.init(box);
  chart.setOption({
    useUTC: true,  // times come as Beijing wall-clock times
    tooltip: { trigger: "axis", renderMode: "richText",
      valueFormatter: function (x) { return x === null || x === undefined ? "—" : Number(x).toFixed(data.pollutant === "co" ? 3 : 1); } },
    legend: {}, grid: { left: 50, right: 20, bottom: 60 },
    xAxis: { type: "time" }, yAxis: { type: "value", name: data.unit },
    dataZoom: [{ type: "inside" }, { type: "slider" }],
    series: [
      { name: data.label, type: "line", showSymbol: false, connectNulls: false, data: line,
        lineStyle: { color: "#2f6fb0" }, itemStyle: { color: "#2f6fb0" } },
      points(data.names.suspect, "#e6a100", groups.suspect),
      points(data.names.invalid, "#c62828", groups.invalid),
      points(data.names.confirmed, "#2e7d32", groups.confirmed),
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
