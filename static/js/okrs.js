// OKR pages: the check-in chart of a key result (data from json_script, drawn with Chart.js).
(function () {
  "use strict";
  function drawKrChart() {
    var canvas = document.getElementById("kr-chart");
    var source = document.getElementById("kr-chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    // x is days since the epoch, so check-ins sit to scale on a plain linear axis (Chart.js's
    // time scale needs a date adapter we do not vendor); ticks are written back as dates.
    var DAY = 86400000;
    var day = function (iso) { return Math.round(Date.parse(iso + "T00:00:00Z") / DAY); };
    var iso = function (days) { return new Date(days * DAY).toISOString().slice(0, 10); };
    var points = data.labels.map(function (date, i) { return { x: day(date), y: data.values[i] }; });
    var xs = points.map(function (p) { return p.x; });
    var first = Math.min.apply(null, [day(data.start)].concat(xs));
    var last = Math.max.apply(null, [day(data.end)].concat(xs));
    var flat = function (value) { return [{ x: first, y: value }, { x: last, y: value }]; };
    var unit = data.unit ? " (" + data.unit + ")" : "";
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: "Value" + unit, data: points, borderColor: "#1565c0", tension: 0.2 },
          { label: "Target", data: flat(data.target), borderColor: "#2e7d32", borderDash: [6, 4], pointRadius: 0 },
          { label: "Baseline", data: flat(data.baseline), borderColor: "#9e9e9e", borderDash: [2, 4], pointRadius: 0 }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, parsing: false,
        scales: {
          x: { type: "linear", min: first, max: last, title: { display: true, text: "Check-in date" },
               ticks: { stepSize: 7, callback: function (value) { return iso(value); } } },
          y: { title: { display: true, text: data.unit || "Value" } }
        },
        plugins: { tooltip: { callbacks: { title: function (items) { return items.length ? iso(items[0].parsed.x) : ""; } } } }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawKrChart);
  else drawKrChart();
})();

// The OKR page's one check-in dialog: a key result's "Check in" link opens it for that key
// result (the link itself leads to the key result's page, whose form works without JavaScript).
// The answer is the row (and the objective's score, out of band), swapped in by htmx.
(function () {
  "use strict";
  var dialog = document.getElementById("check-in-dialog");
  if (!dialog) return;
  var form = dialog.querySelector("form");
  var krId = null;
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest("a.check-in-open") : null;
    if (link && window.htmx) {
      evt.preventDefault();
      krId = link.dataset.kr;
      form.action = form.dataset.url.replace("/0/", "/" + krId + "/");
      form.reset();
      form.elements.confidence.value = link.dataset.confidence;
      var row = document.getElementById("kr-" + krId);
      document.getElementById("check-in-kr").textContent = row ? row.querySelector("a").textContent : "";
      dialog.showModal();
    } else if (evt.target.id === "check-in-cancel") {
      dialog.close();
    }
  });
  form.addEventListener("submit", function (evt) {
    if (!window.htmx || !krId) return;  // a plain POST: the view redirects back to this page
    evt.preventDefault();
    window.htmx
      .ajax("POST", form.action, { source: form, target: "#kr-" + krId, swap: "outerHTML" })
      .then(function () { dialog.close(); });
  });
})();
