// "Set delivery rules" (FAQ 13). Without this script the link opens the same form as a page of its own, so
// nothing here is needed to change the rules; with it, the form opens as a dialog over Delivery Settings.
(function () {
  "use strict";

  // A PDF is attached only to an e-mail that is sent: keep the two boxes of a row agreeing, in sight of the person.
  for (const row of document.querySelectorAll("form.delivery-rules fieldset[data-document-type]")) {
    const email = row.querySelector("input[name$='__email_notification']");
    const pdf = row.querySelector("input[name$='__email_attachment']");
    pdf.addEventListener("change", function () { if (pdf.checked) { email.checked = true; } });
    email.addEventListener("change", function () { if (!email.checked) { pdf.checked = false; } });
  }

  const dialog = document.getElementById("delivery-rules-dialog");
  const opener = document.querySelector("[data-delivery-rules-open]");
  if (!dialog || !opener || typeof dialog.showModal !== "function") {
    return;
  }
  const form = dialog.querySelector("form");
  const cancel = function () {
    form.reset(); // Cancel leaves everything as it was: the boxes go back to the rules in force
    dialog.close();
    opener.focus();
  };
  opener.setAttribute("aria-haspopup", "dialog");
  opener.addEventListener("click", function (event) {
    event.preventDefault();
    form.reset();
    dialog.showModal();
  });
  for (const button of dialog.querySelectorAll("[data-delivery-rules-cancel]")) { // Close and Cancel
    button.addEventListener("click", function (event) {
      event.preventDefault();
      cancel();
    });
  }
  dialog.addEventListener("cancel", function (event) { // the Escape key
    event.preventDefault();
    cancel();
  });
})();
