/* The base layer of every map: window.GridgovBasemap.attach(map, options).

   With a tile server configured (GRIDGOV_TILES_URL, passed in the page's "gridgov-basemap"
   json block) it adds the tiles with their attribution and outlines the streets on top; with
   none, it draws the streets and communities from our own boundaries (/map/boundaries.geojson)
   with their names at a point inside each, sized by zoom, so a map is never a blank page.

   A map that has no view once the boundaries are in fits to the viewer's own unit (the deepest
   region of the viewer's scope that has an outline; the whole area for the public and the
   command office). GridgovBasemap.fitHome(map) does that on demand, for maps with few features.

   Options: { labels: false } draws no names; { outlines: false } draws nothing of ours. */
(function () {
  "use strict";
  var block = document.getElementById("gridgov-basemap");
  var config = block ? JSON.parse(block.textContent) : {};
  var loading = null;

  function boundaries() {
    if (!loading) {
      loading = fetch(config.boundaries || "/map/boundaries.geojson", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .catch(function () { return { features: [] }; });
    }
    return loading;
  }

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function homeFeatures(geo) {
    var byId = {};
    geo.features.forEach(function (f) { byId[f.properties.id] = f; });
    var chosen = [];
    (config.home || []).forEach(function (ids) {
      for (var i = ids.length - 1; i >= 0; i -= 1) {
        if (byId[ids[i]]) { chosen.push(byId[ids[i]]); return; }
      }
    });
    if (!chosen.length) {
      chosen = geo.features.filter(function (f) { return f.properties.level === "street"; });
    }
    return chosen.length ? chosen : geo.features;
  }

  function homeBounds(geo) {
    var features = homeFeatures(geo);
    if (!features.length) { return null; }
    var bounds = L.geoJSON({ type: "FeatureCollection", features: features }).getBounds();
    return bounds.isValid() ? bounds : null;
  }

  function fitHome(map) {
    return boundaries().then(function (geo) {
      var bounds = homeBounds(geo);
      if (bounds) { map.fitBounds(bounds, { padding: [8, 8] }); }
      else if (!map._loaded) { map.setView([35, 113], 10); }
      return bounds;
    });
  }

  function zoomClass(map) {
    var z = map.getZoom(), el = map.getContainer();
    el.classList.remove("basemap-far", "basemap-mid", "basemap-near");
    el.classList.add(z < 12 ? "basemap-far" : (z < 14 ? "basemap-mid" : "basemap-near"));
  }

  function pane(map, name, zIndex) {
    if (!map.getPane(name)) {
      var p = map.createPane(name);
      p.style.zIndex = String(zIndex);
      p.style.pointerEvents = "none";
    }
    return name;
  }

  function attach(map, options) {
    var opts = options || {};
    var tiles = config.tiles;
    if (tiles && tiles.url) {
      L.tileLayer(tiles.url, {
        subdomains: tiles.subdomains && tiles.subdomains.length ? tiles.subdomains : "abc",
        maxZoom: tiles.maxZoom || 18,
        attribution: esc(tiles.attribution || ""),
      }).addTo(map);
      if (!map.attributionControl) {
        map.attributionControl = L.control.attribution({ prefix: false }).addTo(map);
        if (tiles.attribution) { map.attributionControl.addAttribution(esc(tiles.attribution)); }
      }
    }
    var ready = boundaries().then(function (geo) {
      if (opts.outlines !== false && geo.features.length) {
        var outlines = pane(map, "basemap", 250);
        L.geoJSON(geo, {
          pane: outlines,
          interactive: false,
          style: function (f) {
            var street = f.properties.level === "street";
            if (tiles && tiles.url) {
              return street ? { color: "#b8281e", weight: 1.5, fill: false, dashArray: "6 4" } : { stroke: false, fill: false };
            }
            return street
              ? { color: "#5c6b7a", weight: 1.6, fillColor: "#f7f4ec", fillOpacity: 1 }
              : { color: "#a3afbb", weight: 0.8, dashArray: "4 3", fill: false };
          },
        }).addTo(map);
        if (!(tiles && tiles.url) && opts.labels !== false) {
          var labels = pane(map, "basemapLabels", 450);
          geo.features.forEach(function (f) {
            var p = f.properties;
            L.marker(p.label, {
              pane: labels,
              interactive: false,
              keyboard: false,
              icon: L.divIcon({
                className: "basemap-label basemap-" + p.level,
                html: "<span>" + esc(p.name) + "</span>",
                iconSize: null,
              }),
            }).addTo(map);
          });
        }
      }
      map.on("zoomend", function () { zoomClass(map); });
      if (!map._loaded) { return fitHome(map).then(function () { zoomClass(map); return geo; }); }
      zoomClass(map);
      return geo;
    });
    return { ready: ready, fitHome: function () { return fitHome(map); } };
  }

  window.GridgovBasemap = { attach: attach, fitHome: fitHome, config: config };
})();
