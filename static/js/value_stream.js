// Charts of the value stream page. Data comes from the json_script block "value-stream-charts";
// nothing inline (the CSP forbids it). Chart instances are kept on window.vmoCharts for tests.
(function () {
  "use strict";

  const COLORS = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#5d4037"];
  const STATE_COLORS = {
    funnel: "#b0bec5", reviewing: "#90caf9", analyzing: "#80deea",
    backlog: "#fff59d", implementing: "#ffcc80", done: "#a5d6a7",
  };

  function readData() {
    const node = document.getElementById("value-stream-charts");
    return node ? JSON.parse(node.textContent) : {};
  }

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return null;
    const chart = new Chart(canvas, config);
    window.vmoCharts[id] = chart;
    return chart;
  }

  function line(label, data, color, axis) {
    return { label: label, data: data, borderColor: color, backgroundColor: color, yAxisID: axis || "y", tension: 0.2, spanGaps: true };
  }

  // An axis title, so every axis says its unit.
  function titled(text, extra) {
    return Object.assign({ beginAtZero: true, title: { display: true, text: text } }, extra || {});
  }

  function init() {
    window.vmoCharts = window.vmoCharts || {};
    const data = readData();
    const currencyNode = document.getElementById("value-stream-currency");
    const money = currencyNode && currencyNode.textContent.trim() ? currencyNode.textContent.trim() : "Amount";
    const right = { position: "right", grid: { drawOnChartArea: false } };
    const trend = data.trend || [];
    const days = trend.map(function (row) { return row.as_of; });
    const pick = function (name) { return trend.map(function (row) { return row[name]; }); };

    draw("chart-flow-trend", {
      type: "line",
      data: {
        labels: days,
        datasets: [
          line("Velocity (items)", pick("flow_velocity"), COLORS[0]),
          line("Load (items)", pick("flow_load"), COLORS[2]),
          line("Flow time median (days)", pick("flow_time_median_days"), COLORS[1], "y1"),
          line("Flow time 85th (days)", pick("flow_time_p85_days"), COLORS[3], "y1"),
        ],
      },
      options: {
        responsive: true,
        scales: { x: titled("Snapshot date"), y: titled("items", { position: "left" }), y1: titled("days", right) },
      },
    });

    const distribution = data.distribution || {};
    const types = Object.keys(distribution);
    draw("chart-distribution", {
      type: "doughnut",
      data: {
        labels: types.length ? types : ["no items done"],
        datasets: [{ data: types.length ? types.map(function (t) { return distribution[t]; }) : [1], backgroundColor: types.length ? COLORS : ["#e0e0e0"] }],
      },
      // As wide as the line charts beside it are tall, not a page-high disc.
      options: { responsive: true, aspectRatio: 2, plugins: { legend: { position: "right" } } },
    });

    draw("chart-dora-trend", {
      type: "line",
      data: {
        labels: days,
        datasets: [
          line("Deployments per week", pick("deployments_per_week"), COLORS[0]),
          line("Lead time median (hours)", pick("lead_time_median_hours"), COLORS[4], "y1"),
        ],
      },
      options: {
        responsive: true,
        scales: { x: titled("Snapshot date"), y: titled("deployments per week", { position: "left" }), y1: titled("hours", right) },
      },
    });

    const cfd = data.cfd || { labels: [], states: [] };
    // Drawn from the last state down so "done" is the bottom band, as cumulative flow diagrams read.
    draw("chart-cfd", {
      type: "line",
      data: {
        labels: cfd.labels,
        datasets: cfd.states.slice().reverse().map(function (band) {
          const color = STATE_COLORS[band.state] || "#cfd8dc";
          return { label: band.label, data: band.counts, borderColor: color, backgroundColor: color, fill: true, pointRadius: 0, tension: 0 };
        }),
      },
      options: { responsive: true, scales: { x: titled("Date"), y: titled("epics") } },
    });

    // Money arrives in currency units, as in every chart (the server converts cents once).
    const burn = data.burn || { labels: [], spent: [] };
    draw("chart-burn", {
      type: "line",
      data: {
        labels: burn.labels,
        datasets: [
          line("Spent (cumulative)", burn.spent || [], COLORS[0]),
          line("Allocation", burn.labels.map(function () { return burn.allocated; }), COLORS[1]),
          line("Forecast at quarter end", burn.labels.map(function () { return burn.forecast; }), COLORS[2]),
        ],
      },
      options: { responsive: true, scales: { y: titled(money) } },
    });

    const benefit = data.benefit || { labels: [], planned: [], realised: [] };
    draw("chart-benefit", {
      type: "bar",
      data: {
        labels: benefit.labels,
        datasets: [
          { label: "Planned benefit", data: benefit.planned, backgroundColor: COLORS[0] },
          { label: "Realised benefit", data: benefit.realised, backgroundColor: COLORS[1] },
        ],
      },
      options: { responsive: true, scales: { y: titled(money) } },
    });

    // Predictability as a percentage; the SAFe band 80-100 % drawn as two flat lines.
    const pred = data.predictability || { labels: [], values: [], band: [0.8, 1] };
    const pct = function (v) { return v === null || v === undefined ? null : Math.floor(v * 1000) / 10; };
    draw("chart-predictability", {
      type: "line",
      data: {
        labels: pred.labels,
        datasets: [
          line("Predictability (%)", pred.values.map(pct), COLORS[3]),
          line("Band low (80 %)", pred.labels.map(function () { return pct(pred.band[0]); }), "#9e9e9e"),
          line("Band high (100 %)", pred.labels.map(function () { return pct(pred.band[1]); }), "#9e9e9e"),
        ],
      },
      options: { responsive: true, scales: { y: titled("%") } },
    });

    const rc = data.run_change;
    if (rc) {
      draw("chart-run-change", {
        type: "bar",
        data: {
          labels: rc.labels,
          datasets: [
            { label: "Change", data: rc.change, backgroundColor: COLORS[0], stack: "spend" },
            { label: "Run (keep the lights on)", data: rc.run, backgroundColor: "#9e9e9e", stack: "spend" },
          ],
        },
        options: { responsive: true, scales: { x: { stacked: true }, y: titled(money, { stacked: true }) } },
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
