// LTI 1.3 login (templates/lti/cookie_check.html): inside the LMS's frame, check that the browser
// keeps our cookies; if it does, go on with the login (the same URL, marked as checked); if not,
// offer to open the task in a new tab. The same check as pylti1p3's page, without inline code.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("lti-cookie-check");
  var data = document.getElementById("lti-launch-params");
  if (!box || !data) return;
  var params = JSON.parse(data.textContent);

  function updatedUrl() {
    var url = new URL(window.location.href);
    Object.keys(params).forEach(function (key) {
      if (!url.searchParams.has(key)) url.searchParams.set(key, params[key]);
    });
    return url.toString();
  }

  var cookie = "lti1p3_test_cookie=1; path=/";
  if (box.dataset.secure === "1") cookie += "; SameSite=None; secure";
  document.cookie = cookie;
  if (document.cookie.indexOf("lti1p3_test_cookie") !== -1) {
    document.cookie = "lti1p3_test_cookie=1; path=/; expires=Thu, 01-Jan-1970 00:00:01 GMT";
    document.getElementById("lti-loading").hidden = false;
    window.location.href = updatedUrl();
  } else {
    var link = document.getElementById("lti-new-tab");
    link.href = updatedUrl();
    link.addEventListener("click", function () {
      link.parentNode.removeChild(link);
    });
    document.getElementById("lti-no-cookies").hidden = false;
  }
});
