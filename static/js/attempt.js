// A quiz attempt: autosave as the student types, the countdown, and the answered-count bar.
//
// Nothing typed may be lost to a reload or a dropped connection: every change goes to
// localStorage first, then to the server; an unsent change is sent again when the connection is
// back or the page is opened again. Each save carries a revision (the client's clock in ms) and
// the server keeps only the newest, so saves arriving out of order cannot undo a later answer.
(function () {
  "use strict";
  var bar = document.getElementById("attempt-bar");
  if (!bar) return;
  var attempt = bar.dataset.attempt;
  // The wording comes translated from the page (templates/quizapp/_js_texts.html); {count},
  // {time} and {minutes} are filled in here.
  var texts = (document.getElementById("nz-texts") || { dataset: {} }).dataset;
  function text(key, values) {
    return (texts[key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft-url]"));
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var closed = false;
  var lastRev = 0;

  function storeKey(form) { return "draft:" + attempt + ":" + form.dataset.position; }
  function nextRev() { lastRev = Math.max(Date.now(), lastRev + 1); return lastRev; }

  function compound(form) { return form.querySelector("[data-compound]"); }
  function currentValue(form) {
    var box = form.querySelector("[name=answer]");
    if (box) return box.value;
    if (compound(form)) return window.nzCompound.read(compound(form));
    return Array.prototype.slice.call(form.querySelectorAll("input[name=choice]:checked"))
      .map(function (el) { return el.value; }).join(",");
  }
  function setValue(form, raw) {
    var box = form.querySelector("[name=answer]");
    if (box) { box.value = raw; return; }
    if (compound(form)) { window.nzCompound.write(compound(form), raw); return; }
    var chosen = raw.split(",");
    form.querySelectorAll("input[name=choice]").forEach(function (el) {
      el.checked = chosen.indexOf(el.value) !== -1;
    });
  }
  // The answer as the server reads a form: a text box or a multi-field answer as «answer»
  // (the JSON object itself), ticked options as «choice» values.
  function appendAnswer(body, form, raw) {
    if (form.querySelector("[name=answer]") || compound(form)) body.set("answer", raw);
    else raw.split(",").filter(Boolean).forEach(function (v) { body.append("choice", v); });
  }
  function status(form, text, bad) {
    var el = document.getElementById("saved-" + form.dataset.position);
    if (el) { el.textContent = text; el.classList.toggle("bad", !!bad); }
  }
  function clock() {
    var d = new Date();
    return [d.getHours(), d.getMinutes(), d.getSeconds()]
      .map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":");
  }

  function read(form) {
    try { return JSON.parse(localStorage.getItem(storeKey(form)) || "null"); } catch (e) { return null; }
  }
  function write(form, entry) {
    try { localStorage.setItem(storeKey(form), JSON.stringify(entry)); } catch (e) { /* private mode */ }
  }

  function send(form) {
    var entry = read(form);
    if (!entry || entry.sent || closed) return Promise.resolve();
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", csrf);
    body.set("rev", String(entry.rev));
    appendAnswer(body, form, entry.raw);
    form.dataset.inflight = "1";
    return fetch(form.dataset.draftUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      delete form.dataset.inflight;
      if (res.ok) {
        var now = read(form);
        if (now && now.rev === entry.rev) { now.sent = true; write(form, now); }
        status(form, text("savedAt", { time: clock() }));
      } else {
        status(form, res.data.message || text("saveFailed"), true);
        if (res.data.code === "attempt_finished" || res.data.code === "time_over") closed = true;
      }
    }).catch(function () {
      delete form.dataset.inflight;
      status(form, text("offline"), true);
    });
  }

  function flushAll() { return Promise.all(forms.map(send)); }

  function updateProgress() {
    var done = 0;
    forms.forEach(function (form) {
      var answered = currentValue(form).trim() !== "";
      if (answered) done += 1;
      var chip = document.getElementById("nav-" + form.dataset.position);
      if (chip) chip.classList.toggle("done", answered);
    });
    var progress = document.getElementById("answered-progress");
    if (progress) progress.value = done;
    var count = document.getElementById("answered-count");
    if (count) count.textContent = String(done);
    var left = document.getElementById("unanswered");
    if (left) left.textContent = done < forms.length ? text("unanswered", { count: forms.length - done }) + " " : "";
    updateUnreadable();
  }

  // Russian plural forms: 1 ответ, 2 ответа, 5 ответов (11 ответов, 21 ответ).
  function pluralKey(n) {
    if (n % 10 === 1 && n % 100 !== 11) return "unreadableOne";
    if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14)) return "unreadableFew";
    return "unreadableMany";
  }
  function updateUnreadable() {
    var count = document.querySelectorAll(".item-nav a.unreadable").length;
    var out = document.getElementById("unreadable-count");
    if (out) out.textContent = count ? text(pluralKey(count), { count: count }) + " " : "";
  }
  document.addEventListener("nz:unreadable", updateUnreadable);

  forms.forEach(function (form) {
    var timer = null;
    // An unsent answer from a previous visit (reload, lost connection) wins over the server's
    // copy only if it is newer than what the server has.
    var saved = read(form);
    if (saved && !saved.sent && saved.rev > Number(form.dataset.rev || 0)) {
      setValue(form, saved.raw);
      lastRev = Math.max(lastRev, saved.rev);
      send(form);
    }
    function changed() {
      write(form, { raw: currentValue(form), rev: nextRev(), sent: false });
      status(form, text("saving"));
      updateProgress();
      clearTimeout(timer);
      timer = setTimeout(function () { send(form); }, 400);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // With JS the save button is redundant for autosave quizzes; keep it as "save now".
    var saveButton = form.querySelector(".save-button");
    form.addEventListener("submit", function (event) {
      if (saveButton) {
        event.preventDefault();
        changed();
        clearTimeout(timer);
        send(form);
        return;
      }
      // «Ответить» posts the answer itself; the stored copy is not needed any more.
      clearTimeout(timer);
      var entry = read(form);
      if (entry) { entry.sent = true; write(form, entry); }
    });
  });
  updateProgress();

  window.addEventListener("online", flushAll);
  setInterval(flushAll, 5000);
  // The last keystrokes before closing the tab: a beacon survives the page being unloaded.
  window.addEventListener("pagehide", function () {
    forms.forEach(function (form) {
      var entry = read(form);
      if (!entry || entry.sent || closed || !navigator.sendBeacon) return;
      var data = new FormData();
      data.set("csrfmiddlewaretoken", csrf);
      data.set("rev", String(entry.rev));
      appendAnswer(data, form, entry.raw);
      navigator.sendBeacon(form.dataset.draftUrl, data);
    });
  });

  // Finishing: send what is unsent first, so the last answer is in the attempt. «Завершить»
  // opens the server's confirmation page (it counts what is unanswered or unreadable from the
  // saved answers); the timer posts #finish-now and finishes without asking.
  var finish = document.getElementById("finish-form");
  var finishNow = document.getElementById("finish-now");
  if (finish) {
    finish.addEventListener("submit", function (event) {
      if (finish.dataset.flushed) return;
      event.preventDefault();
      flushAll().then(function () {
        finish.dataset.flushed = "1";
        finish.submit();
        // Back from the confirmation (the page may come from the back-forward cache): the next
        // click flushes again.
        delete finish.dataset.flushed;
      });
    });
  }
  function finishAtOnce() {
    if (!finishNow || finishNow.dataset.auto) return;
    finishNow.dataset.auto = "1";
    flushAll().then(function () {
      forms.forEach(function (form) { localStorage.removeItem(storeKey(form)); });
      finishNow.submit();
    });
  }

  // The countdown follows the server's clock: the offset between the two is measured once.
  if (bar.dataset.deadline) {
    var deadline = Date.parse(bar.dataset.deadline);
    var offset = Date.parse(bar.dataset.now) - Date.now();
    var out = document.getElementById("timer-left");
    var alertBox = document.getElementById("timer-alert");
    var warned = {};
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      out.textContent = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (s < 10 ? "0" : "") + s;
      bar.classList.toggle("hurry", left <= 60);
      [300, 60].forEach(function (mark) {
        if (left <= mark && left > mark - 5 && !warned[mark]) {
          warned[mark] = true;
          alertBox.textContent = text("minutesLeft", { minutes: mark / 60 });
        }
      });
      if (left === 0 && finishNow && !finishNow.dataset.auto) {
        alertBox.textContent = text("timeUp");
        finishAtOnce();
        return;
      }
      setTimeout(tick, 1000 - ((Date.now() + offset) % 1000));
    };
    tick();
  }
})();
