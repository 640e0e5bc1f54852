// The executive overview: charts drawn from the json_script data, and the quarter picker.
(function () {
  "use strict";

  // Money arrives in currency units, as in every chart (the server converts cents once).

  function pct(value) {
    return value === null || value === undefined ? null : Math.round(value * 1000) / 10;
  }

  function draw() {
    const source = document.getElementById("overview-chart-data");
    if (!source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    // Units on every axis: money in the installation's currency, scores and progress in %.
    const box = document.getElementById("overview-charts");
    const money = box && box.dataset.currency ? box.dataset.currency : "Amount";

    const allocation = document.getElementById("chart-allocation-spend");
    if (allocation) {
      new Chart(allocation, {
        type: "bar",
        data: {
          labels: data.streams,
          datasets: [
            { label: "Allocated", data: data.allocated, backgroundColor: "#90caf9" },
            { label: "Spent", data: data.spent, backgroundColor: "#1565c0" },
          ],
        },
        options: {
          responsive: true,
          animation: false,
          scales: {
            x: { title: { display: true, text: "Value stream" } },
            y: { beginAtZero: true, title: { display: true, text: money } },
          },
        },
      });
    }

    const outcome = document.getElementById("chart-outcome-spend");
    if (outcome) {
      new Chart(outcome, {
        type: "scatter",
        data: {
          datasets: [{
            label: "Value streams",
            data: data.outcome.map(function (p) { return { x: p.x, y: pct(p.y), label: p.label }; }),
            backgroundColor: "#2e7d32",
          }],
        },
        options: {
          animation: false,
          scales: {
            x: { title: { display: true, text: "Spent (" + money + ")" }, beginAtZero: true },
            y: { title: { display: true, text: "OKR score %" }, min: 0, max: 100 },
          },
          plugins: {
            tooltip: { callbacks: { label: function (ctx) { return ctx.raw.label + ": " + ctx.raw.y + "% for " + ctx.raw.x; } } },
          },
        },
      });
    }

    const trend = document.getElementById("chart-trend");
    if (trend) {
      const t = data.trend;
      new Chart(trend, {
        type: "line",
        data: {
          labels: t.quarters,
          datasets: [
            { label: "Allocated", data: t.allocated, yAxisID: "money", borderColor: "#90caf9" },
            { label: "Spent", data: t.spent, yAxisID: "money", borderColor: "#1565c0" },
            { label: "OKR score %", data: t.okr_score.map(pct), yAxisID: "pct", borderColor: "#2e7d32" },
            { label: "Delivery progress %", data: t.delivery_progress.map(pct), yAxisID: "pct", borderColor: "#ef6c00" },
          ],
        },
        options: {
          animation: false,
          spanGaps: true,
          scales: {
            x: { title: { display: true, text: "Quarter" } },
            money: { type: "linear", position: "left", beginAtZero: true, title: { display: true, text: money } },
            pct: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: "%" } },
          },
        },
      });
    }
  }

  function drawEconomy() {
    const source = document.getElementById("economy-chart-data");
    const canvas = document.getElementById("chart-economy");
    if (!source || !canvas || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const colours = { 1: "#2e7d32", 2: "#f9a825", 3: "#9e9e9e", 4: "#c62828" };
    const names = { 1: "High value, low cost", 2: "High value, high cost", 3: "Low value, low cost", 4: "Low value, high cost" };
    // Money-valued epics (planned benefit or cost of delay per week, per year) on the left axis,
    // epics with only WSJF points on the right one: the legend says which is which.
    const bases = { benefit: "money: benefit/yr", cd3: "money: cost of delay/yr", wsjf: "WSJF points" };
    const datasets = [];
    [1, 2, 3, 4].forEach(function (q) {
      ["money", "wsjf"].forEach(function (kind) {
        const points = data.points.filter(function (p) {
          return p.quadrant === q && (kind === "wsjf" ? p.basis === "wsjf" : p.basis !== "wsjf");
        });
        if (!points.length) return;
        datasets.push({
          label: names[q] + (kind === "wsjf" ? " (WSJF points)" : " (money)"),
          backgroundColor: colours[q],
          pointStyle: kind === "wsjf" ? "triangle" : "circle",
          yAxisID: kind === "wsjf" ? "points" : "y",
          data: points.map(function (p) { return { x: p.x, y: p.y, label: p.key + " " + p.title + " [" + bases[p.basis] + "]" }; }),
        });
      });
    });
    new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        animation: false,
        scales: {
          x: { title: { display: true, text: "Estimated cost" }, beginAtZero: true },
          y: { position: "left", title: { display: true, text: "Money value per year (benefit or cost of delay)" }, beginAtZero: true },
          points: { position: "right", title: { display: true, text: "Cost of delay (WSJF points)" }, beginAtZero: true, grid: { drawOnChartArea: false } },
        },
        plugins: {
          tooltip: { callbacks: { label: function (ctx) { return ctx.raw.label + ": value " + ctx.raw.y + ", cost " + ctx.raw.x; } } },
        },
      },
    });
  }

  function autoSubmitQuarter() {
    const select = document.getElementById("quarter-select");
    if (!select) return;
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    drawEconomy();
    autoSubmitQuarter();
  });
})();
