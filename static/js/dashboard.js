// The round dashboard's chart: rating bands per unit, as a stacked bar chart.
// The data comes from the page in <script type="application/json" id="band-chart-data">
// (Django's json_script), so there is no inline script and nothing to escape.
(function () {
  "use strict";
  const source = document.getElementById("band-chart-data");
  const canvas = document.getElementById("band-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  // Best band first, from green (good) to red (needs improvement).
  const colours = ["#1a7f37", "#57ab5a", "#2f81f7", "#d4a72c", "#cf222e", "#6e7781"];

  function draw() {
    // Canvas text does not inherit CSS: use the page's (Thai) font.
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 13;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: colours[Math.min(index, colours.length - 1)],
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  // Wait for the web font, or the labels are measured (and drawn) in a fallback font.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(draw);
  } else {
    draw();
  }
})();
