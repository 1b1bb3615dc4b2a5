// Quickscan questionnaire: progress, answers kept on reload (in this browser only), code from
// the QR link's #code=... fragment (never sent to the server in a URL). No framework, no build.
(function () {
  "use strict";
  var form = document.getElementById("questionnaire");
  var done = document.getElementById("done");
  var m = /[#&]code=([A-Za-z0-9-]+)/.exec(window.location.hash);
  if (m) {
    try { sessionStorage.setItem("qs-code", m[1]); } catch (e) { /* storage disabled */ }
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  if (done) {
    try {
      localStorage.removeItem("qs-answers-" + done.dataset.scan);
      sessionStorage.removeItem("qs-code");
    } catch (e) { /* storage disabled */ }
    return;
  }
  if (!form) { return; }
  var key = "qs-answers-" + form.dataset.scan;
  var codeInput = document.getElementById("code");
  if (codeInput && !codeInput.value) {
    try { codeInput.value = sessionStorage.getItem("qs-code") || ""; } catch (e) { /* ignore */ }
  }
  function names() {
    var seen = {};
    form.querySelectorAll("input[type=radio]").forEach(function (r) { seen[r.name] = true; });
    return Object.keys(seen);
  }
  function update() {
    var all = names();
    var answered = all.filter(function (n) { return form.querySelector("input[name='" + n + "']:checked"); });
    var bar = document.getElementById("progress");
    bar.max = all.length; bar.value = answered.length;
    document.getElementById("progress-text").textContent = answered.length + " / " + all.length;
    var saved = {};
    answered.forEach(function (n) { saved[n] = form.querySelector("input[name='" + n + "']:checked").value; });
    try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* ignore */ }
  }
  try {
    var saved = JSON.parse(localStorage.getItem(key) || "{}");
    Object.keys(saved).forEach(function (n) {
      var el = form.querySelector("input[name='" + n + "'][value='" + saved[n] + "']");
      if (el && !form.querySelector("input[name='" + n + "']:checked")) { el.checked = true; }
    });
  } catch (e) { /* ignore */ }
  form.addEventListener("change", update);
  update();
})();
