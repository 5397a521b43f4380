// Shows under an answer box how the typed text is understood ("0,95 → 0.95"), before submitting.
// Progressive enhancement: without JS the form still submits and the server explains errors.
(function () {
  "use strict";
  // The wording comes translated from the page (templates/quizapp/_js_texts.html).
  var texts = (document.getElementById("nz-texts") || { dataset: {} }).dataset;
  document.querySelectorAll("input[data-preview-url]").forEach(function (input) {
    // aria-describedby may name several elements (on a quiz page: "preview-3 saved-3"); the
    // preview is the one with the class. Asking for the whole list as one id found nothing, and
    // the quiz page showed no preview at all (issue 12).
    var out = (input.getAttribute("aria-describedby") || "").split(/\s+/)
      .map(function (id) { return document.getElementById(id); })
      .filter(function (el) { return el && el.classList.contains("preview"); })[0];
    if (out) attach(input, input.dataset.previewUrl, function () { return input.value; }, out);
  });
  // A multi-part question: one preview under its fields, of the whole answer (each field's
  // reading, or which field cannot be read).
  document.querySelectorAll("[data-compound][data-preview-url]").forEach(function (box) {
    var out = document.getElementById(box.dataset.previewTarget);
    if (out) attach(box, box.dataset.previewUrl, function () { return window.nzCompound.read(box); }, out);
  });

  function attach(input, previewUrl, value, out) {
    var timer = null;
    var latest = 0;
    var form = input.form || input.closest("form");
    var position = form && form.dataset.position;
    function show(data) {
      var unreadable = !data.ok && data.code !== "empty" && !!data.message;
      out.textContent = data.ok ? (data.display ? texts.understood + " " + data.display : "")
        : (unreadable && texts.unreadable ? texts.unreadable + " " + data.message : data.message);
      out.className = "preview " + (data.ok ? "ok" : "bad");
      // On a quiz page: the question's badge and its chip in the navigation say it too, and the
      // page's count of unreadable answers follows (static/js/attempt.js listens).
      if (!position) return;
      var badge = document.getElementById("unreadable-" + position);
      if (badge) badge.hidden = !unreadable;
      var chip = document.getElementById("nav-" + position);
      if (chip) chip.classList.toggle("unreadable", unreadable);
      document.dispatchEvent(new CustomEvent("nz:unreadable"));
    }
    function ask() {
      var seq = ++latest;
      var url = previewUrl + "?raw=" + encodeURIComponent(value());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && seq === latest) show(data); })
        .catch(function () { /* offline: the server will explain on submit */ });
    }
    function later() {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    }
    input.addEventListener("input", later);
    input.addEventListener("change", later);
  }
})();
