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

  // The change of each figure from the previous period, as the server writes it ("+145, +13,2%").
  var lang = document.documentElement.lang || "vi";
  var whole = new Intl.NumberFormat(lang, { signDisplay: "exceptZero", maximumFractionDigits: 0 });
  var tenth = new Intl.NumberFormat(lang, { signDisplay: "exceptZero", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  // As the server reads a typed count: the page carries its pattern (statements/lifecycle/figures_web.py).
  var figures = form.querySelector("[data-typed-count]");
  if (!figures) { return; }
  var typedCount = new RegExp("^(?:" + figures.dataset.typedCount + ")$");
  function count(text) {
    text = (text || "").trim();
    return typedCount.test(text) ? parseInt(text.replace(/[.,\s]/g, ""), 10) : null;
  }
  function changes() {
    form.querySelectorAll("tr[data-measure]").forEach(function (row) {
      var key = row.dataset.measure, cell = row.querySelector("[data-change]");
      var value = count(field("figures_" + key + "_value")), previous = count(field("figures_" + key + "_previous"));
      if (value === null || previous === null) { cell.textContent = ""; return; }
      var change = value - previous;
      cell.textContent = whole.format(change) + (previous ? ", " + tenth.format(100 * change / previous) + "%" : "");
    });
  }
  form.addEventListener("input", changes);
})();
