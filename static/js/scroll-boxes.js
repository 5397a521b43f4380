// A formula or a table wider than its box (on a phone) scrolls inside it; such a box must take
// the focus so that the keyboard can scroll it too (WCAG 2.1.1; axe's scrollable-region-
// focusable). Only the boxes that really scroll stay Tab stops: a formula or a table that fits
// is taken out of the Tab order (the tables' wrappers carry tabindex="0" in the HTML, for a
// browser without this script), so the answer box is not pushed further away. Checked again
// when the page is resized or parts of it are replaced (a graded answer, a preview).
(function () {
  "use strict";

  var SELECTOR = ".math-display, .math-inline, .table-scroll, .bank-scroll";
  var pending = false;

  function update() {
    pending = false;
    var boxes = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && box.getAttribute("tabindex") !== "0") {
        box.setAttribute("tabindex", "0");
      } else if (!scrolls && box.getAttribute("tabindex") === "0" && box !== document.activeElement) {
        box.removeAttribute("tabindex");
      }
    }
  }

  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(update);
  }

  function start() {
    update();
    window.addEventListener("resize", later);
    new MutationObserver(function (records) {
      // Only our own attribute changes would come back here; they are not watched.
      if (records.length) later();
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
