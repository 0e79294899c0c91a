// A button with data-qh-print prints the page (a file, not an inline handler: our CSP forbids those).
(function () {
  "use strict";
  document.querySelectorAll("[data-qh-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
