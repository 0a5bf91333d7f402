// Live inbox: the server says "a ticket you may see changed"; we reload the list partial.
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
    socket.addEventListener("message", scheduleRefresh);
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
