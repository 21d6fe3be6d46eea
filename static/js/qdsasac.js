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

// A select marked data-autosubmit sends its form as soon as a choice is made.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});

// A button that opens the shared form modal names the form in its data-modal-title.
document.addEventListener("show.bs.modal", function (event) {
  var title = event.relatedTarget && event.relatedTarget.getAttribute("data-modal-title");
  var heading = event.target.querySelector(".modal-title");
  if (title && heading) {
    heading.textContent = title;
  }
});

// A decision taken in the review queue removes its card: count it off the open tab and the header.
document.body.addEventListener("queueChanged", function () {
  document.querySelectorAll(".nav-link.active [data-queue-count], [data-testid=queue-total]").forEach(function (badge) {
    var count = parseInt(badge.textContent, 10);
    if (count > 0) {
      badge.textContent = String(count - 1);
    }
  });
});
