// Small page behaviours shared by every page. htmx sends the CSRF token from
// the hx-headers attribute on <body>.
document.addEventListener("htmx:responseError", function (event) {
  const box = document.getElementById("htmx-error");
  if (box) {
    box.textContent = box.dataset.message;
    box.classList.remove("d-none");
  }
});

// <select data-autosubmit> submits its form (no inline handlers under the CSP).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});

// Progress bars take their width from data-progress (a whole percent): the
// content security policy refuses style="" attributes, not styles set from a
// script. Runs on load and after every htmx swap.
(function () {
  function paint() {
    document.querySelectorAll(".progress-bar[data-progress]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", paint);
  document.addEventListener("htmx:load", paint);
})();
