// The customer form: the buyer reference (Leitweg-ID) is asked for when the customer wants
// its invoices as XRechnung (which needs one), or when one is already set.
document.addEventListener("DOMContentLoaded", () => {
  const choice = document.getElementById("invoice_delivery");
  const input = document.getElementById("buyer_reference");
  if (!choice || !input) return;
  const field = input.closest(".qh-field");
  const show = () => { field.hidden = choice.value !== "xrechnung" && !input.value; };
  choice.addEventListener("change", show);
  show();
});
