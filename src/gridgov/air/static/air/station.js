/* Station page: the last 24 hours by minute and the last 30 days by day (ECharts). */
(function () {
  "use strict";
  var box = document.getElementById("minutes");
  var code = box.getAttribute("data-code");
  // Tooltips drawn on the chart's canvas: the HTML ones carry inline style attributes, which the
  // Content-Security-Policy (no inline styles) refuses.
  var TOOLTIP = { trigger: "axis", renderMode: "richText" };
  var LEVEL_COLOURS = ["#bbbbbb", "#00e400", "#ffff00", "#ff7e00", "#ff0000", "#99004c", "#7e0023"];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.json();
    });
  }
  // Values that enter no mean (invalid and not confirmed by a reviewer, or rejected by one) are
  // left out of the line; suspect ones count until a reviewer decides (air/models.py Flag).
  var INVALID = 1 | 2 | 4 | 32, CONFIRMED = 64, REJECTED = 128;
  function clean(value, flag) {
    if (flag & REJECTED) { return null; }
    return (flag & INVALID) && !(flag & CONFIRMED) ? null : value;
  }

  var minutes = echarts.init(box);
  getJSON("/api/v1/stations/" + encodeURIComponent(code) + "/minutes?hours=24").then(function (rows) {
    var series = ["pm25", "pm10", "o3", "no2"].map(function (p) {
      return {
        name: { pm25: "PM2.5", pm10: "PM10", o3: "O3", no2: "NO2" }[p], type: "line",
        showSymbol: false, sampling: "lttb",
        data: rows.map(function (r) { return [r.time, clean(r[p], r[p + "_flag"])]; }),
      };
    });
    minutes.setOption({
      tooltip: TOOLTIP, legend: {}, grid: { left: 50, right: 20, bottom: 60 },
      xAxis: { type: "time" }, yAxis: { type: "value", name: "µg/m³" },
      dataZoom: [{ type: "inside" }, { type: "slider" }], series: series,
    });
  });

  var days = echarts.init(document.getElementById("days"));
  getJSON("/api/v1/stations/" + encodeURIComponent(code) + "/daily").then(function (rows) {
    days.setOption({
      tooltip: TOOLTIP, legend: {}, grid: { left: 50, right: 50, bottom: 40 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.date.slice(5); }) },
      yAxis: [{ type: "value", name: "AQI" }, { type: "value", name: "PM2.5 µg/m³" }],
      series: [
        { name: "AQI", type: "bar", data: rows.map(function (r) {
            return { value: r.aqi, itemStyle: { color: LEVEL_COLOURS[r.level || 0] } }; }) },
        { name: "PM2.5", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.pm25; }) },
      ],
    });
  });
  window.addEventListener("resize", function () { minutes.resize(); days.resize(); });
})();
