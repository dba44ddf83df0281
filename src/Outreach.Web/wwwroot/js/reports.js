// Reports charts: each <canvas data-chart> carries its labels and series as JSON (no inline script under the
// Content-Security-Policy). A suppressed figure is null, so it leaves a gap; the table beside each chart has
// every figure as text for screen readers.
document.addEventListener('DOMContentLoaded', function () {
  if (typeof Chart === 'undefined') { return; }
  var colours = ['#0a58ca', '#1d6b35', '#8a5a00', '#b02a37', '#565e64'];
  document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
    var data = JSON.parse(canvas.getAttribute('data-chart'));
    var kind = canvas.getAttribute('data-chart-kind') || 'bar';
    new Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.values,
            borderColor: colours[i % colours.length],
            backgroundColor: colours[i % colours.length],
            spanGaps: false
          };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: data.title }, legend: { display: data.series.length > 1 } },
        scales: { y: { beginAtZero: true } }
      }
    });
  });
});
