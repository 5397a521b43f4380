// LTI deep linking (templates/lti/deep_link_return.html): post the signed answer back to the
// LMS at once. Without JavaScript the page shows its button instead.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) form.submit();
});
