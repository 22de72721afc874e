// Small behaviours every page may use, bound here rather than in inline handlers
// (the Content-Security-Policy forbids inline script): a <select data-autosubmit>
// submits its form when it changes.
(function () {
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
})();
