// Manual grading: a comment given before, picked from the list, fills the comment box.
(function () {
  "use strict";
  document.querySelectorAll("input[data-fills]").forEach(function (pick) {
    pick.addEventListener("change", function () {
      var box = document.getElementById(pick.getAttribute("data-fills"));
      if (box && pick.value) {
        box.value = pick.value;
        pick.value = "";
        box.focus();
      }
    });
  });
})();
