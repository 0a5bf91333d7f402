// The SOP editor: line numbers beside the YAML, lines with a problem marked, and a click on
// "Line 12" in the check panel selects that line. The live check itself is htmx on the
// textarea (hx-post, 400 ms after typing stops); this file only reads the panel it fills.
(function () {
  "use strict";

  function problemLines(panel) {
    var lines = {};
    panel.querySelectorAll("[data-line]").forEach(function (el) {
      lines[el.dataset.line] = true;
    });
    return lines;
  }

  function lineCount(text) {
    return text.split("\n").length;
  }

  function renderGutter(editor, gutter, panel) {
    var marked = problemLines(panel);
    var count = lineCount(editor.value);
    var fragment = document.createDocumentFragment();
    for (var line = 1; line <= count; line += 1) {
      var number = document.createElement("span");
      number.textContent = String(line);
      if (marked[line]) {
        number.className = "line-problem";
      }
      fragment.appendChild(number);
      fragment.appendChild(document.createTextNode("\n"));
    }
    gutter.replaceChildren(fragment);
    gutter.scrollTop = editor.scrollTop;
  }

  function goToLine(editor, line) {
    var lines = editor.value.split("\n");
    var target = Math.min(Math.max(line, 1), lines.length);
    var start = 0;
    for (var i = 0; i < target - 1; i += 1) {
      start += lines[i].length + 1;
    }
    editor.focus();
    editor.setSelectionRange(start, start + lines[target - 1].length);
    var height = parseFloat(window.getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (target - 1) * height - editor.clientHeight / 3);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var editor = document.querySelector("textarea[data-sop-editor]");
    var panel = document.getElementById("sop-check");
    if (!editor || !panel) {
      return;
    }
    var gutter = editor.parentElement.querySelector(".code-gutter");
    var refresh = function () {
      if (gutter) {
        renderGutter(editor, gutter, panel);
      }
    };
    editor.addEventListener("input", refresh);
    editor.addEventListener("scroll", function () {
      if (gutter) {
        gutter.scrollTop = editor.scrollTop;
      }
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target === panel) {
        refresh();
      }
    });
    panel.addEventListener("click", function (event) {
      var jump = event.target.closest("button[data-line]");
      if (jump) {
        goToLine(editor, parseInt(jump.dataset.line, 10));
      }
    });
    refresh();
  });
})();
