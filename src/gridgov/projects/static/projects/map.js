/* 项目地图 and the project page's map: Leaflet over the platform's basemap (no tiles). The
   points come from the page (json_script "project-points", or "project-point" for one). */
(function () {
  "use strict";
  var el = document.getElementById("project-map");
  if (!el || !window.L) { return; }
  var COLOURS = {
    applied: "#8da4c0", approved: "#2f6fb0", ongoing: "#e08a1e",
    acceptance: "#7b52b9", completed: "#3aa657", terminated: "#999999"
  };
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function link(text, url) {
    var a = document.createElement("a");
    a.href = url; a.textContent = text;
    return a;
  }
  var map = L.map(el, { zoomSnap: 0.5, preferCanvas: true }).setView([35.2, 113.2], 11);
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var one = data("project-point");
  if (one) {
    L.circleMarker([one.lat, one.lon], { radius: 8, color: "#c0392b", weight: 2, fillOpacity: 0.7 })
      .bindTooltip(one.name).addTo(map);
    map.setView([one.lat, one.lon], 14);
    return;
  }
  var labels = data("project-labels") || {};
  var points = data("project-points") || [];
  var group = L.featureGroup().addTo(map);
  points.forEach(function (p) {
    var text = p.code + " " + p.name + " · " + p.status_label + (p.overdue ? " · " + labels.overdue : "");
    L.circleMarker([p.lat, p.lon], {
      radius: 7, color: p.overdue ? "#c0392b" : "#333", weight: p.overdue ? 3 : 1,
      fillColor: COLOURS[p.status] || "#999", fillOpacity: 0.85
    }).bindPopup(link(text, p.url)).addTo(group);
  });
  var bounds = group.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.15), { maxZoom: 15 }); }
})();
