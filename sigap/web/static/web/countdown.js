// Live countdown to SOP step deadlines: <time datetime=… data-countdown data-left="%s left"
// data-over="overdue by %s" data-units="d,h,m,s">. Labels and units come from the page, so
// they are translated there.
(function () {
  "use strict";

  function span(ms, units) {
    var u = (units || "d,h,m,s").split(",");
    var seconds = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) return days + u[0] + " " + hours + u[1];
    if (hours) return hours + u[1] + " " + minutes + u[2];
    return minutes + u[2] + " " + (seconds % 60) + u[3];
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - now;
      var label = left >= 0 ? el.dataset.left : el.dataset.over;
      el.textContent = (label || "%s").replace("%s", span(left, el.dataset.units));
      el.classList.toggle("overdue", left < 0);
      el.title = new Date(due).toLocaleString();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
})();
