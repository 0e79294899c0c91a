/* Quarterhour timer bar: ticks the elapsed time and units, and stops through the JSON API
   without a page reload. Without JavaScript the bar's plain forms do the same. */
(function () {
  "use strict";

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function units(seconds, unit, grace) {
    return seconds <= grace ? 0 : Math.ceil(seconds / unit);
  }

  function duration(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    if (!m) { return s + " s"; }
    return s ? m + " min " + s + " s" : m + " min";
  }

  function start(bar) {
    var worked = parseInt(bar.dataset.worked, 10) || 0;
    var unit = parseInt(bar.dataset.unitSeconds, 10) || 900;
    var grace = parseInt(bar.dataset.graceSeconds, 10) || 0;
    var running = bar.dataset.running === "1";
    var t0 = performance.now();
    var elapsed = bar.querySelector("[data-qh-elapsed]");
    var unitsOut = bar.querySelector("[data-qh-units]");
    var timer = null;

    function tick() {
      var now = worked + (running ? Math.floor((performance.now() - t0) / 1000) : 0);
      elapsed.textContent = clock(now);
      unitsOut.textContent = units(now, unit, grace);
    }
    if (running) { timer = setInterval(tick, 1000); }

    var form = bar.querySelector("form[data-qh-stop]");
    if (!form || !window.fetch) { return; }
    var message = bar.querySelector("[data-qh-message]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = document.querySelector('meta[name="csrf-token"]').content;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json",
                  "X-CSRFToken": token},
        body: JSON.stringify({
          entry_id: parseInt(form.elements.entry_id.value, 10),
          note: form.elements.note.value,
          billable: !form.elements.not_billable.checked
        })
      }).then(function (response) {
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      }).then(function (result) {
        if (result.status === 200) {
          clearInterval(timer);
          var entry = result.body.entry;
          bar.classList.remove("qh-timer-paused", "qh-timer-long");
          bar.classList.add("qh-timer-done");
          bar.querySelector("[data-qh-state]").textContent = "Stopped";
          Array.prototype.forEach.call(bar.querySelectorAll("form"), function (f) { f.hidden = true; });
          message.textContent = entry
            ? "Timer stopped: " + duration(entry.duration_seconds || 0) + " on #" + entry.ticket_id + "."
            : "No timer was running.";
          Array.prototype.forEach.call(document.querySelectorAll("[data-qh-while-running]"),
            function (el) { el.hidden = true; });
          Array.prototype.forEach.call(document.querySelectorAll("[data-qh-when-stopped]"),
            function (el) { el.hidden = false; });
          message.setAttribute("tabindex", "-1");
          message.focus();
        } else if (result.body && result.body.error && result.body.error.code === "confirm_end") {
          window.location.href = form.dataset.confirmUrl;
        } else {
          button.disabled = false;
          message.textContent = (result.body && result.body.error)
            ? result.body.error.message : "Stopping failed; try again.";
        }
      }).catch(function () {
        // The network failed: fall back to the plain form.
        form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector("[data-qh-timer]");
    if (bar) { start(bar); }
  });
})();
