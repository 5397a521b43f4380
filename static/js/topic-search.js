// Practice index: filter the topics by title as the student types.
//
// Without this script the same form sends ?q= and the server filters (quizapp.practice.selectors
// .practice_index, the same rule): every word typed is part of the title, case and ё/е ignored.
// A subtopic that matches keeps its parent topic visible; a bank with nothing left is hidden.
(function () {
  "use strict";

  function fold(text) {
    return text.toLocaleLowerCase("ru").replace(/ё/g, "е");
  }

  function setup(form) {
    var input = form.querySelector("input[name=q]");
    var empty = document.querySelector("[data-topic-empty]");
    var groups = document.querySelectorAll("[data-topic-group]");
    if (!input) return;

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      groups.forEach(function (group) {
        var rows = group.querySelectorAll("[data-topic]");
        var keep = {};
        rows.forEach(function (row) {
          var link = row.querySelector("a");
          var title = fold(link ? link.textContent : row.textContent);
          var hit = words.every(function (w) { return title.indexOf(w) !== -1; });
          if (hit) {
            keep[row.getAttribute("data-topic")] = true;
            var parent = row.getAttribute("data-parent");
            if (parent) keep[parent] = true;
          }
        });
        var left = 0;
        rows.forEach(function (row) {
          var visible = !!keep[row.getAttribute("data-topic")];
          row.hidden = !visible;
          if (visible) left++;
        });
        group.hidden = left === 0;
        shown += left;
      });
      if (empty) empty.hidden = shown > 0;
    }

    input.addEventListener("input", apply);
    // Enter (or «Найти») sends ?q= as without the script: the address keeps the query.
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-topic-search]").forEach(setup);
  });
})();
