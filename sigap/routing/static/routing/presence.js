// Presence: while a desk page is open its socket tells the server the agent is here (a ping a
// minute); when every page is closed the server stops hearing and, after a while, counts the
// agent offline. Supervisors also hear here when a conversation waits in the team queue.
(function () {
  "use strict";
  var PING_MS = 60000;
  var MIN_RETRY_MS = 2000;
  var MAX_RETRY_MS = 60000;
  var retryMs = MIN_RETRY_MS;

  function notice(form, data) {
    var box = document.getElementById("routing-notices");
    if (!box || !form.dataset.queued) {
      return;
    }
    var text = form.dataset.queued.replace("%s", data.reference);
    var line = document.createElement("p");
    line.className = "queued";
    var link = document.createElement("a");
    link.href = form.dataset.ticketUrl.replace("/0/", "/" + data.ticket + "/");
    link.textContent = text;
    line.appendChild(link);
    box.prepend(line);
    while (box.children.length > 3) {
      box.removeChild(box.lastChild);
    }
    if (window.Notification && Notification.permission === "granted") {
      new Notification(text);
    }
  }

  function connect(form) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + form.dataset.socket);
    var ping = null;
    socket.addEventListener("open", function () {
      retryMs = MIN_RETRY_MS;
      form.dataset.live = "on"; // the desk has heard this agent is here
      ping = window.setInterval(function () {
        socket.send(JSON.stringify({ type: "presence.ping" }));
      }, PING_MS);
    });
    socket.addEventListener("message", function (message) {
      var data = null;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data && data.event === "queued") {
        notice(form, data);
      }
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(ping);
      form.dataset.live = "off";
      if (event.code === 4401) {
        return;
      }
      window.setTimeout(function () { connect(form); }, retryMs + Math.random() * retryMs * 0.3);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  function start() {
    var form = document.querySelector("form.presence[data-socket]");
    if (form && window.WebSocket) {
      connect(form);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
