/* A map with one pin for saying where something is (the public report page and the grid
   worker's report). Tap the map or drag the pin; the form's latitude and longitude follow it,
   and the place is said in words under the map (community and grid, or "not in this district")
   from /report/where, which also returns the outlines of that community's grids: there are no
   tiles on an intranet, so those outlines are what the map shows when it zooms in on the pin.

   window.GridgovPinMap.create({ map: element, lat: input, lon: input, place: element,
                                 text: { finding, outside, unknown } })
   returns { put(lat, lon, fit), locate(onError) }. */
(function () {
  "use strict";
  var WHERE = "/report/where";
  var MAX_ZOOM = 17;  // past this the outlines of a grid fill the whole map: nothing to see

  function create(options) {
    var T = options.text || {};
    var lat = options.lat, lon = options.lon, place = options.place;
    var map = L.map(options.map, { attributionControl: false, zoomSnap: 0.25, maxZoom: MAX_ZOOM });
    var area = null;  // the district's extent, once the base layer is in
    if (window.GridgovBasemap) {
      window.GridgovBasemap.attach(map).ready.then(function (geo) {
        var bounds = geo && geo.features && geo.features.length ? L.geoJSON(geo).getBounds() : null;
        area = bounds && bounds.isValid() ? bounds : null;
      });
    } else { map.setView([35, 113], 10); }
    var outlines = L.geoJSON(null, {
      interactive: false,
      style: function () { return { color: "#5c6b7a", weight: 1, dashArray: "3 3", fillColor: "#fff", fillOpacity: 0.25 }; },
    }).addTo(map);
    var drawn = {};  // grid code → its layer
    var marker = null, asked = 0;

    function say(text, kind) {
      place.textContent = text;
      place.classList.toggle("outside", kind === "outside");
      place.classList.toggle("found", kind === "found");
    }

    function highlight(code) {
      Object.keys(drawn).forEach(function (c) {
        drawn[c].setStyle(c === code
          ? { color: "#b8281e", weight: 2.5, dashArray: null, fillColor: "#b8281e", fillOpacity: 0.08 }
          : { color: "#5c6b7a", weight: 1, dashArray: "3 3", fillColor: "#fff", fillOpacity: 0.25 });
      });
    }

    function describe(la, lo, fit) {
      var mine = ++asked;
      say(T.finding || "…", "");
      fetch(WHERE + "?lat=" + la.toFixed(6) + "&lon=" + lo.toFixed(6))
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; })
        .then(function (r) {
          if (mine !== asked) { return; }  // the pin moved again meanwhile
          if (!r) { say(T.unknown || "", ""); return; }
          if (!r.inside) {
            say(r.text || T.outside || "", "outside");
            // Show the pin with the district, so that it is clear how far off it is.
            if (fit && area) { map.fitBounds(L.latLngBounds(area.getSouthWest(), area.getNorthEast()).extend([la, lo]), { paddingTopLeft: [16, 48], paddingBottomRight: [16, 16] }); }
            else if (fit) { map.setView([la, lo], Math.min(map.getZoom(), 13)); }
            return;
          }
          say(r.text, "found");
          (r.grids && r.grids.features || []).forEach(function (f) {
            if (drawn[f.properties.code]) { return; }
            outlines.addData(f);
            var layers = outlines.getLayers();
            drawn[f.properties.code] = layers[layers.length - 1];
          });
          highlight(r.grid_code);
          if (fit) {
            var grid = drawn[r.grid_code];
            var bounds = grid ? grid.getBounds() : null;
            if (bounds && bounds.isValid()) {
              // A copy: a polygon's getBounds() is its own, and extend() would change it.
              var view = L.latLngBounds(bounds.getSouthWest(), bounds.getNorthEast()).extend([la, lo]);
              map.fitBounds(view, { maxZoom: MAX_ZOOM - 1, paddingTopLeft: [16, 48], paddingBottomRight: [16, 16] });
            } else {
              map.setView([la, lo], 15);
            }
          }
        });
    }

    // Where the pin is: the inputs, the marker, the words. `fit`: zoom onto the grid too.
    function put(la, lo, fit) {
      lat.value = la.toFixed(6);
      lon.value = lo.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      if (marker) { marker.setLatLng([la, lo]); }
      else {
        marker = L.marker([la, lo], { draggable: true, autoPan: true, title: T.drag || "", alt: T.drag || "" }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          put(p.lat, p.lng, false);
        });
      }
      describe(la, lo, fit);
    }

    map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng, false); });

    // The phone's position; onError(message) when it cannot be had.
    function locate(onFound, onError) {
      if (!navigator.geolocation) { if (onError) { onError(); } return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        put(pos.coords.latitude, pos.coords.longitude, true);
        if (onFound) { onFound(pos); }
      }, function () { if (onError) { onError(); } },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }

    if (lat.value && lon.value && !isNaN(parseFloat(lat.value)) && !isNaN(parseFloat(lon.value))) {
      put(parseFloat(lat.value), parseFloat(lon.value), true);  // a form shown again with its errors
    }
    return { map: map, put: put, locate: locate, hasPin: function () { return !!marker; } };
  }

  window.GridgovPinMap = { create: create };
})();
