// OKR pages: the check-in chart of a key result (data from json_script, drawn with Chart.js).
(function () {
  "use strict";
  function drawKrChart() {
    var canvas = document.getElementById("kr-chart");
    var source = document.getElementById("kr-chart-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var flat = function (value) { return data.labels.map(function () { return value; }); };
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Value" + (data.unit ? " (" + data.unit + ")" : ""), data: data.values, borderColor: "#1565c0", tension: 0.2 },
          { label: "Target", data: flat(data.target), borderColor: "#2e7d32", borderDash: [6, 4], pointRadius: 0 },
          { label: "Baseline", data: flat(data.baseline), borderColor: "#9e9e9e", borderDash: [2, 4], pointRadius: 0 }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawKrChart);
  else drawKrChart();
})();
