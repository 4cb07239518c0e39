/* The forecast page: the next 24 hours of PM2.5 with its 80 % interval as a shaded band (a
   stacked area: the lower end, then the width), from the json_script data (air/forecast_views.py). */
(function () {
  "use strict";
  var source = document.getElementById("forecast-data");
  var box = document.getElementById("forecast-hours");
  if (!source || !box || typeof echarts === "undefined") { return; }
  var d = JSON.parse(source.textContent);
  echarts.init(box).setOption({
    title: { text: d.title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis", renderMode: "richText" },
    grid: { left: 40, right: 16, top: 40, bottom: 30 },
    xAxis: { type: "category", data: d.hours },
    yAxis: { type: "value", min: 0 },
    series: [
      { type: "line", data: d.lo, stack: "band", lineStyle: { opacity: 0 }, symbol: "none",
        tooltip: { show: false } },
      { type: "line", name: d.interval, data: d.band, stack: "band", lineStyle: { opacity: 0 },
        symbol: "none", areaStyle: { color: "rgba(80,120,200,0.2)" } },
      { type: "line", name: d.forecast, data: d.value, symbol: "circle", symbolSize: 4,
        lineStyle: { width: 2, color: "#3060c0" }, itemStyle: { color: "#3060c0" } },
    ],
  });
})();
