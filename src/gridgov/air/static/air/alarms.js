/* The alarm desk: "select all" checks every open alarm on the page; the bulk button stays
   disabled until one is checked. */
(function () {
  "use strict";
  var form = document.getElementById("alarm-ack");
  var all = document.getElementById("select-all");
  if (!form || !all) { return; }  // no bulk bar: this role may look but not acknowledge
  var submit = form.querySelector(".bulk-bar button");
  function boxes() { return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]")); }
  function update() {
    var checked = boxes().filter(function (b) { return b.checked; }).length;
    submit.disabled = checked === 0;
    all.checked = checked > 0 && checked === boxes().length;
  }
  all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    update();
  });
  form.addEventListener("change", function (e) { if (e.target.name === "ids") { update(); } });
  update();
})();
