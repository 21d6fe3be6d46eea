// The API tokens page: copy a new key to the clipboard with one click.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-from]");
  if (!button) {
    return;
  }
  var field = document.getElementById(button.getAttribute("data-copy-from"));
  field.select();
  var done = function () {
    button.textContent = button.getAttribute("data-copied-text");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done);
  } else {
    document.execCommand("copy");
    done();
  }
});
