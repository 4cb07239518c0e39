/* 巡查检查 on the phone. The near-me page asks the browser for its position and reloads with it
   (?lat=&lon=); when the position is refused, the manual form opens. The checklist page keeps the
   position's accuracy next to the latitude and longitude that phone.js fills, and copies a
   typed position into them when the phone cannot locate itself. */
(function () {
  "use strict";
  var textBlock = document.getElementById("phone-text");
  var T = textBlock ? JSON.parse(textBlock.textContent) : {};
  var geo = navigator.geolocation;
  var options = { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 };

  function openManual(selector) {
    var box = document.querySelector(selector);
    if (box) { box.open = true; }
  }

  // Tap 1: near me.
  var status = document.getElementById("near-status");
  function locateAndReload() {
    if (!geo) { if (status) { status.textContent = T.nolocation; } openManual("#manual"); return; }
    if (status) { status.textContent = T.locating; }
    geo.getCurrentPosition(function (pos) {
      var q = "?lat=" + pos.coords.latitude.toFixed(6) + "&lon=" + pos.coords.longitude.toFixed(6);
      location.replace(location.pathname + q);
    }, function () {
      if (status) { status.textContent = T.nolocation; }
      openManual("#manual");
    }, options);
  }
  // Not on the offline copy: it would reload itself, again and again, from the cache.
  var copy = document.documentElement.getAttribute("data-served") === "cache";
  if (status && status.hasAttribute("data-near-auto") && !copy) { locateAndReload(); }
  var again = document.getElementById("relocate");
  if (again) { again.addEventListener("click", locateAndReload); }

  // Tap 2: the checklist's position.
  var accuracy = document.querySelector("[data-gps-accuracy]");
  var lat = document.querySelector('[data-gps="lat"]');
  var lon = document.querySelector('[data-gps="lon"]');
  if (accuracy && geo) {
    geo.getCurrentPosition(function (pos) {
      accuracy.value = Math.round(pos.coords.accuracy);
      if (lat && !lat.value) { lat.value = pos.coords.latitude.toFixed(6); }
      if (lon && !lon.value) { lon.value = pos.coords.longitude.toFixed(6); }
    }, function () { openManual("[data-manual-position]"); }, options);
  } else if (accuracy) {
    openManual("[data-manual-position]");
  }
  document.querySelectorAll("[data-manual]").forEach(function (input) {
    input.addEventListener("input", function () {
      var target = input.getAttribute("data-manual") === "lat" ? lat : lon;
      if (target) { target.value = input.value.trim(); }
      if (accuracy) { accuracy.value = ""; }
    });
  });

  // The toggles: nothing is chosen beforehand. A row turns red when 不合格 is chosen, and is
  // marked when the browser refuses to send the form because it has no answer (the radios are
  // required; the server names the items left open too).
  var allPass = document.getElementById("all-pass");
  function paint(row) {
    var passed = row.querySelector('input[value="1"]');
    var failed = row.querySelector('input[value="0"]');
    var answered = !!((passed && passed.checked) || (failed && failed.checked));
    row.classList.toggle("failing", !!(failed && failed.checked));
    row.classList.toggle("unanswered", !answered);
    if (answered) { row.classList.remove("missing"); }
  }
  var rows = document.querySelectorAll(".items .item");
  rows.forEach(function (row) {
    row.addEventListener("change", function (event) {
      // Choosing 不合格 after 全部合格 takes the blanket answer back: the items speak.
      if (allPass && event.target.value === "0") { allPass.value = ""; }
      paint(row);
    });
    row.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.addEventListener("invalid", function () { row.classList.add("missing"); });
    });
    paint(row);
  });

  // 全部合格: after a confirmation, every item is answered 合格 (the items stay changeable).
  var button = document.getElementById("all-pass-button");
  if (button) {
    button.addEventListener("click", function () {
      if (!window.confirm(button.getAttribute("data-confirm"))) { return; }
      rows.forEach(function (row) {
        var passed = row.querySelector('input[value="1"]');
        if (passed) { passed.checked = true; }
        paint(row);
      });
      if (allPass) { allPass.value = "1"; }
    });
  }
})();
