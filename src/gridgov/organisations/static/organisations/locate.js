// 登记志愿者 (phone): fill the hidden lat/lon from the phone's position, so the grid can be
// found when none is chosen. No position: the grid must be chosen.
(function () {
  "use strict";
  var form = document.querySelector("form[data-locate]");
  if (!form || !navigator.geolocation) { return; }
  var lat = form.querySelector("input[name=lat]");
  var lon = form.querySelector("input[name=lon]");
  var note = document.getElementById("og-position");
  if (!lat || !lon || lat.value) { return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    lat.value = pos.coords.latitude.toFixed(6);
    lon.value = pos.coords.longitude.toFixed(6);
    if (note) { note.textContent = lat.value + ", " + lon.value; }
  }, function () { /* no position: choose the grid */ }, { enableHighAccuracy: true, timeout: 10000 });
})();
