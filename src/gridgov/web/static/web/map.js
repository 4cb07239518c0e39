/* The grid map: draws the grids the account may see, colours them by kind, shows a grid's
   chain and responsible people on click, and searches grids and people. No tiles needed. */
(function () {
  "use strict";
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var COLOURS = { urban: "#2f7ed8", rural: "#3aa657", dedicated: "#e08a1e" };
  var map = L.map("map", { zoomSnap: 0.25, preferCanvas: true, attributionControl: false });
  if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
  var layersByCode = {};
  var selected = null;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function style(feature) {
    return {
      color: "#ffffff", weight: 0.8, fillOpacity: 0.55,
      fillColor: COLOURS[feature.properties.kind] || "#888888",
    };
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + r.statusText); }
        return r.json();
      });
  }

  function select(code) {
    var layer = layersByCode[code];
    if (selected) { selected.setStyle({ weight: 0.8, color: "#ffffff" }); }
    if (layer) {
      selected = layer;
      layer.setStyle({ weight: 3, color: "#c0392b" });
      layer.bringToFront();
    }
    showRegion(code);
  }

  function showRegion(code) {
    var panel = document.getElementById("detail");
    panel.innerHTML = "<p>" + esc(labels.loading) + "</p>";
    getJSON("/api/v1/regions/" + encodeURIComponent(code)).then(function (r) {
      var chain = r.chain.map(function (c) { return esc(c.name); }).join(" › ");
      var people = r.responsible.length ? r.responsible.map(function (p) {
        var post = document.documentElement.lang === "en" ? p.post_en : p.post;
        return "<li><b>" + esc(p.name) + "</b> " + esc(post) +
          ' <a href="tel:' + esc(p.phone) + '">' + esc(p.phone) + "</a>" +
          (p.region_code !== r.code ? " <small>" + esc(p.region_name) + "</small>" : "") + "</li>";
      }).join("") : "<li>" + esc(labels.none) + "</li>";
      panel.innerHTML =
        "<h2>" + esc(r.name) + "</h2>" +
        '<p class="code">' + esc(r.code) + (r.kind ? " · " + esc(labels.kinds[r.kind]) : "") +
        (r.area_km2 ? " · " + esc(labels.area) + " " + r.area_km2.toFixed(2) + " km²" : "") +
        " · " + esc(labels.version) + " " + r.version + "</p>" +
        "<h3>" + esc(labels.chain) + "</h3><p class=\"chain\">" + chain + "</p>" +
        "<h3>" + esc(labels.responsible) + "</h3><ul class=\"people\">" + people + "</ul>";
    }).catch(function (err) { panel.innerHTML = '<p class="error">' + esc(err.message) + "</p>"; });
  }

  getJSON("/api/v1/grids.geojson").then(function (data) {
    var layer = L.geoJSON(data, {
      style: style,
      onEachFeature: function (feature, lyr) {
        layersByCode[feature.properties.code] = lyr;
        lyr.bindTooltip(esc(feature.properties.name) + "<br><small>" +
          esc(feature.properties.street) + " · " + esc(feature.properties.community) + "</small>",
          { sticky: true });
        lyr.on("click", function () { select(feature.properties.code); });
      },
    }).addTo(map);
    if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
    else if (window.GridgovBasemap) { window.GridgovBasemap.fitHome(map); }
    else { map.setView([35.21, 113.24], 11); }
  }).catch(function (err) {
    document.getElementById("map").innerHTML = '<p class="error">' + esc(err.message) + "</p>";
  });

  var results = document.getElementById("results");
  // Searching happens as one types; Enter must not reload the page.
  document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); });
  var timer = null;
  document.getElementById("search").addEventListener("input", function (ev) {
    var q = ev.target.value.trim();
    clearTimeout(timer);
    if (!q) { results.hidden = true; return; }
    timer = setTimeout(function () {
      getJSON("/api/v1/search?q=" + encodeURIComponent(q)).then(function (hits) {
        results.hidden = false;
        if (!hits.length) { results.innerHTML = "<li>" + esc(labels.no_results) + "</li>"; return; }
        results.innerHTML = hits.map(function (h) {
          return '<li><button type="button" data-code="' + esc(h.code) + '">' +
            (h.kind === "person" ? "👤 " : "▦ ") + "<b>" + esc(h.name) + "</b> <small>" +
            esc(h.detail) + "</small></button></li>";
        }).join("");
      });
    }, 200);
  });
  results.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-code]");
    if (!button) { return; }
    var code = button.getAttribute("data-code");
    var layer = layersByCode[code];
    if (layer) { map.fitBounds(layer.getBounds(), { maxZoom: 15 }); }
    else {
      // A street or community: fit the grids that belong to it.
      var members = Object.keys(layersByCode).map(function (c) { return layersByCode[c]; })
        .filter(function (l) {
          var p = l.feature.properties;
          return p.parent_code === code || p.street_code === code;
        });
      if (members.length) { map.fitBounds(L.featureGroup(members).getBounds()); }
    }
    select(code);
    results.hidden = true;
  });
})();
