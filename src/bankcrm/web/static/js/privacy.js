// The new privacy request form: the correction rows only for a correction. Disabling the
// fieldset keeps half-filled rows from being sent with an access or deletion request, which
// the server would refuse; without this script every row is shown and the server decides.
(function () {
  "use strict";
  var form = document.querySelector("[data-privacy-form]");
  if (!form) {
    return;
  }
  var kind = form.querySelector("[data-privacy-kind]");
  var corrections = form.querySelector("[data-privacy-corrections]");
  if (!kind || !corrections) {
    return;
  }

  function update() {
    var needed = kind.value === "correction";
    corrections.disabled = !needed;
    corrections.classList.toggle("d-none", !needed);
  }

  kind.addEventListener("change", update);
  update();
})();
