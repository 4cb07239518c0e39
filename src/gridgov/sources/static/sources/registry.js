/* The registry's map: the grids, then one toggleable layer per source category (points as
   circles, roads as lines, areas as polygons), each loaded from /api/v1/sources.geojson when
   first switched on. No tiles, no clustering: canvas rendering keeps a few hundred fast. */
(function () {
  "use strict";
  var el = document.getElementById("sources-map");
  if (!el || !window.L) { return; }
  var layers = JSON.parse(document.getElementById("source-layers").textContent);
  var map = L.map(el, { preferCanvas: true, attributionControl: false, zoomSnap: 0.25 });
  map.setView([35, 113], 10);
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var loaded = {};
  var fitted = false;
  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
  }
  getJSON("/api/v1/grids.geojson").then(function (geo) {
    if (geo && geo.features && geo.features.length) {
      var grids = L.geoJSON(geo, { style: { color: "#9aa7b4", weight: 0.6, fillColor: "#ffffff", fillOpacity: 0.6 } }).addTo(map);
      grids.bringToBack();
      map.fitBounds(grids.getBounds());  // the account's area, whatever the layers show
      fitted = true;
    }
  });
  function layerFor(spec) {
    var group = L.geoJSON(null, {
      style: function () { return { color: spec.colour, weight: 3, fillColor: spec.colour, fillOpacity: 0.3 }; },
      pointToLayer: function (feature, latlng) {
        var closed = feature.properties.status !== "active";
        return L.circleMarker(latlng, { radius: 5, color: "#fff", weight: 1, fillColor: spec.colour, fillOpacity: closed ? 0.35 : 0.9 });
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup('<a href="/sources/' + p.id + '/">' + esc(p.code) + "</a><br>" + esc(p.name));
      },
    });
    return group;
  }
  function show(spec, on) {
    if (!loaded[spec.code]) {
      loaded[spec.code] = layerFor(spec);
      getJSON(spec.url).then(function (geo) {
        if (!geo) { return; }
        loaded[spec.code].addData(geo);
        var bounds = loaded[spec.code].getBounds();
        if (!fitted && bounds.isValid()) { map.fitBounds(bounds.pad(0.1), { maxZoom: 14 }); }
      });
    }
    if (on) { loaded[spec.code].addTo(map); } else { map.removeLayer(loaded[spec.code]); }
  }
  var byCode = {};
  layers.forEach(function (spec) { byCode[spec.code] = spec; if (spec.on && spec.count) { show(spec, true); } });
  document.querySelectorAll("#layer-list input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () { show(byCode[box.getAttribute("data-layer")], box.checked); });
  });
})();
