/* The source form's map: click to set the point (lat/lon inputs); a line or area typed as
   GeoJSON is drawn as it is edited. */
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var text = document.getElementById("id_geometry");
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var marker = null, drawn = null, placed = false;
  function point() {
    if (!lat || !lat.value || !lon || !lon.value) { return null; }
    var here = [parseFloat(lat.value), parseFloat(lon.value)];
    return isFinite(here[0]) && isFinite(here[1]) ? here : null;
  }
  function showPoint() {
    var here = point();
    if (!here) { return; }
    if (marker) { marker.setLatLng(here); } else { marker = L.marker(here).addTo(map); }
    if (!placed) { map.setView(here, 14); placed = true; }
  }
  function showGeometry() {
    if (!text) { return; }
    if (drawn) { map.removeLayer(drawn); drawn = null; }
    var value = text.value.trim();
    if (!value) { return; }
    try {
      drawn = L.geoJSON(JSON.parse(value), { style: { color: "#b8281e", weight: 3, fillOpacity: 0.25 } }).addTo(map);
      if (drawn.getBounds().isValid()) { map.fitBounds(drawn.getBounds().pad(0.2)); placed = true; }
    } catch (e) { drawn = null; }
  }
  fetch("/api/v1/grids.geojson", { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (geo) {
      if (geo && geo.features && geo.features.length) {
        var grids = L.geoJSON(geo, { style: { color: "#7b8a99", weight: 0.6, fillColor: "#fff", fillOpacity: 0.7 } }).addTo(map);
        grids.bringToBack();
        if (!placed) { map.fitBounds(grids.getBounds()); }
      } else if (!placed) { (function () { if (window.GridgovBasemap) { window.GridgovBasemap.fitHome(map); } else { map.setView([35, 113], 10); } })(); }
    });
  showGeometry();
  showPoint();
  if (!placed) { map.setView([35, 113], 10); }
  if (lat && lon) {
    map.on("click", function (e) {
      lat.value = e.latlng.lat.toFixed(6);
      lon.value = e.latlng.lng.toFixed(6);
      showPoint();
    });
    [lat, lon].forEach(function (input) { input.addEventListener("change", showPoint); });
  }
  if (text) { text.addEventListener("change", showGeometry); }
})();
