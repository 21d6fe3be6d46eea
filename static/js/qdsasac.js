// Forms that change something hard to undo carry data-confirm: ask before they are sent.
// A submit button may carry its own question (one form, two decisions).
document.addEventListener("submit", function (event) {
  var asker = event.submitter && event.submitter.hasAttribute("data-confirm") ? event.submitter : event.target;
  var message = asker.getAttribute("data-confirm");
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

// A button with data-print prints the page (the A4 layouts: a supervision order, the charts briefing).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
