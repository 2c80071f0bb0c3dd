/* The test processor's "tokenization", in the browser: only a token and the last four digits
   are sent (BIL-6). A file, not inline: the CSP (docs/security.md). */
(function () {
  "use strict";
  document.getElementById("card-form").addEventListener("submit", (e) => {
    const digits = document.getElementById("card-number").value.replace(/\D/g, "");
    if (digits.length < 12) { e.preventDefault(); alert("Check the card number."); return; }
    const rnd = Array.from(crypto.getRandomValues(new Uint8Array(8)), b => b.toString(16).padStart(2, "0")).join("");
    document.getElementById("token").value = (digits === "4000000000000002" ? "decline_test_" : "tok_test_") + rnd;
    document.getElementById("last4").value = digits.slice(-4);
    document.getElementById("brand").value = digits[0] === "4" ? "visa" : digits[0] === "5" ? "mastercard" : "card";
    document.getElementById("card-number").value = "";
  });
})();
