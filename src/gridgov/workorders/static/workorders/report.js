/* The grid worker's report: the pin starts at the phone's position and can be dragged (or the
   map tapped) to where the problem is; "已就地处置" opens the handling note, which is then
   required, and the after-photos. */
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.GridgovPinMap) { return; }
  var textBlock = document.getElementById("phone-text");
  var T = textBlock ? JSON.parse(textBlock.textContent) : {};
  var status = document.querySelector("[data-gps-status]");
  var lat = document.getElementById("report-lat");
  var pin = window.GridgovPinMap.create({
    map: el,
    lat: lat,
    lon: document.getElementById("report-lon"),
    place: document.getElementById("report-place"),
    text: el.dataset,
  });
  if (!lat.value) {
    pin.locate(function (pos) {
      status.textContent = (T.located || "") + " (±" + Math.round(pos.coords.accuracy) + " m)";
    }, function () {
      status.textContent = el.dataset.nolocation;
    });
  } else {
    status.textContent = "";
  }

  var box = document.getElementById("handled-on-spot");
  var detail = document.getElementById("onspot-detail");
  var note = document.getElementById("handling-note");
  function toggle() {
    detail.hidden = !box.checked;
    note.required = box.checked;
  }
  box.addEventListener("change", toggle);
  toggle();
  document.addEventListener("DOMContentLoaded", toggle);  // after phone.js restored the form
})();
