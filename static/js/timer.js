// The running timer on every page: its clocks tick, and the tab's title shows the elapsed time
// and what runs. Pages work without it (the header shows the time as of the page's load).
(function () {
  "use strict";

  var baseTitle = document.title;

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function clockText(seconds) {
    return Math.floor(seconds / 3600) + ":" + pad(Math.floor(seconds % 3600 / 60)) + ":" + pad(seconds % 60);
  }

  function tick() {
    var shown = null;
    document.querySelectorAll("[data-clock-start]").forEach(function (el) {
      var start = Date.parse(el.dataset.clockStart);
      if (isNaN(start)) return;
      var text = clockText(Math.max(0, Math.floor((Date.now() - start) / 1000)));
      el.textContent = text;
      if (shown === null) shown = text;
    });
    var header = document.querySelector("[data-timer-title]");
    if (header && shown !== null) {
      document.title = "\u25B6 " + shown + " \u00B7 " + header.dataset.timerTitle + " \u00B7 " + baseTitle;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
  });
})();
