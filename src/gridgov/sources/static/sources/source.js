/* A source's page: its geometry over the grids (no tiles). */
(function () {
  "use strict";
  var el = document.getElementById("source-map");
  if (!el || !window.L) { return; }
  var data = JSON.parse(document.getElementById("source-geometry").textContent);
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (geo && geo.features) {
        L.geoJSON(geo, { style: { color: "#9aa7b4", weight: 0.6, fillColor: "#ffffff", fillOpacity: 0.6 } }).addTo(map).bringToBack();
      }
    });
  var shape = L.geoJSON(data.geometry, {
    style: function (f) {  // lines and areas; a point keeps its marker's own look
      return f && f.geometry && f.geometry.type === "Point" ? {} : { color: data.colour, weight: 4, fillColor: data.colour, fillOpacity: 0.3 };
    },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: data.colour, fillOpacity: 0.9 }); },
  }).addTo(map);
  var bounds = shape.getBounds();
  if (data.geometry.type === "Point") { map.setView(bounds.getCenter(), 15); } else { map.fitBounds(bounds.pad(0.2)); }
})();
