/* One inspection on the map: the source's geometry (red) and where the inspector stood (blue),
   with the position's accuracy as a circle. Data from the json_script block. */
(function () {
  "use strict";
  var block = document.getElementById("inspection-map");
  if (!block || !window.L) { return; }
  var d = JSON.parse(block.textContent);
  var map = L.map("map", { attributionControl: false });
  var source = L.geoJSON(d.source, {
    style: { color: "#d7301f", weight: 3, fillOpacity: 0.2 },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 8, color: "#d7301f", fillColor: "#d7301f", fillOpacity: 0.8 });
    },
  });
  var here = L.circleMarker(d.inspector, { radius: 7, color: "#1f5fbf", fillColor: "#1f5fbf", fillOpacity: 0.9 });
  // The view first (a circle in metres needs a map to measure its bounds), then the layers.
  var bounds = source.getBounds().extend(here.getLatLng());
  map.fitBounds(bounds.pad(0.4), { maxZoom: 18 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  source.addTo(map);
  here.addTo(map);
  if (d.accuracy) {
    L.circle(d.inspector, { radius: d.accuracy, color: "#1f5fbf", weight: 1, fillOpacity: 0.08 }).addTo(map);
  }
})();
