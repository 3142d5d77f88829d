// The tracker pages' small enhancements; every form works without them.
(function () {
  "use strict";

  // The running timer's clocks tick in js/timer.js (every page loads it).

  // The project picker's search box hides the options (and empty client groups) that don't match.
  function filterPicker(input) {
    var select = document.getElementById(input.dataset.pickerSearch);
    if (!select) return;
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var firstMatch = null;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("option").forEach(function (option) {
        var text = (group.label + " " + option.textContent).toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match) { visible += 1; if (!firstMatch) firstMatch = option; }
      });
      group.hidden = visible === 0;
    });
    return firstMatch;
  }

  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-picker-search]");
    if (input) filterPicker(input);
  });

  // Enter in the search box picks the first match instead of submitting the form.
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-picker-search]");
    if (!input || event.key !== "Enter") return;
    event.preventDefault();
    var match = filterPicker(input);
    var select = document.getElementById(input.dataset.pickerSearch);
    if (match && select) {
      select.value = match.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    }
  });

  // Choosing a project sets the billable toggle to the project's default.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-picker]");
    if (!select) return;
    var option = select.selectedOptions[0];
    var toggle = select.form && select.form.querySelector("[data-billable-toggle]");
    if (toggle && option && option.dataset.billable) toggle.checked = option.dataset.billable === "1";
  });

  // Bulk selection: "select all" and the selected count.
  function updateCount() {
    var checks = document.querySelectorAll("[data-entry-check]");
    var n = Array.prototype.filter.call(checks, function (c) { return c.checked; }).length;
    document.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = n + " selected"; });
    var all = document.querySelector("[data-select-all]");
    if (all) { all.checked = checks.length > 0 && n === checks.length; all.indeterminate = n > 0 && n < checks.length; }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("[data-entry-check]").forEach(function (c) { c.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select-all], [data-entry-check]")) updateCount();
  });
  document.addEventListener("htmx:afterSwap", updateCount);

  // Escape in an inline edit form cancels it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest("form.entry--editing");
    var cancel = form && form.querySelector("[hx-get]");
    if (cancel) { event.preventDefault(); cancel.click(); }
  });

  // After an inline edit is saved or cancelled, keyboard focus returns to that entry's row
  // (htmx replaces the form, and focus would otherwise fall back to the top of the page).
  var returnFocusTo = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form.entry--editing");
    returnFocusTo = form ? form.id : null;
  });
  // htmx:load fires on the new content (the request's own element may be gone by then).
  document.addEventListener("htmx:load", function () {
    if (!returnFocusTo) return;
    var row = document.getElementById(returnFocusTo);
    if (!row || row.matches("form.entry--editing")) return; // still editing (an error shows)
    returnFocusTo = null;
    var target = row.querySelector("button.entry__open") || row.querySelector("[data-entry-check]");
    if (target) target.focus();
  });

  document.addEventListener("DOMContentLoaded", updateCount);
})();
