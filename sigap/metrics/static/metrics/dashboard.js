// Draws the dashboard's charts from the figures the page carries (json_script): no inline
// script, no request of its own.
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    new Chart(canvas, config);
  }

  function draw() {
    var data = read("metrics-data");
    var words = read("metrics-labels");
    if (!data || !words) return;
    chart("chart-trend", {
      type: "line",
      data: {
        labels: data.trend.map(function (p) { return p.day.slice(5); }),
        datasets: [
          { label: words.opened, data: data.trend.map(function (p) { return p.tickets_opened; }), borderColor: "#1565c0", backgroundColor: "#1565c0" },
          { label: words.resolved, data: data.trend.map(function (p) { return p.tickets_resolved; }), borderColor: "#2e7d32", backgroundColor: "#2e7d32" }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    chart("chart-channels", {
      type: "bar",
      data: {
        labels: data.by_channel.map(function (r) { return r.label; }),
        datasets: [{ label: words.sla, data: data.by_channel.map(function (r) { return r.sla_compliance; }), backgroundColor: "#6a1b9a" }]
      },
      options: { scales: { y: { beginAtZero: true, max: 100 } } }
    });
    chart("chart-sops", {
      type: "bar",
      data: {
        labels: data.by_sop.map(function (r) { return r.sop || words.no_sop; }),
        datasets: [{ label: words.tickets, data: data.by_sop.map(function (r) { return r.tickets_opened; }), backgroundColor: "#00838f" }]
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    chart("chart-steps", {
      type: "bar",
      data: {
        labels: data.steps.map(function (s) { return (s.sop || "") + " v" + s.version + " · " + (s.step_id || "—"); }),
        datasets: [
          { label: words.late, data: data.steps.map(function (s) { return s.late; }), backgroundColor: "#ef6c00" },
          { label: words.waived, data: data.steps.map(function (s) { return s.waived; }), backgroundColor: "#b3261e" },
          { label: words.special_policy, data: data.steps.map(function (s) { return s.special_policy; }), backgroundColor: "#5d4037" }
        ]
      },
      options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
