// The monitoring page's chart: KPIs by progress status per unit, as a stacked bar chart.
// The data comes from <script type="application/json" id="watch-chart-data"> (json_script),
// so there is no inline script (CSP) and nothing to escape.
(function () {
  "use strict";
  const source = document.getElementById("watch-chart-data");
  const canvas = document.getElementById("watch-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const colours = { on_track: "#1a7f37", at_risk: "#d4a72c", off_track: "#cf222e", no_news: "#6e7781" };

  function draw() {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 13;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          return { label: series.label, data: series.data, backgroundColor: colours[series.key] };
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

  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(draw);
  } else {
    draw();
  }
})();
