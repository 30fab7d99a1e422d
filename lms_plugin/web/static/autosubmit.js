// Posts the Deep Linking response back to the LMS at once; the button remains for no-JS use.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
