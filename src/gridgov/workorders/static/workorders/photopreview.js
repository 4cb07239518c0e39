/* Photos shown before they are sent: every <input type=file data-preview="ID"> keeps the
   pictures chosen so far (a second choice adds to them), shows them as thumbnails in the
   element ID, each with a button that takes it out again. The input's own file list is what
   the form sends, so it is rebuilt (DataTransfer) after every change; a browser without
   DataTransfer still shows the thumbnails of its last choice. */
(function () {
  "use strict";
  var canRebuild = (function () {
    try { return !!new DataTransfer().items; } catch (e) { return false; }
  })();

  function setup(input) {
    var box = document.getElementById(input.getAttribute("data-preview"));
    if (!box) { return; }
    var max = parseInt(input.getAttribute("data-max") || "0", 10);
    var removeLabel = input.getAttribute("data-remove") || "×";
    var files = [];
    var urls = [];

    function sync() {
      if (!canRebuild) { return; }
      var dt = new DataTransfer();
      files.forEach(function (f) { dt.items.add(f); });
      input.files = dt.files;
    }

    function render() {
      urls.forEach(function (u) { URL.revokeObjectURL(u); });
      urls = [];
      box.textContent = "";
      box.hidden = !files.length;
      files.forEach(function (file, i) {
        var item = document.createElement("figure");
        item.className = "thumb";
        var img = document.createElement("img");
        var url = URL.createObjectURL(file);
        urls.push(url);
        img.src = url;
        img.alt = file.name;
        item.appendChild(img);
        if (canRebuild) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "thumb-remove";
          remove.setAttribute("aria-label", removeLabel + " " + file.name);
          remove.textContent = "×";
          remove.addEventListener("click", function () {
            files.splice(i, 1);
            sync();
            render();
          });
          item.appendChild(remove);
        }
        box.appendChild(item);
      });
    }

    input.addEventListener("change", function () {
      var chosen = Array.prototype.slice.call(input.files || []);
      files = canRebuild ? files.concat(chosen) : chosen;
      if (max && files.length > max) { files = files.slice(files.length - max); }
      sync();
      render();
    });
    // A form shown again (its errors, or restored): the browser may keep the choice.
    if (input.files && input.files.length) {
      files = Array.prototype.slice.call(input.files);
      render();
    }
  }

  document.querySelectorAll("input[type=file][data-preview]").forEach(setup);
})();
