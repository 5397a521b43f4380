// Answers made of several fields (multi-part and matching questions): the fields of a
// [data-compound] box ↔ the grader's JSON object {field: text}. Without JS the form posts the
// fields one by one and the server joins them the same way (quizapp/core/answers.py).
(function () {
  "use strict";
  function fields(box) {
    return Array.prototype.slice.call(box.querySelectorAll("[data-part]"));
  }
  function read(box) {
    var value = {};
    var any = false;
    fields(box).forEach(function (el) {
      var name = el.dataset.part;
      if (!(name in value)) value[name] = "";
      if (el.type === "radio" || el.type === "checkbox") {
        if (!el.checked) return;
        value[name] = value[name] ? value[name] + "," + el.value : el.value;
      } else {
        value[name] = el.value;
      }
      if (value[name].trim() !== "") any = true;
    });
    // Nothing filled in is no answer at all (the question counts as unanswered).
    return any ? JSON.stringify(value) : "";
  }
  function write(box, raw) {
    var value = {};
    try { value = raw ? JSON.parse(raw) : {}; } catch (e) { value = {}; }
    if (!value || typeof value !== "object") value = {};
    fields(box).forEach(function (el) {
      var text = value[el.dataset.part];
      text = typeof text === "string" ? text : "";
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = text.split(",").indexOf(el.value) !== -1;
      } else {
        el.value = text;
      }
    });
  }
  window.nzCompound = { read: read, write: write };
})();
