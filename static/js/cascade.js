// The split-target table on the cascade page: sums per level, live.
// Reads everything from data- attributes (no inline script): the table has
// data-split-table and data-scale ("higher" or "lower"); each row
// data-split-row with a data-split-include checkbox (or a data-split-kept
// hidden input for a locked plan) and inputs with data-level; the footer
// cells data-sum-level / data-parent-target and data-gap-level.
// The server checks the same sums again: this only helps while typing.
(function () {
  "use strict";

  const THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";

  function parseNumber(text) {
    let clean = "";
    for (const ch of String(text || "").trim()) {
      const thai = THAI_DIGITS.indexOf(ch);
      clean += thai >= 0 ? String(thai) : ch;
    }
    clean = clean.replace(/,/g, "").replace(/%$/, "").replace("\u2212", "-").trim();
    if (clean === "" || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(clean)) {
      return null;
    }
    return Number(clean);
  }

  // Sums of decimals without binary noise: scale to integers of 4 decimals.
  function show(value) {
    const rounded = Math.round(value * 10000) / 10000;
    return rounded.toLocaleString("en-US", { maximumFractionDigits: 4, useGrouping: false });
  }

  function included(row) {
    const box = row.querySelector("[data-split-include]");
    return Boolean(row.querySelector("[data-split-kept]")) || (box && box.checked);
  }

  function update(table) {
    const scale = table.dataset.scale;
    const sums = {};
    const missing = {};
    let chosen = 0;
    table.querySelectorAll("[data-split-row]").forEach(function (row) {
      const use = included(row);
      row.classList.toggle("table-active", use);
      if (!use) {
        return;
      }
      chosen += 1;
      row.querySelectorAll("input[data-level]").forEach(function (input) {
        const level = input.dataset.level;
        const value = parseNumber(input.value);
        const bad = input.value.trim() !== "" && value === null;
        input.classList.toggle("is-invalid", bad);
        if (value === null) {
          missing[level] = true;
        } else {
          sums[level] = (sums[level] || 0) + Math.round(value * 10000);
        }
      });
    });
    let shortfalls = 0;
    table.querySelectorAll("[data-sum-level]").forEach(function (cell) {
      const level = cell.dataset.sumLevel;
      const target = parseNumber(cell.dataset.parentTarget);
      const sum = level in sums ? sums[level] / 10000 : null;
      let ok = true;
      if (target !== null) {
        if (chosen === 0) {
          ok = false;
        } else if (scale === "lower") {
          ok = !missing[level] && sum !== null && sum <= target;
        } else {
          ok = (sum || 0) >= target;
        }
      }
      cell.textContent = sum === null ? "" : show(sum);
      cell.classList.toggle("table-danger", !ok);
      const gap = table.querySelector('[data-gap-level="' + level + '"]');
      if (gap) {
        gap.replaceChildren();
        const span = document.createElement("span");
        span.className = ok ? "text-success" : "text-danger";
        span.textContent = ok ? "✓" : show(Math.abs(target - (sum || 0)));
        gap.appendChild(span);
      }
      if (!ok) {
        shortfalls += 1;
      }
    });
    const status = document.querySelector("[data-split-status]");
    if (status) {
      status.textContent = shortfalls
        ? (table.dataset.shortMessage || "").replace("%s", shortfalls)
        : table.dataset.okMessage || "";
      status.classList.toggle("text-danger", shortfalls > 0);
      status.classList.toggle("text-muted", shortfalls === 0);
    }
  }

  document.querySelectorAll("[data-split-table]").forEach(function (table) {
    table.addEventListener("input", function () { update(table); });
    table.addEventListener("change", function () { update(table); });
    update(table);
  });
})();
