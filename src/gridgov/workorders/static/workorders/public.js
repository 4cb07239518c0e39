/* The public report page: pick the place on the map (the base layer: tiles when configured,
   else the streets and communities with their names) or use the phone's location. */
(function () {
  "use strict";
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var where = document.getElementById("where");
  var map = L.map("public-map", { attributionControl: false, zoomSnap: 0.25 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var marker = null;
  function put(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    if (marker) { marker.setLatLng([la, lo]); } else { marker = L.marker([la, lo]).addTo(map); }
    where.textContent = lat.value + ", " + lon.value;
  }
  fetch("/report/area.geojson").then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
    if (geo && geo.features && geo.features.length) {
      var area = L.geoJSON(geo, { style: { color: "#7b8a99", weight: 0.8, fillColor: "#fff", fillOpacity: 0.35 } }).addTo(map);
      map.fitBounds(area.getBounds());
    } else { map.setView([35, 113], 10); }
    if (lat.value && lon.value) { put(parseFloat(lat.value), parseFloat(lon.value)); }
  });
  map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      put(pos.coords.latitude, pos.coords.longitude);
      map.setView([pos.coords.latitude, pos.coords.longitude], 15);
    });
  });
})();
