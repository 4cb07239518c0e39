/* 网格通's offline queue (离线待上传). A form marked data-queue (a report, a task's action with
   its photos, an inspection, a 回访) is kept on the phone in IndexedDB — its fields, photos as
   blobs — under its own idempotency key (the form's `submission` field), then sent; without
   signal it waits and goes when the network returns (the online event, the next page load,
   Background Sync, a timer), one item at a time. The server carries out each key once and
   answers a re-send with the first result (web/receipts.py), so "exactly once" holds even when
   an answer is lost on the way back.
   Answers: 2xx → done, removed; 409 → a conflict (the order moved meanwhile): kept with the
   server's message for the worker to read and discard, never retried; another 4xx → refused,
   shown, not retried; 5xx, 429, no network, an expired login → retried with back-off.
   Photos queued on the phone stay within data-queue-budget bytes in all.
   One key is never posted twice at once: the keys in flight are kept in this page, and an
   item left "sending" is taken up again only once it is stale (the page that sent it was
   closed or reloaded mid-request); an answer for an item let go meanwhile is not stored.
   Also: registers the service worker, says when a page is the offline copy, keeps the
   "3 待上传" badge, fills the 待上传 page, and warms the cache with the pages linked
   data-offline. Texts come from the {% phone_text %} block. */
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.FormData || !window.Promise) { return; }
  var textBlock = document.getElementById("phone-text");
  var T = textBlock ? JSON.parse(textBlock.textContent) : {};
  var body = document.body;
  var account = body.getAttribute("data-account") || "";
  var budget = Number(body.getAttribute("data-queue-budget") || 0);
  var banner = document.getElementById("offline");
  var STORE = "items";
  var sending = false;
  var inFlight = {};  // the keys this page is posting right now
  var STALE_SENDING = 60000;  // an item "sending" for longer: its page went away mid-request

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values[name] === undefined ? all : values[name];
    });
  }
  function say(text) { if (banner) { banner.textContent = text; banner.hidden = !text; } }

  // ------------------------------------------------------------------ IndexedDB, small --
  var opened = null;
  function db() {
    opened = opened || new Promise(function (resolve, reject) {
      var request = indexedDB.open("gridgov-queue", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return opened;
  }
  function run(mode, work) {
    return db().then(function (conn) {
      return new Promise(function (resolve, reject) {
        var tx = conn.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function allItems() { return run("readonly", function (s) { return s.getAll(); }); }
  function save(item) { return run("readwrite", function (s) { return s.put(item); }); }
  function drop(key) { return run("readwrite", function (s) { return s.delete(key); }); }
  function itemAt(key) { return run("readonly", function (s) { return s.get(key); }); }
  // Stored again only while the queue still holds it: an item sent and let go meanwhile (by
  // submit() or a discard) does not come back as a ghost.
  function saveIfHeld(item) {
    return run("readwrite", function (s) {
      var read = s.get(item.key);
      read.onsuccess = function () { if (read.result) { s.put(item); } };
      return null;
    });
  }
  function mine(items) { return items.filter(function (i) { return i.account === account; }); }

  // ---------------------------------------------------------------------- the items --
  function newKey() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "q-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function itemOf(form) {
    var keyInput = form.querySelector('input[name="submission"]');
    if (keyInput && !keyInput.value) { keyInput.value = newKey(); }
    var fields = [];
    var bytes = 0;
    var copies = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { fields.push({ name: name, value: value }); return; }
      if (!value.size && !value.name) { return; }  // a file input left empty
      // The photo's bytes themselves: a File only points at the phone's file, which may be
      // gone or changed by the time the queue sends it.
      var field = { name: name, blob: null, filename: value.name };
      fields.push(field);
      bytes += value.size;
      copies.push(value.arrayBuffer().then(function (buffer) {
        field.blob = new Blob([buffer], { type: value.type || "image/jpeg" });
      }));
    });
    var item = {
      key: keyInput ? keyInput.value : newKey(),
      account: account,
      kind: form.getAttribute("data-queue"),
      label: form.getAttribute("data-queue-label") || document.title,
      url: form.getAttribute("action") || location.pathname + location.search,
      fields: fields,
      bytes: bytes,
      photos: copies.length,
      state: "waiting",
      error: "",
      attempts: 0,
      nextAt: 0,
      created: Date.now(),
    };
    return Promise.all(copies).then(function () { return item; });
  }

  function csrfToken() {
    var holder = document.getElementById("phone-csrf");
    return holder ? holder.getAttribute("data-token") : "";
  }

  function bodyOf(item) {
    var data = new FormData();
    var token = csrfToken();  // the current one: the stored page's may be older than a log-in
    item.fields.forEach(function (f) {
      if (f.name === "csrfmiddlewaretoken" && token) { data.append(f.name, token); }
      else if (f.blob) { data.append(f.name, f.blob, f.filename || "photo.jpg"); }
      else { data.append(f.name, f.value); }
    });
    return data;
  }

  // The server's words on a refused page: its messages and the form's errors.
  function reasonOf(html, status) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var found = doc.querySelectorAll(".messages .error, .messages li, p.error, span.error, .errorlist li");
    var words = [];
    Array.prototype.forEach.call(found, function (el) {
      var t = el.textContent.trim();
      if (t && words.indexOf(t) < 0) { words.push(t); }
    });
    if (!words.length && status === 404) { words.push(T.gone); }
    if (!words.length && status === 403) { words.push(T.forbidden); }
    return words.join("；") || "HTTP " + status;
  }

  function isLogin(response) {
    return response.redirected && /\/login\//.test(new URL(response.url).pathname);
  }

  // One attempt. Resolves with {outcome: "done"|"retry"|"conflict"|"refused", response, html}.
  function post(item) {
    if (inFlight[item.key]) { return Promise.resolve({ outcome: "busy" }); }
    inFlight[item.key] = true;
    return postOnce(item).then(function (answer) {
      delete inFlight[item.key];
      return answer;
    });
  }

  function postOnce(item) {
    var headers = {};
    var token = csrfToken();
    if (token) { headers["X-CSRFToken"] = token; }
    return fetch(item.url, {
      method: "POST", body: bodyOf(item), credentials: "same-origin", redirect: "follow",
      headers: headers,
    }).then(function (response) {
      return response.text().then(function (html) {
        var answer = { response: response, html: html, reason: "" };
        if (isLogin(response)) { answer.outcome = "retry"; answer.reason = T.login_needed; }
        else if (response.status >= 500 || response.status === 429) {
          answer.outcome = "retry"; answer.reason = T.server_trouble;
        } else if (response.status === 409) {
          answer.outcome = "conflict"; answer.reason = reasonOf(html, 409);
        } else if (response.status >= 400) {
          answer.outcome = "refused"; answer.reason = reasonOf(html, response.status);
        } else { answer.outcome = "done"; }
        return answer;
      });
    }, function () {
      return { outcome: "retry", reason: T.network_down };
    });
  }

  function settle(item, answer) {
    if (answer.outcome === "done") { return drop(item.key); }
    item.error = answer.reason;
    if (answer.outcome === "retry") {
      item.state = "waiting";
      item.attempts += 1;
      item.nextAt = Date.now() + Math.min(300000, 5000 * Math.pow(2, item.attempts - 1));
    } else {
      item.state = answer.outcome;  // conflict or refused: kept to be read, never re-sent
    }
    return saveIfHeld(item);
  }

  // Due to be sent by flush(): waiting (and its back-off over, unless `now`), or left
  // "sending" by a page that went away mid-request — never one this page is posting.
  function due(item, now) {
    if (inFlight[item.key] || item.account !== account) { return false; }
    if (item.state === "sending") { return Date.now() - (item.sentAt || 0) > STALE_SENDING; }
    return item.state === "waiting" && (now || item.nextAt <= Date.now());
  }

  // Send what waits, oldest first, one at a time. `now`: also the ones still backing off.
  function flush(now) {
    if (sending || !navigator.onLine) { return Promise.resolve(); }
    sending = true;
    return allItems().then(function (items) {
      var ready = items.filter(function (i) { return due(i, now); })
        .sort(function (a, b) { return a.created - b.created; });
      return ready.reduce(function (chain, listed) {
        return chain.then(function () {
          // Read again: submit() may have sent or let go of it since the list was read.
          return itemAt(listed.key).then(function (item) {
            if (!item || !due(item, now)) { return null; }
            return post(item).then(function (answer) {
              if (answer.outcome === "busy") { return null; }
              if (answer.outcome === "done") { say(fill(T.uploaded, { label: item.label })); }
              return settle(item, answer);
            });
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* storage trouble: the next round tries again */ })
      .then(function () { sending = false; return show(); });
  }

  // ------------------------------------------------------------------- the forms --
  function resetForm(form) {
    form.reset();
    var keyInput = form.querySelector('input[name="submission"]');
    if (keyInput) { keyInput.value = newKey(); }
    form.querySelectorAll(".thumbs").forEach(function (t) { t.innerHTML = ""; t.hidden = true; });
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) { button.disabled = false; }
  }

  function showAnswer(answer) {
    if (answer.response.redirected) { history.replaceState(null, "", answer.response.url); }
    document.open(); document.write(answer.html); document.close();
  }

  function submit(form) {
    var item = null;
    return itemOf(form).then(function (made) {
      item = made;
      inFlight[item.key] = true;  // this page's own: a flush meanwhile leaves it alone
      return allItems();
    }).then(function (items) {
      var held = items.reduce(function (sum, i) { return sum + (i.bytes || 0); }, 0);
      if (budget && item.bytes && held + item.bytes > budget) {
        say(fill(T.queue_full, { mb: Math.round(budget / 1048576) }));
        return null;
      }
      return save(item).then(function () { return item; });
    }).then(function (queued) {
      if (!queued) { return; }
      if (!navigator.onLine) { return offline(form, queued); }
      var button = form.querySelector("button[type=submit], button:not([type])");
      if (button) { button.disabled = true; }
      say(T.sending);
      queued.state = "sending";
      queued.sentAt = Date.now();
      return save(queued).then(function () { return postOnce(queued); }).then(function (answer) {
        if (answer.outcome === "retry") {
          return settle(queued, answer).then(function () { offline(form, queued); });
        }
        // The worker is here: show the server's page (the result, or the form with its
        // errors to put right) and let go of the item.
        return drop(queued.key).then(function () { showAnswer(answer); });
      });
    }).catch(function () {
      form.removeAttribute("data-queue");  // storage refused (private mode): send it plainly
      form.submit();
    }).then(function () {
      if (item) { delete inFlight[item.key]; }
    });
  }

  // Queued for later: a fresh form for the next one (the page again, from the worker's cache
  // when it can, which also resets the map and the checklist), and a word on what happened.
  function offline(form, item) {
    var word = fill(T.queued_offline, { label: item.label });
    askForSync();
    return (item.state === "sending" ? (item.state = "waiting", save(item)) : Promise.resolve())
      .then(function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          try { sessionStorage.setItem("gridgov:say", word); } catch (e) { /* ignore */ }
          location.reload();
          return;
        }
        resetForm(form);
        say(word);
        return show();
      });
  }

  function sayHeld() {
    var word = null;
    try { word = sessionStorage.getItem("gridgov:say"); sessionStorage.removeItem("gridgov:say"); }
    catch (e) { return; }
    if (word) { say(word); }
  }

  document.querySelectorAll("form[data-queue]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopImmediatePropagation();
      submit(form);
    });
  });

  // ------------------------------------------------------------ what the worker sees --
  var STATES = {
    waiting: T.state_waiting, sending: T.state_sending,
    conflict: T.state_conflict, refused: T.state_refused,
  };

  function show() {
    return allItems().then(function (items) {
      var own = mine(items);
      var badge = document.getElementById("queue-badge");
      if (badge) {
        badge.hidden = !own.length;
        badge.textContent = fill(T.queued, { n: own.length });
        badge.classList.toggle("trouble", own.some(function (i) {
          return i.state === "conflict" || i.state === "refused";
        }));
      }
      var list = document.getElementById("queue-list");
      if (list) { fillList(list, own); }
      var others = document.getElementById("queue-others");
      if (others) {
        others.hidden = own.length === items.length;
        others.textContent = fill(T.other_account, { n: items.length - own.length });
      }
      if (own.some(function (i) { return i.state === "waiting"; })) { later(); }
    }).catch(function () { /* no storage: nothing to show */ });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function fillList(list, items) {
    list.innerHTML = "";
    if (!items.length) { list.appendChild(element("li", "empty", T.queue_empty)); return; }
    items.sort(function (a, b) { return a.created - b.created; }).forEach(function (item) {
      var li = element("li", "q-" + item.state);
      li.setAttribute("data-key", item.key);
      li.appendChild(element("span", "q-state", STATES[item.state] || item.state));
      li.appendChild(element("strong", "", item.label));
      var when = new Date(item.created);
      var meta = ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
      if (item.photos) { meta += " · " + fill(T.photos, { n: item.photos }); }
      if (item.attempts) { meta += " · " + fill(T.attempts, { n: item.attempts }); }
      li.appendChild(element("small", "", meta));
      if (item.error) { li.appendChild(element("p", "q-error", item.error)); }
      var actions = element("div", "q-actions");
      if (item.state === "waiting") {
        var retry = element("button", "q-retry", T.retry);
        retry.type = "button";
        retry.addEventListener("click", function () { flush(true); });
        actions.appendChild(retry);
      }
      var discard = element("button", "q-discard", T.discard);
      discard.type = "button";
      discard.addEventListener("click", function () {
        if (window.confirm(T.discard_confirm)) { drop(item.key).then(show); }
      });
      actions.appendChild(discard);
      li.appendChild(actions);
      list.appendChild(li);
    });
  }

  var timer = null;
  function later() {
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; flush(false); }, 15000);
  }

  // ------------------------------------------------- the service worker and the cache --
  function askForSync() {
    if (!navigator.serviceWorker) { return; }
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) { return reg.sync.register("gridgov-queue"); }
    }).catch(function () { /* no Background Sync: the online event and page loads do it */ });
  }

  function staleNotice() {
    if (document.documentElement.getAttribute("data-served") !== "cache") { return; }
    var notice = document.getElementById("stale");
    var rendered = document.querySelector('meta[name="gridgov-rendered"]');
    if (notice) {
      notice.textContent = fill(T.stale, { time: rendered ? rendered.content : "" });
      notice.hidden = false;
    }
  }

  // The pages a worker will want without signal (the tasks, the checklists, 回访), fetched
  // once in a while so the worker's cache holds them.
  function warm() {
    if (!navigator.onLine || !navigator.serviceWorker || !navigator.serviceWorker.controller) { return; }
    if (document.documentElement.getAttribute("data-served") === "cache") { return; }
    var seen = {};
    var links = Array.prototype.filter.call(document.querySelectorAll("a[data-offline]"), function (a) {
      if (seen[a.href]) { return false; }
      seen[a.href] = true;
      return true;
    }).slice(0, 40);
    links.reduce(function (chain, a) {
      return chain.then(function () {
        var stamp = "gridgov:warm:" + a.href;
        var last = 0;
        try { last = Number(localStorage.getItem(stamp) || 0); } catch (e) { /* private mode */ }
        if (Date.now() - last < 600000) { return null; }
        return fetch(a.href, { credentials: "same-origin" }).then(function () {
          try { localStorage.setItem(stamp, String(Date.now())); } catch (e) { /* ignore */ }
        }, function () { /* offline again */ });
      });
    }, Promise.resolve());
  }

  if (navigator.serviceWorker && body.getAttribute("data-worker")) {
    navigator.serviceWorker.register(body.getAttribute("data-worker"), { scope: "/" })
      .catch(function () { /* no worker (plain http off localhost): online pages still work */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "gridgov-queue-flush") { flush(true); }
    });
    navigator.serviceWorker.addEventListener("controllerchange", warm);
  }
  window.addEventListener("online", function () { flush(true); });
  staleNotice();
  sayHeld();
  show().then(function () { return flush(false); }).then(warm);
})();
