/* The card form with Stripe: Stripe.js creates the PaymentMethod, only its id and the last
   four digits are sent to lastmile (BIL-6). A file, not inline: the CSP (docs/security.md). */
(function () {
  "use strict";
  const key = JSON.parse(document.getElementById("stripe-key").textContent);
  const stripe = Stripe(key), elements = stripe.elements(), cardEl = elements.create("card");
  cardEl.mount("#card-element");
  document.getElementById("card-form").addEventListener("submit", async (e) => {
    if (document.getElementById("token").value) return;
    e.preventDefault();
    const {paymentMethod, error} = await stripe.createPaymentMethod({type: "card", card: cardEl});
    if (error) { alert(error.message); return; }
    document.getElementById("token").value = paymentMethod.id;
    document.getElementById("last4").value = paymentMethod.card.last4;
    document.getElementById("brand").value = paymentMethod.card.brand;
    e.target.submit();
  });
})();
