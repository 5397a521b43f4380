// Regrade progress: poll the run's JSON status, update the bar, reload once the run is over.
(function () {
  "use strict";
  var box = document.querySelector(".regrade-progress");
  if (!box || box.dataset.finished === "1") return;
  var bar = box.querySelector("progress");
  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.max = s.total || 1;
        bar.value = s.done;
        field("status_display").textContent = s.status_display;
        field("done").textContent = s.done;
        field("total").textContent = s.total;
        if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
