/* Draws a report's chart from the rows its table shows (issue 10).
   The data comes from <script type="application/json" id="report-chart-data">
   (Django's json_script), so there is no inline script (CSP). Chart.js is the
   vendored UMD build in vendor/chart.umd.js. */
(function () {
  "use strict";
  var COLOURS = ["#1f6feb", "#d97706", "#15803d", "#b91c1c", "#7c3aed", "#0e7490"];

  function draw() {
    var canvas = document.getElementById("report-chart");
    var source = document.getElementById("report-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: s.label, data: s.data, backgroundColor: colour, borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 0, fill: false, tension: 0.2, spanGaps: true
      };
    });
    var chart = new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 2.5,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: spec.stacked },
          y: { stacked: spec.stacked, beginAtZero: true, title: { display: !!spec.y_title, text: spec.y_title } }
        }
      }
    });
    canvas.dataset.rendered = String(chart.data.datasets.length);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
