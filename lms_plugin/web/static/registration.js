// LTI Dynamic Registration §3.7: tell the LMS the registration is done, so it closes the dialog.
(function () {
  "use strict";
  var lms = window.opener || (window.parent !== window ? window.parent : null);
  if (lms) lms.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
})();
