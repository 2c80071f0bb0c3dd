/* The console's small behaviours, as a file: the Content-Security-Policy allows no inline
   script or on*="" attribute (docs/security.md). */
(function () {
  "use strict";
  /* <button data-confirm="sentence">: asks before the form is sent */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
