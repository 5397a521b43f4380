// The browser's own time zone, sent once when the site knows none yet (a first visit, a profile
// without a zone). The server keeps it in the profile or, for a visitor, in the session; a zone the
// person chose on the account page is never replaced. Later pages show times in that zone.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.fetch || !window.Intl) return;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  // The page that loaded this script set the CSRF cookie (templates/base.html); the token is not
  // printed into the HTML, so pages stay byte-identical for caching and for the tests that compare.
  var csrf = (document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/) || [])[1] || "";
  var body = new URLSearchParams();
  body.set("time_zone", zone);
  fetch(me.dataset.url, {
    // keepalive: a click to the next page right away must not cancel the report.
    method: "POST", credentials: "same-origin", body: body, keepalive: true,
    headers: { Accept: "application/json", "X-CSRFToken": csrf },
  }).catch(function () { /* offline: asked again on the next visit */ });
})();
