// Small progressive enhancements for every page. No inline script is allowed (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.classList.contains("autosubmit")) {
      target.form.requestSubmit();
    }
  });

  // Irreversible actions ask first; the question is in the form's data-confirm attribute.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    }
  });
})();
