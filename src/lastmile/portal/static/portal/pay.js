/* The payment form: one submit only (a double click is not a second charge), and typing an
   amount chooses "another amount". A file, not inline: the CSP (docs/security.md). */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
    });
  });
  document.querySelectorAll("[data-choose]").forEach(function (input) {
    input.addEventListener("focus", function () {
      var radio = document.getElementById(input.getAttribute("data-choose"));
      if (radio) radio.checked = true;
    });
  });
})();
