/* The desk: select-all for bulk actions, and the map of open orders over the grids and the base layer. */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
    });
  }
  var el = document.getElementById("orders-map");
  if (!el || !window.L) { return; }
  var points = JSON.parse(document.getElementById("open-points").textContent);
  var COLOURS = { red: "#d7301f", yellow: "#f0a400", normal: "#2f7ed8" };
  var map = L.map(el, { preferCanvas: true, attributionControl: false, zoomSnap: 0.25 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (geo && geo.features && geo.features.length) {
        var grids = L.geoJSON(geo, { style: { color: "#9aa7b4", weight: 0.6, fillColor: "#ffffff", fillOpacity: 0.6 } }).addTo(map);
        grids.bringToBack();
        if (!points.length && !window.GridgovBasemap) { map.fitBounds(grids.getBounds()); }
      }
    });
  var markers = points.map(function (p) {
    return L.circleMarker([p.lat, p.lon], {
      radius: p.urgency === "normal" ? 5 : 7, color: "#fff", weight: 1,
      fillColor: COLOURS[p.urgency] || COLOURS.normal, fillOpacity: 0.9,
    }).bindPopup('<a href="/orders/' + p.id + '/">' + esc(p.ref) + "</a><br>" + esc(p.title) + "<br>" + esc(p.state));
  });
  var group = L.featureGroup(markers).addTo(map);
  // A few orders would zoom the map onto one street corner: show the viewer's unit instead.
  if (points.length >= 3) { map.fitBounds(group.getBounds().pad(0.1), { maxZoom: 15 }); }
  else if (window.GridgovBasemap) { window.GridgovBasemap.fitHome(map); }
  else if (points.length) { map.fitBounds(group.getBounds().pad(0.1), { maxZoom: 15 }); }
  else { map.setView([35, 113], 10); }
})();
