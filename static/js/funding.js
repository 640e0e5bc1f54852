// The funding page's chart: allocation vs spend (and forecast) per value stream.
// Data comes from the json_script element inside the htmx panel, so a swap redraws it.
(function () {
  "use strict";
  let chart = null;

  function draw() {
    const source = document.getElementById("funding-chart-data");
    const canvas = document.getElementById("funding-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    if (chart) {
      chart.destroy();
    }
    chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Allocation", data: data.allocated, backgroundColor: "#90caf9" },
          { label: "Spent", data: data.spent, backgroundColor: "#ffb74d" },
          { label: "Forecast", data: data.forecast, backgroundColor: "#e0e0e0" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "funding-panel") {
      draw();
    }
  });
})();
