/* A <select data-autosubmit> sends its form when changed (the language switch). A file, not an
   onchange="…" attribute: the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
