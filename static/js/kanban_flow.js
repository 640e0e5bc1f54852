// The portfolio's cumulative flow of epics (/kanban/flow/). Data comes from the json_script block
// "kanban-flow-chart"; nothing inline (the CSP forbids it). The chart is kept on window.vmoCharts.
(function () {
  "use strict";

  const STATE_COLORS = {
    funnel: "#b0bec5", reviewing: "#90caf9", analyzing: "#80deea",
    backlog: "#fff59d", implementing: "#ffcc80", done: "#a5d6a7",
  };

  function init() {
    window.vmoCharts = window.vmoCharts || {};
    const node = document.getElementById("kanban-flow-chart");
    const canvas = document.getElementById("chart-portfolio-cfd");
    if (!node || !canvas || typeof Chart === "undefined") return;
    const cfd = JSON.parse(node.textContent);
    // Drawn from the last state down so "done" is the bottom band, as cumulative flow diagrams read.
    window.vmoCharts["chart-portfolio-cfd"] = new Chart(canvas, {
      type: "line",
      data: {
        labels: cfd.labels,
        datasets: cfd.states.slice().reverse().map(function (band) {
          const color = STATE_COLORS[band.state] || "#cfd8dc";
          return { label: band.label, data: band.counts, borderColor: color, backgroundColor: color, fill: true, pointRadius: 0, tension: 0 };
        }),
      },
      options: { responsive: true, scales: { y: { beginAtZero: true, title: { display: true, text: "epics" } } } },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
