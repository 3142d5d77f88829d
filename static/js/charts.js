// Draws the charts of the dashboard and the reports with Chart.js (static/vendor/, from npm).
// Each <canvas data-chart="ID"> names a JSON block (Django's json_script) holding:
//   {kind: "bar" | "stacked" | "share", labels: [...], datasets: [{label, color, seconds: [...]}],
//    yTitle: "..."}
// Figures are seconds; axes and tooltips show hours. Every chart has a table of the same
// figures next to it, so the page says everything without this script.
(function () {
  "use strict";

  function duration(seconds) {
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    return `${h}:${String(m).padStart(2, "0")}:${String(rest).padStart(2, "0")}`;
  }

  function hoursTick(value) {
    return `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 })} h`;
  }

  function barConfig(data, stacked) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set) => ({
          label: set.label,
          data: set.seconds.map((s) => s / 3600),
          seconds: set.seconds,
          backgroundColor: set.color,
          borderWidth: 0,
          maxBarThickness: 48,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 0 } },
          y: {
            stacked: stacked,
            beginAtZero: true,
            title: { display: true, text: data.yTitle || "Hours" },
            ticks: { callback: hoursTick },
          },
        },
        plugins: {
          legend: { display: stacked, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${duration(item.dataset.seconds[item.dataIndex])}`,
            },
          },
        },
      },
    };
  }

  function shareConfig(data) {
    const set = data.datasets[0];
    const whole = set.seconds.reduce((a, b) => a + b, 0) || 1;
    return {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: [{ data: set.seconds, backgroundColor: set.colors, borderWidth: 1 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },  // the page lists the shares beside the chart
          tooltip: {
            callbacks: {
              label: (item) => `${item.label}: ${duration(item.raw)} (${(item.raw / whole * 100).toFixed(1)}%)`,
            },
          },
        },
      },
    };
  }

  function draw(canvas) {
    const block = document.getElementById(canvas.dataset.chart);
    if (!block || typeof window.Chart === "undefined") return;
    const data = JSON.parse(block.textContent);
    const config = data.kind === "share" ? shareConfig(data) : barConfig(data, data.kind === "stacked");
    const chart = new window.Chart(canvas, config);
    canvas.closest("figure")?.classList.add("chart--drawn");
    canvas.chart = chart;
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (!canvas.chart) draw(canvas);
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  // Pages that swap parts in with htmx draw the charts those parts bring.
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
