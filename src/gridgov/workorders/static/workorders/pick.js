/* Pick an event's place on the grid map (no tiles); show its grid and any open events of the
   same category nearby (possible duplicates). */
(function () {
  "use strict";
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var category = document.getElementById("id_category");
  var el = document.getElementById("pick-map");
  var gridText = document.getElementById("pick-grid");
  var dups = document.getElementById("dups");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var marker = null;
  function esc(t) {
    return String(t == null ? "" : t).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
  }
  function check() {
    if (!lat.value || !lon.value) { return; }
    var here = [parseFloat(lat.value), parseFloat(lon.value)];
    if (marker) { marker.setLatLng(here); } else { marker = L.marker(here).addTo(map); }
    getJSON("/api/v1/locate?lat=" + here[0] + "&lon=" + here[1]).then(function (r) {
      if (!r) { return; }
      gridText.textContent = r.inside ? r.chain.map(function (c) { return c.name; }).join(" › ") : "✗";
    });
    if (!category.value) { return; }
    getJSON("/api/v1/events/duplicates?category=" + encodeURIComponent(category.value) + "&lat=" + here[0] + "&lon=" + here[1])
      .then(function (list) {
        var ul = dups.querySelector("ul");
        ul.innerHTML = "";
        (list || []).forEach(function (d) {
          var li = document.createElement("li");
          li.innerHTML = esc(d.reference) + " " + esc(d.title) + " <small>" + Math.round(d.distance_m) + " m</small>";
          ul.appendChild(li);
        });
        dups.hidden = !(list && list.length);
      });
  }
  getJSON("/api/v1/grids.geojson").then(function (geo) {
    if (geo && geo.features && geo.features.length) {
      var grids = L.geoJSON(geo, { style: { color: "#7b8a99", weight: 0.6, fillColor: "#fff", fillOpacity: 0.7 } }).addTo(map);
      map.fitBounds(grids.getBounds());
    } else { (function () { if (window.GridgovBasemap) { window.GridgovBasemap.fitHome(map); } else { map.setView([35, 113], 10); } })(); }
    check();
  });
  map.on("click", function (e) {
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    check();
  });
  [lat, lon, category].forEach(function (input) { input.addEventListener("change", check); });
})();
