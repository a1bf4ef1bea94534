// The rounds page's create form: the start and end dates follow the round typed
// (2569/1 -> 01/10/2568 - 31/03/2569, B.E.) until the user edits a date.
// The server applies the same rule (indicators.forms.RoundCreateForm), so the
// page is right without JavaScript too.
(function () {
  "use strict";
  const code = document.querySelector("[data-round-code]");
  const start = document.querySelector("[data-round-date=start]");
  const end = document.querySelector("[data-round-date=end]");
  if (!code || !start || !end) {
    return;
  }
  const thaiDigits = "๐๑๒๓๔๕๖๗๘๙";

  function latin(text) {
    return text.replace(/[๐-๙]/g, function (digit) {
      return String(thaiDigits.indexOf(digit));
    });
  }

  // Default dates of round `number` of fiscal year `year` (B.E.), as dd/mm/yyyy B.E.
  function defaults(year, number) {
    if (number === 1) {
      return ["01/10/" + (year - 1), "31/03/" + year];
    }
    return ["01/04/" + year, "30/09/" + year];
  }

  [start, end].forEach(function (input) {
    input.addEventListener("input", function () {
      input.dataset.edited = "1";
    });
  });

  code.addEventListener("input", function () {
    const match = latin(code.value).match(/^\s*(\d{4})\s*\/\s*([12])\s*$/);
    if (!match) {
      return;
    }
    const dates = defaults(parseInt(match[1], 10), parseInt(match[2], 10));
    if (!start.dataset.edited) {
      start.value = dates[0];
    }
    if (!end.dataset.edited) {
      end.value = dates[1];
    }
  });
})();
