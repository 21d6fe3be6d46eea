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

// A select marked data-autosubmit sends its form as soon as a choice is made (language, quarter).
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});

// A button marked data-print prints the page (the A4 layouts: the charts' briefing, a supervision order).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Evidence inputs carry their size limits: a file too large is named before anything is sent,
// so the server's refusal never costs the user what they typed.
function uploadProblem(input) {
  var files = Array.prototype.slice.call(input.files || []);
  var perFile = Number(input.getAttribute("data-max-file-bytes"));
  var total = Number(input.getAttribute("data-max-total-bytes"));
  var tooLarge = files.filter(function (file) { return file.size > perFile; })[0];
  if (tooLarge) {
    return input.getAttribute("data-file-too-large").replace("{name}", tooLarge.name);
  }
  var sum = files.reduce(function (acc, file) { return acc + file.size; }, 0);
  return sum > total ? input.getAttribute("data-total-too-large") : "";
}

function showUploadProblem(input) {
  var message = uploadProblem(input);
  var note = input.parentNode.querySelector("[data-upload-problem]");
  if (!note) {
    note = document.createElement("div");
    note.className = "invalid-feedback d-block";
    note.setAttribute("data-upload-problem", "");
    note.setAttribute("role", "alert");
    note.id = input.id + "-upload-problem";
    input.insertAdjacentElement("afterend", note);
  }
  note.textContent = message;
  input.classList.toggle("is-invalid", Boolean(message));
  input.setAttribute("aria-invalid", message ? "true" : "false");
  return message;
}

document.addEventListener("change", function (event) {
  if (event.target.matches("input[type=file][data-max-file-bytes]")) {
    showUploadProblem(event.target);
  }
});

// Capturing, so an htmx form is stopped before htmx sends it.
document.addEventListener("submit", function (event) {
  var inputs = event.target.querySelectorAll("input[type=file][data-max-file-bytes]");
  for (var i = 0; i < inputs.length; i++) {
    if (showUploadProblem(inputs[i])) {
      event.preventDefault();
      event.stopPropagation();
      inputs[i].focus();
      return;
    }
  }
}, true);

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
