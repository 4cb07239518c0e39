/* Long tables fold on a phone: below 720 px a table with data-fold="N" shows its first N rows
   and a button under it shows the rest ("显示其余 {n} 行", translated, from this script's
   data-more). Without script, or on a wider screen, every row shows. */
(function () {
  "use strict";
  var script = document.currentScript;
  var label = (script && script.getAttribute("data-more")) || "+{n}";
  if (!window.matchMedia || !window.matchMedia("(max-width: 720px)").matches) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-fold]"), function (table) {
    var keep = parseInt(table.getAttribute("data-fold"), 10) || 10;
    var rows = table.tBodies.length ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
    if (rows.length <= keep + 2) { return; } // folding away one or two rows saves nothing
    var hidden = rows.slice(keep);
    hidden.forEach(function (row) { row.classList.add("folded"); });
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link fold-more";
    button.textContent = label.replace("{n}", String(hidden.length));
    button.addEventListener("click", function () {
      hidden.forEach(function (row) { row.classList.remove("folded"); });
      button.remove();
    });
    var wrapper = table.parentElement; // a scrolling wrapper holding the table alone
    var after = wrapper && wrapper.children.length === 1 ? wrapper : table;
    after.insertAdjacentElement("afterend", button);
  });
})();
