// Sigap chat widget. A shop adds one tag to its pages:
//   <script src="https://desk.example/static/chat/widget.js" data-team="WIDGET-KEY" defer></script>
// Optional: data-language="id" or "en" (default: the browser's language).
// Everything it shows is set as text, never as HTML: nothing a visitor or agent writes can run.
// The visitor is known by a random token kept in this site's localStorage; no cookie is used.
(function () {
  "use strict";
  var script =
    document.currentScript ||
    document.querySelector('script[data-team][src*="chat/widget.js"]');
  if (!script || !script.dataset.team) {
    return;
  }
  var key = script.dataset.team;
  var desk = new URL(script.src, window.location.href);
  var base = desk.origin;
  var language = (script.dataset.language || navigator.language || "id").slice(0, 2);
  var storageKey = "sigap-chat:" + base + ":" + key;
  var MIN_RETRY_MS = 1000;
  var MAX_RETRY_MS = 30000;

  var texts = {};
  var available = true;
  var mode = "chat";
  var socket = null;
  var retryMs = MIN_RETRY_MS;
  var shown = {};
  var ui = {};
  // Frames written before the socket was ready; sent, in order, once the desk has greeted us.
  var pending = [];
  var greeted = false;

  function token() {
    try {
      return window.localStorage.getItem(storageKey);
    } catch (error) {
      return null;
    }
  }

  function keepToken(value) {
    try {
      window.localStorage.setItem(storageKey, value);
    } catch (error) {
      // Private mode: the chat still works for this page view.
    }
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  var STYLE =
    ":host{all:initial;font:14px/1.4 system-ui,sans-serif;color:#1b1b1b}" +
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:10px 16px;" +
    "border:0;border-radius:20px;background:#0b6e4f;color:#fff;font:inherit;cursor:pointer}" +
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:320px;max-width:90vw;" +
    "height:460px;max-height:80vh;display:flex;flex-direction:column;background:#fff;" +
    "border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.2)}" +
    ".panel[hidden],.launcher[hidden],[hidden]{display:none}" +
    "header{display:flex;justify-content:space-between;align-items:center;padding:8px 12px;" +
    "background:#0b6e4f;color:#fff;border-radius:8px 8px 0 0}" +
    "header button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}" +
    ".log{flex:1;overflow-y:auto;padding:8px 12px;margin:0;list-style:none}" +
    ".log li{margin:6px 0;padding:6px 8px;border-radius:6px;white-space:pre-wrap;" +
    "overflow-wrap:anywhere}" +
    ".visitor{background:#e6f2ee;margin-left:24px}.agent{background:#f1f1f1;margin-right:24px}" +
    ".who{display:block;font-size:12px;color:#555}" +
    ".notice{margin:0;padding:8px 12px;background:#fff6d6;font-size:13px}" +
    ".error{margin:0;padding:6px 12px;background:#fde8e8;color:#8a1111;font-size:13px}" +
    "form{display:flex;gap:6px;padding:8px 12px;border-top:1px solid #eee;flex-wrap:wrap}" +
    "input,textarea{flex:1;min-width:0;font:inherit;padding:6px;border:1px solid #bbb;" +
    "border-radius:4px}textarea{resize:none;height:40px}" +
    "form button{font:inherit;padding:6px 10px;border:0;border-radius:4px;background:#0b6e4f;" +
    "color:#fff;cursor:pointer}label{font-size:12px;width:100%}" +
    ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}";

  function labelled(form, id, labelText, input) {
    var label = element("label", { for: id, class: "visually-hidden" }, labelText);
    input.id = id;
    input.setAttribute("placeholder", labelText);
    form.appendChild(label);
    form.appendChild(input);
    return input;
  }

  function build() {
    var host = element("div", { "data-sigap-chat": key });
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(element("style", {}, STYLE));

    ui.launcher = element("button", { type: "button", class: "launcher" }, texts.open);
    ui.launcher.addEventListener("click", open);
    root.appendChild(ui.launcher);

    ui.panel = element("section", { class: "panel", role: "dialog", "aria-label": texts.title });
    ui.panel.hidden = true;
    var header = element("header");
    header.appendChild(element("strong", {}, texts.title));
    var close = element("button", { type: "button", "aria-label": texts.close }, "×");
    close.addEventListener("click", function () {
      ui.panel.hidden = true;
      ui.launcher.hidden = false;
    });
    header.appendChild(close);
    ui.panel.appendChild(header);

    ui.log = element("ol", { class: "log", role: "log", "aria-live": "polite" });
    ui.panel.appendChild(ui.log);
    ui.notice = element("p", { class: "notice", role: "status" });
    ui.notice.hidden = true;
    ui.panel.appendChild(ui.notice);
    ui.error = element("p", { class: "error", role: "alert" });
    ui.error.hidden = true;
    ui.panel.appendChild(ui.error);

    ui.profile = element("form", { class: "profile" });
    ui.name = labelled(ui.profile, "sigap-chat-name", texts.name, element("input", { maxlength: "200" }));
    ui.email = labelled(
      ui.profile,
      "sigap-chat-email",
      texts.email,
      element("input", { type: "email", maxlength: "254" })
    );
    ui.profile.appendChild(element("button", { type: "submit" }, texts.save));
    ui.profile.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "profile", name: ui.name.value, email: ui.email.value });
    });
    ui.panel.appendChild(ui.profile);

    ui.byEmail = element("form", { class: "by-email" });
    ui.byEmailAddress = labelled(
      ui.byEmail,
      "sigap-chat-fallback-email",
      texts.email_required,
      element("input", { type: "email", required: "", maxlength: "254" })
    );
    ui.byEmail.appendChild(element("button", { type: "submit" }, texts.continue_by_email));
    ui.byEmail.addEventListener("submit", function (event) {
      event.preventDefault();
      send({ type: "email", email: ui.byEmailAddress.value, body: ui.text.value });
      ui.text.value = "";
    });
    ui.byEmail.hidden = true;
    ui.panel.appendChild(ui.byEmail);

    ui.compose = element("form", { class: "compose" });
    ui.text = labelled(ui.compose, "sigap-chat-message", texts.message, element("textarea"));
    ui.text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        ui.compose.requestSubmit();
      }
    });
    ui.send = element("button", { type: "submit" }, texts.send);
    ui.compose.appendChild(ui.send);
    ui.file = element("input", { type: "file", class: "visually-hidden" });
    var attach = element("label", { for: "sigap-chat-file" }, texts.attach);
    ui.file.id = "sigap-chat-file";
    ui.compose.appendChild(attach);
    ui.compose.appendChild(ui.file);
    ui.file.addEventListener("change", upload);
    ui.compose.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = ui.text.value.trim();
      if (body && mode === "chat" && send({ type: "message", body: body })) {
        ui.text.value = "";
      }
    });
    ui.panel.appendChild(ui.compose);
    root.appendChild(ui.panel);
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  }

  function showMode() {
    if (mode === "email") {
      ui.notice.textContent = texts.moved.replace("%(email)s", ui.byEmailAddress.value || ui.email.value);
      ui.notice.hidden = false;
      ui.byEmail.hidden = true;
      ui.compose.hidden = true;
      ui.profile.hidden = true;
      return;
    }
    ui.notice.textContent = available ? "" : texts.unavailable;
    ui.notice.hidden = available;
    ui.byEmail.hidden = available;
    ui.send.hidden = !available;
  }

  // The desk's web links (the survey when a chat ends, a tracking page) open in a new tab;
  // everything else, and anything the visitor wrote, stays plain text.
  function appendBody(item, body, linkable) {
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while (linkable && (match = pattern.exec(body)) !== null) {
      var url;
      try {
        url = new URL(match[0]);
      } catch (error) {
        continue;
      }
      item.appendChild(document.createTextNode(body.slice(last, match.index)));
      item.appendChild(
        element("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, match[0])
      );
      last = match.index + match[0].length;
    }
    item.appendChild(document.createTextNode(body.slice(last)));
  }

  function addMessage(message) {
    if (shown[message.id]) {
      return;
    }
    shown[message.id] = true;
    var fromVisitor = message.from === "visitor";
    var item = element("li", { class: fromVisitor ? "visitor" : "agent" });
    item.appendChild(
      element("span", { class: "who" }, fromVisitor ? texts.you : message.author || texts.agent)
    );
    appendBody(item, message.body, !fromVisitor);
    ui.log.appendChild(item);
    ui.log.scrollTop = ui.log.scrollHeight;
    if (!fromVisitor && ui.panel.hidden) {
      open();
    }
  }

  function receive(frame) {
    if (frame.type === "welcome") {
      if (frame.token) {
        keepToken(frame.token);
      }
      available = frame.available;
      mode = frame.mode;
      // What the visitor has typed meanwhile wins over what the desk remembers.
      ui.name.value = ui.name.value || frame.visitor.name;
      ui.email.value = ui.email.value || frame.visitor.email;
      ui.byEmailAddress.value = ui.byEmailAddress.value || frame.visitor.email;
      frame.messages.forEach(addMessage);
      showMode();
      greeted = true;
      flush();
    } else if (frame.type === "message") {
      showError("");
      addMessage(frame.message);
    } else if (frame.type === "status") {
      available = frame.available;
      showMode();
    } else if (frame.type === "profile") {
      showError("");
      ui.name.value = frame.name;
      ui.email.value = frame.email;
    } else if (frame.type === "moved") {
      showError("");
      mode = "email";
      ui.byEmailAddress.value = frame.email;
      showMode();
    } else if (frame.type === "error") {
      showError(frame.message);
    }
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN || !greeted) {
      pending.push(frame);
      connect();
      return true;
    }
    socket.send(JSON.stringify(frame));
    return true;
  }

  function flush() {
    var waiting = pending;
    pending = [];
    waiting.forEach(send);
  }

  function connect() {
    if (socket) {
      return;
    }
    var scheme = desk.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + desk.host + "/ws/public/chat/" + encodeURIComponent(key) + "/");
    socket.addEventListener("open", function () {
      retryMs = MIN_RETRY_MS;
      showError("");
      socket.send(JSON.stringify({ type: "hello", token: token(), language: language }));
    });
    socket.addEventListener("message", function (event) {
      try {
        receive(JSON.parse(event.data));
      } catch (error) {
        // A frame we do not understand changes nothing.
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      greeted = false;
      if (event.code === 4403) {
        return; // This site may not open the chat: retrying cannot help.
      }
      showError(texts.offline);
      window.setTimeout(connect, retryMs + Math.random() * retryMs * 0.3);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    });
  }

  function upload() {
    var file = ui.file.files[0];
    ui.file.value = "";
    if (!file || !token()) {
      return;
    }
    var form = new FormData();
    form.append("token", token());
    form.append("file", file);
    fetch(base + "/chat/" + encodeURIComponent(key) + "/upload/?language=" + language, {
      method: "POST",
      body: form,
      mode: "cors",
      credentials: "omit",
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            addMessage(answer.message);
          } else {
            showError(answer.message);
          }
        });
      })
      .catch(function () {
        showError(texts.offline);
      });
  }

  function open() {
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    connect();
    ui.text.focus();
  }

  function start() {
    var url = base + "/chat/" + encodeURIComponent(key) + "/config/?language=" + language;
    fetch(url, { mode: "cors", credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (config) {
        if (!config) {
          return;
        }
        texts = config.texts;
        available = config.available;
        build();
        if (token()) {
          connect(); // A conversation in progress: replies arrive even with the panel closed.
        }
      })
      .catch(function () {
        // The desk is unreachable: show nothing rather than a chat that cannot work.
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
