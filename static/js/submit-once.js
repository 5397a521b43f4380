// One answer per submit: a double click, a retried POST or a reload that resubmits stores one
// answer, not two.
//
// Every answer form (form[data-submit-key]) carries a hidden submit_token, fresh from the server
// at each rendering, so the guarantee holds without this script too: the server keeps one answer
// per token. This script adds what the server cannot know:
// - while a submit is in flight the button is disabled and a second submit is dropped;
// - a retry of the same answer (the page restored from history, or opened again after a lost
//   connection) reuses the token of that submit, remembered per form in sessionStorage;
// - a different answer from a page already used (back button) gets a fresh token, so it is a
//   new answer, not mistaken for the old one.
(function () {
  "use strict";
  var STORE = "nz-submits";
  var KEEP = 50;
  // A submit the user stopped (Esc) leaves no page change: give the button back after a while.
  var RELEASE_MS = 15000;

  function hex(bytes) {
    var out = [];
    for (var i = 0; i < bytes.length; i++) out.push((bytes[i] + 0x100).toString(16).slice(1));
    return out.join("");
  }
  function newToken() {
    var c = window.crypto;
    // randomUUID exists only in a secure context (https, localhost); on http://<lan-ip> build a
    // version 4 UUID from getRandomValues, which every context has.
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = hex(b);
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(list) {
    try { sessionStorage.setItem(STORE, JSON.stringify(list.slice(-KEEP))); } catch (e) { /* private mode */ }
  }

  // What the submit says, without the tokens: the same signature means the same answer.
  function signature(form, submitter) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "submit_token") return;
      parts.push(name + "=" + value);
    });
    if (submitter && submitter.name) parts.push(submitter.name + "=" + submitter.value);
    return parts.join("&");
  }

  function buttons(form) {
    return form.querySelectorAll("button, input[type=submit]");
  }
  function release(form) {
    clearTimeout(form._nzRelease);
    delete form.dataset.inflight;
    Array.prototype.forEach.call(buttons(form), function (b) {
      if (b.dataset.nzDisabled) { b.disabled = false; delete b.dataset.nzDisabled; }
    });
  }

  // On window, in the bubble phase: the pages' own handlers (autosave, the flashcards' reveal)
  // run first, and a submit they cancel is not a submit.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-submit-key]")) return;
    if (event.defaultPrevented) return;
    if (form.dataset.inflight) { event.preventDefault(); return; }
    var field = form.querySelector("input[name=submit_token]");
    if (!field) return;
    var key = form.dataset.submitKey;
    var sig = signature(form, event.submitter);
    var list = load().filter(function (e) { return e && typeof e === "object"; });
    var found = null;
    for (var i = 0; i < list.length; i++) if (list[i].key === key) found = list[i];
    var token;
    if (found && found.sig === sig) token = found.token;   // the same answer again: a retry
    else if (form.dataset.used) token = newToken();        // a new answer from a used page
    else token = field.value;                              // this rendering's first submit
    field.value = token;
    form.dataset.used = "1";
    list = list.filter(function (e) { return e.key !== key; });
    list.push({ key: key, sig: sig, token: token });
    save(list);
    form.dataset.inflight = "1";
    // After this tick: the browser has already taken the pressed button's name and value.
    setTimeout(function () {
      Array.prototype.forEach.call(buttons(form), function (b) {
        if (!b.disabled) { b.disabled = true; b.dataset.nzDisabled = "1"; }
      });
    }, 0);
    form._nzRelease = setTimeout(function () { release(form); }, RELEASE_MS);
  });

  // Back/forward cache: a page restored from history is usable again (its forms keep "used",
  // so a different answer from it gets a fresh token).
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-key]"), release);
  });
})();
