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

// Keyboard focus on the plan page (no inline script: events only).
// - A KPI or KRA form that htmx brings in takes the focus at its first field,
//   so Tab goes on through that form (it opens above the link that opened it).
// - After a save the server names the saved row (HX-Trigger-After-Settle
//   "plan-focus"); the focus goes back there, not to the top of the page.
(function () {
  const FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  function firstField(form) {
    return Array.prototype.find.call(form.querySelectorAll(FIELDS), function (el) {
      return el.offsetParent !== null;
    });
  }
  // htmx:load fires on each piece of content htmx swaps in (and once on the
  // body at page load, which is left alone: the page keeps its own focus).
  const FORMS = "form.kpi-form, form.kra-form.card-header";
  document.addEventListener("htmx:load", function (event) {
    const root = event.target;
    if (!root || root === document.body || !root.querySelector) return;
    const form = root.matches(FORMS) ? root : root.querySelector(FORMS);
    if (!form) return;
    const target = form.querySelector(".is-invalid") || firstField(form);
    if (target) target.focus();
  });
  document.addEventListener("plan-focus", function (event) {
    const row = document.getElementById(event.detail.id);
    if (!row) return;
    if (!row.hasAttribute("tabindex")) row.setAttribute("tabindex", "-1");
    row.focus();
  });
})();
