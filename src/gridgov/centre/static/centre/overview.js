/* The overview's map (and, on the wall, its refresh): one Leaflet map with switchable layers fed
   by GET /api/v1/overview/map?layers=…; the grids' polygons, the hot grids (web/hotgrids.js)
   and the sources are fetched only when their layer is switched on. On the wall (body[data-refresh]) the figures are fetched from
   GET /api/v1/overview every data-refresh seconds and written into [data-k] elements; the map's
   station and order layers are refreshed in place, never by reloading the page. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("overview-config").textContent);
  var labels = JSON.parse(document.getElementById("overview-labels").textContent);
  var el = document.getElementById("overview-map");
  var map = null;
  var groups = {};
  var hotLegend = null;  // the hot grids' legend, on the map while their layer is

  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function link(text, url) {
    var a = document.createElement("a");
    a.href = url; a.textContent = text;
    return a;
  }

  // Grid names stay on the map (below the street) only where the grid is wide enough on the
  // screen for its name: zoomed out they would overlap, and hovering still names each grid.
  var gridLabels = [];
  var own = [];

  function shortName(name) {
    for (var i = 0; i < own.length; i += 1) {
      if (name.indexOf(own[i]) === 0 && name.length > own[i].length) { return name.slice(own[i].length); }
    }
    return name;
  }

  function placeLabels() {
    gridLabels.forEach(function (item) {
      var b = item.bounds;
      var width = map.latLngToLayerPoint(b.getNorthEast()).x - map.latLngToLayerPoint(b.getSouthWest()).x;
      var tip = item.layer.getTooltip();
      if (tip) { tip.setOpacity(width >= item.text.length * 13 + 10 ? 1 : 0); }
    });
  }

  function fill(name, data) {
    var g = groups[name];
    g.clearLayers();
    if (name === "units") {
      own = data.units.map(function (f) { return f.name; });
      data.units.forEach(function (f) {
        L.geoJSON(f.geometry, { interactive: false, style: { color: "#b8281e", weight: 2.5, fill: false } }).addTo(g);
      });
    } else if (name === "grids") {
      gridLabels = [];
      data.grids.forEach(function (f) {
        var layer = L.geoJSON(f.geometry, { style: { color: "#2f6fb0", weight: 1, fillOpacity: 0.04 } });
        if (config.local) {
          var text = shortName(f.name);
          layer.bindTooltip(text, { permanent: true, direction: "center", className: "grid-label", opacity: 0 });
          gridLabels.push({ layer: layer, bounds: layer.getBounds(), text: text });
        } else {
          layer.bindTooltip(f.name);
        }
        layer.addTo(g);
      });
      if (map) { placeLabels(); }
    } else if (name === "hotspots") {
      // 热点网格: the same surface as the station map's (web/hotgrids.js).
      window.GridgovHotGrids.draw(g, data.hotspots, labels.hot);
      var p = data.hotspot_period;
      if (p && hotLegend) { hotLegend.period(p.from + " – " + p.to); }
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
      // The own units first (the grids' names are shortened by them); orders before the
      // stations, so that the stations' colours are drawn above them.
      var rank = { units: 0, grids: 1, hotspots: 1, orders: 2, sources: 2, projects: 2, stations: 3 };
      names.slice().sort(function (a, b) { return rank[a] - rank[b]; }).forEach(function (n) {
        fill(n, data);
        groups[n].loaded = true;
        el.setAttribute("data-" + n, String(data[n].length));  // what each layer drew
      });
      // Framed by the viewer's own unit; without an outline, by its stations (never closer
      // than a neighbourhood: one station alone is a point).
      var frame = groups.units.getLayers().length ? groups.units : groups.stations;
      var bounds = frame.getBounds ? frame.getBounds() : null;
      if (!map.fitted && bounds && bounds.isValid()) {
        map.invalidateSize();  // the panel may have grown since the map was made
        map.fitBounds(bounds.pad(0.05), { maxZoom: 16 });
        map.fitted = true;
        placeLabels();
      }
    }).catch(function () { el.setAttribute("data-error", labels.failed); });
  }

  if (el && window.L) {
    // A zoom range of its own: with no tile layer Leaflet's is unbounded, and fitting one
    // station zoomed in without end (the outlines vanished and "+" was disabled).
    map = L.map(el, { preferCanvas: true, zoomControl: true, zoomSnap: 0.5, minZoom: 8, maxZoom: 18 }).setView([35.2, 113.2], 11);
    // Below the street the grids carry the names; the base layer's community names would crowd them.
    if (window.GridgovBasemap) { window.GridgovBasemap.attach(map, config.local ? { labels: false } : undefined); }
    var overlays = {};
    groups.units = L.featureGroup();
    var names = ["grids", "stations", "orders", "sources", "projects"];
    if (window.GridgovHotGrids && labels.hot) { names.splice(1, 0, "hotspots"); }
    names.forEach(function (n) {
      groups[n] = L.featureGroup();
      overlays[labels[n]] = groups[n];
    });
    if (groups.hotspots) { hotLegend = window.GridgovHotGrids.legend(map, groups.hotspots, labels.hot); }
    groups.units.addTo(map);
    if (config.local) { groups.grids.addTo(map); }
    groups.stations.addTo(map);
    groups.orders.addTo(map);
    map.on("zoomend", placeLabels);
    L.control.layers(null, overlays, { collapsed: el.clientWidth < 500 }).addTo(map);
    map.on("overlayadd", function (e) {
      Object.keys(groups).forEach(function (n) {
        if (groups[n] === e.layer && !groups[n].loaded) { load([n]); }
      });
    });
    load(config.local ? ["units", "grids", "stations", "orders"] : ["units", "stations", "orders"]);
  }

  // --- the wall's refresh --------------------------------------------------------------------
  var every = parseInt(document.body.getAttribute("data-refresh") || "0", 10);

  function pick(data, path) {
    return path.split(".").reduce(function (v, k) { return v === null || v === undefined ? v : v[k]; }, data);
  }

  function text(v) { return v === null || v === undefined ? "—" : v; }

  function category(level) {
    var names = labels.categories || {};
    return names[String(level || 0)] || "—";
  }

  function emptyRow(tpl) {
    var message = tpl.getAttribute("data-empty");
    if (!message) { return null; }
    var cols = tpl.getAttribute("data-empty-cols");
    var row;
    if (cols) {
      row = document.createElement("tr");
      var cell = document.createElement("td");
      cell.colSpan = parseInt(cols, 10);
      cell.textContent = message;
      row.appendChild(cell);
    } else {
      row = document.createElement("li");
      row.textContent = message;
    }
    row.className = "empty";
    return row;
  }

  function render(data) {
    document.querySelectorAll("[data-k]").forEach(function (node) {
      node.textContent = text(pick(data, node.getAttribute("data-k")));
    });
    document.querySelectorAll("[data-cat]").forEach(function (node) {
      node.textContent = category(pick(data, node.getAttribute("data-cat")));
    });
    document.querySelectorAll("[data-lvl]").forEach(function (node) {
      var v = pick(data, node.getAttribute("data-lvl"));
      node.className = node.className.replace(/\blvl-\d\b/, "") + " lvl-" + (v || 0);
    });
    var tag = document.querySelector("template[data-last-tag]");
    document.querySelectorAll("template[data-list]").forEach(function (tpl) {
      var list = pick(data, tpl.getAttribute("data-list")) || [];
      var max = parseInt(tpl.getAttribute("data-max") || "0", 10);
      var target = document.getElementById(tpl.getAttribute("data-into"));
      var lastTarget = document.getElementById(tpl.getAttribute("data-last-into") || "");
      // The last rank (the units a meeting names) goes to the pinned block, never off a page.
      var last = null;
      if (lastTarget) {
        list.forEach(function (item) { if (item.rank !== null && (last === null || item.rank > last)) { last = item.rank; } });
      }
      var rows = [], lastRows = [];
      (max > 0 ? list.slice(0, max) : list).forEach(function (item) {
        var row = tpl.content.firstElementChild.cloneNode(true);
        row.querySelectorAll("[data-f]").forEach(function (n) { n.textContent = text(item[n.getAttribute("data-f")]); });
        row.querySelectorAll("[data-fcat]").forEach(function (n) { n.textContent = category(item[n.getAttribute("data-fcat")]); });
        row.querySelectorAll("[data-href]").forEach(function (n) { n.href = item[n.getAttribute("data-href")]; });
        row.querySelectorAll("[data-flvl]").forEach(function (n) { n.className += " lvl-" + (item[n.getAttribute("data-flvl")] || 0); });
        if (last !== null && item.rank === last) {
          var name = row.querySelector("[data-f='name']");
          if (name && tag) { name.appendChild(document.createTextNode(" ")); name.appendChild(tag.content.firstElementChild.cloneNode(true)); }
          lastRows.push(row);
        } else {
          rows.push(row);
        }
      });
      if (!list.length) { var e = emptyRow(tpl); if (e) { rows.push(e); } }
      target.replaceChildren.apply(target, rows);
      if (lastTarget) { lastTarget.replaceChildren.apply(lastTarget, lastRows); }
    });
    layoutPages();
  }

  // --- pages that turn by themselves ---------------------------------------------------------
  // Every list of the wall shows every unit: a list taller than its panel is cut into pages that
  // turn every data-rotate seconds, with "page/pages" in the panel's title; rows in a [data-pinned]
  // block (the last rank) stay in view on every page. Lists with the same data-pager share pages.
  var pagers = {};

  function items(id) {
    var out = [];
    document.querySelectorAll("[data-pager='" + id + "']").forEach(function (list) {
      Array.prototype.forEach.call(list.children, function (c) { out.push(c); });
    });
    return out;
  }

  function showPage(id) {
    var p = pagers[id];
    var all = items(id);
    all.forEach(function (node, i) { node.hidden = Math.floor(i / p.size) !== p.page; });
    var indicator = document.getElementById(id);
    if (indicator) {
      indicator.textContent = p.pages > 1 ? (p.page + 1) + "/" + p.pages : "";
      indicator.setAttribute("data-page", String(p.page + 1));
      indicator.setAttribute("data-pages", String(p.pages));
    }
  }

  function layoutPages() {
    var ids = {};
    document.querySelectorAll("[data-pager]").forEach(function (n) { ids[n.getAttribute("data-pager")] = true; });
    Object.keys(ids).forEach(function (id) {
      var all = items(id);
      all.forEach(function (node) { node.hidden = false; });
      var size = all.length || 1;
      var box = all.length ? all[0].closest(".box") : null;
      if (box) {
        var style = getComputedStyle(box);
        var bottom = box.getBoundingClientRect().bottom - parseFloat(style.paddingBottom) - parseFloat(style.borderBottomWidth);
        var pinned = 0;
        box.querySelectorAll("[data-pinned]").forEach(function (b) { pinned += b.getBoundingClientRect().height; });
        var top = all[0].getBoundingClientRect().top;
        var tallest = 0;
        all.forEach(function (node) { tallest = Math.max(tallest, node.getBoundingClientRect().height); });
        if (tallest > 0) { size = Math.max(1, Math.floor((bottom - pinned - top) / tallest)); }
      }
      var old = pagers[id];
      var pages = Math.max(1, Math.ceil(all.length / size));
      pagers[id] = { size: size, pages: pages, page: old ? old.page % pages : 0 };
      showPage(id);
    });
  }

  function turnPages() {
    Object.keys(pagers).forEach(function (id) {
      var p = pagers[id];
      p.page = (p.page + 1) % p.pages;
      showPage(id);
    });
  }

  // --- the clock: the server's China time, ticking ------------------------------------------
  // The page carries the server's time (data-now, ms) and its offset from UTC (data-tz, minutes);
  // the clock adds the time elapsed in the browser, whatever the browser's own clock or zone.
  var clock = document.getElementById("clock");
  var skew = clock ? parseInt(clock.getAttribute("data-now"), 10) - Date.now() : 0;
  var zone = clock ? parseInt(clock.getAttribute("data-tz") || "480", 10) : 480;

  function tick() {
    if (!clock) { return; }
    var d = new Date(Date.now() + skew + zone * 60000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    clock.textContent = d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + " " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds());
  }

  if (every > 0) {
    if (clock && isNaN(skew)) { skew = 0; }
    tick();
    setInterval(tick, 1000);
    layoutPages();
    window.addEventListener("resize", layoutPages);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(layoutPages); }  // rows' heights
    var rotate = parseInt(document.body.getAttribute("data-rotate") || "0", 10);
    if (rotate > 0) { setInterval(turnPages, rotate * 1000); }
    setInterval(function () {
      get(config.api).then(function (data) {
        var server = Date.parse(data.generated_at);
        if (!isNaN(server)) { skew = server - Date.now(); }
        render(data);
        document.body.setAttribute("data-refreshed", data.generated_at);
      }).catch(function () { /* keep the last figures; the next round tries again */ });
      if (map) { load(["stations", "orders"].filter(function (n) { return map.hasLayer(groups[n]); })); }
    }, every * 1000);
  }
  window.GridgovOverview = { render: render, turnPages: turnPages, layoutPages: layoutPages };
})();
