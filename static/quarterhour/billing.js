// The billing run button: start the run through the API and show its progress until done.
(function () {
  "use strict";
  var box = document.getElementById("qh-run");
  if (!box) { return; }
  var form = document.getElementById("qh-run-form");
  var button = document.getElementById("qh-run-button");
  var status = document.getElementById("qh-run-status");
  var bar = document.getElementById("qh-run-progress");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var period = box.dataset.period;

  function show(p) {
    if (p.running) {
      bar.hidden = false;
      bar.max = Math.max(p.total, 1);
      bar.value = p.done;
      status.textContent = "Billing " + period + ": " + p.done + " of " + (p.total || "…") + " customers";
    }
  }

  function poll() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (p.running) { setTimeout(poll, 700); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = "Starting the billing run of " + period + "…";
      fetch(box.dataset.startUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
        body: JSON.stringify({period: period})
      }).then(function (r) {
        return r.json().then(function (body) {
          if (r.status === 202) { show(body); poll(); return; }
          status.textContent = (body.error && body.error.message) || "The run could not start.";
          button.disabled = false;
        });
      });
    });
  }
  if (box.dataset.busy === "true") { poll(); }
})();
