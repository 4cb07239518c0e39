/* The overview's map (and, on the wall, its refresh): one Leaflet map with switchable layers fed
   by GET /api/v1/overview/map?layers=…; the grids' polygons and the sources are fetched only
   when their layer is switched on. On the wall (body[data-refresh]) the figures are fetched from
   GET /api/v1/overview every data-refresh seconds and written into [data-k] elements; the map's
   station and order layers are refreshed in place, never by reloading the page. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("overview-config").textContent);
  var labels = JSON.parse(document.getElementById("overview-labels").textContent);
  var el = document.getElementById("overview-map");
  var map = null;
  var groups = {};

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function link(text, url) {
    var a = document.createElement("a");
    a.href = url; a.textContent = text;
    return a;
  }

  function fill(name, data) {
    var g = groups[name];
    g.clearLayers();
    if (name === "grids") {
      data.grids.forEach(function (f) {
        L.geoJSON(f.geometry, { style: { color: "#2f6fb0", weight: 1, fillOpacity: 0.04 } })
          .bindTooltip(f.name).addTo(g);
      });
    } else if (name === "stations") {
      data.stations.forEach(function (s) {
        L.circleMarker([s.lat, s.lon], {
          radius: 7, color: "#333", weight: 1, fillColor: s.colour || "#999", fillOpacity: 0.9
        }).bindPopup(link(s.name + " AQI " + (s.aqi === null ? "—" : s.aqi), s.url)).addTo(g);
      });
    } else if (name === "orders") {
      data.orders.forEach(function (o) {
        L.circleMarker([o.lat, o.lon], {
          radius: o.overdue ? 5 : 3, color: o.overdue ? "#c0392b" : "#1f5fa8", weight: 1, fillOpacity: 0.5
        }).bindPopup(link(o.reference + " " + o.title + (o.overdue ? " · " + labels.overdue : ""), o.url)).addTo(g);
      });
    } else if (name === "sources") {
      data.sources.forEach(function (s) {
        L.circleMarker([s.lat, s.lon], { radius: 4, color: "#7a4b00", weight: 1, fillOpacity: 0.6 })
          .bindPopup(link(s.category_label + " · " + s.name, s.url)).addTo(g);
      });
    } else if (name === "projects") {
      data.projects.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], { radius: 5, color: p.overdue ? "#c0392b" : "#6a3d9a", weight: p.overdue ? 2 : 1, fillOpacity: 0.6 })
          .bindPopup(link(p.code + " " + p.name + " · " + p.status_label + (p.overdue ? " · " + labels.overdue : ""), p.url)).addTo(g);
      });
    }
  }

  function load(names) {
    if (!names.length) { return Promise.resolve(); }
    return get(config.url + "?layers=" + names.join(",")).then(function (data) {
      // Orders first, so that the stations' colours are drawn above them.
      names.slice().sort(function (a, b) { return a === "stations" ? 1 : b === "stations" ? -1 : 0; }).forEach(function (n) {
        fill(n, data);
        groups[n].loaded = true;
        el.setAttribute("data-" + n, String(data[n].length));  // what each layer drew
      });
      var bounds = groups.stations.getBounds ? groups.stations.getBounds() : null;
      if (!map.fitted && bounds && bounds.isValid()) {
        map.invalidateSize();  // the panel may have grown since the map was made
        map.fitBounds(bounds.pad(0.1));
        map.fitted = true;
      }
    }).catch(function () { el.setAttribute("data-error", labels.failed); });
  }

  if (el && window.L) {
    map = L.map(el, { preferCanvas: true, zoomControl: true, zoomSnap: 0.5 }).setView([35.2, 113.2], 11);
    if (window.GridgovBasemap) { window.GridgovBasemap.attach(map); }
    var overlays = {};
    ["grids", "stations", "orders", "sources", "projects"].forEach(function (n) {
      groups[n] = L.featureGroup();
      overlays[labels[n]] = groups[n];
    });
    groups.stations.addTo(map);
    groups.orders.addTo(map);
    L.control.layers(null, overlays, { collapsed: el.clientWidth < 500 }).addTo(map);
    map.on("overlayadd", function (e) {
      Object.keys(groups).forEach(function (n) {
        if (groups[n] === e.layer && !groups[n].loaded) { load([n]); }
      });
    });
    load(["stations", "orders"]);
  }

  // --- the wall's refresh --------------------------------------------------------------------
  var every = parseInt(document.body.getAttribute("data-refresh") || "0", 10);

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v === null || v === undefined ? v : v[k]; }, data);
  }

  function render(data) {
    document.querySelectorAll("[data-k]").forEach(function (node) {
      var v = pick(data, node.getAttribute("data-k"));
      node.textContent = v === null || v === undefined ? "—" : v;
    });
    document.querySelectorAll("[data-lvl]").forEach(function (node) {
      var v = pick(data, node.getAttribute("data-lvl"));
      node.className = node.className.replace(/\blvl-\d\b/, "") + " lvl-" + (v || 0);
    });
    document.querySelectorAll("template[data-list]").forEach(function (tpl) {
      var list = pick(data, tpl.getAttribute("data-list")) || [];
      var max = parseInt(tpl.getAttribute("data-max") || "99", 10);
      var target = document.getElementById(tpl.getAttribute("data-into"));
      var rows = [];
      list.slice(0, max).forEach(function (item) {
        var row = tpl.content.firstElementChild.cloneNode(true);
        row.querySelectorAll("[data-f]").forEach(function (n) {
          var v = item[n.getAttribute("data-f")];
          n.textContent = v === null || v === undefined ? "—" : v;
        });
        row.querySelectorAll("[data-href]").forEach(function (n) { n.href = item[n.getAttribute("data-href")]; });
        row.querySelectorAll("[data-flvl]").forEach(function (n) { n.className += " lvl-" + (item[n.getAttribute("data-flvl")] || 0); });
        rows.push(row);
      });
      target.replaceChildren.apply(target, rows);
    });
  }

  function tick() {
    var clock = document.getElementById("clock");
    if (clock) {
      var d = new Date();
      function two(n) { return (n < 10 ? "0" : "") + n; }
      clock.textContent = d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
        two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
    }
  }

  if (every > 0) {
    tick();
    setInterval(tick, 1000);
    setInterval(function () {
      get(config.api).then(function (data) {
        render(data);
        document.body.setAttribute("data-refreshed", data.generated_at);
      }).catch(function () { /* keep the last figures; the next round tries again */ });
      if (map) { load(["stations", "orders"].filter(function (n) { return map.hasLayer(groups[n]); })); }
    }, every * 1000);
  }
  window.GridgovOverview = { render: render };
})();
