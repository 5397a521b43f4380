// Manual grading (templates/instructor/manual_question.html).
// - A comment given before, picked from the list, fills the comment box.
// - Ticking rubric criteria puts their sum (clamped to 0…the item's points) in the points box;
//   without this script the server sums them when the box is left empty.
// - Keys: J/K next/previous answer, 1–9 tick a criterion of the current answer, Ctrl+Enter
//   «Сохранить и следующий». Only Ctrl+Enter works while typing in a text field.
(function () {
  "use strict";
  var layout = document.querySelector(".manual-layout");
  var announce = document.getElementById("manual-announce");
  var mark = (layout && layout.getAttribute("data-mark")) || ",";
  var answers = Array.prototype.slice.call(document.querySelectorAll(".manual-answer"));
  var current = null;

  function say(text) {
    if (!announce) return;
    announce.textContent = "";
    // A new text node after a tick, so screen readers announce a repeated message again.
    window.setTimeout(function () { announce.textContent = text; }, 50);
  }

  function text(name, value) {
    var template = (layout && layout.getAttribute("data-" + name)) || "";
    return template.replace("%s", value);
  }

  document.querySelectorAll("input[data-fills]").forEach(function (pick) {
    pick.addEventListener("change", function () {
      var box = document.getElementById(pick.getAttribute("data-fills"));
      if (box && pick.value) {
        box.value = pick.value;
        box.dispatchEvent(new Event("input", { bubbles: true }));
        pick.value = "";
        box.focus();
      }
    });
  });

  // Cents as integers: 0.1 + 0.2 is not 0.3 in floating point.
  function cents(value) {
    var n = parseFloat(String(value).replace(",", ".").replace("\u2212", "-"));
    return isNaN(n) ? 0 : Math.round(n * 100);
  }

  function show(centsValue) {
    var whole = Math.trunc(centsValue / 100);
    var rest = Math.abs(centsValue % 100);
    if (!rest) return String(whole);
    var frac = (rest < 10 ? "0" : "") + rest;
    return whole + mark + frac.replace(/0$/, "");
  }

  function recompute(form) {
    var boxes = form.querySelectorAll("input[name=criteria]");
    var sum = 0;
    var any = false;
    boxes.forEach(function (box) {
      if (box.checked) {
        sum += cents(box.getAttribute("data-points"));
        any = true;
      }
    });
    var max = cents(form.getAttribute("data-max"));
    var points = form.querySelector("input[name=points]");
    if (!points) return;
    if (!any) {
      points.value = "";
      say(text("cleared", ""));
      return;
    }
    var clamped = Math.min(Math.max(sum, 0), max);
    points.value = show(clamped);
    say(text("sum", show(clamped)));
  }

  // What the student will read: the ticked criteria, then the remark (the server composes the
  // same text; this only shows it before saving).
  function preview(form) {
    var shown = form.querySelector(".comment-preview");
    if (!shown) return;
    var parts = [];
    form.querySelectorAll("input[name=criteria]").forEach(function (box) {
      if (box.checked) parts.push(box.getAttribute("data-text"));
    });
    var ticked = parts.join("; ");
    var remark = (form.querySelector("textarea[name=comment]") || {}).value || "";
    remark = remark.trim();
    shown.querySelector(".preview-text").textContent = [ticked, remark].filter(Boolean).join(" — ");
    shown.hidden = !ticked;
  }

  document.querySelectorAll(".manual-grade").forEach(function (form) {
    form.querySelectorAll("input[name=criteria]").forEach(function (box) {
      box.addEventListener("change", function () { recompute(form); preview(form); });
    });
    var remark = form.querySelector("textarea[name=comment]");
    if (remark) remark.addEventListener("input", function () { preview(form); });
    preview(form);
  });

  function select(section, focus) {
    if (!section) return;
    answers.forEach(function (a) { a.classList.remove("current"); });
    section.classList.add("current");
    current = section;
    if (focus) {
      section.focus({ preventScroll: true });
      section.scrollIntoView({ block: "start" });
    }
  }

  function currentAnswer() {
    var active = document.activeElement;
    var inside = active && active.closest ? active.closest(".manual-answer") : null;
    if (inside) return inside;
    if (current) return current;
    return answers.filter(function (a) { return a.getAttribute("data-waiting"); })[0] || answers[0];
  }

  function move(step) {
    var here = currentAnswer();
    var active = document.activeElement;
    if (current === null && !(active && active.closest && active.closest(".manual-answer"))) {
      select(here, true); // the first key goes to the first waiting answer itself
      return;
    }
    var index = answers.indexOf(here);
    select(answers[Math.min(Math.max(index + step, 0), answers.length - 1)], true);
  }

  // After «Сохранить и следующий» the server sends the page back at #r-<next waiting answer>:
  // the keyboard goes on from there.
  if (location.hash && /^#r-\d+$/.test(location.hash)) {
    select(document.getElementById(location.hash.slice(1)), true);
  } else {
    current = null;
  }

  answers.forEach(function (section) {
    section.addEventListener("focusin", function () { select(section, false); });
  });

  function typing(element) {
    if (!element || !element.matches) return false;
    if (element.isContentEditable) return true;
    if (element.matches("textarea, select")) return true;
    return element.matches("input") && !element.matches("[type=checkbox], [type=radio], [type=button], [type=submit]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var section = currentAnswer();
      var form = section && section.querySelector(".manual-grade");
      if (!form) return;
      event.preventDefault();
      var button = form.querySelector("button[name=next]");
      if (form.requestSubmit) form.requestSubmit(button);
      else button.click();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    // event.code: the same physical keys on a Russian layout (J is «о», K is «л»).
    if (event.code === "KeyJ" || event.code === "KeyK") {
      event.preventDefault();
      move(event.code === "KeyJ" ? 1 : -1);
      return;
    }
    var digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
    if (digit) {
      var answer = currentAnswer();
      if (!answer) return;
      var boxes = answer.querySelectorAll("input[name=criteria]");
      var box = boxes[Number(digit[1]) - 1];
      if (!box) return;
      event.preventDefault();
      select(answer, false);
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
