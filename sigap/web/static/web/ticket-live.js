// Live ticket page: when the server says this ticket changed (a chat message, a reply from a
// colleague), the timeline and the header are fetched again and swapped in. The reply box is
// left alone, so a half-written answer is never lost. The socket is the inbox's: it only
// announces tickets this agent may see.
(function () {
  "use strict";
  var DEBOUNCE_MS = 150;
  var MIN_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;
  var retryMs = MIN_RETRY_MS;
  var pending = null;
  var timeline = document.querySelector("[data-live-ticket]");
  if (!timeline) {
    return;
  }
  var ticketId = Number(timeline.dataset.liveTicket);

  function swap(selector, fresh) {
    var now = document.querySelector(selector);
    var next = fresh.querySelector(selector);
    if (now && next) {
      now.replaceWith(document.importNode(next, true));
    }
  }

  function refresh() {
    pending = null;
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        swap(".ticket-head", fresh);
        swap("[data-live-ticket]", fresh);
      })
      .catch(function () {
        // The next notice or a reload shows the truth.
      });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/inbox/");
    socket.addEventListener("open", function () {
      retryMs = MIN_RETRY_MS;
      document.body.dataset.ticketLive = "on";
    });
    socket.addEventListener("message", function (message) {
      var data = null;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data && data.ticket === ticketId && pending === null) {
        pending = window.setTimeout(refresh, DEBOUNCE_MS);
      }
    });
    socket.addEventListener("close", function (event) {
      document.body.dataset.ticketLive = "off";
      if (event.code === 4401) {
        return;
      }
      window.setTimeout(connect, retryMs + Math.random() * retryMs * 0.3);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  connect();
})();
