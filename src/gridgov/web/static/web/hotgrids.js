/* The hot-grid surface (热点网格), one drawing for the station map and the overview map:
   every grid's polygon filled in the AQI colour of its estimated period mean, the worst N
   outlined, a tooltip with its rank, and a legend shown while the layer is on. The text comes
   from air/hotspots.map_text (json_script); the grids from the overview's map data or from the
   station map's join of /api/v1/grids.geojson and /api/v1/air/hotspots.

   GridgovHotGrids.draw(group, grids, text): grids are {geometry, name, mean, rank, colour,
     hours_above, hot?}; `hot` defaults to rank <= text.worst.
   GridgovHotGrids.legend(map, group, text): the legend control, on the map while the group is;
     legend.period("2026-12-01 – 2026-12-06") writes the period under its title. */
(function () {
  "use strict";

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function isHot(g, text) {
    return g.hot !== undefined ? !!g.hot : (g.rank != null && g.rank <= text.worst);
  }

  function draw(group, grids, text) {
    group.clearLayers();
    // The outlined worst last, so that their heavy frames lie above their neighbours' fills.
    var ordered = grids.filter(function (g) { return g.colour && g.geometry; })
      .sort(function (a, b) { return (isHot(a, text) ? 1 : 0) - (isHot(b, text) ? 1 : 0); });
    ordered.forEach(function (g) {
      var hot = isHot(g, text);
      L.geoJSON(g.geometry, {
        style: {
          color: hot ? "#222" : "#555", weight: hot ? 2.5 : 0.4,
          fillColor: g.colour, fillOpacity: 0.55,
        },
      }).bindTooltip("<b>" + esc(g.name) + "</b><br>" + esc(text.rank) + " " + esc(g.rank) + " · " +
        esc(text.pollutant) + " " + esc(g.mean) + " µg/m³<br>" + esc(text.above) + " " +
        esc(g.hours_above)).addTo(group);
    });
    return ordered.length;
  }

  function legend(map, group, text) {
    var control = L.control({ position: "bottomright" });
    var periodNode = null;
    // Built node by node and coloured through the DOM: the Content-Security-Policy refuses
    // style attributes in markup.
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "hot-legend");
      L.DomUtil.create("b", "", box).textContent = text.label;
      periodNode = L.DomUtil.create("div", "hot-period", box);
      periodNode.textContent = control.periodText || "";
      L.DomUtil.create("small", "", box).textContent = text.legend;
      var list = L.DomUtil.create("ul", "", box);
      text.levels.forEach(function (l) {
        var row = L.DomUtil.create("li", "", list);
        L.DomUtil.create("span", "swatch", row).style.backgroundColor = l.colour;
        row.appendChild(document.createTextNode(l.name));
      });
      var hot = L.DomUtil.create("li", "", list);
      L.DomUtil.create("span", "swatch swatch-hot", hot);
      hot.appendChild(document.createTextNode(text.worst_label));
      return box;
    };
    control.period = function (value) {
      control.periodText = value;
      if (periodNode) { periodNode.textContent = value; }
    };
    map.on("overlayadd", function (e) { if (e.layer === group) { control.addTo(map); } });
    map.on("overlayremove", function (e) { if (e.layer === group) { control.remove(); } });
    if (map.hasLayer(group)) { control.addTo(map); }
    return control;
  }

  window.GridgovHotGrids = { draw: draw, legend: legend };
})();
