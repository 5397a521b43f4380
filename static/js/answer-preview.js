// Shows under an answer box how the typed text is understood ("0,95 → 0.95"), before submitting.
// Progressive enhancement: without JS the form still submits and the server explains errors.
(function () {
  "use strict";
  // The wording comes translated from the page (templates/quizapp/_js_texts.html).
  var texts = (document.getElementById("nz-texts") || { dataset: {} }).dataset;
  document.querySelectorAll("input[data-preview-url]").forEach(function (input) {
    var out = document.getElementById(input.getAttribute("aria-describedby"));
    var timer = null;
    var latest = 0;
    function show(data) {
      out.textContent = data.ok ? (data.display ? texts.understood + " " + data.display : "") : data.message;
      out.className = "preview " + (data.ok ? "ok" : "bad");
    }
    function ask() {
      var seq = ++latest;
      var url = input.dataset.previewUrl + "?raw=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && seq === latest) show(data); })
        .catch(function () { /* offline: the server will explain on submit */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
  });
})();
