// Bank upload report: polls the JSON progress endpoint and moves the <progress> bar; reloads the
// page once the check or the publication has finished. Without JS a <noscript> meta refresh
// reloads the page every few seconds instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-done]");
  var total = box.querySelector("[data-total]");
  var status = document.getElementById("upload-status");
  var delay = 1000;
  var finished = false;
  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = data.done;
      bar.textContent = data.percent + "%";
      total.textContent = data.total;
    }
    done.textContent = data.done;
    if (status) status.textContent = data.status_display;
  }
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { delay = Math.min(delay * 2, 10000); return; }
        show(data);
        if (!data.active) { finished = true; window.location.reload(); return; }
        delay = 1000;
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); })
      .then(function () { if (!finished) setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
