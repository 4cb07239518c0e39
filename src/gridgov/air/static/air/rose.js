/* Station page: the pollution rose (polar stacked bars: mean per sector and speed band) and the
   CPF per sector, from the json_script data the page carries (air/rose_views.py). */
(function () {
  "use strict";
  var source = document.getElementById("rose-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var TOOLTIP = { trigger: "item", renderMode: "richText" };
  var labels = data.directions.map(function (d, i) { return data.zh[i] + "\n" + d; });
  var series = data.band_names.map(function (name, k) {
    return {
      type: "bar", coordinateSystem: "polar", stack: "rose", name: name,
      // Each band's part of the sector mean (its mean × its share of the sector's hours): the
      // stacked bar's length is the sector's mean.
      data: data.bands.map(function (bands, s) {
        var total = data.band_hours[s].reduce(function (a, b) { return a + b; }, 0);
        if (!total || bands[k] === null) { return 0; }
        return Math.round(bands[k] * data.band_hours[s][k] / total * 10) / 10;
      }),
    };
  });
  echarts.init(document.getElementById("rose-chart")).setOption({
    title: { text: "污染玫瑰图（扇区均值，按风速段分段，" + data.unit + "）", textStyle: { fontSize: 13 } },
    tooltip: TOOLTIP, legend: { bottom: 0 },
    angleAxis: { type: "category", data: labels, startAngle: 90 + 360 / 32 },
    radiusAxis: {}, polar: { radius: "65%" }, series: series,
  });
  echarts.init(document.getElementById("cpf-chart")).setOption({
    title: { text: "条件概率函数 CPF", textStyle: { fontSize: 13 } },
    tooltip: TOOLTIP,
    angleAxis: { type: "category", data: labels, startAngle: 90 + 360 / 32 },
    radiusAxis: { max: 1 }, polar: { radius: "65%" },
    series: [{ type: "bar", coordinateSystem: "polar", name: "CPF",
               data: data.cpf.map(function (v) { return v === null ? 0 : Math.round(v * 100) / 100; }) }],
  });
})();
