// Compile progress on /Admin: polls the run's small JSON endpoint, moves the bar, and reloads the page when the
// run has finished or failed (the list of recent compiles then shows it).
document.addEventListener('DOMContentLoaded', function () {
  var section = document.querySelector('[data-compile-progress]');
  if (!section) { return; }
  var url = section.getAttribute('data-compile-progress');
  var bar = section.querySelector('.progress');
  var fill = section.querySelector('.progress-bar');
  var text = section.querySelector('[data-progress-text]');

  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (run) {
          fill.style.width = run.percent + '%';
          bar.setAttribute('aria-valuenow', String(run.percent));
          text.textContent = run.message;
          if (run.status === 'finished' || run.status === 'failed') {
            window.location.reload();
            return;
          }
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 300);
});
