/* Live station map: every visible station as a dot in its AQI level's colour (HJ 633),
   refreshed every minute; grid outlines underneath for orientation. */
(function () {
  "use strict";
  var map = L.map("map", { preferCanvas: true, attributionControl: false });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var markers = L.layerGroup().addTo(map);
  var fitted = false;
  var DEVICE_TEXT = JSON.parse(document.getElementById("device-text").textContent);

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
      return r.json();
    });
  }

  var HOT = JSON.parse(document.getElementById("hotspot-text").textContent);
  var gridsLoaded = getJSON("/api/v1/grids.geojson");
  gridsLoaded.then(function (grids) {
    var outline = L.geoJSON(grids, {
      style: { color: "#9aa7b4", weight: 0.5, fillColor: "#f4f6f8", fillOpacity: 0.6 },
      interactive: false,
    }).addTo(map);
    outline.bringToBack();
    if (grids.features.length && !fitted) { map.fitBounds(outline.getBounds()); fitted = true; }
  });

  /* Hot grids (热点网格): every grid's polygon filled in the AQI colour of its estimated
     period mean (/api/v1/air/hotspots, the default period), a surface under the dots; drawn
     by web/hotgrids.js, as on the overview. */
  var hotLayer = L.layerGroup();
  L.control.layers(null, (function () { var o = {}; o[HOT.label] = hotLayer; return o; })(),
    { collapsed: false }).addTo(map);
  var hotLegend = window.GridgovHotGrids.legend(map, hotLayer, HOT);
  Promise.all([gridsLoaded, getJSON("/api/v1/air/hotspots?pollutant=pm25")]).then(function (both) {
    var shapes = {};
    both[0].features.forEach(function (f) { shapes[f.properties.code] = f.geometry; });
    var grids = both[1].grids.map(function (g) {
      return Object.assign({ geometry: shapes[g.code] }, g);
    });
    window.GridgovHotGrids.draw(hotLayer, grids, HOT);
    var period = both[1].from + " – " + both[1].to;
    document.getElementById("hot-period").textContent = period;
    hotLegend.period(period);
  });

  function refresh() {
    getJSON("/api/v1/air/latest").then(function (stations) {
      markers.clearLayers();
      var inDistrict = [];
      stations.forEach(function (s) {
        var colour = s.colour || "#bbbbbb";
        var micro = s.kind === "micro" || s.kind === "mobile";
        var offline = s.device === "offline";
        var m = L.circleMarker([s.lat, s.lon], {
          radius: micro ? 6 : 10, color: offline ? "#c0392b" : (micro ? "#555" : "#000"),
          weight: offline ? 2 : (micro ? 1 : 2), dashArray: offline ? "3 3" : null,
          fillColor: colour, fillOpacity: offline ? 0.45 : 0.9,
        });
        var device = s.device === "online" ? DEVICE_TEXT.online : (offline ? DEVICE_TEXT.offline : "");
        m.bindTooltip("<b>" + esc(s.name) + "</b><br>AQI " + (s.aqi == null ? "—" : s.aqi) +
          " " + esc(s.category) + (s.primary_pollutants.length ? "<br>" +
          esc(s.primary_pollutants.join(" ")) : "") + (device ? "<br>" + esc(device) : "") +
          "<br><small>" + esc(s.time || "") + "</small>");
        m.on("click", function () { window.location = "/air/station/" + encodeURIComponent(s.code) + "/"; });
        m.addTo(markers);
        inDistrict.push(m);
      });
      if (!fitted && inDistrict.length) {
        map.fitBounds(L.featureGroup(inDistrict).getBounds(), { padding: [20, 20], maxZoom: 14 }); fitted = true;
      }
      var sorted = stations.slice().sort(function (a, b) { return (b.aqi || -1) - (a.aqi || -1); });
      document.getElementById("station-list").innerHTML = sorted.slice(0, 200).map(function (s) {
        return '<li><span class="chip aqi-' + (s.level || 0) + '">' +
          (s.aqi == null ? "—" : s.aqi) + '</span><a href="/air/station/' + encodeURIComponent(s.code) +
          '/">' + esc(s.name) + "</a></li>";
      }).join("");
      var newest = stations.map(function (s) { return s.time || ""; }).sort().pop();
      document.getElementById("updated").textContent = newest ? newest.replace("T", " ").slice(0, 16) : "";
    });
  }
  refresh();
  setInterval(refresh, 60000);
  // No view yet: the base layer fits the map to the viewer's unit when its outlines arrive.
  if (!window.GridgovBasemap) { map.setView([35.21, 113.24], 11); }
})();
