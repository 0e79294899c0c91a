/* Quarterhour timer bar: ticks the elapsed time and units, and stops without a page reload:
   the bar's own form is sent in the background and the page the server answers with (its
   message, the sessions, no bar) replaces the current one, so nothing on it goes stale.
   Without JavaScript the plain forms do the same with a reload. */
(function () {
  "use strict";

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function units(seconds, unit, grace) {
    return seconds <= grace ? 0 : Math.ceil(seconds / unit);
  }

  // Swap in the page the server answered with: main content, timer bar, title.
  function replacePage(html, bar) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main"), freshMain = fresh.querySelector("main");
    if (!main || !freshMain) { return false; }
    main.replaceWith(document.adoptNode(freshMain));
    var freshBar = fresh.querySelector("[data-qh-timer]");
    if (freshBar) {
      bar.replaceWith(document.adoptNode(freshBar));
      start(freshBar);
    } else {
      bar.remove();
    }
    document.title = fresh.title;
    var message = document.querySelector("main [role=status]");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
    return true;
  }

  function start(bar) {
    var worked = parseInt(bar.dataset.worked, 10) || 0;
    var unit = parseInt(bar.dataset.unitSeconds, 10) || 900;
    var grace = parseInt(bar.dataset.graceSeconds, 10) || 0;
    var discardSeconds = parseInt(bar.dataset.discardSeconds, 10) || 0;
    var running = bar.dataset.running === "1";
    var t0 = performance.now();
    var elapsed = bar.querySelector("[data-qh-elapsed]");
    var unitsOut = bar.querySelector("[data-qh-units]");
    var unitsWord = bar.querySelector("[data-qh-units-word]");
    var discard = bar.querySelector("form[data-qh-discard]");
    var timer = null;

    function tick() {
      var now = worked + (running ? Math.floor((performance.now() - t0) / 1000) : 0);
      var n = units(now, unit, grace);
      elapsed.textContent = clock(now);
      unitsOut.textContent = n;
      if (unitsWord) { unitsWord.textContent = n === 1 ? unitsWord.dataset.one : unitsWord.dataset.other; }
      if (discard && now >= discardSeconds) { discard.hidden = true; }
    }
    if (running) { timer = setInterval(tick, 1000); }

    var form = bar.querySelector("form[data-qh-stop]");
    if (!form || !window.fetch || !window.DOMParser) { return; }
    var message = bar.querySelector("[data-qh-message]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {method: "POST", credentials: "same-origin", body: new FormData(form)})
        .then(function (response) {
          return response.text().then(function (html) { return {ok: response.ok, html: html}; });
        }).then(function (result) {
          if (result.ok && replacePage(result.html, bar)) {
            clearInterval(timer);
            return;
          }
          // Refused (a correction to make, a busy database): the plain form shows why.
          form.submit();
        }).catch(function () {
          button.disabled = false;
          message.textContent = form.dataset.failed || "";
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector("[data-qh-timer]");
    if (bar) { start(bar); }
  });
})();
