// Upload limit: a file over the site's limit is refused in the page, with the server's own words, before it is
// sent (the server refuses it as well), so nobody waits for a large file to go up only to be turned away. Kept out
// of the page so the Content-Security-Policy needs no inline script.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('input[type=file][data-max-bytes]').forEach(function (input) {
    var max = Number(input.getAttribute('data-max-bytes'));
    var words = input.getAttribute('data-too-large');
    var message = input.form.querySelector('[data-valmsg-for="' + input.name + '"]');

    function fits() {
      var file = input.files && input.files[0];
      var tooLarge = !!file && file.size > max;
      if (message) {
        message.textContent = tooLarge ? words.replace('{size}', Math.ceil(file.size / 1048576).toLocaleString('en-GB')) : '';
      }
      return !tooLarge;
    }

    input.addEventListener('change', fits);
    input.form.addEventListener('submit', function (event) {
      if (!fits()) {
        event.preventDefault();
        input.focus();
      }
    });
  });
});
