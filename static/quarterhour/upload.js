// Upload forms marked data-qh-upload: send with XHR to show upload progress, then follow the
// server's answer (the import's page, or the form again with its errors) in place. Without JavaScript
// the form posts normally.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');

  function attach(form) {
    var bar = form.querySelector("[data-qh-progress]");
    var status = form.querySelector("[data-qh-status]");
    var button = form.querySelector('button[type="submit"]');

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open(form.method || "POST", form.action || window.location.href);
      if (meta) { xhr.setRequestHeader("X-CSRFToken", meta.content); }
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (button) { button.disabled = true; }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round(e.loaded / e.total * 100);
        if (bar) { bar.value = percent; }
        if (status) { status.textContent = "Uploading: " + percent + " %"; }
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) { bar.removeAttribute("value"); }  // indeterminate while the server imports
        if (status) { status.textContent = "Uploaded; importing…"; }
      });
      xhr.addEventListener("load", function () {
        // Show the answer as it came (it carries the flash message), at its own address.
        var url = xhr.responseURL;
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (url && url !== window.location.href && window.history.replaceState) {
          window.history.replaceState(null, "", url);
        }
      });
      xhr.addEventListener("error", function () {
        if (status) { status.textContent = "The upload failed (network). Try again."; }
        if (button) { button.disabled = false; }
      });
      xhr.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-qh-upload]").forEach(attach);
}());
