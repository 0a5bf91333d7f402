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
})();
