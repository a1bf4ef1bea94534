// The plan page: show the level inputs that fit the chosen scale (numbers, or
// milestone words). Without JavaScript both sets are shown and the server keeps
// only the ones of the chosen scale.
(function () {
  // htmx settles "style" too, writing style attributes that the CSP (style-src
  // 'self') refuses; our swaps never animate inline styles.
  if (window.htmx) htmx.config.attributesToSettle = ["class", "width", "height"];
  function sync(form) {
    const scale = form.querySelector("select[name=scale]");
    if (!scale) return;
    const milestone = scale.value === "milestone";
    form.querySelectorAll(".levels-numeric").forEach(function (el) {
      el.classList.toggle("d-none", milestone);
    });
    form.querySelectorAll(".levels-milestone").forEach(function (el) {
      el.classList.toggle("d-none", !milestone);
    });
  }
  function syncAll(root) {
    if (root.matches && root.matches("form")) sync(root);
    root.querySelectorAll("form").forEach(sync);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=scale]")) sync(event.target.form);
  });
  document.addEventListener("htmx:load", function (event) { syncAll(event.target); });
  document.addEventListener("DOMContentLoaded", function () { syncAll(document); });
})();
