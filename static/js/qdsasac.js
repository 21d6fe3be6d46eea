// Forms that change something hard to undo carry data-confirm: ask before they are sent.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// An htmx save answers with HX-Trigger "ledgerSaved" and its message: close the form's modal, show the message.
document.body.addEventListener("ledgerSaved", function (event) {
  var modal = document.getElementById("ledger-modal");
  if (modal && bootstrap.Modal.getInstance(modal)) {
    bootstrap.Modal.getInstance(modal).hide();
  }
  var toast = document.getElementById("ledger-toast");
  toast.querySelector(".toast-body").textContent = event.detail.value || "";
  bootstrap.Toast.getOrCreateInstance(toast).show();
});

// A select marked data-autosubmit sends its form as soon as a choice is made (language, quarter).
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});

// A button marked data-print prints the page (the charts' A4 briefing).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
