// The inbox's action bar: "choose every ticket on this page", a count of the chosen tickets,
// the choice kept when the live list refreshes, and a question before closing for good.
// The form works without this script; it only makes choosing quicker.
(function () {
  "use strict";
  var chosen = new Set();

  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[name="ids"][form="bulk-actions"]')
    );
  }

  function show() {
    var all = document.getElementById("bulk-all");
    var count = document.getElementById("bulk-count");
    var rows = boxes();
    var picked = rows.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = rows.length > 0 && picked === rows.length;
      all.indeterminate = picked > 0 && picked < rows.length;
    }
    if (count) {
      if (!count.dataset.none) {
        count.dataset.none = count.textContent;
      }
      count.textContent = picked ? count.dataset.chosen.replace("%s", picked) : count.dataset.none;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement)) {
      return;
    }
    if (target.id === "bulk-all") {
      boxes().forEach(function (box) {
        box.checked = target.checked;
        if (target.checked) { chosen.add(box.value); } else { chosen.delete(box.value); }
      });
    } else if (target.name === "ids" && target.getAttribute("form") === "bulk-actions") {
      if (target.checked) { chosen.add(target.value); } else { chosen.delete(target.value); }
    } else {
      return;
    }
    show();
  });

  // A live refresh or a filter change swaps the list: tick again what is still on it.
  document.addEventListener("htmx:afterSettle", function () {
    var present = new Set();
    boxes().forEach(function (box) {
      box.checked = chosen.has(box.value);
      present.add(box.value);
    });
    chosen.forEach(function (value) {
      if (!present.has(value)) { chosen.delete(value); }
    });
    show();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "bulk-actions") {
      return;
    }
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // Back to the list as it is now: htmx keeps the filters in the address bar.
    form.elements.namedItem("next").value = window.location.pathname + window.location.search;
  });
})();
