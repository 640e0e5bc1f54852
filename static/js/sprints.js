// Sprint burn-up charts (team page, agile value streams). Data from the json_script block
// "sprint-burnup": {labels, done, committed} where committed is a number (one sprint's scope)
// or a series (cumulative over sprints). Nothing inline (the CSP forbids it).
(function () {
  "use strict";

  function init() {
    window.vmoCharts = window.vmoCharts || {};
    const node = document.getElementById("sprint-burnup");
    const canvas = document.getElementById("chart-sprint-burnup");
    if (!node || !canvas || typeof Chart === "undefined") return;
    const data = JSON.parse(node.textContent) || {};
    const labels = data.labels || [];
    const scope = Array.isArray(data.committed)
      ? data.committed
      : labels.map(function () { return data.committed; });
    window.vmoCharts["chart-sprint-burnup"] = new Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: "Committed (size)", data: scope, borderColor: "#ef6c00", backgroundColor: "#ef6c00", borderDash: [6, 4], pointRadius: 0 },
          { label: "Done (size)", data: data.done || [], borderColor: "#2e7d32", backgroundColor: "#2e7d32", tension: 0.1 },
        ],
      },
      options: { responsive: true, scales: { y: { beginAtZero: true } } },
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
