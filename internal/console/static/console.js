// paybridge console: the only script, loaded with the page's CSP nonce.
// It disables a form's buttons once it is sent, so a double click sends
// one request (the server refunds once per dialog anyway).
document.addEventListener("submit", function (e) {
  var f = e.target;
  if ((f.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
  if (f.dataset.sent) { e.preventDefault(); return; }
  f.dataset.sent = "1";
  setTimeout(function () {
    f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  }, 0);
});
