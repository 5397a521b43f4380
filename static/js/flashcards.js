// Keyboard for the flashcard queue: Space reveals the back, 1-4 rate. Without this script the
// same forms work by clicking (the reveal form posts and the server shows the back).
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function reveal() {
    var form = document.getElementById("fc-reveal");
    var back = document.getElementById("fc-back");
    var rate = document.getElementById("fc-rate");
    if (!form || !back || !rate) return false;
    // The back is already in the page: show it without a round trip.
    back.hidden = false;
    rate.hidden = false;
    form.hidden = true;
    var good = rate.querySelector('button[value="3"]');
    if (good) good.focus();
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id === "fc-reveal" && reveal()) {
      event.preventDefault();
      return;
    }
    // A second submit (double click, key repeat) would only be refused as stale by the server.
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
  });

  // After a typed answer the server redirects to «/cards/?card=N#card»; a browser skips
  // autofocus on a page opened at a fragment, and Chromium clears the focus once more when it
  // scrolls to the fragment (after the load), so the proposed rating (or the answer box after an
  // unreadable answer) would not have the focus and Enter could not accept it. Focused now and
  // again after the load, only while nothing else has the focus.
  function focusProposed() {
    var target = document.querySelector("#card [autofocus]");
    if (!target || target.closest("[hidden]")) return;
    var active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) return;
    target.focus();
  }
  focusProposed();
  window.addEventListener("load", function () {
    window.setTimeout(focusProposed, 0);
  });

  // Back/forward cache: a page restored from history must be usable again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-sent]");
    for (var i = 0; i < forms.length; i++) delete forms[i].dataset.sent;
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var reveal_form = document.getElementById("fc-reveal");
    if ((event.key === " " || event.code === "Space") && reveal_form && !reveal_form.hidden) {
      event.preventDefault();
      reveal();
      return;
    }
    if (/^[1-4]$/.test(event.key)) {
      var rate = document.getElementById("fc-rate");
      if (!rate || rate.hidden) return;
      var button = rate.querySelector('button[value="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });
})();
