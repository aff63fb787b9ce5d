/* The portal's few behaviours, as delegated listeners: the Content-Security-Policy
   allows scripts from this origin only, so templates carry no inline handlers. */
(function () {
  "use strict";

  // An HS suggestion fills in the HS code field and closes the list.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fill]");
    if (!button) return;
    var field = document.getElementById(button.dataset.fill);
    if (field) {
      field.value = button.dataset.code;
      field.focus();
    }
    var list = button.closest(".suggestions");
    if (list) list.innerHTML = "";
  });

  // A key or secret shown once is selected whole when focused, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("input[data-select-on-focus]")) event.target.select();
  });
})();
