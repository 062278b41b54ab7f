// Shows, as the drafter types, which of the unit's sensitivity rules the draft matches.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  if (!form) { return; }
  var out = document.getElementById("sensitivity-preview");
  var token = form.querySelector("input[name=csrf_token]").value;
  var timer = null;

  function field(name) {
    var el = form.elements[name];
    return el ? el.value : "";
  }

  function render(result) {
    if (!result) { return; }
    out.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = result.items.length ? out.dataset.matches : out.dataset.none;
    out.appendChild(heading);
    if (!result.items.length) { out.className = "meta"; return; }
    out.className = "flash error";
    var list = document.createElement("ul");
    result.items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.label + (item.matched ? " — “" + item.matched + "”" : "");
      list.appendChild(li);
    });
    out.appendChild(list);
  }

  function check() {
    var data = new FormData();
    data.append("unit", field("unit") || form.dataset.unit || "");
    data.append("title", field("title"));
    data.append("body", field("body"));
    data.append("topics", field("topics"));
    fetch(form.dataset.previewUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(render).catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  check();
})();
