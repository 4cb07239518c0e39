/* The header menu: the ☰ button shows and hides it at phone width; opening one group closes the
   others, and a click elsewhere or Escape closes them. A file, not inline script (CSP). */
(function () {
  "use strict";
  var bar = document.querySelector(".topbar");
  var toggle = document.querySelector("[data-nav-toggle]");
  var groups = Array.prototype.slice.call(document.querySelectorAll(".navgroup"));
  if (toggle && bar) {
    toggle.addEventListener("click", function () {
      var open = bar.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  groups.forEach(function (g) {
    g.addEventListener("toggle", function () {
      if (g.open) { groups.forEach(function (other) { if (other !== g) { other.open = false; } }); }
    });
  });
  document.addEventListener("click", function (e) {
    groups.forEach(function (g) { if (g.open && !g.contains(e.target)) { g.open = false; } });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      groups.forEach(function (g) { g.open = false; });
      if (bar) { bar.classList.remove("nav-open"); }
      if (toggle) { toggle.setAttribute("aria-expanded", "false"); }
    }
  });
})();
