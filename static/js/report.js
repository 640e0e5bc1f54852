// The monthly report's charts, drawn from the json_script data (money in currency units,
// scores in percent, days as dates placed to scale on a linear axis of days).
(function () {
  "use strict";

  var DAY = 24 * 60 * 60 * 1000;

  function draw() {
    var source = document.getElementById("report-chart-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data) return;
    var common = { responsive: true, animation: false };

    var money = document.getElementById("report-chart-money");
    if (money) {
      new Chart(money, {
        type: "bar",
        data: {
          labels: data.streams,
          datasets: [
            { label: "Allocated", data: data.allocated, backgroundColor: "#90caf9" },
            { label: "Spent", data: data.spent, backgroundColor: "#1565c0" },
            { label: "Forecast", data: data.forecast, backgroundColor: "#ef6c00" },
          ],
        },
        options: Object.assign({}, common, { scales: { y: { beginAtZero: true } } }),
      });
    }

    var okr = document.getElementById("report-chart-okr");
    if (okr) {
      // Days since the epoch on a linear axis: the gaps between measurements stay to scale
      // without a date adapter for Chart.js's time scale.
      var points = data.okr_trend.map(function (p) { return { x: Date.parse(p.x) / DAY, y: p.y }; });
      new Chart(okr, {
        type: "line",
        data: { datasets: [{ label: "OKR score %", data: points, borderColor: "#2e7d32", pointRadius: 2 }] },
        options: Object.assign({}, common, {
          scales: {
            x: {
              type: "linear",
              ticks: {
                callback: function (value) { return new Date(value * DAY).toISOString().slice(0, 10); },
              },
            },
            y: { min: 0, max: 100 },
          },
        }),
      });
    }

    var flow = document.getElementById("report-chart-flow");
    if (flow) {
      new Chart(flow, {
        type: "bar",
        data: {
          labels: data.streams,
          datasets: [
            { label: "Flow time, median (days)", data: data.flow_time, backgroundColor: "#6a1b9a", yAxisID: "days" },
            { label: "Deployments per week", data: data.deployments, backgroundColor: "#00838f", yAxisID: "deploys" },
          ],
        },
        options: Object.assign({}, common, {
          scales: {
            days: { position: "left", beginAtZero: true, title: { display: true, text: "days" } },
            deploys: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "per week" } },
          },
        }),
      });
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
