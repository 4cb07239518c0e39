/* 网格通's service worker (web/phoneapp.py serves it from the root, so its scope covers every
   phone page). It keeps three things for a phone without signal:
   - the app shell (phone CSS, JS, icons): cached at install, served from the cache and refreshed
     behind it (any other static file is kept the same way once it has been loaded);
   - the phone pages (task list, each task, checklists, the grid's sources, 回访): network first,
     the last copy when the network fails, marked data-served="cache" so the page says
     "离线副本 · 更新于 …";
   - nothing else: POSTs, the API, the desk pages go to the network untouched.
   Queued submissions live in the pages' IndexedDB (web/static/web/queue.js); a Background Sync
   event only wakes the open pages to send them.
   The pages are one account's: each account has its own page cache, named by the opaque id
   the page carries (data-cache-id, a keyed hash — never the username); when a page of another
   account comes from the network, and on every log-in or log-out, the other pages are dropped,
   and without signal only the last signed-in account's copies are served — a phone passed to
   another worker after a session expired never shows the first one's tasks. */
"use strict";
var VERSION = {{ version|safe }};
var SHELL_CACHE = "gridgov-shell-" + VERSION;
var PAGE_PREFIX = "gridgov-pages-";
var ACCOUNT_CACHE = "gridgov-account";  // holds the last signed-in account's id, at ACCOUNT_KEY
var ACCOUNT_KEY = "/gridgov-account";
var SHELL = {{ shell|safe }};
var PAGES = {{ pages|safe }}.map(function (p) { return new RegExp(p); });
var STATIC = {{ static_prefix|safe }};
var LOGOUT = {{ logout|safe }};
var LOGIN = {{ login|safe }};

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
      return (n.indexOf("gridgov-shell-") === 0 && n !== SHELL_CACHE) || n === "gridgov-pages-v1";
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

// The account whose pages are kept ("" when none); every page cache but its own is dropped.
function currentAccount() {
  return caches.open(ACCOUNT_CACHE).then(function (cache) {
    return cache.match(ACCOUNT_KEY);
  }).then(function (hit) { return hit ? hit.text() : ""; });
}

function forgetPagesBut(id) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf(PAGE_PREFIX) === 0 && n !== PAGE_PREFIX + id;
    }).map(function (n) { return caches.delete(n); }));
  });
}

function switchAccount(id) {
  return caches.open(ACCOUNT_CACHE).then(function (cache) {
    return cache.put(ACCOUNT_KEY, new Response(id));
  }).then(function () { return forgetPagesBut(id); });
}

// One change of the kept pages at a time, in the order the requests came: a log-in's "forget
// everything" never overtakes the caching of the page that follows it.
var queue = Promise.resolve();
function serial(work) {
  queue = queue.then(work, work);
  return queue;
}

var ACCOUNT_ID = /<body[^>]*\sdata-cache-id="([0-9a-f]+)"/;

function keep(url, response) {
  return response.text().then(function (html) {
    var found = ACCOUNT_ID.exec(html);
    if (!found) { return null; }  // no signed-in account on it: not kept
    var id = found[1];
    return serial(function () { return keepAs(id, url, html, response.headers); });
  });
}

function keepAs(id, url, html, headers) {
  return currentAccount().then(function (current) {
    return current === id ? null : switchAccount(id);
  }).then(function () {
    return caches.open(PAGE_PREFIX + id);
  }).then(function (cache) {
    var copy = new Response(html, { status: 200, headers: headers });
    return cache.put(url, copy).then(function () { return trim(cache); });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
    if (response.status === 200 && response.type === "basic" && !response.redirected && html) {
      keep(request.url, response.clone()).catch(function () { /* storage full: not kept */ });
    }
    return response;
  }).catch(function (error) {
    return currentAccount().then(function (id) {
      if (!id) { return null; }
      return caches.open(PAGE_PREFIX + id).then(function (cache) {
        return cache.match(request.url).then(function (hit) {
          return hit || cache.match(request.url, { ignoreSearch: true });
        });
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
  if (request.method === "POST" && (url.pathname === LOGOUT || url.pathname === LOGIN)) {
    event.waitUntil(serial(function () { return switchAccount(""); }));  // another person may use the phone next
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
