/* The public report page: pick the place on the map (tap, or drag the pin) or use the phone's
   location; the place is said in words under the map (pinmap.js). The submit button is
   disabled only while the report is being sent. */
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  var place = document.getElementById("where");
  var pin = window.GridgovPinMap.create({
    map: el,
    lat: document.getElementById("id_lat"),
    lon: document.getElementById("id_lon"),
    place: place,
    text: el.dataset,
  });
  var button = document.getElementById("use-location");
  button.addEventListener("click", function () {
    button.disabled = true;
    place.textContent = el.dataset.locating;
    pin.locate(function () { button.disabled = false; }, function () {
      button.disabled = false;
      place.textContent = el.dataset.nolocation;
    });
  });
  var form = document.getElementById("public-form");
  var send = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function () {
    setTimeout(function () { send.disabled = true; }, 0);  // after the browser took the form
  });
  window.addEventListener("pageshow", function () { send.disabled = false; });  // came back
})();
