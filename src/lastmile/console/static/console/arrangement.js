/* DLQ-4: the installments' total, live, against the balance owed (in cents, so no rounding surprises) */
(function () {
  var form = document.getElementById("arrangement-form");
  var out = document.getElementById("arrangement-total");
  var owedText = document.getElementById("arrangement-owed").dataset.owed;
  function cents(text) {
    var m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function usd(c) {
    var s = String(Math.abs(c) % 100); if (s.length < 2) s = "0" + s;
    return "$" + Math.floor(Math.abs(c) / 100).toLocaleString("en-US") + "." + s;
  }
  var owed = cents(owedText.replace("-", "")) || 0;
  if (owedText.trim().charAt(0) === "-") owed = -owed;
  function update() {
    var total = 0, bad = false;
    form.querySelectorAll("input[name^=amount_]").forEach(function (input) {
      if (!input.value.trim()) return;
      var c = cents(input.value);
      if (c === null) bad = true; else total += c;
    });
    var text = "Total: " + usd(total) + " of " + usd(owed);
    if (bad) text += " (an amount is not a number like 42.50)";
    else if (total < owed) text += ": " + usd(owed - total) + " short";
    else text += ": covers the balance";
    out.textContent = text;
    out.className = !bad && total >= owed ? "" : "error";
  }
  form.addEventListener("input", update);
  update();
})();
