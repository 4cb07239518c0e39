/* The alarm order's back-trace map: the station, the path (red) and its cone, with the vendored
   Leaflet over the platform's basemap (no tiles). Data from json_script "trace-data". */
(function () {
  "use strict";
  var el = document.getElementById("trace-map");
  var node = document.getElementById("trace-data");
  if (!el || !node || !window.L) { return; }
  var data = JSON.parse(node.textContent);
  var map = L.map(el, { zoomSnap: 0.5, preferCanvas: true }).setView(data.station, 12);
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var cone = L.geoJSON(data.cone, {
    style: { color: "#e08a1e", weight: 1, fillColor: "#f3c98b", fillOpacity: 0.35 }
  }).addTo(map);
  L.geoJSON(data.path, { style: { color: "#c0392b", weight: 3 } }).addTo(map);
  L.circleMarker(data.station, { radius: 7, color: "#333", weight: 2, fillColor: "#2f6fb0", fillOpacity: 0.9 }).addTo(map);
  var bounds = cone.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { maxZoom: 15, animate: false }); }
  el.dataset.centre = [map.getCenter().lat.toFixed(5), map.getCenter().lng.toFixed(5)].join(",");
})();
