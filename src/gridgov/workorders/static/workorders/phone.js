/* The grid worker's phone: fills [data-gps] fields from the phone's location, and sends forms
   marked data-retry with fetch. A form that fails to send (no network, server trouble) keeps its
   content — in memory with its photos, its text also in localStorage — and retries by itself. */
(function () {
  "use strict";
  var textBlock = document.getElementById("phone-text");  // {% phone_text %}: json, not code
  var T = textBlock ? JSON.parse(textBlock.textContent) : {};
  var banner = document.getElementById("offline");

  function say(text) { if (banner) { banner.textContent = text; banner.hidden = !text; } }

  // Location from the phone.
  var gpsInputs = document.querySelectorAll("[data-gps]");
  var status = document.querySelector("[data-gps-status]");
  if (gpsInputs.length && navigator.geolocation) {
    if (status) { status.textContent = T.locating; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelectorAll('[data-gps="lat"]').forEach(function (i) { i.value = pos.coords.latitude.toFixed(6); });
      document.querySelectorAll('[data-gps="lon"]').forEach(function (i) { i.value = pos.coords.longitude.toFixed(6); });
      if (!status) { return; }
      status.textContent = T.located + " (±" + Math.round(pos.coords.accuracy) + " m)";
      fetch("/api/v1/locate?lat=" + pos.coords.latitude + "&lon=" + pos.coords.longitude, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (r) {
          if (r && r.inside) { status.textContent += " · " + r.chain.map(function (c) { return c.name; }).join(" › "); }
        })
        .catch(function () { /* offline: the position alone will do */ });
    }, function () {
      if (status) { status.textContent = T.nolocation; }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  } else if (status && !navigator.geolocation) {
    status.textContent = T.nolocation;
  }

  // Keeping and re-sending forms.
  function storageKey(form) { return "gridgov:form:" + (form.dataset.keep || location.pathname); }

  function saveText(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data[el.name] = el.value;
    });
    try { localStorage.setItem(storageKey(form), JSON.stringify(data)); } catch (e) { /* private mode */ }
  }

  function restoreText(form) {
    var raw = null;
    try { raw = localStorage.getItem(storageKey(form)); } catch (e) { return; }
    if (!raw) { return; }
    var data = JSON.parse(raw);
    Object.keys(data).forEach(function (name) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name || el.type === "file") { return; }
        if (el.type === "radio" || el.type === "checkbox") { el.checked = el.value === data[name]; }
        else if (!el.value || el.tagName === "TEXTAREA") { el.value = data[name]; }
      });
    });
    say(T.restored);
  }

  function forget(form) { try { localStorage.removeItem(storageKey(form)); } catch (e) { /* ignore */ } }

  function send(form, body, attempt) {
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) { button.disabled = true; }
    say(attempt ? T.pending : T.sending);
    fetch(form.getAttribute("action") || location.href, {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
    }).then(function (response) {
      if (response.status >= 500) { throw new Error("server " + response.status); }
      forget(form);
      // Show the page the server answered with (after a redirect: the order, with its message;
      // otherwise the form again, with its errors) without asking for it a second time.
      return response.text().then(function (html) {
        if (response.redirected) { history.replaceState(null, "", response.url); }
        document.open(); document.write(html); document.close();
      });
    }).catch(function () {
      saveText(form);
      say(T.pending);
      var wait = Math.min(60000, 5000 * Math.pow(2, attempt || 0));
      var done = false;
      var again = function () {
        if (done) { return; }
        done = true;
        window.removeEventListener("online", again);
        send(form, body, (attempt || 0) + 1);
      };
      window.addEventListener("online", again);
      setTimeout(again, wait);
    });
  }

  function newKey() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  document.querySelectorAll("form[data-retry]").forEach(function (form) {
    // A form with data-queue goes through the offline queue (web/static/web/queue.js).
    if (form.hasAttribute("data-queue") && window.indexedDB && window.Promise) { return; }
    if (form.dataset.keep) { restoreText(form); }
    // One key per report: a re-send after a lost answer is recognised, not filed twice.
    var key = form.querySelector('input[name="submission"]');
    if (key && !key.value) { key.value = newKey(); }
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }  // plain submission still works
      event.preventDefault();
      saveText(form);
      send(form, new FormData(form), 0);
    });
  });
})();
