// Live inbox: the server says "a ticket you may see changed"; we reload the list partial.
// Response-time alerts arrive on the same socket and show as a banner.
// Many changes in a burst cause one reload; a dropped socket reconnects with growing delays.
(function () {
  "use strict";
  var DEBOUNCE_MS = 400;
  var MIN_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;
  var retryMs = MIN_RETRY_MS;
  var pending = null;
  var wasConnected = false;

  function refresh() {
    pending = null;
    var list = document.getElementById("inbox-list");
    if (!list || !window.htmx) {
      return;
    }
    // The address bar holds the current filters (htmx replaces it on each filter change).
    window.htmx.ajax("GET", list.dataset.listUrl + window.location.search, {
      target: "#inbox-list",
      swap: "outerHTML",
    });
  }

  function scheduleRefresh() {
    if (pending === null) {
      pending = window.setTimeout(refresh, DEBOUNCE_MS);
    }
  }

  // A missed or nearly missed response time or SOP step, or an escalation: a banner and,
  // if the agent allowed it, a browser notification. Wording comes from the page (gettext).
  function alertSla(data) {
    var box = document.getElementById("sla-alerts");
    if (!box) {
      return;
    }
    var template = box.dataset[data.stage] || box.dataset.breach;
    var text = template.replace("%s", data.reference);
    var line = document.createElement("p");
    line.className = data.stage;
    var link = document.createElement("a");
    link.href = box.dataset.ticketUrl.replace("/0/", "/" + data.ticket + "/");
    link.textContent = text;
    line.appendChild(link);
    box.prepend(line);
    while (box.children.length > 5) {
      box.removeChild(box.lastChild);
    }
    // Warnings (of a target or an SOP step) stay on the page; misses also notify.
    var isWarning = /warning$/.test(data.stage);
    if (window.Notification && Notification.permission === "granted" && !isWarning) {
      new Notification(text);
    }
  }

  function offerNotifications() {
    var button = document.getElementById("sla-notify");
    if (!button || !window.Notification || Notification.permission !== "default") {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function () {
        button.hidden = true;
      });
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/inbox/");
    socket.addEventListener("open", function () {
      retryMs = MIN_RETRY_MS;
      document.body.dataset.live = "on";
      if (wasConnected) {
        scheduleRefresh(); // Changes made while we were away were not announced to us.
      }
      wasConnected = true;
    });
    socket.addEventListener("message", function (message) {
      scheduleRefresh();
      var data = null;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data && data.event === "sla") {
        alertSla(data);
      }
    });
    socket.addEventListener("close", function (event) {
      document.body.dataset.live = "off";
      if (event.code === 4401) {
        return; // Signed out: reconnecting cannot help.
      }
      var jitter = Math.random() * retryMs * 0.3;
      window.setTimeout(connect, retryMs + jitter);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  function start() {
    offerNotifications();
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
