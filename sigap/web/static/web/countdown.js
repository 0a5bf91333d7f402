// Live countdown to SOP step deadlines: <time datetime=… data-countdown data-left="%s left"
// data-over="overdue by %s">. Labels come from the page so they are translated there.
(function () {
  "use strict";

  function span(ms) {
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) return days + "d " + hours + "h";
    if (hours) return hours + "h " + minutes + "m";
    return minutes + "m " + (seconds % 60) + "s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now;
      var label = left >= 0 ? el.dataset.left : el.dataset.over;
      el.textContent = (label || "%s").replace("%s", span(left));
      el.classList.toggle("overdue", left < 0);
      el.title = new Date(due).toLocaleString();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
