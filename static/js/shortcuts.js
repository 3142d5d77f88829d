// Keyboard shortcuts on every workspace page; `?` lists them (templates/.../_shortcuts.html).
// Keys typed into a field are the field's, never a shortcut.
(function () {
  "use strict";

  var pendingG = false;
  var gTimer = null;

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=true], .ts-wrapper");
  }

  function go(dialog, name) {
    var url = dialog && dialog.dataset["url" + name];
    if (url) window.location.assign(url);
  }

  function startOrStop(dialog) {
    var stop = document.querySelector("[data-shortcut-stop]");
    if (stop) { stop.click(); return; }
    var start = document.querySelector(".timer-form");
    if (start) { start.requestSubmit(); return; }
    go(dialog, "Tracker");
  }

  // Opens the tracker's manual-entry form and puts the cursor in it; false when this page has none.
  function openManual() {
    var manual = document.querySelector("details.manual");
    if (!manual) return false;
    var first = manual.querySelector("input[name=description]");
    // Focused once the details element has opened: Chromium moves focus away from a field
    // focused in the same task as the opening.
    if (first && manual.open) first.focus();
    else if (first) manual.addEventListener("toggle", function () { first.focus(); }, { once: true });
    manual.open = true;
    return true;
  }

  function manualEntry(dialog) {
    if (openManual()) return;
    var url = dialog && dialog.dataset.urlTracker;
    if (url) window.location.assign(url + "#manual");
  }

  function focusSearch() {
    var field = document.querySelector("[data-shortcut-focus]") ||
      document.querySelector("main input[type=search], main input[type=text]");
    if (field) field.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      clearTimeout(gTimer);
      var where = { t: "Timesheet", r: "Reports", h: "Tracker" }[key];
      if (where) { event.preventDefault(); go(dialog, where); }
      return;
    }
    if (key === "?") {
      event.preventDefault();
      if (dialog && typeof dialog.showModal === "function") dialog.showModal();
    } else if (key === "g") {
      pendingG = true;
      gTimer = setTimeout(function () { pendingG = false; }, 1500);
    } else if (key === "s") {
      event.preventDefault();
      startOrStop(dialog);
    } else if (key === "n") {
      event.preventDefault();
      manualEntry(dialog);
    } else if (key === "/") {
      event.preventDefault();
      focusSearch();
    }
  });

  // The tracker opened as …/tracker/#manual (the `n` shortcut from another page).
  document.addEventListener("DOMContentLoaded", function () {
    if (window.location.hash === "#manual") openManual();
  });
})();
