/* 网格通's service worker (web/phoneapp.py serves it from the root, so its scope covers every
   phone page). It keeps three things for a phone without signal:
   - the app shell (phone CSS, JS, icons): cached at install, served from the cache and refreshed
     behind it (any other static file is kept the same way once it has been loaded);
   - the phone pages (task list, each task, checklists, the grid's sources, 回访): network first,
     the last copy when the network fails, marked data-served="cache" so the page says
     "离线副本 · 更新于 …";
   - nothing else: POSTs, the API, the desk pages go to the network untouched.
   Queued submissions live in the pages' IndexedDB (web/static/web/queue.js); a Background Sync
   event only wakes the open pages to send them. Logging out drops the cached pages. */
"use strict";
var VERSION = {{ version|safe }};
var SHELL_CACHE = "gridgov-shell-" + VERSION;
var PAGE_CACHE = "gridgov-pages-v1";
var SHELL = {{ shell|safe }};
var PAGES = {{ pages|safe }}.map(function (p) { return new RegExp(p); });
var STATIC = {{ static_prefix|safe }};
var LOGOUT = {{ logout|safe }};

self.addEventListener("install", function (event) {
  // One file missing must not keep the worker from installing: each is added on its own.
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return cache.add(url).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("gridgov-shell-") === 0 && n !== SHELL_CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(url) {
  return PAGES.some(function (re) { return re.test(url.pathname); });
}

function fromShell(request) {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) { fresh.catch(function () { /* offline: the copy will do */ }); return hit; }
      return fresh;
    });
  });
}

function markedCopy(response) {
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.set("X-Gridgov-Served", "cache");
    return new Response(html.replace('data-served="network"', 'data-served="cache"'), {
      status: 200, statusText: "OK", headers: headers,
    });
  });
}

// The oldest copies go first beyond MAX_PAGES (each position of 附近污染源 is a page of its own).
var MAX_PAGES = 120;
function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (k) {
      return cache.delete(k);
    }));
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    if (response.status === 200 && response.type === "basic" && !response.redirected && html) {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) {
        return cache.put(request.url, copy).then(function () { return trim(cache); });
      });
    }
    return response;
  }).catch(function (error) {
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match(request.url).then(function (hit) {
        return hit || cache.match(request.url, { ignoreSearch: true });
      });
    }).then(function (hit) {
      if (!hit) { throw error; }
      return markedCopy(hit);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === LOGOUT) {
    event.waitUntil(caches.delete(PAGE_CACHE));  // another person may use the phone next
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf(STATIC) === 0) { event.respondWith(fromShell(request)); return; }
  if (isPage(url)) { event.respondWith(page(request)); }
});

// Background Sync: the network is back; the open phone pages send their queue.
self.addEventListener("sync", function (event) {
  if (event.tag !== "gridgov-queue") { return; }
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "gridgov-queue-flush" }); });
  }));
});
