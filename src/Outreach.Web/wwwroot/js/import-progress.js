// Venue import progress: polls the import's small JSON endpoint and moves the bar; reloads the page
// when the import's status changes (checked, imported or discarded). Kept out of the page so the
// Content-Security-Policy needs no inline script.
document.addEventListener('DOMContentLoaded', function () {
  var section = document.querySelector('[data-import-progress]');
  if (!section) { return; }
  var url = section.getAttribute('data-import-progress');
  var startedAs = section.getAttribute('data-status');
  var bar = section.querySelector('.progress');
  var fill = section.querySelector('.progress-bar');
  var text = section.querySelector('[data-progress-text]');
  var error = section.querySelector('[data-progress-error]');

  function poll() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (progress) {
        if (progress) {
          // 'uploaded' moves on to 'checking' by itself; any other change means the work is done.
          if (progress.status !== startedAs && !(startedAs === 'uploaded' && progress.status === 'checking')) {
            window.location.reload();
            return;
          }
          fill.style.width = progress.percent + '%';
          bar.setAttribute('aria-valuenow', String(progress.percent));
          text.textContent = progress.message;
          error.textContent = progress.error || '';
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
});
